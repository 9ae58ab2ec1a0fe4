/**
 * `llm doctor`'s judgements: pure functions from gathered facts to marks,
 * findings and fixes.
 */
import { type Palette, PLAIN } from "../text/colour.ts";

/** How a check came out. `warn` does not fail the doctor; `fail` does. */
export type Status = "pass" | "warn" | "fail";

/** One line of the doctor's report. */
export interface Check {
  readonly id: string;
  readonly status: Status;
  readonly finding: string;
  /** What to do, when not passing. */
  readonly fix?: string;
}

/** The report: every check, whether none failed, and what to do next. */
export interface Report {
  readonly ok: boolean;
  readonly checks: readonly Check[];
  /** The fixes to run, failures first, merged and without repeats (see `nextSteps`). */
  readonly next: readonly string[];
}

/** Build the report from checks. */
export function report(checks: readonly Check[]): Report {
  return { ok: checks.every((c) => c.status !== "fail"), checks, next: nextSteps(checks) };
}

const PULL = /^llm pull ([^\s]+)$/;

/**
 * What to do next: the fixes of failing checks, then of warnings, each once.
 * The `llm pull AGENT` fixes become one `llm pull` (every image missing) or
 * `llm pull A B`, and a plain `llm refresh` covers its `--kind` variants.
 *
 * @example
 * ```ts
 * import { nextSteps } from "./checks.ts";
 * nextSteps([
 *   { id: "image codex", status: "warn", finding: "", fix: "llm pull codex" },
 *   { id: "image pi", status: "pass", finding: "" },
 *   { id: "credentials codex", status: "warn", finding: "", fix: "llm refresh --kind codex" },
 * ]); // ["llm pull codex", "llm refresh --kind codex"]
 * ```
 */
export function nextSteps(checks: readonly Check[]): string[] {
  const open = [
    ...checks.filter((c) => c.status === "fail"),
    ...checks.filter((c) => c.status === "warn"),
  ];
  const fixes = [...new Set(open.flatMap((c) => c.fix === undefined ? [] : [c.fix]))];
  const pulls = fixes.flatMap((f) => PULL.exec(f)?.[1] ?? []);
  const images = checks.filter((c) => c.id.startsWith("image "));
  const pull = pulls.length === images.length ? "llm pull" : `llm pull ${pulls.join(" ")}`;
  const steps: string[] = [];
  for (const fix of fixes) {
    if (PULL.test(fix)) {
      if (!steps.includes(pull)) steps.push(pull);
    } else if (!(fix.startsWith("llm refresh --kind ") && fixes.includes("llm refresh"))) {
      steps.push(fix);
    }
  }
  return steps;
}

const MARKS: Record<Status, string> = { pass: "✓", warn: "!", fail: "✗" };

/**
 * The report as text: one line per check plus an indented fix, then a
 * summary with the next steps. `palette` colours the marks and the summary.
 */
export function formatReport(r: Report, palette: Palette = PLAIN): string {
  const paint: Record<Status, (text: string) => string> = {
    pass: palette.ok,
    warn: palette.warning,
    fail: palette.error,
  };
  const lines: string[] = [];
  for (const c of r.checks) {
    lines.push(`${paint[c.status](MARKS[c.status])} ${c.id}: ${c.finding}`);
    if (c.fix && c.status !== "pass") lines.push(`    fix: ${c.fix}`);
  }
  const failed = r.checks.filter((c) => c.status === "fail").length;
  const warned = r.checks.filter((c) => c.status === "warn").length;
  const warnings = warned ? `${warned} warning${warned > 1 ? "s" : ""}` : "";
  const summary = r.ok
    ? `${palette.ok("all good")}${warnings ? ` (${warnings})` : ""}`
    : `${palette.error(`${failed} problem${failed > 1 ? "s" : ""} found`)}${
      warnings ? ` (and ${warnings})` : ""
    }`;
  if (r.next.length === 0) {
    lines.push(summary);
  } else {
    lines.push(`${summary}; next:`, ...r.next.map((step) => `    ${step}`));
  }
  return lines.join("\n") + "\n";
}

/** Human age of something created at `created`, as seen at `now`. */
export function age(created: Date, now: Date): string {
  const days = Math.floor((now.getTime() - created.getTime()) / 86_400_000);
  if (days < 1) return "less than a day old";
  return days === 1 ? "1 day old" : `${days} days old`;
}

/** Judge an expiry time: expired fails to `warn` with the refresh fix. */
export function expiryCheck(
  id: string,
  what: string,
  expires: Date | null,
  now: Date,
): Check {
  if (expires === null) return { id, status: "pass", finding: `${what} present (expiry unknown)` };
  const left = expires.getTime() - now.getTime();
  if (left <= 0) {
    return {
      id,
      status: "warn",
      finding: `${what} expired at ${expires.toISOString()}`,
      fix: "llm refresh",
    };
  }
  const hours = Math.floor(left / 3_600_000);
  return {
    id,
    status: "pass",
    finding: `${what} valid until ${expires.toISOString()} (${
      hours >= 48 ? `${Math.floor(hours / 24)} days` : `${hours} h`
    } left)`,
  };
}

/** Judge a certificate bundle's text. */
export function certsCheck(path: string | undefined, text: string | null): Check {
  const id = "certs";
  if (path === undefined) return { id, status: "pass", finding: "no CA bundle configured" };
  if (text === null) {
    return {
      id,
      status: "fail",
      finding: `${path} cannot be read`,
      fix: "point --certs or LLM_DEVCONTAINER_CERTS at a readable PEM file",
    };
  }
  const count = text.split("-----BEGIN CERTIFICATE-----").length - 1;
  if (count === 0) {
    return {
      id,
      status: "fail",
      finding: `${path} holds no PEM certificate`,
      fix: "export your CA certificates in PEM format (-----BEGIN CERTIFICATE-----)",
    };
  }
  return { id, status: "pass", finding: `${path}: ${count} certificate${count > 1 ? "s" : ""}` };
}

/** The `Expiration` of `~/.aws/credentials.json` (as written by `llm refresh`), or null. */
export function awsExpiration(text: string): Date | null | "malformed" {
  try {
    const data: unknown = JSON.parse(text);
    if (typeof data !== "object" || data === null) return "malformed";
    const exp = (data as Record<string, unknown>).Expiration;
    if (typeof exp !== "string") return null;
    const d = new Date(exp);
    return Number.isNaN(d.getTime()) ? "malformed" : d;
  } catch {
    return "malformed";
  }
}
