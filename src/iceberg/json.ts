/**
 * Lossless JSON for Iceberg: integers that do not fit in a double (snapshot ids are 63-bit)
 * are parsed as `bigint` and printed back digit for digit. `JSON.parse` would round them.
 *
 * Integer literals within Number.MAX_SAFE_INTEGER parse as `number`; larger ones (and any
 * integer literal that would lose precision) parse as `bigint`. Literals with a fraction or
 * an exponent are always `number`.
 */

export type JsonPrimitive = string | number | bigint | boolean | null;
export type JsonValue = JsonPrimitive | JsonValue[] | JsonObject;
export interface JsonObject {
  [key: string]: JsonValue;
}

export class JsonSyntaxError extends Error {
  constructor(message: string, readonly position: number) {
    super(`${message} at position ${position}`);
    this.name = 'JsonSyntaxError';
  }
}

const WS_SPACE = 0x20;
const WS_TAB = 0x09;
const WS_LF = 0x0a;
const WS_CR = 0x0d;

class Parser {
  pos = 0;
  constructor(readonly text: string) {}

  fail(message: string): never {
    throw new JsonSyntaxError(message, this.pos);
  }

  ws(): void {
    const t = this.text;
    let c = t.charCodeAt(this.pos);
    while (c === WS_SPACE || c === WS_LF || c === WS_CR || c === WS_TAB) c = t.charCodeAt(++this.pos);
  }

  value(depth: number): JsonValue {
    if (depth > 512) this.fail('JSON nested too deeply');
    this.ws();
    const c = this.text.charCodeAt(this.pos);
    switch (c) {
      case 0x7b: // {
        return this.object(depth);
      case 0x5b: // [
        return this.array(depth);
      case 0x22: // "
        return this.string();
      case 0x74: // t
        return this.literal('true', true);
      case 0x66: // f
        return this.literal('false', false);
      case 0x6e: // n
        return this.literal('null', null);
      default:
        if (c === 0x2d || (c >= 0x30 && c <= 0x39)) return this.number();
        if (Number.isNaN(c)) this.fail('Unexpected end of JSON input');
        this.fail(`Unexpected character ${JSON.stringify(this.text[this.pos])}`);
    }
  }

  literal<T extends JsonValue>(word: string, v: T): T {
    if (this.text.startsWith(word, this.pos)) {
      this.pos += word.length;
      return v;
    }
    this.fail(`Unexpected token`);
  }

  object(depth: number): JsonObject {
    const out: JsonObject = {};
    this.pos++;
    this.ws();
    if (this.text.charCodeAt(this.pos) === 0x7d) {
      this.pos++;
      return out;
    }
    for (;;) {
      this.ws();
      if (this.text.charCodeAt(this.pos) !== 0x22) this.fail('Expected a string key');
      const key = this.string();
      this.ws();
      if (this.text.charCodeAt(this.pos) !== 0x3a) this.fail("Expected ':'");
      this.pos++;
      const v = this.value(depth + 1);
      if (key === '__proto__') {
        Object.defineProperty(out, key, { value: v, enumerable: true, writable: true, configurable: true });
      } else {
        out[key] = v;
      }
      this.ws();
      const c = this.text.charCodeAt(this.pos);
      if (c === 0x2c) {
        this.pos++;
        continue;
      }
      if (c === 0x7d) {
        this.pos++;
        return out;
      }
      this.fail("Expected ',' or '}'");
    }
  }

  array(depth: number): JsonValue[] {
    const out: JsonValue[] = [];
    this.pos++;
    this.ws();
    if (this.text.charCodeAt(this.pos) === 0x5d) {
      this.pos++;
      return out;
    }
    for (;;) {
      out.push(this.value(depth + 1));
      this.ws();
      const c = this.text.charCodeAt(this.pos);
      if (c === 0x2c) {
        this.pos++;
        continue;
      }
      if (c === 0x5d) {
        this.pos++;
        return out;
      }
      this.fail("Expected ',' or ']'");
    }
  }

