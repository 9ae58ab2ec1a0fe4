/**
 * docs/reference.md is generated from the option tables; these tests fail
 * when the committed file no longer matches them.
 */
import { GLOBAL_OPTIONS } from "../../lib/cli/options.ts";
import { COMMANDS } from "../../lib/cli/registry.ts";
import { formattedReference, REFERENCE_PATH, referenceMarkdown } from "../../tasks/docs.ts";
import { assert, assertStringIncludes } from "../_assert.ts";

const committed = Deno.readTextFileSync(new URL(`../../${REFERENCE_PATH}`, import.meta.url));

Deno.test("the committed option reference matches the option tables", async () => {
  assert(
    committed === await formattedReference(),
    `${REFERENCE_PATH} is stale: run 'deno task docs' and commit it`,
  );
});

Deno.test("the option reference names every global option and every command", () => {
  const text = referenceMarkdown();
  for (const o of GLOBAL_OPTIONS) assertStringIncludes(text, `--${o.name}`);
  for (const c of COMMANDS) assertStringIncludes(text, `### llm ${c.name}\n`);
});

Deno.test("option placeholders with | do not break the Markdown table", () => {
  const row = referenceMarkdown().split("\n").find((l) => l.startsWith("| `--conda-env"));
  assert(row !== undefined);
  assertStringIncludes(row, "PATH\\|NAME");
});
