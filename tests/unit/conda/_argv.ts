/** Reading the parts of a `podman run` argv that conda launches are about. */
import type { FakeSystem } from "../../_fake_system.ts";

/** The `-v` mount values, in order, without podman's nosuid,nodev options. */
export function volumes(argv: readonly string[]): string[] {
  return argv.flatMap((a, i) => (argv[i - 1] === "-v" ? [a.replace(/:?,?nosuid,nodev$/, "")] : []));
}

/** The value of NAME in the env file a launch's argv named, or undefined. */
export function envValue(
  system: FakeSystem,
  argv: readonly string[],
  name: string,
): string | undefined {
  const line = system.envFileOf.get(argv)?.find((l) => l.startsWith(`${name}=`));
  return line?.slice(name.length + 1);
}

/** Everything after the image reference: the container command. */
export function commandAfter(argv: readonly string[], image: string): string[] {
  const i = argv.indexOf(image);
  if (i < 0) throw new Error(`image ${image} not in argv: ${argv.join(" ")}`);
  return argv.slice(i + 1);
}

/**
 * The value of NAME in a `--dry-run` line's env file, given as words of
 * `--env-file <(printf '%s\n' 'K=V' ...)` (as splitShellWords reads them).
 */
export function dryRunEnvValue(words: readonly string[], name: string): string | undefined {
  const start = words.indexOf("<(printf");
  if (start < 0) return undefined;
  for (let i = start + 2; i < words.length; i++) {
    const word = words[i].endsWith(")") ? words[i].slice(0, -1) : words[i];
    if (word.startsWith(`${name}=`)) return word.slice(name.length + 1);
    if (words[i].endsWith(")")) break;
  }
  return undefined;
}
