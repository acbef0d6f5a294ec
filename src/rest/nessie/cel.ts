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
import { fail, parseCel, type BinaryOp, type CelExpr, type CelTimestamp, type CelValue } from './cel-parser.js';

export type { CelExpr, CelValue } from './cel-parser.js';

export interface CelProgram {
  readonly expr: CelExpr;
  /** Evaluates to a boolean; a non-boolean result or a runtime type error is a bad request. */
  matches(vars: Record<string, CelValue>): boolean;
}

/** Parses a filter and checks that it only names the given variables. */
export function compileFilter(source: string, variables: readonly string[]): CelProgram {
  const expr = parseCel(source);
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
