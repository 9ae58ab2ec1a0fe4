/** Reading the parts of a `podman run` argv that conda launches are about. */

/** The `-v` mount values, in order. */
export function volumes(argv: readonly string[]): string[] {
  return argv.flatMap((a, i) => (argv[i - 1] === "-v" ? [a] : []));
}

/** The value of `--env NAME=...`, or undefined. */
export function envValue(argv: readonly string[], name: string): string | undefined {
  const a = argv.find((a, i) => argv[i - 1] === "--env" && a.startsWith(`${name}=`));
  return a?.slice(name.length + 1);
}

/** Everything after the image reference: the container command. */
export function commandAfter(argv: readonly string[], image: string): string[] {
  const i = argv.indexOf(image);
  if (i < 0) throw new Error(`image ${image} not in argv: ${argv.join(" ")}`);
  return argv.slice(i + 1);
}
