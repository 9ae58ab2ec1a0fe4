/**
 * `which` on real directories: the runtime a launch finds on PATH.
 */
import { assertEquals } from "../../_assert.ts";
import { which } from "../../../lib/system/real.ts";

Deno.test("which() takes the first executable on PATH, passing over missing and plain files", () => {
  const dir = Deno.makeTempDirSync({ prefix: "llm-which-" });
  try {
    for (const d of ["a", "b", "c"]) Deno.mkdirSync(`${dir}/${d}`);
    Deno.writeTextFileSync(`${dir}/a/podman`, "not executable\n", { mode: 0o644 });
    Deno.writeTextFileSync(`${dir}/b/podman`, "#!/bin/sh\n", { mode: 0o755 });
    Deno.writeTextFileSync(`${dir}/c/podman`, "#!/bin/sh\n", { mode: 0o755 });
    Deno.mkdirSync(`${dir}/c/docker`);
    const path = ["", `${dir}/missing`, `${dir}/missing`, `${dir}/a`, `${dir}/b`, `${dir}/c`]
      .join(":");
    assertEquals(which("podman", path), `${dir}/b/podman`);
    assertEquals(which("docker", path), null, "a directory is not an executable");
    assertEquals(which("apptainer", path), null);
    assertEquals(which(`${dir}/c/podman`, ""), `${dir}/c/podman`, "a path is checked as it is");
    assertEquals(which("podman", ""), null);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});
