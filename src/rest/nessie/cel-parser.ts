/**
 * Tokenizer and recursive-descent parser for the CEL subset of ./cel.ts. Depth and length
 * limits keep a hostile filter from exhausting the stack.
 */
import { NessieBadRequest } from './errors.js';

export type CelValue = string | number | boolean | null | CelValue[] | CelTimestamp | { [field: string]: CelValue };

export interface CelTimestamp {
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

export type BinaryOp = '&&' | '||' | '==' | '!=' | '<' | '<=' | '>' | '>=' | 'in';

export const MAX_LENGTH = 4096;
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

export function fail(message: string): never {
  throw new NessieBadRequest(`Invalid filter expression: ${message}`);
}

/** Parses a filter expression into its syntax tree. */
export function parseCel(source: string): CelExpr {
  if (source.length > MAX_LENGTH) fail(`longer than ${MAX_LENGTH} characters`);
  return new Parser(tokenize(source)).parse();
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
