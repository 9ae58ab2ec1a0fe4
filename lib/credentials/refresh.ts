/**
 * `llm refresh`, the edge: runs the logins, writes the exported credentials
 * and Pi's copy of the ChatGPT login, and pushes the files to a remote host.
 * Every decision is made by the pure modules beside this one; this file only
 * sequences them through the `System` seam.
 *
 * All new file contents are computed before the first write, so an error
 * (a malformed file, unusable credentials) leaves the host as it was.
 */
import type { CommandContext } from "../cli/command.ts";
import { LlmError } from "../errors.ts";
import { dirname, join } from "../std/path.ts";
import type { CredentialTree, System, TreePath } from "../system/system.ts";
import { quoteArgv } from "../text/shell_words.ts";
import {
  type AwsCredentials,
  EXPORT,
  formatDuration,
  parseExportedCredentials,
  usable,
} from "./aws_credentials.ts";
import { lastLine, sshReason } from "./_child_text.ts";
import { EXPORT_PROFILE, EXPORT_PROFILE_LINES, upsertIniSection } from "./ini.ts";
import { kindPaths, kindsOf, pushPaths, refreshSteps } from "./kinds.ts";
import { codexLogin, PI_CODEX_KEY, upsertPiAuth } from "./pi_auth.ts";
import { type RefreshRequest, refreshRequest } from "./request.ts";
import { rsyncArgv } from "./rsync.ts";
import { CREDENTIAL_LIMIT, shownPath, treePath, utf8Text, valueOf } from "./tree.ts";

const CODEX_LOGGED_IN = "Logged in using ChatGPT";
const CODEX_INSTALL = "npm install -g @openai/codex";
const AWS_INSTALL = "https://docs.aws.amazon.com/cli/latest/userguide/getting-started-install.html";

/** Entry point used by the command registry. */
export async function run(context: CommandContext): Promise<number> {
  const request = refreshRequest(context.options, context.args, context.system.env);
  return await refresh(request, context.system, new Date());
}

/** A file to write, with what it is for `--dry-run` and the log. */
interface PlannedWrite {
  readonly path: string;
  readonly content: string;
  readonly what: string;
}

/** Refresh's view of the machine: the seam, plus the no-follow credential tree. */
interface Host {
  readonly system: System;
  readonly tree: CredentialTree;
}

/** Carry out `request` on `system` at time `now`; resolves to the exit code. */
export async function refresh(
  request: RefreshRequest,
  system: System,
  now: Date,
): Promise<number> {
  if (request.showFiles) {
    system.stdout(showFiles(request));
    return 0;
  }
  if (request.bedrockExport) {
    const { bedrockExport } = await import("./bedrock_export.ts");
    return await bedrockExport(request, system, now);
  }
  return request.dryRun ? dryRun(request, system) : await refreshForReal(request, system, now);
}

async function refreshForReal(
  request: RefreshRequest,
  system: System,
  now: Date,
): Promise<number> {
  const steps = refreshSteps(request.kind);
  const runner = new Runner(system, request.verbose);
  const host: Host = { system, tree: await system.credentialTree() };
  const touched = touchedFiles(request, system);
  removeStaleTemps(host, touched.written);
  // Before any tool runs: codex and aws themselves write some of these files, following links.
  for (const path of [...touched.written, ...touched.read]) inspectFile(host, path);
  if (steps.awsLogin) { for (const dir of AWS_CACHES) refuseLinksIn(host, dir); }
  if (steps.codexLogin) await ensureCodexLogin(runner);
  if (steps.awsLogin) await ensureAwsLogin(runner, now);
  const writes: PlannedWrite[] = [];
  if (steps.awsLogin && request.exportCreds) {
    writes.push(...await awsExportWrites(runner, host, now));
  }
  if (steps.piFromCodex) writes.push(piWrite(host));
  // Every target once more, all before the first write: the logins took time.
  for (const w of writes) inspectFile(host, w.path);
  for (const w of writes) {
    writeCredentialFile(host, w.path, w.content);
    system.stderr(`wrote ${w.path} (${w.what})\n`);
  }
  if (request.destination !== undefined) await push(runner, host, request, request.destination);
  return 0;
}

/** Directories under the home that `aws sso login` and `aws configure export-credentials` write. */
const AWS_CACHES = [".aws/sso/cache", ".aws/cli/cache"];

