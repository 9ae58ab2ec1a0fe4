/**
 * `llm build`: the edge that runs the builder. Deciding is done by the pure
 * modules beside this one; here the build context is written (when the
 * embedded copy is used), the builder runs, and the context is removed.
 */
import type { CommandContext } from "../cli/command.ts";
import { sourceOf } from "../cli/parse.ts";
import { LlmError, UsageError } from "../errors.ts";
import { dirname, join } from "../std/path.ts";
import type { System } from "../system/system.ts";
import { problemLine } from "../text/colour.ts";
import { quoteArgv } from "../text/shell_words.ts";
import { EMBEDDED_CONTEXT } from "./_embedded.ts";
import { buildArgv, type BuildFiles } from "./argv.ts";
import { selectBuildBackend } from "./backend.ts";
import { type BuildSource, buildSource, findCheckout, projectRoot } from "./context.ts";
import { buildRequest } from "./request.ts";

/** Stands for the temporary build context in `--dry-run` output. */
export const DRY_RUN_CONTEXT = "<llm-build-context>";

/** Run `llm build`. */
export async function run({ options, args, system }: CommandContext): Promise<number> {
  if (args.length > 0) {
    throw new UsageError(`llm build takes no arguments (got '${args[0]}'); see 'llm build --help'`);
  }
  const dryRun = options.flags.has("dry-run");
  const verbose = options.flags.has("verbose");
  const request = buildRequest(options, system);
  const fromOptions = options.values.has("backend");
  const backend = selectBuildBackend({
    requested: options.values.get("backend") ?? (system.env.LLM_BACKEND || undefined),
    origin: fromOptions ? sourceOf(options, "backend") : "LLM_BACKEND",
    which: (name) => system.which(name),
    dryRun,
  });
  const source = buildSource(
    request.file,
    findCheckout(projectRoot(import.meta.url), (p) => system.stat(p)),
  );
  if (!backend.found) {
    const message = `${backend.executable} not found; showing its command anyway`;
    system.stderr(await problemLine(system, "warning", message));
  }
  if (verbose) {
    system.stderr(`llm: builder ${backend.reason}\n`);
    system.stderr(`llm: Dockerfile ${describe(source)}\n`);
  }
  if (dryRun) {
    if (source.kind === "embedded") {
      system.stderr(
        `llm: note: ${DRY_RUN_CONTEXT} stands for a temporary directory that llm fills with ` +
          `its built-in Dockerfile when it builds\n`,
      );
    }
    system.stdout(quoteArgv(buildArgv(request, backend.executable, filesFor(source))) + "\n");
    return 0;
  }
  const tempDir = source.kind === "embedded" ? writeEmbeddedContext(system) : null;
  let code: number;
  try {
    const files = tempDir === null ? filesFor(source) : {
      dockerfile: join(tempDir, "Dockerfile"),
      contextDir: tempDir,
    };
    code = (await system.interactive(buildArgv(request, backend.executable, files))).code;
  } finally {
    if (tempDir !== null) system.remove(tempDir);
  }
  if (code !== 0) {
    throw new LlmError(
      `${backend.executable} build failed (exit ${code}); its output above says why`,
    );
  }
  system.stderr(
    `llm: built ${request.image}; run an agent in it with: llm --image-name ${request.image} codex\n`,
  );
  return 0;
}

function filesFor(source: BuildSource): BuildFiles {
  if (source.kind === "embedded") {
    return { dockerfile: `${DRY_RUN_CONTEXT}/Dockerfile`, contextDir: DRY_RUN_CONTEXT };
  }
  return { dockerfile: source.dockerfile, contextDir: source.contextDir };
}

function describe(source: BuildSource): string {
  switch (source.kind) {
    case "file":
      return `${source.dockerfile} (--file; context ${source.contextDir})`;
    case "checkout":
      return `${source.dockerfile} (the checkout llm runs from)`;
    case "embedded":
      return "built into llm (written to a temporary directory for the build)";
  }
}

/** Write the embedded build context to a new temporary directory; returns it. */
export function writeEmbeddedContext(system: System): string {
  const dir = system.makeTempDir("llm-build-");
  try {
    for (const file of EMBEDDED_CONTEXT) {
      const path = join(dir, file.path);
      system.mkdir(dirname(path), 0o700);
      system.writeFileAtomic(path, file.content, file.mode);
    }
  } catch (e) {
    system.remove(dir);
    throw e;
  }
  return dir;
}
