/**
 * A small reader for Apple XML property lists: the subset `diskutil -plist`
 * prints (dict, array, key, string, integer, real, true, false, plus date
 * and data read as text). Pure: text in, plain values out.
 */

/** A value read from a property list. */
export type PlistValue = string | number | boolean | PlistValue[] | PlistDict;

/** A `<dict>`: keys to values. */
export interface PlistDict {
  [key: string]: PlistValue;
}

/** The text is not a property list this reader understands. */
export class PlistError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PlistError";
  }
}

/**
 * Parse an XML property list into plain values.
 *
 * @example
 * ```ts
 * import { parsePlist } from "./plist.ts";
 * parsePlist("<plist><dict><key>A</key><integer>1</integer></dict></plist>"); // { A: 1 }
 * ```
 */
export function parsePlist(text: string): PlistValue {
  const tokens = tokenize(text);
  let i = 0;
  while (isTag(tokens[i], "open", "plist")) i++;
  if (i >= tokens.length) throw new PlistError("no value in the property list");
  const [value, next] = readValue(tokens, i);
  let end = next;
  while (isTag(tokens[end], "close", "plist")) end++;
  if (end !== tokens.length) {
    throw new PlistError(`unexpected ${describe(tokens[end])} after the top-level value`);
  }
  return value;
}

/** A dict's value at `key` when it is a string, else undefined. */
export function plistString(dict: PlistDict, key: string): string | undefined {
  const v = dict[key];
  return typeof v === "string" ? v : undefined;
}

/** A dict's value at `key` when it is a boolean, else undefined. */
export function plistBoolean(dict: PlistDict, key: string): boolean | undefined {
  const v = dict[key];
  return typeof v === "boolean" ? v : undefined;
}

/** True when `value` is a `<dict>`. */
export function isPlistDict(value: PlistValue | undefined): value is PlistDict {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

type Token =
  | { kind: "open"; name: string; at: number }
  | { kind: "close"; name: string; at: number }
  | { kind: "empty"; name: string; at: number }
  | { kind: "text"; text: string; at: number };

function isTag(token: Token | undefined, kind: "open" | "close", name: string): boolean {
  return token !== undefined && token.kind === kind && token.name === name;
}

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const lt = text.indexOf("<", i);
    const chunk = text.slice(i, lt < 0 ? text.length : lt);
    if (chunk.trim() !== "") tokens.push({ kind: "text", text: decodeEntities(chunk, i), at: i });
    if (lt < 0) break;
    if (text.startsWith("<?", lt)) {
      i = skipPast(text, "?>", lt);
    } else if (text.startsWith("<!--", lt)) {
      i = skipPast(text, "-->", lt);
    } else if (text.startsWith("<!", lt)) {
      i = skipPast(text, ">", lt);
    } else {
      const gt = text.indexOf(">", lt);
      if (gt < 0) throw new PlistError(`unterminated tag at offset ${lt}`);
      const inner = text.slice(lt + 1, gt).trim();
      const match = /^(\/?)([A-Za-z][\w.-]*)(?:\s[^>]*?)?(\/?)$/.exec(inner);
      if (!match) throw new PlistError(`malformed tag <${inner}> at offset ${lt}`);
      const [, slash, name, selfClose] = match;
      if (slash && selfClose) throw new PlistError(`malformed tag <${inner}> at offset ${lt}`);
      tokens.push({ kind: slash ? "close" : selfClose ? "empty" : "open", name, at: lt });
      i = gt + 1;
    }
  }
  return tokens;
}

function skipPast(text: string, end: string, from: number): number {
  const at = text.indexOf(end, from);
  if (at < 0) throw new PlistError(`unterminated markup at offset ${from}`);
  return at + end.length;
}

const ENTITIES: Readonly<Record<string, string>> = {
  amp: "&",
  lt: "<",
  gt: ">",
  quot: '"',
  apos: "'",
};

function decodeEntities(text: string, at: number): string {
  return text.replace(/&(#x[0-9A-Fa-f]+|#[0-9]+|[A-Za-z]+);?/g, (whole, name: string) => {
    if (name.startsWith("#x")) return String.fromCodePoint(parseInt(name.slice(2), 16));
    if (name.startsWith("#")) return String.fromCodePoint(parseInt(name.slice(1), 10));
    const known = ENTITIES[name];
    if (known === undefined || !whole.endsWith(";")) {
      throw new PlistError(`unknown entity ${whole} near offset ${at}`);
    }
    return known;
  });
}