/** The files this refresh may write and the ones it reads, as absolute paths. */
function touchedFiles(
  request: RefreshRequest,
  system: System,
): { written: string[]; read: string[] } {
  const steps = refreshSteps(request.kind);
  const written: string[] = [];
  const read: string[] = [];
  if (steps.awsLogin && request.exportCreds) {
    written.push(join(system.home, ".aws/credentials.json"), join(system.home, ".aws/config"));
  }
  if (steps.piFromCodex) {
    written.push(piAuthPath(system));
    read.push(codexAuthPath(system));
  }
  return { written, read };
}

/** Delete what a killed refresh left in the directories it writes to, saying so. */
function removeStaleTemps(host: Host, written: readonly string[]): void {
  const { system, tree } = host;
  const dirs = [...new Set(written.map((p) => dirname(p)))];
  for (const dir of dirs) {
    const result = tree.removeStaleTemps(treePath(system.home, dir));
    // A directory that is a link is reported by the checks that follow; nothing is removed there.
    if (!result.ok) continue;
    for (const name of result.value) {
      system.stderr(
        `removed ${shownPath(join(dir, name), system.home)} (left by an interrupted llm refresh)\n`,
      );
    }
  }
}

/** Throw unless `path` is a regular file or absent, reached without following a link. */
function inspectFile(host: Host, path: string): void {
  const { system, tree } = host;
  const found = valueOf(tree.inspect(treePath(system.home, path)), system.home);
  if (found === "dir") {
    valueOf({ ok: false, problem: { kind: "not-file", path } }, system.home);
  }
}

function refuseLinksIn(host: Host, homeRelative: string): void {
  const { system, tree } = host;
  valueOf(tree.refuseLinksIn(treePath(system.home, join(system.home, homeRelative))), system.home);
}

/** The text of a credential file (null when absent), read without following links. */
function readCredential(host: Host, path: string, fix: string): string | null {
  const { system, tree } = host;
  const bytes = valueOf(tree.read(treePath(system.home, path), CREDENTIAL_LIMIT), system.home);
  return bytes === null ? null : utf8Text(bytes, path, system.home, fix);
}

/** Runs children, echoing each argv on stderr with --verbose. */
class Runner {
  constructor(readonly system: System, readonly verbose: boolean) {}

  output(argv: readonly string[]) {
    if (this.verbose) this.system.stderr(`+ ${quoteArgv(argv)}\n`);
    return this.system.output(argv);
  }

  interactive(argv: readonly string[]) {
    if (this.verbose) this.system.stderr(`+ ${quoteArgv(argv)}\n`);
    return this.system.interactive(argv);
  }
}

async function ensureCodexLogin(runner: Runner): Promise<void> {
  const { system } = runner;
  if (system.which("codex") === null) {
    throw new LlmError(
      `codex not found on PATH: install it ('${CODEX_INSTALL}') or choose --kind claude`,
    );
  }
  const status = await runner.output(["codex", "login", "status"]);
  const said = `${status.stdout}\n${status.stderr}`;
  if (status.code === 0 && said.split("\n").some((l) => l.trim() === CODEX_LOGGED_IN)) {
    system.stderr("Codex: logged in with ChatGPT\n");
    return;
  }
  system.stderr("Codex: not logged in with ChatGPT; running 'codex login'\n");
  const login = await runner.interactive(["codex", "login"]);
  if (login.code !== 0) {
    throw new LlmError(
      `'codex login' failed (exit ${login.code})${
        lastLine(login.stderrTail)
      }; run it yourself to see why`,
    );
  }
}

async function ensureAwsLogin(runner: Runner, now: Date): Promise<AwsCredentials> {
  const { system } = runner;
  if (system.which("aws") === null) {
    throw new LlmError(
      `aws not found on PATH: install AWS CLI v2 (${AWS_INSTALL}), then run 'aws configure sso'`,
    );
  }
  let credentials = await exportedCredentials(runner);
  if (!usable(credentials, now)) {
    const why = credentials ? "expired" : "missing";
    system.stderr(`AWS: credentials ${why}; running 'aws sso login'\n`);
    const login = await runner.interactive(["aws", "sso", "login"]);
    if (login.code !== 0) {
      throw new LlmError(
        `'aws sso login' failed (exit ${login.code})${
          lastLine(login.stderrTail)
        }; if SSO is not set up yet, run 'aws configure sso' first`,
      );
    }
    credentials = await exportedCredentials(runner);
    if (!credentials || !usable(credentials, now)) {
      throw new LlmError(
        "'aws sso login' succeeded but 'aws configure export-credentials' still gives no " +
          "valid credentials; check the profile with 'aws configure sso'",
      );
    }
  }
  system.stderr(`AWS: ${expiryNote(credentials as AwsCredentials, now)}\n`);
  return credentials as AwsCredentials;
}

