/**
 * Relative links in docs/ and README.md point at files that exist, so a
 * renamed or missing page is caught before a reader follows the link.
 */
import { dirname, join } from "../../lib/std/path.ts";
import { assertEquals } from "../_assert.ts";

const REPO = new URL("../../", import.meta.url).pathname;

function markdownFiles(): string[] {
  const docs = [...Deno.readDirSync(join(REPO, "docs"))]
    .filter((e) => e.isFile && e.name.endsWith(".md"))
    .map((e) => join("docs", e.name));
  return ["README.md", ...docs].sort();
}

/** Targets of `[text](target)` links that are neither URLs nor in-page anchors. */
function relativeLinks(markdown: string): string[] {
  const withoutCode = markdown.replace(/```[\s\S]*?```/g, "").replace(/`[^`\n]*`/g, "");
  return [...withoutCode.matchAll(/\]\(([^)\s]+)\)/g)]
    .map((m) => m[1])
    .filter((t) => !/^[a-z]+:/.test(t) && !t.startsWith("#"))
    .map((t) => t.split("#")[0]);
}

Deno.test("relativeLinks finds file links and skips URLs, anchors and code", () => {
  const text = "[a](a.md) [b](https://x.org) [c](#top) [d](d.md#part) `[e](e.md)`\n" +
    "```\n[f](f.md)\n```\n";
  assertEquals(relativeLinks(text), ["a.md", "d.md"]);
});

for (const file of markdownFiles()) {
  Deno.test(`every relative link in ${file} points at an existing file`, () => {
    const text = Deno.readTextFileSync(join(REPO, file));
    const missing = relativeLinks(text).filter((target) => {
      try {
        Deno.statSync(join(REPO, dirname(file), target));
        return false;
      } catch {
        return true;
      }
    });
    assertEquals(missing, [], `${file} links to missing files`);
  });
}
