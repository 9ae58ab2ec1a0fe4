/** llm's version, from deno.json (compiled into the binary). */
import denoJson from "../deno.json" with { type: "json" };

/** The version from deno.json. */
export const VERSION: string = denoJson.version;
