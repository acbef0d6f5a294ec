import { describe, expect, it } from 'vitest';
import { expectPositionals, parseArgs, positiveInt, type OptionSpec } from './args.js';
import { EXIT, UsageError } from './errors.js';

const SPECS: OptionSpec[] = [
  { name: 'into', kind: 'value' },
  { name: 'dry-run', kind: 'flag' },
  { name: 'force-key', kind: 'list' },
  { name: 'max', kind: 'value', short: 'n' },
];

describe('parseArgs', () => {
  it('separates positionals, flags, values and repeated options in any order', () => {
    const a = parseArgs(['dev', '--dry-run', '--into', 'main', '--force-key', 'db.a', '--force-key=db.b', '--json'], SPECS);
    expect(a.positionals).toEqual(['dev']);
    expect([...a.flags].sort()).toEqual(['dry-run', 'json']);
    expect(a.values.get('into')).toBe('main');
    expect(a.lists.get('force-key')).toEqual(['db.a', 'db.b']);
  });

  it('accepts short aliases with separate or attached values, and global options everywhere', () => {
    expect(parseArgs(['-n', '5'], SPECS).values.get('max')).toBe('5');
    expect(parseArgs(['-n7'], SPECS).values.get('max')).toBe('7');
    expect(parseArgs(['--server=http://h:1', 'x'], SPECS).values.get('server')).toBe('http://h:1');
    expect(parseArgs(['-h'], SPECS).flags.has('help')).toBe(true);
  });

  it('treats everything after -- as positionals, so names may start with a dash', () => {
    expect(parseArgs(['--', '--dry-run', '-n'], SPECS).positionals).toEqual(['--dry-run', '-n']);
  });

  it('rejects unknown options, missing values, values on flags and repeated single values', () => {
    expect(() => parseArgs(['--dryrun'], SPECS)).toThrow("unknown option '--dryrun'");
    expect(() => parseArgs(['-x'], SPECS)).toThrow("unknown option '-x'");
    expect(() => parseArgs(['--into'], SPECS)).toThrow("option '--into' needs a value");
    expect(() => parseArgs(['--dry-run=yes'], SPECS)).toThrow("option '--dry-run' takes no value");
    expect(() => parseArgs(['--into', 'a', '--into', 'b'], SPECS)).toThrow('more than once');
    try {
      parseArgs(['--nope'], SPECS);
    } catch (err) {
      expect(err).toBeInstanceOf(UsageError);
      expect((err as UsageError).exitCode).toBe(EXIT.USAGE);
    }
  });
});

describe('expectPositionals and positiveInt', () => {
  it('checks the argument count and names the usage', () => {
    const a = parseArgs(['a', 'b', 'c'], SPECS);
    expect(expectPositionals(a, 1, 3, 'x')).toEqual(['a', 'b', 'c']);
    expect(() => expectPositionals(a, 1, 2, 'cmd A [B]')).toThrow("unexpected argument 'c': usage: cmd A [B]");
    expect(() => expectPositionals(parseArgs([], SPECS), 1, 1, 'cmd A')).toThrow('missing argument: usage: cmd A');
  });

  it('reads positive whole numbers only', () => {
    expect(positiveInt(parseArgs(['-n', '20'], SPECS), 'max')).toBe(20);
    expect(positiveInt(parseArgs([], SPECS), 'max')).toBeUndefined();
    for (const bad of ['0', '-1', '1.5', 'ten']) {
      expect(() => positiveInt(parseArgs(['--max', bad], SPECS), 'max', '-n')).toThrow(`option '-n' needs a positive whole number, got '${bad}'`);
    }
  });
});
