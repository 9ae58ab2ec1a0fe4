/**
 * Docker end to end. Only the docker client is installed on the test
 * machines, so this skips (and says so) unless `docker info` works.
 */
import { assertEquals } from "../_assert.ts";
import { join } from "../../lib/std/path.ts";
import { which } from "../../lib/system/real.ts";
import { E2E_DIR, TEST_IMAGE } from "../../tasks/e2e_setup.ts";
import { makeFakeArea, runFakeLlm } from "./_fake_backend.ts";

async function dockerSkipReason(): Promise<string | null> {
  const docker = which("docker", Deno.env.get("PATH") ?? "");
  if (docker === null) return "docker is not on PATH";
  const out = await new Deno.Command(docker, { args: ["info"], stdout: "null", stderr: "null" })
    .output();
  if (out.code !== 0) return "'docker info' failed: no docker engine is running";
  try {
    await Deno.stat(join(E2E_DIR, "rootfs.tar"));
  } catch {
    return "the test image's rootfs.tar is missing: run the tests with 'deno task test'";
  }
  return null;
}

const reason = await dockerSkipReason();
if (reason) console.log(`skipping docker backend tests: ${reason}`);

Deno.test({
  name: "docker launch: the agent writes workspace files owned by the invoking user",
  ignore: reason !== null,
  async fn() {
    const imported = await new Deno.Command("docker", {
      args: ["import", join(E2E_DIR, "rootfs.tar"), TEST_IMAGE],
    }).output();
    assertEquals(imported.code, 0, new TextDecoder().decode(imported.stderr));
    const area = await makeFakeArea();
    try {
      const r = await runFakeLlm(area, [
        "--backend",
        "docker",
        "--image-name",
        TEST_IMAGE,
        "shell",
        "--",
        "touch",
        "made-in-container",
      ], { path: Deno.env.get("PATH") });
      assertEquals(r.code, 0, r.stderr);
      const info = await Deno.stat(join(area.workspace, "made-in-container"));
      assertEquals(info.uid, Deno.uid());
    } finally {
      await area.cleanup();
    }
  },
});
