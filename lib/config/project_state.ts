/**
 * What the state of the working directory's project file means for the
 * user, in the words `llm config path` and `llm doctor` use. A vanished
 * trusted file is not "ignored": its recorded restrictions still apply.
 */
import type { LoadedConfig, ProjectState } from "./load.ts";
import { quoteWord } from "../text/shell_words.ts";
import { describeRestrictions } from "./trust.ts";

/** How `config path` marks the project file's state after its path. */
export const PROJECT_STATE_MARKS: Readonly<Record<ProjectState, string>> = {
  absent: " (absent)",
  untrusted: " (untrusted: ignored)",
  trusted: " (trusted)",
  changed: " (changed since trusted: launches stop until 'llm trust')",
  vanished: " (gone: its trusted restrictions still apply until 'llm trust --forget')",
  unknown: " (cannot be checked: see the warning)",
};

/**
 * A finding and its fix for a project file that is neither absent nor
 * trusted; undefined when there is nothing to say.
 *
 * @example
 * ```ts
 * import { projectFileNote } from "./project_state.ts";
 * projectFileNote({ path: "/p/.llm.yaml", state: "untrusted" })?.fix;
 * // "review it, then run 'llm trust'"
 * ```
 */
export function projectFileNote(
  file: LoadedConfig["projectFile"],
): { finding: string; fix: string } | undefined {
  const { path, state, restrictions } = file;
  const forget = `llm trust --forget ${quoteWord(path)}`;
  switch (state) {
    case "absent":
    case "trusted":
      return undefined;
    case "untrusted":
      return {
        finding: `${path} is untrusted and ignored`,
        fix: "review it, then run 'llm trust'",
      };
    case "vanished":
      return restrictions
        ? {
          finding: `${path} was trusted but is gone; its restrictions still apply (${
            describeRestrictions(restrictions)
          })`,
          fix: `restore it, or drop them with: ${forget}`,
        }
        : {
          finding: `${path} was trusted but is gone, and its restrictions were not recorded ` +
            "(trusted by an older llm): launches stop",
          fix: `restore it, or launch without it after: ${forget}`,
        };
    case "changed":
      return {
        finding: `${path} changed since it was trusted: launches stop until it is trusted again`,
        fix: `review it, then run: llm trust ${quoteWord(path)}; or stop using it: ${forget}`,
      };
    case "unknown":
      return {
        finding: `${path} cannot be checked: the working directory or the trust store ` +
          "cannot be read",
        fix: "make them readable, or run llm from another directory",
      };
  }
}
