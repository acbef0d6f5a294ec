/**
 * A small, safe evaluator for the subset of CEL (Common Expression Language) that Nessie's
 * clients send as `filter`: Iceberg's NessieCatalog (`entry.contentType == 'NAMESPACE' &&
 * size(entry.keyElements) == 2 && entry.encodedKey.startsWith('a.')`), the Nessie CLI
 * (`entry.encodedKey.contains('x')`, `ref.name.startsWith('dev')`) and the documented examples
 * (`commit.author == 'x'`, `operations.exists(op, op.type == 'PUT')`,
 * `timestamp(commit.commitTime) > timestamp('2021-05-31T08:23:15Z')`).
 *
 * Supported: literals (strings, integers, booleans, null, lists), variables and field
 * selection, indexing, `! - && || == != < <= > >= in`, parentheses, `size`, `startsWith`,
 * `endsWith`, `contains`, `timestamp`, `exists`/`all` macros. Anything else is a bad request:
 * there is no regex support (no `matches`), so no filter can run away.
 */
import { NessieBadRequest } from './errors.js';

export type CelValue = string | number | boolean | null | CelValue[] | CelTimestamp | { [field: string]: CelValue };

interface CelTimestamp {
  readonly celTimestampMs: number;
}

export type CelExpr =
  | { kind: 'lit'; value: CelValue }
  | { kind: 'ident'; name: string }
  | { kind: 'list'; items: CelExpr[] }
  | { kind: 'select'; target: CelExpr; field: string }
  | { kind: 'index'; target: CelExpr; index: CelExpr }
  | { kind: 'call'; target?: CelExpr; fn: string; args: CelExpr[] }
  | { kind: 'macro'; target: CelExpr; fn: 'exists' | 'all'; variable: string; body: CelExpr }
  | { kind: 'unary'; op: '!' | '-'; operand: CelExpr }
  | { kind: 'binary'; op: BinaryOp; left: CelExpr; right: CelExpr };

type BinaryOp = '&&' | '||' | '==' | '!=' | '<' | '<=' | '>' | '>=' | 'in';

const MAX_LENGTH = 4096;
const MAX_DEPTH = 64;

type Token = { t: 'str'; v: string } | { t: 'num'; v: number } | { t: 'id'; v: string } | { t: 'op'; v: string };

function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    if (/\s/.test(c)) {
      i++;
    } else if (c === "'" || c === '"') {
      let s = '';
      i++;
      while (i < src.length && src[i] !== c) {
        if (src[i] === '\\') {
          const e = src[++i];
          s += e === 'n' ? '\n' : e === 't' ? '\t' : e === undefined ? '' : e;
        } else {
          s += src[i];
        }
        i++;
      }
      if (i >= src.length) fail('unterminated string literal');
      i++;
      out.push({ t: 'str', v: s });
    } else if (/[0-9]/.test(c)) {
      const m = /^[0-9]+/.exec(src.slice(i)) as RegExpExecArray;
      out.push({ t: 'num', v: Number(m[0]) });
      i += m[0].length;
    } else if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(src.slice(i)) as RegExpExecArray;
      out.push({ t: 'id', v: m[0] });
      i += m[0].length;
    } else {
      const two = src.slice(i, i + 2);
      if (['&&', '||', '==', '!=', '<=', '>='].includes(two)) {
        out.push({ t: 'op', v: two });
        i += 2;
      } else if ('()[],.!<>-'.includes(c)) {
        out.push({ t: 'op', v: c });
        i++;
      } else {
        fail(`unexpected character '${c}'`);
      }
    }
  }
  return out;
}

function fail(message: string): never {
  throw new NessieBadRequest(`Invalid filter expression: ${message}`);
}

class Parser {
  private pos = 0;
  private depth = 0;
  constructor(private readonly tokens: Token[]) {}

  parse(): CelExpr {
    const e = this.or();
    if (this.pos < this.tokens.length) fail(`unexpected '${this.peekText()}'`);
    return e;
  }

  private peekText(): string {
    const t = this.tokens[this.pos];
    return t === undefined ? 'end of input' : String(t.v);
  }

  private isOp(v: string): boolean {
    const t = this.tokens[this.pos];
    return t !== undefined && t.t === 'op' && t.v === v;
  }

  private expectOp(v: string): void {
    if (!this.isOp(v)) fail(`expected '${v}' but found '${this.peekText()}'`);
    this.pos++;
  }

  private nested<T>(f: () => T): T {
    if (++this.depth > MAX_DEPTH) fail('expression nested too deeply');
    try {
      return f();
    } finally {
      this.depth--;
    }
  }