  string(): string {
    const t = this.text;
    const start = this.pos + 1;
    let i = start;
    let escaped = false;
    for (;;) {
      const c = t.charCodeAt(i);
      if (c === 0x22) break;
      if (c === 0x5c) {
        escaped = true;
        i += 2;
        continue;
      }
      if (Number.isNaN(c)) {
        this.pos = i;
        this.fail('Unterminated string');
      }
      if (c < 0x20) {
        this.pos = i;
        this.fail('Control character in string');
      }
      i++;
    }
    this.pos = i + 1;
    if (!escaped) return t.slice(start, i);
    try {
      return JSON.parse(t.slice(start - 1, i + 1)) as string;
    } catch {
      this.pos = start;
      return this.fail('Invalid escape in string');
    }
  }

  number(): number | bigint {
    const t = this.text;
    const start = this.pos;
    let i = start;
    if (t.charCodeAt(i) === 0x2d) i++;
    const intStart = i;
    while (isDigit(t.charCodeAt(i))) i++;
    if (i === intStart) {
      this.pos = i;
      this.fail('Invalid number');
    }
    if (t.charCodeAt(intStart) === 0x30 && i - intStart > 1) {
      this.pos = intStart;
      this.fail('Leading zero in number');
    }
    let integer = true;
    if (t.charCodeAt(i) === 0x2e) {
      integer = false;
      i++;
      const fracStart = i;
      while (isDigit(t.charCodeAt(i))) i++;
      if (i === fracStart) {
        this.pos = i;
        this.fail('Invalid number');
      }
    }
    const e = t.charCodeAt(i);
    if (e === 0x65 || e === 0x45) {
      integer = false;
      i++;
      const s = t.charCodeAt(i);
      if (s === 0x2b || s === 0x2d) i++;
      const expStart = i;
      while (isDigit(t.charCodeAt(i))) i++;
      if (i === expStart) {
        this.pos = i;
        this.fail('Invalid number');
      }
    }
    this.pos = i;
    const lit = t.slice(start, i);
    if (integer && i - intStart > 15) {
      const n = Number(lit);
      if (!Number.isSafeInteger(n)) return BigInt(lit);
      return n;
    }
    return Number(lit);
  }
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

/** Parses JSON text; integers beyond 2^53 come back as `bigint`. */
export function parseJson(text: string): JsonValue {
  return parseNatively(text) ?? parseSlowly(text);
}

/** The reference parser: every value read here; its errors name the position. */
export function parseSlowly(text: string): JsonValue {
  const p = new Parser(text);
  const v = p.value(0);
  p.ws();
  if (p.pos !== text.length) p.fail('Unexpected data after JSON value');
  return v;
}

/**
 * Integer literals of 16 digits or more outside strings (the only ones that may not fit in a
 * double): not preceded or followed by anything that would make them part of another token.
 */
const LONG_INTEGER = /(?<![\w.+-])-?\d{16,}(?![\w.])/g;
/** Marks a long integer wrapped into a string for JSON.parse: a lone surrogate, then its digits. */
const MARK = 0xd800;
const MAX_DEPTH = 512;
const DIGITS = /^-?\d+$/;

/**
 * The same result as the reference parser, through V8's JSON.parse (several times faster on
 * metadata documents), or undefined to let the reference parser decide. Long integer literals
 * are wrapped into marked strings first and turned back into numbers (or bigints) afterwards.
 * A literal found inside a string breaks that string (the inserted quote closes it early and
 * a lone surrogate cannot follow a string), so JSON.parse fails and the reference parser runs;
 * a string that looks like a mark without being one makes the counts differ, as does a
 * duplicated key: the reference parser runs then too.
 */
function parseNatively(text: string): JsonValue | undefined {
  let wrapped = 0;
  const marked = text.replace(LONG_INTEGER, (literal) => {
    wrapped++;
    return `"\ud800${literal}"`;
  });
  let value: JsonValue;
  try {
    value = JSON.parse(marked) as JsonValue;
  } catch {
    return undefined;
  }
  let unwrapped = 0;
  let tooDeep = false;
  const restore = (v: string): JsonValue => {
    const literal = v.slice(1);
    // A string of the document's own that starts with a lone surrogate stays a string.
    if (!DIGITS.test(literal)) return v;
    unwrapped++;
    const n = Number(literal);
    return Number.isSafeInteger(n) ? n : BigInt(literal);
  };
  const walk = (v: JsonValue, depth: number): void => {
    if (depth > MAX_DEPTH) {
      tooDeep = true;
      return;
    }
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length && !tooDeep; i++) {
        const item = v[i];
        if (typeof item === 'string') {
          if (item.charCodeAt(0) === MARK) v[i] = restore(item);
        } else if (typeof item === 'object' && item !== null) walk(item, depth + 1);
      }
      return;
    }
    const o = v as JsonObject;
    for (const k of Object.keys(o)) {
      const item = o[k];
      if (typeof item === 'string') {
        if (item.charCodeAt(0) === MARK) o[k] = restore(item);
      } else if (typeof item === 'object' && item !== null) walk(item, depth + 1);
      if (tooDeep) return;
    }
  };
  if (typeof value === 'string') {
    if (value.charCodeAt(0) === MARK) value = restore(value);
  } else if (typeof value === 'object' && value !== null) walk(value, 1);
  // The depth limit is the reference parser's to report; a count that differs means a string
  // looked like a mark or a duplicated key dropped one.
  if (tooDeep || unwrapped !== wrapped) return undefined;
  return value;
}

