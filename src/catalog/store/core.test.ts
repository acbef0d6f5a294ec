import { describe, expect, it } from 'vitest';
import { StoreUnavailableError } from '../errors.js';
import { isRetryable, mapDbError, sqlState } from './core.js';
import { createStore } from './index.js';

describe('database error mapping', () => {
  it('finds the SQLSTATE on the error or on its wrapped cause', () => {
    const pgErr = Object.assign(new Error('deadlock detected'), { code: '40P01' });
    const wrapped = new Error('Failed query: ...', { cause: pgErr });
    expect(sqlState(wrapped)).toBe('40P01');
    expect(isRetryable(wrapped)).toBe(true);
    expect(isRetryable(new Error('x', { cause: Object.assign(new Error('dup'), { code: '23505' }) }))).toBe(false);
  });

  it('turns connection failures into StoreUnavailableError and leaves other errors alone', () => {
    const lost = new Error('Failed query', { cause: Object.assign(new Error('terminating connection'), { code: '57P01' }) });
    expect(mapDbError(lost)).toBeInstanceOf(StoreUnavailableError);
    expect(mapDbError(Object.assign(new Error('x'), { code: '08006' }))).toBeInstanceOf(StoreUnavailableError);
    const syntax = Object.assign(new Error('syntax'), { code: '42601' });
    expect(mapDbError(syntax)).toBe(syntax);
  });

  it('reads a lost connection from the wrapped error when it carries no SQLSTATE (drizzle around pg: the statement may have committed)', () => {
    // What the chaos run met: a commit statement whose connection died before the answer.
    const lost = new Error('Failed query: WITH n AS (INSERT INTO index_nodes ...)', { cause: new Error('Connection terminated unexpectedly') });
    expect(mapDbError(lost)).toBeInstanceOf(StoreUnavailableError);
    const unrelated = new Error('Failed query: SELECT 1', { cause: new Error('division by zero') });
    expect(mapDbError(unrelated)).toBe(unrelated);
  });

  it('reports an unreachable PostgreSQL as StoreUnavailableError', async () => {
    const store = createStore({ kind: 'postgres', url: 'postgres://nobody@127.0.0.1:1/none', poolSize: 1 });
    try {
      await expect(store.ping()).rejects.toBeInstanceOf(StoreUnavailableError);
    } finally {
      await store.close();
    }
  });
});