  private or(): CelExpr {
    let left = this.and();
    while (this.isOp('||')) {
      this.pos++;
      left = { kind: 'binary', op: '||', left, right: this.and() };
    }
    return left;
  }

  private and(): CelExpr {
    let left = this.relation();
    while (this.isOp('&&')) {
      this.pos++;
      left = { kind: 'binary', op: '&&', left, right: this.relation() };
    }
    return left;
  }

  private relation(): CelExpr {
    let left = this.unary();
    for (;;) {
      const t = this.tokens[this.pos];
      const op =
        t?.t === 'op' && ['==', '!=', '<', '<=', '>', '>='].includes(t.v) ? (t.v as BinaryOp) : t?.t === 'id' && t.v === 'in' ? 'in' : undefined;
      if (op === undefined) return left;
      this.pos++;
      left = { kind: 'binary', op, left, right: this.unary() };
    }
  }

  private unary(): CelExpr {
    if (this.isOp('!') || this.isOp('-')) {
      const op = (this.tokens[this.pos++] as { v: string }).v as '!' | '-';
      return this.nested(() => ({ kind: 'unary', op, operand: this.unary() }));
    }
    return this.member();
  }

  private member(): CelExpr {
    let e = this.primary();
    for (;;) {
      if (this.isOp('.')) {
        this.pos++;
        const t = this.tokens[this.pos++];
        if (t?.t !== 'id') fail('expected a field name after "."');
        if (this.isOp('(')) {
          this.pos++;
          if (t.v === 'exists' || t.v === 'all') {
            const v = this.tokens[this.pos++];
            if (v?.t !== 'id') fail(`${t.v}() needs a variable name as its first argument`);
            this.expectOp(',');
            const body = this.nested(() => this.or());
            this.expectOp(')');
            e = { kind: 'macro', target: e, fn: t.v, variable: v.v, body };
          } else {
            e = { kind: 'call', target: e, fn: t.v, args: this.args(')') };
          }
        } else {
          e = { kind: 'select', target: e, field: t.v };
        }
      } else if (this.isOp('[')) {
        this.pos++;
        const index = this.nested(() => this.or());
        this.expectOp(']');
        e = { kind: 'index', target: e, index };
      } else {
        return e;
      }
    }
  }

  private args(close: string): CelExpr[] {
    const args: CelExpr[] = [];
    if (this.isOp(close)) {
      this.pos++;
      return args;
    }
    for (;;) {
      args.push(this.nested(() => this.or()));
      if (this.isOp(',')) {
        this.pos++;
        continue;
      }
      this.expectOp(close);
      return args;
    }
  }

  private primary(): CelExpr {
    const t = this.tokens[this.pos++];
    if (t === undefined) fail('unexpected end of input');
    switch (t.t) {
      case 'str':
        return { kind: 'lit', value: t.v };
      case 'num':
        return { kind: 'lit', value: t.v };
      case 'id':
        if (t.v === 'true' || t.v === 'false') return { kind: 'lit', value: t.v === 'true' };
        if (t.v === 'null') return { kind: 'lit', value: null };
        if (this.isOp('(')) {
          this.pos++;
          return { kind: 'call', fn: t.v, args: this.args(')') };
        }
        return { kind: 'ident', name: t.v };
      case 'op':
        if (t.v === '(') {
          const e = this.nested(() => this.or());
          this.expectOp(')');
          return e;
        }
        if (t.v === '[') return { kind: 'list', items: this.args(']') };
        return fail(`unexpected '${t.v}'`);
      default: {
        const never: never = t;
        return fail(`unexpected token ${String(never)}`);
      }
    }
  }
}

export interface CelProgram {
  readonly expr: CelExpr;
  /** Evaluates to a boolean; a non-boolean result or a runtime type error is a bad request. */
  matches(vars: Record<string, CelValue>): boolean;
}

/** Parses a filter and checks that it only names the given variables. */
export function compileFilter(source: string, variables: readonly string[]): CelProgram {
  if (source.length > MAX_LENGTH) fail(`longer than ${MAX_LENGTH} characters`);
  const expr = new Parser(tokenize(source)).parse();
  checkIdents(expr, new Set(variables));
  return {
    expr,
    matches(vars) {
      const v = evaluate(expr, vars);
      if (typeof v !== 'boolean') fail('the expression does not evaluate to a boolean');
      return v;
    },
  };
}

const FUNCTIONS = new Set(['size', 'startsWith', 'endsWith', 'contains', 'timestamp', 'string', 'int', 'lowerAscii', 'upperAscii']);

