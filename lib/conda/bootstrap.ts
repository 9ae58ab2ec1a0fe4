/**
 * `llm conda-bootstrap`: install Miniforge for the Linux container, with the
 * container itself running the verified installer.
 */
import type { CommandContext } from "../cli/command.ts";
import { launchAgent } from "../commands/agent.ts";
import { LlmError, UsageError } from "../errors.ts";
import { containerPlatform } from "../launch/image.ts";
import { hostPath } from "../launch/mounts.ts";
import { dirname, join } from "../std/path.ts";
import { type Downloader, realDownloader } from "../system/download.ts";
import type { InteractiveResult, System } from "../system/system.ts";
import { problemLine } from "../text/colour.ts";
import { quoteWord } from "../text/shell_words.ts";
import {
  cacheFileName,
  checksumUrl,
  installerName,
  installerUrl,
  parseChecksum,
} from "./installer.ts";
import {
  bootstrapLaunchOptions,
  condaAgent,
  createHostDirs,
  ignoredByInstaller,
  installerCommand,
  installerTarget,
  launchView,
  plannedHostDirs,
} from "./launch.ts";
import { checkPrefixHost, condaExecutable, installerCacheDir, resolvePrefix } from "./paths.ts";
import { progressReporter } from "./progress.ts";

/** Exit status podman and docker use for their own failures (already explained by the launcher). */
const RUNTIME_FAILURE = 125;
/** How many of the installer's last lines to repeat when it fails. */
const TAIL_LINES = 12;

/** What the bootstrap needs from outside besides the `System`. */
export interface BootstrapDeps {
  readonly downloader: Downloader;
  /** Milliseconds from any fixed origin, for the download rate. */
  readonly now: () => number;
}

/** The command's entry point. */
export async function run(context: CommandContext): Promise<number> {
  const caCerts = downloadCertificates(context);
  return await condaBootstrap(context, {
    downloader: realDownloader({ caCerts }),
    now: () => performance.now(),
  });
}

/**
 * The launcher's CA bundle (`--certs`, else `LLM_DEVCONTAINER_CERTS`), also
 * trusted for the download: a proxy that re-signs TLS does so on the host too.
 */
export function downloadCertificates(context: CommandContext): string[] {
  const { options, system } = context;
  const given = options.values.get("certs") ?? system.env.LLM_DEVCONTAINER_CERTS;
  if (!given) return [];
  const path = hostPath(given, system.home, system.cwd);
  const pem = system.stat(path) === "file" ? system.readText(path) : null;
  if (pem === null) {
    throw new LlmError(`CA bundle ${path} is not a readable file; give a PEM file with --certs`);
  }
  return [pem];
}

/**
 * Install Miniforge at the prefix unless it is there (or `--force`):
 * fetch the published checksum, reuse or download the installer (verified),
 * then run it in the container. Resolves to the exit code.
 */