async function exportedCredentials(runner: Runner): Promise<AwsCredentials | null> {
  const out = await runner.output(EXPORT);
  return out.code === 0 ? parseExportedCredentials(out.stdout) : null;
}

function expiryNote(credentials: AwsCredentials, now: Date): string {
  const exp = credentials.expiration;
  if (!exp) return "credentials valid (long-term keys: no expiry)";
  return `credentials expire at ${exp.toISOString()} (in ${
    formatDuration(exp.getTime() - now.getTime())
  })`;
}

/** The process-format credentials file and the config profile that reads it. */
async function awsExportWrites(
  runner: Runner,
  host: Host,
  now: Date,
): Promise<PlannedWrite[]> {
  const { system } = runner;
  const argv = [...EXPORT, "--format", "process"];
  const out = await runner.output(argv);
  const credentials = out.code === 0 ? parseExportedCredentials(out.stdout) : null;
  if (!usable(credentials, now)) {
    throw new LlmError(
      `'${quoteArgv(argv)}' gave no valid credentials (exit ${out.code})${lastLine(out.stderr)}`,
    );
  }
  const configPath = join(system.home, ".aws/config");
  const writes: PlannedWrite[] = [{
    path: join(system.home, ".aws/credentials.json"),
    content: out.stdout.trimEnd() + "\n",
    what: "AWS credentials for the llm-export profile",
  }];
  const config = readCredential(
    host,
    configPath,
    "llm refresh keeps that file byte for byte and will not rewrite it: " +
      "convert it to UTF-8, or run with --no-export-creds",
  );
  const updated = upsertIniSection(config, EXPORT_PROFILE, EXPORT_PROFILE_LINES);
  if (updated !== config) {
    writes.push({ path: configPath, content: updated, what: `[${EXPORT_PROFILE}] section` });
  }
  return writes;
}

function codexAuthPath(system: System): string {
  return system.env.CODEX_AUTH_PATH || join(system.home, ".codex/auth.json");
}

function piAuthPath(system: System): string {
  return system.env.PI_AUTH_PATH || join(system.home, ".pi/agent/auth.json");
}

/** Pi's auth file with the ChatGPT login; throws before anything is written. */
function piWrite(host: Host): PlannedWrite {
  const { system } = host;
  const source = codexAuthPath(system);
  const text = readCredential(host, source, "run 'codex login' to recreate it");
  if (text === null) {
    throw new LlmError(`no Codex login at ${source}: run 'codex login' (or set CODEX_AUTH_PATH)`);
  }
  const target = piAuthPath(system);
  return {
    path: target,
    content: upsertPiAuth(
      readCredential(host, target, "fix or remove it, then run again"),
      codexLogin(text, source),
      target,
    ),
    what: `Pi's '${PI_CODEX_KEY}' login from ${source}`,
  };
}

/**
 * Write a credential file atomically, 0600 from its first byte, creating
 * missing directories 0700. A symlink in the way is refused, never written
 * through: the agent can plant one in every mounted credential directory.
 */
function writeCredentialFile(host: Host, path: string, content: string): void {
  const { system, tree } = host;
  const bytes = new TextEncoder().encode(content);
  valueOf(tree.write(treePath(system.home, path), bytes, 0o600), system.home);
}

async function push(
  runner: Runner,
  host: Host,
  request: RefreshRequest,
  dest: string,
): Promise<void> {
  const { system } = runner;
  const { present, missing } = presentForPush(host, pushPaths(request.kind, request.full));
  for (const p of missing) system.stderr(`warning: ~/${p} not found; not pushing it\n`);
  if (present.length === 0) {
    system.stderr(`warning: none of the files exist locally; nothing pushed to ${dest}\n`);
    return;
  }
  if (system.which("rsync") === null) {
    throw new LlmError("rsync not found on PATH: install rsync to push credentials to --remote");
  }
  const argv = rsyncArgv({
    home: system.home,
    paths: present,
    destination: dest,
    sshOptions: request.sshOptions,
  });
  const result = await runner.interactive(argv);
  if (result.code !== 0) {
    throw new LlmError(
      `rsync to ${dest} failed (exit ${result.code})${
        sshReason(result.stderrTail)
      }; check that ssh works: ${quoteArgv(sshCheck(request.sshOptions, dest))}`,
    );
  }
  system.stderr(`pushed ${present.map((p) => `~/${p}`).join(" ")} to ${dest}\n`);
}

