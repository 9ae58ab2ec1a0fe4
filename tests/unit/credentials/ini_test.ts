import {
  EXPORT_PROFILE,
  EXPORT_PROFILE_LINES,
  upsertIniSection,
} from "../../../lib/credentials/ini.ts";
import { assertEquals } from "../../_assert.ts";

const SECTION = "[profile llm-export]\ncredential_process = sh -c 'cat ~/.aws/credentials.json'\n";

function upsert(text: string | null): string {
  return upsertIniSection(text, EXPORT_PROFILE, EXPORT_PROFILE_LINES);
}

Deno.test("upsertIniSection() creates the section when there is no file", () => {
  assertEquals(upsert(null), SECTION);
});

Deno.test("upsertIniSection() creates the section in an empty file", () => {
  assertEquals(upsert(""), SECTION);
});

Deno.test("upsertIniSection() appends after a blank line, keeping the rest byte for byte", () => {
  const text = "# my config\n[default]\nRegion = us-east-1\nsso_session = nih\n";
  assertEquals(upsert(text), text + "\n" + SECTION);
});

Deno.test("upsertIniSection() adds the missing final newline before appending", () => {
  assertEquals(upsert("[default]\nregion = x"), "[default]\nregion = x\n\n" + SECTION);
});

Deno.test("upsertIniSection() does not add a second blank line when one ends the file", () => {
  assertEquals(upsert("[default]\nregion = x\n\n"), "[default]\nregion = x\n\n" + SECTION);
});

Deno.test("upsertIniSection() replaces the section when it is the last one", () => {
  const head = "[default]\nregion = x\n\n";
  const text = head + "[profile llm-export]\ncredential_process = old\nregion = y\n";
  assertEquals(upsert(text), head + SECTION);
});

Deno.test("upsertIniSection() replaces the section when it is first, keeping what follows", () => {
  const tail = "\n# the SSO profile\n[profile nih]\nSSO_Start_URL = https://x\n";
  const text = "[profile llm-export]\ncredential_process = old\n" + tail;
  assertEquals(upsert(text), SECTION + tail);
});

Deno.test("upsertIniSection() replaces a section in the middle and leaves neighbours alone", () => {
  const before = "[default]\n  region=us-east-1 ; inline\n\n";
  const after = "[sso-session nih]\nsso_region = us-east-1\n";
  const text = before + "[profile llm-export]\ncredential_process = old\n\n" + after;
  assertEquals(upsert(text), before + SECTION + "\n" + after);
});

Deno.test("upsertIniSection() matches a header with odd spacing", () => {
  const text = "[default]\n\n  [ profile   llm-export ]  \ncredential_process=old\n";
  assertEquals(upsert(text), "[default]\n\n" + SECTION);
});

Deno.test("upsertIniSection() keeps comments that close the replaced section", () => {
  const text = "[profile llm-export]\ncredential_process = old\n; about dev\n[profile dev]\n";
  assertEquals(upsert(text), SECTION + "; about dev\n[profile dev]\n");
});

Deno.test("upsertIniSection() does not touch a section whose name only starts the same", () => {
  const text = "[profile llm-export-old]\ncredential_process = keep\n";
  assertEquals(upsert(text), text + "\n" + SECTION);
});

Deno.test("upsertIniSection() keeps CRLF line endings", () => {
  const text = "[default]\r\nregion = x\r\n";
  assertEquals(
    upsert(text),
    text + "\r\n" + SECTION.replaceAll("\n", "\r\n"),
  );
});

Deno.test("upsertIniSection() is idempotent", () => {
  const once = upsert("[default]\nregion = x\n");
  assertEquals(upsert(once), once);
});