export async function condaBootstrap(
  context: CommandContext,
  deps: BootstrapDeps,
): Promise<number> {
  const { options, args, system } = context;
  if (args.length > 0) {
    throw new UsageError(
      `llm conda-bootstrap takes no arguments (got '${args[0]}'); see 'llm conda-bootstrap --help'`,
    );
  }
  const dryRun = options.flags.has("dry-run");
  const prefix = resolvePrefix(options.values.get("prefix"), system);
  const platform = containerPlatform(options.values.get("arch"), system.arch);
  const url = installerUrl(platform, options.values.get("installer-url"));
  for (const w of checkPrefixHost(prefix.path, system)) {
    system.stderr(await problemLine(system, "warning", w));
  }

  if (system.stat(condaExecutable(prefix.path)) !== null && !options.flags.has("force")) {
    system.stderr(
      `llm: Miniforge is already installed at ${prefix.path}; nothing to do ` +
        `(--force re-runs the installer to update it)\n`,
    );
    return 0;
  }

  const sumUrl = checksumUrl(url);
  const cached = join(installerCacheDir(system), cacheFileName(url, installerName(platform)));
  const agent = condaAgent(
    "conda-bootstrap",
    () => installerCommand(installerTarget(cached), prefix.path),
  );
  // The installer needs only the prefix (the launch's workspace), conda's state and itself:
  // neither the working directory nor the config's mounts go into its container.
  const launchOptions = bootstrapLaunchOptions(options, { home: system.home, installer: cached });
  const ignored = ignoredByInstaller(options);
  if (ignored.length > 0) {
    const message = `${ignored.join(", ")} ${ignored.length > 1 ? "are" : "is"} not used: ` +
      `the installer's container gets only the prefix, the installer and conda's state directories`;
    system.stderr(await problemLine(system, "warning", message));
  }

  if (dryRun) {
    system.stderr(
      `llm: would download ${url}, check it against ${sumUrl}, keep it as ${cached} ` +
        `and run it in the container:\n`,
    );
    const exists = plannedHostDirs(system.home, prefix.path);
    exists.set(cached, "file");
    const view = launchView(system, { exists, cwd: prefix.path });
    return await launchAgent(agent, [], launchOptions, view);
  }

  const expected = await publishedChecksum(deps.downloader, sumUrl);
  await ensureInstaller(system, deps, { url, sumUrl, cached, expected });

  const existed = system.stat(prefix.path) !== null;
  // The installer's -u accepts the prefix existing; it is mounted, so it must.
  createHostDirs(system, prefix.path);
  let result: InteractiveResult | undefined;
  // No TTY: with one the runtime would merge the installer's stderr into
  // stdout, and its last lines could not be shown again on failure.
  const view = launchView(system, {
    cwd: prefix.path,
    terminal: false,
    onResult: (r) => (result = r),
  });
  const code = await launchAgent(agent, [], launchOptions, view);
  if (code === RUNTIME_FAILURE) return code;
  if (code !== 0) {
    const tail = lastLines(result?.stderrTail ?? "", TAIL_LINES);
    if (tail.length > 0) {
      system.stderr(`llm: the installer's last lines:\n${tail.map((l) => `  ${l}\n`).join("")}`);
    }
    let state = `the previous install at ${prefix.path} was left as it was`;
    if (!existed) {
      system.remove(prefix.path);
      state = `the partial install at ${prefix.path} was removed`;
    }
    throw new LlmError(`the Miniforge installer failed with exit code ${code}; ${state}`);
  }
  if (system.stat(condaExecutable(prefix.path)) === null) {
    throw new LlmError(
      `the installer finished but ${condaExecutable(prefix.path)} is missing; is ${url} a ` +
        `Miniforge installer?`,
    );
  }
  const select = prefix.explicit ? ` --prefix ${quoteWord(prefix.path)}` : "";
  system.stderr(
    `llm: Miniforge is installed at ${prefix.path}\n` +
      `llm: create an environment with 'llm conda${select} create -p DIR ...', ` +
      `then use it with 'llm --conda-env DIR <agent>'\n`,
  );
  return 0;
}

async function publishedChecksum(downloader: Downloader, sumUrl: string): Promise<string> {
  let text: string;
  try {
    text = await downloader.fetchText(sumUrl);
  } catch (e) {
    if (!(e instanceof LlmError)) throw e;
    throw new LlmError(
      `no checksum for the installer (${e.message}); llm runs only an installer it has verified`,
    );
  }
  return parseChecksum(text, sumUrl);
}

/** Make sure `cached` holds the installer with the expected checksum. */
async function ensureInstaller(
  system: System,
  deps: BootstrapDeps,
  where: { url: string; sumUrl: string; cached: string; expected: string },
): Promise<void> {
  const { url, sumUrl, cached, expected } = where;
  const have = await deps.downloader.sha256File(cached);
  if (have === expected) {
    system.stderr(`llm: using the cached installer ${cached} (checksum matches)\n`);
    return;
  }
  // A stale installer (an older release) is of no further use.
  if (have !== null) system.remove(cached);
  if (system.stat(dirname(cached)) === null) system.mkdir(dirname(cached));
  const reporter = progressReporter(url, {
    write: (text) => system.stderr(text),
    now: deps.now,
    terminal: system.isTerminal(),
  });
  try {
    await deps.downloader.downloadFile(url, cached, {
      onProgress: (p) => reporter.update(p),
      verify: (got) => {
        if (got !== expected) {
          throw new LlmError(
            `checksum mismatch for ${url}: its SHA-256 is ${got} but ${sumUrl} says ` +
              `${expected}; nothing was kept or run`,
          );
        }
      },
    });
  } catch (e) {
    reporter.abandon();
    throw e;
  }
  reporter.done();
}

/**
 * The last `n` non-empty lines of `text`.
 *
 * @example
 * ```ts
 * import { lastLines } from "./bootstrap.ts";
 * lastLines("a\n\nb\nc\n", 2); // ["b", "c"]
 * ```
 */
export function lastLines(text: string, n: number): string[] {
  return text.split(/\r?\n/).filter((l) => l.trim() !== "").slice(-n);
}
