import { assertEquals, assertThrows } from "../../_assert.ts";
import { LlmError } from "../../../lib/errors.ts";
import { chooseSifImage } from "../../../lib/runtime/singularity.ts";
import { addSymlink, fakeSystem } from "../../_fake_system.ts";

const CWD = "/work/project";

Deno.test("chooseSifImage(): --sif-path runs the file a symlink points to, by its resolved path", () => {
  const host = fakeSystem({ files: ["/images/llm.sif"] });
  addSymlink(host, "/home/user/llm.sif", "/images/llm.sif");
  const choice = chooseSifImage({ sifPath: "~/llm.sif", defaultTag: "latest" }, host);
  assertEquals(choice.image, "/images/llm.sif");
});

Deno.test("chooseSifImage(): a --sif-path symlink in the workspace leading out of it is refused", () => {
  const host = fakeSystem({ files: ["/home/user/other.sif"] });
  addSymlink(host, `${CWD}/llm.sif`, "/home/user/other.sif");
  assertThrows(
    () => chooseSifImage({ sifPath: "llm.sif", defaultTag: "latest" }, host),
    LlmError,
    `--sif-path: ${CWD}/llm.sif resolves to /home/user/other.sif, outside the workspace ${CWD}, ` +
      "through a symlink in the workspace (which the agent can change)",
  );
});
