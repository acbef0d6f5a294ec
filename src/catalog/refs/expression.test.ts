import { describe, expect, it } from 'vitest';
import { BadRequestError } from '../errors.js';
import { parseHashSpec, parseRefExpression, RefSyntaxError } from './expression.js';
import { checkNewRefName, checkRefName, isValidRefName } from './names.js';

const H = '1122334455667788112233445566778811223344556677881122334455667788';

/** The parts Nessie's path syntax names, with `main` as the default branch unless given. */
function parts(text: string, defaultBranch = 'main') {
  const e = parseRefExpression(text, defaultBranch);
  return { name: e.name, hash: e.hash, relative: e.relative };
}

describe('reference expressions', () => {
  it('parses names, hashes, detached commits and the default branch', () => {
    expect(parts('main')).toEqual({ name: 'main', hash: undefined, relative: [] });
    expect(parts(`dev@${H}`)).toEqual({ name: 'dev', hash: H, relative: [] });
    expect(parts(`@${H}`)).toEqual({ name: undefined, hash: H, relative: [] });
    expect(parseRefExpression(`@${H}`, 'main').detached).toBe(true);
    expect(parts('-', 'trunk')).toEqual({ name: 'trunk', hash: undefined, relative: [] });
    expect(parts('feature/x@')).toEqual({ name: 'feature/x', hash: undefined, relative: [] });
    expect(parts('ABCDEF12@ABCDEF12').hash).toBe('abcdef12');
  });

  it('parses relative parts: ~N, ^N and *timestamp in millis or ISO-8601', () => {
    expect(parts('main~10').relative).toEqual([{ kind: 'ancestor', n: 10 }]);
    expect(parts(`main@${H}^2`).relative).toEqual([{ kind: 'parent', n: 2 }]);
    expect(parts('main*1685185847230').relative).toEqual([{ kind: 'time', ms: 1685185847230 }]);
    expect(parts('*2021-04-07T14:42:25.534Z')).toEqual({
      name: 'main',
      hash: undefined,
      relative: [{ kind: 'time', ms: Date.parse('2021-04-07T14:42:25.534Z') }],
    });
    expect(parts(`@${H}~1^1`).relative).toEqual([
      { kind: 'ancestor', n: 1 },
      { kind: 'parent', n: 1 },
    ]);
  });

  it('reads times with a zone offset, nanoseconds, or a date as UTC midnight, and never as local time', () => {
    expect(parts('main*2026-01-31T12:00:00+01:00').relative).toEqual([{ kind: 'time', ms: Date.parse('2026-01-31T11:00:00Z') }]);
    expect(parts('main*2026-01-31T12:00:00.123456789Z').relative).toEqual([{ kind: 'time', ms: Date.parse('2026-01-31T12:00:00.123Z') }]);
    expect(parts('main*2026-01-31').relative).toEqual([{ kind: 'time', ms: Date.parse('2026-01-31T00:00:00Z') }]);
    expect(() => parts('main*2026-01-31T12:00:00')).toThrow(RefSyntaxError);
    expect(() => parts('main*2026-13-45T00:00:00Z')).toThrow(/Invalid timestamp/);
  });

  it('rejects malformed references as bad requests', () => {
    for (const bad of ['', 'a..b', 'main@xyz', 'main@1234', 'main/', '1abc', '_x', 'main~', 'main*yesterday', 'a@b@c']) {
      expect(() => parts(bad), bad).toThrow(BadRequestError);
    }
  });

  it('says which part is malformed, for clients that word their own messages', () => {
    const problem = (text: string) => {
      try {
        parseRefExpression(text);
      } catch (err) {
        if (err instanceof RefSyntaxError) return [err.problem, err.part];
      }
      return undefined;
    };
    expect(problem('dev@main')).toEqual(['hash', 'main']);
    expect(problem('dev~x')).toEqual(['relative', '~x']);
    expect(problem('a..b~1')).toEqual(['name', 'a..b']);
    expect(problem('')).toEqual(['empty', '']);
  });

  it('leaves `-` and a missing name to the caller when no default branch is given (the CLI)', () => {
    expect(parseRefExpression('-')).toMatchObject({ name: '-', detached: false });
    expect(parseRefExpression('~1')).toMatchObject({ name: undefined, detached: false, relativeText: '~1' });
    expect(parseRefExpression('@')).toMatchObject({ name: undefined, hash: undefined, detached: true });
  });

  it('parses hash specs of merge and transplant bodies', () => {
    expect(parseHashSpec(`${H}~2`, 'Source hash')).toEqual({ hash: H, relative: [{ kind: 'ancestor', n: 2 }] });
    expect(parseHashSpec('~2', 'Oldest hash')).toEqual({ hash: undefined, relative: [{ kind: 'ancestor', n: 2 }] });
    expect(() => parseHashSpec('main', 'Source hash')).toThrow(/Source hash must consist/);
  });
});

describe('the one reference-name rule', () => {
  it('is the same wherever a name is checked: a letter first, no `..`, no trailing `.` or `/`', () => {
    for (const ok of ['main', 'dev', 'feature/x', 'release-2024.1', 'a_b', 'A9']) expect(isValidRefName(ok), ok).toBe(true);
    // A leading digit or underscore was accepted by the Iceberg prefix and refused by Nessie and the store.
    for (const bad of ['1abc', '_x', '-', 'a..b', 'a/', 'a.', '', 'a b', 'a@b', 'a~1']) expect(isValidRefName(bad), bad).toBe(false);
    expect(() => checkRefName('1abc')).toThrow(/Reference name must start with a letter/);
  });

  it('forbids new reference names that Nessie forbids', () => {
    expect(checkNewRefName('release/2024.1')).toBe('release/2024.1');
    expect(() => checkNewRefName('HEAD')).toThrow(/must not be HEAD/);
    expect(() => checkNewRefName('deadbeef')).toThrow(/commit ID/);
    expect(() => checkNewRefName('-')).toThrow(/Reference name must/);
    expect(() => checkNewRefName(undefined)).toThrow(/Reference name must/);
  });
});