function checkIdents(e: CelExpr, scope: Set<string>): void {
  switch (e.kind) {
    case 'lit':
      return;
    case 'ident':
      if (!scope.has(e.name)) fail(`undeclared reference to '${e.name}'`);
      return;
    case 'list':
      e.items.forEach((i) => checkIdents(i, scope));
      return;
    case 'select':
      checkIdents(e.target, scope);
      return;
    case 'index':
      checkIdents(e.target, scope);
      checkIdents(e.index, scope);
      return;
    case 'call':
      if (!FUNCTIONS.has(e.fn)) fail(`unsupported function '${e.fn}'`);
      if (e.target) checkIdents(e.target, scope);
      e.args.forEach((a) => checkIdents(a, scope));
      return;
    case 'macro':
      checkIdents(e.target, scope);
      checkIdents(e.body, new Set([...scope, e.variable]));
      return;
    case 'unary':
      checkIdents(e.operand, scope);
      return;
    case 'binary':
      checkIdents(e.left, scope);
      checkIdents(e.right, scope);
      return;
    default: {
      const never: never = e;
      fail(`unknown expression ${String(never)}`);
    }
  }
}

function isTimestamp(v: CelValue): v is CelTimestamp {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && typeof (v as CelTimestamp).celTimestampMs === 'number';
}

function typeName(v: CelValue): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'list';
  if (isTimestamp(v)) return 'timestamp';
  return typeof v === 'object' ? 'map' : typeof v === 'number' ? 'int' : typeof v === 'boolean' ? 'bool' : 'string';
}

function celEquals(a: CelValue, b: CelValue): boolean {
  if (isTimestamp(a) && isTimestamp(b)) return a.celTimestampMs === b.celTimestampMs;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => celEquals(x, b[i]));
  if (typeof a === 'object' && a !== null && typeof b === 'object' && b !== null && !Array.isArray(a) && !Array.isArray(b)) {
    const ka = Object.keys(a);
    const rb = b as Record<string, CelValue>;
    return ka.length === Object.keys(rb).length && ka.every((k) => k in rb && celEquals((a as Record<string, CelValue>)[k], rb[k]));
  }
  return a === b;
}

function compare(op: '<' | '<=' | '>' | '>=', a: CelValue, b: CelValue): boolean {
  let x: number | string;
  let y: number | string;
  if (isTimestamp(a) && isTimestamp(b)) {
    x = a.celTimestampMs;
    y = b.celTimestampMs;
  } else if ((typeof a === 'number' && typeof b === 'number') || (typeof a === 'string' && typeof b === 'string')) {
    x = a;
    y = b;
  } else {
    return fail(`no such overload: ${typeName(a)} ${op} ${typeName(b)}`);
  }
  switch (op) {
    case '<':
      return x < y;
    case '<=':
      return x <= y;
    case '>':
      return x > y;
    case '>=':
      return x >= y;
    default: {
      const never: never = op;
      return fail(`unknown operator ${String(never)}`);
    }
  }
}

function asString(v: CelValue, fn: string): string {
  if (typeof v !== 'string') fail(`${fn}() expects a string, got ${typeName(v)}`);
  return v;
}

function asBool(v: CelValue, op: string): boolean {
  if (typeof v !== 'boolean') fail(`operator ${op} expects booleans, got ${typeName(v)}`);
  return v;
}

function evaluate(e: CelExpr, vars: Record<string, CelValue>): CelValue {
  switch (e.kind) {
    case 'lit':
      return e.value;
    case 'ident':
      if (!(e.name in vars)) fail(`undeclared reference to '${e.name}'`);
      return vars[e.name];
    case 'list':
      return e.items.map((i) => evaluate(i, vars));
    case 'select': {
      const t = evaluate(e.target, vars);
      if (typeof t !== 'object' || t === null || Array.isArray(t) || isTimestamp(t)) fail(`cannot select '${e.field}' from ${typeName(t)}`);
      if (!Object.hasOwn(t, e.field)) fail(`no such field '${e.field}'`);
      return (t as Record<string, CelValue>)[e.field];
    }
    case 'index': {
      const t = evaluate(e.target, vars);
      const i = evaluate(e.index, vars);
      if (Array.isArray(t) && typeof i === 'number') {
        if (i < 0 || i >= t.length) fail(`index ${i} out of range`);
        return t[i];
      }
      if (typeof t === 'object' && t !== null && !Array.isArray(t) && typeof i === 'string' && !isTimestamp(t)) {
        if (!Object.hasOwn(t, i)) fail(`no such key '${i}'`);
        return (t as Record<string, CelValue>)[i];
      }
      return fail(`cannot index ${typeName(t)} with ${typeName(i)}`);
    }
    case 'call':
      return call(e.fn, e.target === undefined ? undefined : evaluate(e.target, vars), e.args.map((a) => evaluate(a, vars)));
    case 'macro': {
      const t = evaluate(e.target, vars);
      const items = Array.isArray(t) ? t : typeof t === 'object' && t !== null && !isTimestamp(t) ? Object.keys(t) : fail(`${e.fn}() needs a list or map`);
      const test = (item: CelValue): boolean => asBool(evaluate(e.body, { ...vars, [e.variable]: item }), e.fn);
      return e.fn === 'exists' ? items.some(test) : items.every(test);
    }
    case 'unary': {
      const v = evaluate(e.operand, vars);
      if (e.op === '!') return !asBool(v, '!');
      if (typeof v !== 'number') fail(`operator - expects an int, got ${typeName(v)}`);
      return -v;
    }
    case 'binary':
      return binary(e.op, e.left, e.right, vars);
    default: {
      const never: never = e;
      return fail(`unknown expression ${String(never)}`);
    }
  }
}

