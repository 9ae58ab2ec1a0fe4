/**
 * `-v`/`--mount` arguments shared by the runtimes with Docker's command
 * line (podman and docker).
 */
import { LlmError } from "../errors.ts";
import type { Mount } from "../launch/mounts.ts";

/**
 * The arguments for one mount. A masked directory is an empty read-only
 * tmpfs (nothing left on the host to clean up) with `tmpfsOptions` appended;
 * a masked file is /dev/null, which reads as empty. `-v` cannot carry a path
 * with ':', nor `--mount` one with ',': those are refused, never mangled.
 */
export function volumeArgs(mount: Mount, runtime: string, tmpfsOptions: string): string[] {
  if (mount.kind === "bind") {
    for (const p of [mount.source, mount.target]) {
      if (p.includes(":")) {
        throw new LlmError(`cannot mount ${p}: ${runtime} mount paths cannot contain ':'`);
      }
    }
    return ["-v", `${mount.source}:${mount.target}${mount.readOnly ? ":ro" : ""}`];
  }
  if (mount.target.includes(",")) {
    throw new LlmError(`cannot mask ${mount.target}: ${runtime} mask paths cannot contain ','`);
  }
  return mount.entry === "dir"
    ? ["--mount", `type=tmpfs,destination=${mount.target},ro=true,${tmpfsOptions}`]
    : ["-v", `/dev/null:${mount.target}:ro`];
}
