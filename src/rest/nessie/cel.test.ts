import { describe, expect, it } from 'vitest';
import { compileFilter } from './cel.js';
import { celKey, entryFilterHints } from './entries.js';
import { NessieHttpError } from './errors.js';

const entry = (key: string[], contentType = 'ICEBERG_TABLE') => ({ entry: { ...celKey(key), contentType } });

function badRequest(f: () => unknown): string {
  try {
    f();
  } catch (err) {
    expect(err).toBeInstanceOf(NessieHttpError);
    expect((err as NessieHttpError).errorCode).toBe('BAD_REQUEST');
    return (err as Error).message;
  }
  throw new Error('expected a BAD_REQUEST');
}

describe('CEL filter subset', () => {
  it('evaluates the filter Iceberg NessieCatalog sends to list child namespaces', () => {
    const f = compileFilter("entry.contentType == 'NAMESPACE' && size(entry.keyElements) == 2 && entry.encodedKey.startsWith('a.')", ['entry']);
    expect(f.matches(entry(['a', 'b'], 'NAMESPACE'))).toBe(true);
    expect(f.matches(entry(['a', 'b'], 'ICEBERG_TABLE'))).toBe(false);
    expect(f.matches(entry(['a', 'b', 'c'], 'NAMESPACE'))).toBe(false);
    expect(f.matches(entry(['ab', 'c'], 'NAMESPACE'))).toBe(false);
  });

  it('supports namespace, name, encodedKey, in-lists and negation', () => {
    expect(compileFilter("entry.namespace.startsWith('a.b')", ['entry']).matches(entry(['a', 'b', 't']))).toBe(true);
    expect(compileFilter("entry.namespace == 'a'", ['entry']).matches(entry(['a', 'b', 't']))).toBe(false);
    expect(compileFilter("entry.name == 't'", ['entry']).matches(entry(['a', 't']))).toBe(true);
    expect(compileFilter("entry.contentType in ['ICEBERG_VIEW', 'NAMESPACE']", ['entry']).matches(entry(['t']))).toBe(false);
    expect(compileFilter("!(entry.contentType in ['ICEBERG_VIEW'])", ['entry']).matches(entry(['t']))).toBe(true);
    expect(compileFilter("entry.encodedKey.contains('x') || entry.keyElements.size() == 1", ['entry']).matches(entry(['t']))).toBe(true);
    expect(compileFilter('entry.keyElements[1] == "b"', ['entry']).matches(entry(['a', 'b']))).toBe(true);
  });

  it('uses the plain path form with U+001D for dots inside elements in encodedKey', () => {
    const vars = entry(['a.b', 'c']);
    expect(compileFilter("entry.encodedKey == 'a\u001db.c'", ['entry']).matches(vars)).toBe(true);
    expect(compileFilter("entry.key == 'a.b.c'", ['entry']).matches(vars)).toBe(true);
  });

  it('evaluates commit-log filters with timestamps, maps and the exists macro', () => {
    const vars = {
      commit: { author: 'alice', message: 'add t', properties: { 'iceberg.operation': 'append' }, commitTime: { celTimestampMs: Date.parse('2024-01-02T00:00:00Z') } },
      operations: [{ ...celKey(['db', 'orders']), type: 'PUT', content: null }],
    };
    const vars2 = { ...vars, operations: [] };
    const f = compileFilter(
      "commit.author == 'alice' && timestamp(commit.commitTime) > timestamp('2024-01-01T00:00:00Z') && operations.exists(op, op.name == 'orders')",
      ['commit', 'operations'],
    );
    expect(f.matches(vars)).toBe(true);
    expect(f.matches(vars2)).toBe(false);
    expect(compileFilter("commit.properties['iceberg.operation'] == 'append'", ['commit', 'operations']).matches(vars)).toBe(true);
    expect(compileFilter("'iceberg.operation' in commit.properties", ['commit', 'operations']).matches(vars)).toBe(true);
    expect(compileFilter("operations.all(op, op.type == 'PUT')", ['commit', 'operations']).matches(vars2)).toBe(true);
  });

  it('rejects unknown variables, functions, syntax errors and non-boolean results as bad requests', () => {
    expect(badRequest(() => compileFilter("commit.author == 'x'", ['entry']))).toContain("undeclared reference to 'commit'");
    expect(badRequest(() => compileFilter("entry.name.matches('.*')", ['entry']))).toContain("unsupported function 'matches'");
    expect(badRequest(() => compileFilter("entry.name == 'x", ['entry']))).toContain('unterminated');
    expect(badRequest(() => compileFilter('entry.name ==', ['entry']))).toContain('unexpected end');
    expect(badRequest(() => compileFilter('entry.name', ['entry']).matches(entry(['a'])))).toContain('boolean');
    expect(badRequest(() => compileFilter('entry.nope == 1', ['entry']).matches(entry(['a'])))).toContain("no such field 'nope'");
    expect(badRequest(() => compileFilter('entry.name < 3', ['entry']).matches(entry(['a'])))).toContain('no such overload');
    expect(badRequest(() => compileFilter('('.repeat(100) + 'true' + ')'.repeat(100), ['entry']))).toContain('nested too deeply');
    expect(badRequest(() => compileFilter('x'.repeat(5000), ['entry']))).toContain('longer than');
  });

  it('derives store pushdown hints only from top-level conjunctions', () => {
    const hints = entryFilterHints(
      compileFilter("entry.contentType == 'NAMESPACE' && size(entry.keyElements) == 3 && entry.encodedKey.startsWith('a.b.')", ['entry']).expr,
    );
    expect(hints).toEqual({ types: ['NAMESPACE'], length: 3, prefix: ['a', 'b'] });
    const none = entryFilterHints(compileFilter("entry.contentType == 'NAMESPACE' || size(entry.keyElements) == 3", ['entry']).expr);
    expect(none).toEqual({});
    const types = entryFilterHints(compileFilter("entry.contentType in ['ICEBERG_TABLE', 'ICEBERG_VIEW']", ['entry']).expr);
    expect(types).toEqual({ types: ['ICEBERG_TABLE', 'ICEBERG_VIEW'] });
  });
});
