#!/usr/bin/env node
/**
 * `pi` in llm's agent image: Pi's own command line, with the extensions the
 * image ships (pi-auth-reload.js) loaded for every run, as Pi's SDK allows
 * (`main(args, { extensionFactories })`), so subcommands (`pi auth`,
 * `pi install`...) and user extensions behave as usual.
 *
 * install-extras.sh puts this at Pi's command path and leaves a link to Pi's
 * own entry point next to it (PI_CLI below). A Pi whose package offers no
 * `main` runs as it is, without the extensions.
 */
import { realpathSync } from "node:fs";
import { enableCompileCache } from "node:module";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";

const HERE = "/usr/local/lib/llm";
const PI_CLI = join(HERE, "pi-cli");
const EXTENSIONS = [join(HERE, "pi-auth-reload.js")];

enableCompileCache?.();
const cli = realpathSync(PI_CLI);
let pi = null;
try {
  // The bundle's index sits next to its CLI and exports the same main.
  pi = await import(pathToFileURL(join(dirname(cli), "index.js")).href);
} catch {
  pi = null;
}
if (typeof pi?.main !== "function") {
  await import(pathToFileURL(cli).href);
} else {
  const extensionFactories = [];
  // Bare factories: Pi before 1.0 takes no { name, factory } entries.
  for (const file of EXTENSIONS) {
    extensionFactories.push((await import(pathToFileURL(file).href)).default);
  }
  // What Pi's own entry point sets up before main.
  process.title = "pi";
  process.env.PI_CODING_AGENT = "true";
  process.env.AI_AGENT = "pi";
  process.emitWarning = () => {};
  await pi.main(process.argv.slice(2), { extensionFactories });
}