/**
 * Serialises a value to JSON text. `bigint` prints as an integer literal; `undefined`
 * object members are omitted (as JSON.stringify does). Non-finite numbers are rejected.
 */
export function stringifyJson(value: unknown, indent?: number): string {
  return write(value, indent ? ' '.repeat(indent) : '', '\n');
}

/** Appends to one string (V8 joins the pieces lazily): about twice as fast as collecting an array. */
function write(v: unknown, step: string, nl: string): string {
  switch (typeof v) {
    case 'string':
      return JSON.stringify(v);
    case 'number':
      if (!Number.isFinite(v)) throw new TypeError(`Cannot serialise non-finite number ${v} to JSON`);
      return String(v);
    case 'bigint':
      return v.toString();
    case 'boolean':
      return v ? 'true' : 'false';
    case 'object':
      break;
    default:
      throw new TypeError(`Cannot serialise ${typeof v} to JSON`);
  }
  if (v === null) return 'null';
  const inner = step ? nl + step : '';
  if (Array.isArray(v)) {
    if (v.length === 0) return '[]';
    let out = '[';
    for (let i = 0; i < v.length; i++) {
      if (i > 0) out += ',';
      const item: unknown = v[i];
      out += inner + write(item === undefined ? null : item, step, inner);
    }
    return out + (step ? nl : '') + ']';
  }
  if (v instanceof Map) throw new TypeError('Cannot serialise a Map to JSON; convert it to an object');
  const o = v as Record<string, unknown>;
  let out = '{';
  let first = true;
  for (const k of Object.keys(o)) {
    const item = o[k];
    if (item === undefined || typeof item === 'function') continue;
    if (!first) out += ',';
    first = false;
    out += inner + JSON.stringify(k) + (step ? ': ' : ':') + write(item, step, inner);
  }
  return out + (first ? '' : step ? nl : '') + '}';
}

/** Structural equality of JSON values; `1` and `1n` are equal. Key order is ignored. */
export function jsonEquals(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  const ta = typeof a;
  const tb = typeof b;
  if ((ta === 'number' || ta === 'bigint') && (tb === 'number' || tb === 'bigint')) {
    try {
      return BigInt(a as number | bigint) === BigInt(b as number | bigint);
    } catch {
      return false;
    }
  }
  if (ta !== 'object' || tb !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    if (a.length !== bb.length) return false;
    return a.every((x, i) => jsonEquals(x, bb[i]));
  }
  const oa = a as Record<string, unknown>;
  const ob = b as Record<string, unknown>;
  const ka = Object.keys(oa).filter((k) => oa[k] !== undefined);
  const kb = Object.keys(ob).filter((k) => ob[k] !== undefined);
  if (ka.length !== kb.length) return false;
  return ka.every((k) => Object.prototype.hasOwnProperty.call(ob, k) && jsonEquals(oa[k], ob[k]));
}
