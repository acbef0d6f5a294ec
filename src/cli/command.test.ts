import { describe, expect, it } from 'vitest';
import { parseRefSpec } from './command.js';
import { UsageError } from './errors.js';

describe('parseRefSpec', () => {
  it('splits name, hash and relative parts the way Nessie writes references', () => {
    expect(parseRefSpec('main')).toEqual({ name: 'main', relative: '' });
    expect(parseRefSpec('feature/x')).toEqual({ name: 'feature/x', relative: '' });
    expect(parseRefSpec('dev@0123abcd')).toEqual({ name: 'dev', hash: '0123abcd', relative: '' });
    expect(parseRefSpec('@0123abcd')).toEqual({ hash: '0123abcd', relative: '' });
    expect(parseRefSpec('dev~2')).toEqual({ name: 'dev', relative: '~2' });
    expect(parseRefSpec('dev@0123abcd^2~1')).toEqual({ name: 'dev', hash: '0123abcd', relative: '^2~1' });
    expect(parseRefSpec('main*2026-01-31T12:00:00Z')).toEqual({ name: 'main', relative: '*2026-01-31T12:00:00Z' });
    expect(parseRefSpec('main*1700000000000~1')).toEqual({ name: 'main', relative: '*1700000000000~1' });
  });

  it('rejects hashes that are not hex, relative parts without a number, and empty specs', () => {
    expect(() => parseRefSpec('dev@main')).toThrow("'main' in 'dev@main' is not a commit hash");
    expect(() => parseRefSpec('dev@0123')).toThrow('not a commit hash');
    expect(() => parseRefSpec('dev~x')).toThrow("'~x' in 'dev~x' is not a relative commit");
    expect(() => parseRefSpec('@')).toThrow(UsageError);
    expect(() => parseRefSpec('~1')).toThrow('names neither a reference nor a commit');
  });
});