function binary(op: BinaryOp, l: CelExpr, r: CelExpr, vars: Record<string, CelValue>): CelValue {
  switch (op) {
    case '&&':
      return asBool(evaluate(l, vars), op) && asBool(evaluate(r, vars), op);
    case '||':
      return asBool(evaluate(l, vars), op) || asBool(evaluate(r, vars), op);
    case '==':
      return celEquals(evaluate(l, vars), evaluate(r, vars));
    case '!=':
      return !celEquals(evaluate(l, vars), evaluate(r, vars));
    case '<':
    case '<=':
    case '>':
    case '>=':
      return compare(op, evaluate(l, vars), evaluate(r, vars));
    case 'in': {
      const item = evaluate(l, vars);
      const coll = evaluate(r, vars);
      if (Array.isArray(coll)) return coll.some((c) => celEquals(item, c));
      if (typeof coll === 'object' && coll !== null && !isTimestamp(coll) && typeof item === 'string') return Object.hasOwn(coll, item);
      return fail(`operator in expects a list or map, got ${typeName(coll)}`);
    }
    default: {
      const never: never = op;
      return fail(`unknown operator ${String(never)}`);
    }
  }
}

function call(fn: string, target: CelValue | undefined, args: CelValue[]): CelValue {
  const all = target === undefined ? args : [target, ...args];
  const arity = (n: number): void => {
    if (all.length !== n) fail(`${fn}() takes ${n - (target === undefined ? 0 : 1)} argument(s)`);
  };
  switch (fn) {
    case 'size': {
      arity(1);
      const v = all[0];
      if (typeof v === 'string') return [...v].length;
      if (Array.isArray(v)) return v.length;
      if (typeof v === 'object' && v !== null && !isTimestamp(v)) return Object.keys(v).length;
      return fail(`size() expects a string, list or map, got ${typeName(v)}`);
    }
    case 'startsWith':
      arity(2);
      return asString(all[0], fn).startsWith(asString(all[1], fn));
    case 'endsWith':
      arity(2);
      return asString(all[0], fn).endsWith(asString(all[1], fn));
    case 'contains':
      arity(2);
      return asString(all[0], fn).includes(asString(all[1], fn));
    case 'lowerAscii':
      arity(1);
      return asString(all[0], fn).replace(/[A-Z]/g, (c) => c.toLowerCase());
    case 'upperAscii':
      arity(1);
      return asString(all[0], fn).replace(/[a-z]/g, (c) => c.toUpperCase());
    case 'string': {
      arity(1);
      const v = all[0];
      if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return String(v);
      if (isTimestamp(v)) return new Date(v.celTimestampMs).toISOString();
      return fail(`string() cannot convert ${typeName(v)}`);
    }
    case 'int': {
      arity(1);
      const v = all[0];
      if (typeof v === 'number') return Math.trunc(v);
      if (isTimestamp(v)) return Math.floor(v.celTimestampMs / 1000);
      if (typeof v === 'string' && /^-?[0-9]+$/.test(v)) return Number(v);
      return fail(`int() cannot convert ${typeName(v)}`);
    }
    case 'timestamp': {
      arity(1);
      const v = all[0];
      if (isTimestamp(v)) return v;
      const ms = Date.parse(asString(v, fn));
      if (!Number.isFinite(ms)) fail(`timestamp() cannot parse '${String(v)}'`);
      return { celTimestampMs: ms };
    }
    default:
      return fail(`unsupported function '${fn}'`);
  }
}