function describe(token: Token): string {
  switch (token.kind) {
    case "open":
      return `<${token.name}> at offset ${token.at}`;
    case "close":
      return `</${token.name}> at offset ${token.at}`;
    case "empty":
      return `<${token.name}/> at offset ${token.at}`;
    case "text":
      return `text '${token.text.trim().slice(0, 40)}' at offset ${token.at}`;
  }
}

const TEXT_ELEMENTS = new Set(["string", "integer", "real", "date", "data", "key"]);

function readValue(tokens: Token[], start: number): [PlistValue, number] {
  const t = tokens[start];
  if (t === undefined) throw new PlistError("the property list ends in the middle of a value");
  if (t.kind === "empty") {
    switch (t.name) {
      case "true":
        return [true, start + 1];
      case "false":
        return [false, start + 1];
      case "string":
      case "date":
      case "data":
        return ["", start + 1];
      case "array":
        return [[], start + 1];
      case "dict":
        return [{}, start + 1];
      default:
        throw new PlistError(`unexpected ${describe(t)}`);
    }
  }
  if (t.kind !== "open") throw new PlistError(`expected a value, found ${describe(t)}`);
  if (t.name === "array") return readArray(tokens, start + 1);
  if (t.name === "dict") return readDict(tokens, start + 1);
  if (t.name === "true" || t.name === "false") {
    expectClose(tokens, start + 1, t.name);
    return [t.name === "true", start + 2];
  }
  if (!TEXT_ELEMENTS.has(t.name) || t.name === "key") {
    throw new PlistError(`unexpected ${describe(t)}`);
  }
  const [text, next] = readText(tokens, start + 1, t.name);
  if (t.name === "integer" || t.name === "real") {
    const n = Number(text.trim());
    const shape = t.name === "integer" ? /^[+-]?\d+$/ : /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
    if (!shape.test(text.trim()) || !Number.isFinite(n)) {
      throw new PlistError(`<${t.name}> holds '${text}', not a number (offset ${t.at})`);
    }
    return [n, next];
  }
  return [text, next];
}

function readText(tokens: Token[], start: number, name: string): [string, number] {
  const t = tokens[start];
  if (t?.kind === "text") {
    expectClose(tokens, start + 1, name);
    return [t.text, start + 2];
  }
  expectClose(tokens, start, name);
  return ["", start + 1];
}

function expectClose(tokens: Token[], at: number, name: string): void {
  const t = tokens[at];
  if (t === undefined) throw new PlistError(`<${name}> is never closed`);
  if (t.kind !== "close" || t.name !== name) {
    throw new PlistError(`expected </${name}>, found ${describe(t)}`);
  }
}

function readArray(tokens: Token[], start: number): [PlistValue[], number] {
  const items: PlistValue[] = [];
  let i = start;
  for (;;) {
    const t = tokens[i];
    if (t === undefined) throw new PlistError("<array> is never closed");
    if (t.kind === "close" && t.name === "array") return [items, i + 1];
    const [value, next] = readValue(tokens, i);
    items.push(value);
    i = next;
  }
}

function readDict(tokens: Token[], start: number): [PlistDict, number] {
  const dict: PlistDict = {};
  let i = start;
  for (;;) {
    const t = tokens[i];
    if (t === undefined) throw new PlistError("<dict> is never closed");
    if (t.kind === "close" && t.name === "dict") return [dict, i + 1];
    let key = "";
    let afterKey = i + 1;
    if (t.kind === "open" && t.name === "key") {
      [key, afterKey] = readText(tokens, i + 1, "key");
    } else if (t.kind !== "empty" || t.name !== "key") {
      throw new PlistError(`expected <key> in <dict>, found ${describe(t)}`);
    }
    const [value, next] = readValue(tokens, afterKey);
    // defineProperty: a key such as "__proto__" must stay an ordinary entry.
    Object.defineProperty(dict, key, {
      value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
    i = next;
  }
}