/** The command that tests the connection rsync needs. */
function sshCheck(sshOptions: readonly string[], dest: string): string[] {
  return ["ssh", ...sshOptions.flatMap((o) => ["-o", o]), dest, "true"];
}

/**
 * Split home-relative `paths` into those to push and those missing. rsync
 * follows a symlink on the way to a path it is given (it sends the link's
 * target as the path), so a link anywhere below a credential root, the
 * pushed path included, is refused before rsync runs.
 */
function presentForPush(
  host: Host,
  paths: readonly string[],
): { present: string[]; missing: string[] } {
  const { system, tree } = host;
  const present: string[] = [];
  const missing: string[] = [];
  for (const p of paths) {
    const at: TreePath = treePath(system.home, join(system.home, p.replace(/\/+$/, "")));
    const found = valueOf(tree.inspect(at), system.home);
    (found === "absent" ? missing : present).push(p);
  }
  return { present, missing };
}

function splitPresent(
  system: System,
  paths: readonly string[],
  alsoPresent: readonly string[] = [],
): { present: string[]; missing: string[] } {
  const present: string[] = [];
  const missing: string[] = [];
  for (const p of paths) {
    const exists = alsoPresent.includes(p) || system.stat(join(system.home, p)) !== null;
    (exists ? present : missing).push(p);
  }
  return { present, missing };
}

/** `--dry-run`: the commands and writes, as lines that also paste into bash. */
function dryRun(request: RefreshRequest, system: System): number {
  const steps = refreshSteps(request.kind);
  const lines: string[] = ["# llm refresh --dry-run: nothing is run or written"];
  if (steps.codexLogin) {
    lines.push(
      "# Codex: check the ChatGPT login, log in only when it is missing",
      quoteArgv(["codex", "login", "status"]),
      quoteArgv(["codex", "login"]),
    );
  }
  const written: string[] = [];
  if (steps.awsLogin) {
    lines.push(
      "# AWS: check the credentials, log in with SSO only when they are missing or expired",
      quoteArgv(EXPORT),
      quoteArgv(["aws", "sso", "login"]),
    );
    if (request.exportCreds) {
      const config = join(system.home, ".aws/config");
      const creds = join(system.home, ".aws/credentials.json");
      lines.push(
        quoteArgv([...EXPORT, "--format", "process"]),
        `# write ${creds} (0600): the output of the command above`,
        `# update ${config} (0600): set the [${EXPORT_PROFILE}] section`,
      );
      written.push(".aws/credentials.json", ".aws/config");
    }
  }
  if (steps.piFromCodex) {
    const target = piAuthPath(system);
    lines.push(
      `# write ${target} (0600): key '${PI_CODEX_KEY}' from ${codexAuthPath(system)}`,
    );
    if (target === join(system.home, ".pi/agent/auth.json")) written.push(".pi/agent/auth.json");
  }
  if (request.destination !== undefined) {
    const paths = pushPaths(request.kind, request.full);
    const { present, missing } = splitPresent(system, paths, written);
    for (const p of missing) lines.push(`# skip ~/${p}: not found locally`);
    if (present.length === 0) lines.push("# nothing to push: none of the files exist locally");
    else {
      lines.push(
        quoteArgv(rsyncArgv({
          home: system.home,
          paths: present,
          destination: request.destination,
          sshOptions: request.sshOptions,
        })),
      );
    }
  }
  system.stdout(lines.join("\n") + "\n");
  return 0;
}

/** `--show-files`: each kind's default and `--full` sets. */
export function showFiles(request: Pick<RefreshRequest, "kind">): string {
  const lines: string[] = [];
  for (const kind of kindsOf(request.kind)) {
    lines.push(`${kind} (pushed by default):`);
    lines.push(...kindPaths(kind, false).map((p) => `  ~/${p}`));
    lines.push(`${kind} (with --full):`);
    lines.push(...kindPaths(kind, true).map((p) => `  ~/${p}`));
  }
  return lines.join("\n") + "\n";
}
