import { assertEquals } from "../../_assert.ts";
import {
  buildSource,
  CONTEXT_FILES,
  findCheckout,
  projectRoot,
} from "../../../lib/image/context.ts";
import { fakeSystem } from "../../_fake_system.ts";

Deno.test("findCheckout() accepts a root holding the Dockerfile and the image/ scripts", () => {
  const system = fakeSystem({ files: CONTEXT_FILES.map((f) => `/src/${f}`) });
  assertEquals(findCheckout("/src", (p) => system.stat(p)), "/src");
});

Deno.test("findCheckout() rejects a root missing any build context file", () => {
  const system = fakeSystem({ files: ["/src/Dockerfile", "/src/image/llm-diagnostics"] });
  assertEquals(findCheckout("/src", (p) => system.stat(p)), null);
  assertEquals(findCheckout(null, (p) => system.stat(p)), null);
});

Deno.test("buildSource() prefers --file, with its directory as the context", () => {
  assertEquals(buildSource("/x/ctx/Containerfile", "/src"), {
    kind: "file",
    dockerfile: "/x/ctx/Containerfile",
    contextDir: "/x/ctx",
  });
});

Deno.test("buildSource() uses the checkout, else the embedded copy", () => {
  assertEquals(buildSource(undefined, "/src"), {
    kind: "checkout",
    dockerfile: "/src/Dockerfile",
    contextDir: "/src",
  });
  assertEquals(buildSource(undefined, null), { kind: "embedded" });
});

Deno.test("projectRoot() is two levels above a local module and null for a remote one", () => {
  assertEquals(projectRoot("file:///opt/llm/lib/image/command.ts"), "/opt/llm");
  assertEquals(projectRoot("file:///opt/my%20llm/lib/image/command.ts"), "/opt/my llm");
  assertEquals(projectRoot("https://example.invalid/llm/lib/image/command.ts"), null);
});
