/**
 * `mask:` and `ro:` in the user config serve every project, so they apply
 * where the path exists and are skipped (a note with --verbose) where it
 * does not; on the command line and in a project file a missing path stays
 * an error. Through `main()` on a fake host, so the sources are the real ones.
 */
import { assertEquals, assertStringIncludes } from "../../_assert.ts";
import { main } from "../../../lib/cli/main.ts";
import { sha256Hex } from "../../../lib/config/trust.ts";
import { isUserConfigSource } from "../../../lib/launch/request.ts";
import { splitShellWords } from "../../../lib/text/shell_words.ts";
import { type FakeSystem, fakeSystem, setContent } from "../../_fake_system.ts";

const CONFIG = "/home/user/.config/llm/config.yaml";
const PROJECT = "/work/project/.llm.yaml";
const STORE = "/home/user/.config/llm/trusted.json";

function host(files: Record<string, string>, present: string[] = []): FakeSystem {
  const system = fakeSystem({
    files: [...Object.keys(files), ...present],
    executables: ["podman"],
  });
  for (const [path, text] of Object.entries(files)) setContent(system, path, text);
  return system;
}

/** The masks of a dry run: the container paths given a read-only empty file or directory. */
async function masked(system: FakeSystem, argv: string[]): Promise<string[]> {
  const code = await main(["--dry-run", ...argv], system);
  assertEquals(code, 0, system.err.join(""));
  const words = splitShellWords(system.out.join(""));
  return words.flatMap((w) => {
    // The line's temporary directory is "$d", which splitShellWords leaves as written.
    const m = /^\$d\/empty[^:]*:([^:]+)/.exec(w);
    return m ? [m[1]] : [];
  });
}

Deno.test("a user-config mask applies where the path exists", async () => {
  const system = host({ [CONFIG]: "mask: [.env, secrets]\n" }, ["/work/project/.env"]);
  assertEquals(await masked(system, ["codex"]), ["/work/project/.env"]);
  assertEquals(system.err.join("").includes("warning"), false);
});

Deno.test("a user-config mask or ro path that is absent is skipped, and --verbose says so", async () => {
  const system = host({ [CONFIG]: "mask: [.env]\nro: [data]\n" });
  assertEquals(await masked(system, ["--verbose", "codex"]), []);
  const err = system.err.join("");
  assertStringIncludes(
    err,
    "llm: --mask .env (your user config) is skipped: it does not exist here",
  );
  assertStringIncludes(err, "llm: --ro data (your user config) is skipped: it does not exist here");
  const quiet = host({ [CONFIG]: "mask: [.env]\n" });
  assertEquals(await masked(quiet, ["codex"]), []);
  assertEquals(quiet.err.join("").includes(".env"), false);
});

Deno.test("a missing --mask on the command line is still an error", async () => {
  const system = host({ [CONFIG]: "mask: [.env]\n" });
  assertEquals(await main(["--dry-run", "--mask", "secrets", "codex"], system), 1);
  assertEquals(
    system.err.join(""),
    "llm: error: --mask secrets does not exist; give an existing path\n",
  );
});

Deno.test("a missing mask of a trusted project file is still an error", async () => {
  const text = "mask: [secrets]\n";
  const system = host({
    [PROJECT]: text,
    [STORE]: JSON.stringify({
      version: 2,
      files: {
        [PROJECT]: {
          sha256: await sha256Hex(text),
          restrictions: { mask: ["secrets"], ro: [], global_read_only: false },
        },
      },
    }),
  });
  assertEquals(await main(["--dry-run", "codex"], system), 1);
  assertStringIncludes(system.err.join(""), "--mask secrets does not exist");
});

Deno.test("which sources count as the user config", () => {
  assertEquals(isUserConfigSource("--mask"), false);
  assertEquals(isUserConfigSource(`${CONFIG}:3`), true);
  assertEquals(isUserConfigSource("/etc/team-llm.yaml:1"), true);
  assertEquals(isUserConfigSource(`${PROJECT}:3`), false);
  assertEquals(isUserConfigSource(`${PROJECT} (trusted; file gone)`), false);
});
