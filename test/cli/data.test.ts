/** The real `lakecat load`, `lakecat head` and `lakecat cdc apply` against a real server on the embedded default (a local folder warehouse). */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseJson } from '../../src/iceberg/json.js';
import { cli, cliWithStdin, createNamespace, startServer, type CliServer } from './harness.js';

const id = Math.random().toString(36).slice(2, 8);
const NS = `raw_${id}`;

describe('lakecat load and head', { timeout: 120_000 }, () => {
  let server: CliServer;
  let run: (...args: string[]) => ReturnType<typeof cli>;
  const dir = mkdtempSync(join(tmpdir(), 'lakecat-load-'));
  const file = (name: string, text: string) => {
    writeFileSync(join(dir, name), text);
    return join(dir, name);
  };

  beforeAll(async () => {
    server = await startServer();
    run = (...args) => cli(server.url, ...args);
    await createNamespace(server.url, 'main', [NS]);
    expect((await run('branch', 'create', `dev-${id}`)).code).toBe(0);
  }, 90_000);
  afterAll(() => server?.close());

  it('loads a CSV into a new table on a branch and shows it with head, there only', async () => {
    const csv = file('readings.csv', 'device,taken_at,glucose\ncgm-1,2024-03-01T08:00:00Z,95\ncgm-2,2024-03-01T09:00:00Z,\n');
    const loaded = await run('load', `${NS}.readings`, csv, '--ref', `dev-${id}`, '--create');
    expect(loaded.code).toBe(0);
    expect(loaded.stdout).toMatch(new RegExp(`^loaded 2 rows into ${NS}\\.readings on dev-${id} in 1 data file \\(snapshot \\d+\\); created the table\\n$`));
    const head = await run('head', `${NS}.readings`, '--ref', `dev-${id}`);
    expect(head.code).toBe(0);
    expect(head.stdout).toBe(
      'device  taken_at                          glucose\n' +
        'cgm-1   2024-03-01T08:00:00.000000+00:00  95\n' +
        'cgm-2   2024-03-01T09:00:00.000000+00:00  null\n',
    );
    expect((await run('head', `${NS}.readings`)).code).toBe(3);
    const json = parseJson((await run('head', `${NS}.readings`, '--ref', `dev-${id}`, '-n', '1', '--json')).stdout) as { rows: unknown[] };
    expect(json.rows).toEqual([{ device: 'cgm-1', taken_at: '2024-03-01T08:00:00.000000+00:00', glucose: 95 }]);
  });

  it('stops at a bad value with its place and exit 1, and the table stays as it was', async () => {
    const before = await run('head', `${NS}.readings`, '--ref', `dev-${id}`, '--json');
    const bad = file('bad.csv', 'device,taken_at,glucose\ncgm-3,2024-03-02T08:00:00Z,high\n');
    const r = await run('load', `${NS}.readings`, bad, '--ref', `dev-${id}`);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`lakecat: ${bad}:2: column glucose: expected a 64-bit integer, got "high"\nnothing was committed\n`);
    expect((await run('head', `${NS}.readings`, '--ref', `dev-${id}`, '--json')).stdout).toBe(before.stdout);
  });

  it('refuses usage errors with exit 2', async () => {
    expect((await run('load', `${NS}.readings`)).code).toBe(2);
    expect((await run('load', 'readings', join(dir, 'readings.csv'))).code).toBe(2);
    expect((await run('head', `${NS}.readings`, '-n', '0')).code).toBe(2);
    const nope = await run('load', `${NS}.readings`, join(dir, 'missing.csv'), '--ref', `dev-${id}`);
    expect(nope.code).toBe(2);
    expect(nope.stderr).toContain('cannot read');
  });

  it('applies Debezium events from a file and from stdin, exactly once', async () => {
    const csv = file('customers.csv', 'id,name\n1,ada\n2,bob\n3,cy\n');
    expect((await run('load', `${NS}.customers`, csv, '--ref', `dev-${id}`, '--create')).code).toBe(0);
    const ev = (op: string, before: object | null, after: object | null, lsn: number) =>
      JSON.stringify({ op, before, after, source: { name: 'pg', db: 'shop', schema: 'public', table: 'customers', lsn } });
    const events = file('changes.ndjson', [ev('u', { id: 2, name: 'bob' }, { id: 2, name: 'bobby' }, 10), ev('d', { id: 3 }, null, 11), ev('c', null, { id: 4, name: 'dee' }, 12)].join('\n'));
    const applied = await run('cdc', 'apply', `${NS}.customers`, events, '--key', 'id', '--ref', `dev-${id}`);
    expect(applied.stderr).toBe('');
    expect(applied.code).toBe(0);
    expect(applied.stdout).toMatch(
      new RegExp(`^applied 3 change events of pg/shop\\.public\\.customers to ${NS}\\.customers on dev-${id}: 2 rows written, 1 key deleted, 1 file rewritten \\(snapshot \\d+, position \\[12\\]\\)\\n$`),
    );
    const again = await run('cdc', 'apply', `${NS}.customers`, events, '--key', 'id', '--ref', `dev-${id}`, '--json');
    expect(again.code).toBe(0);
    expect(parseJson(again.stdout)).toMatchObject({ snapshotId: null, skipped: 3, applied: 0, position: '[12]' });
    const piped = await cliWithStdin(server.url, ev('u', { id: 1, name: 'ada' }, { id: 1, name: 'ada l.' }, 13), {}, 'cdc', 'apply', `${NS}.customers`, '-', '--key', 'id', '--ref', `dev-${id}`, '--json');
    expect(piped.code).toBe(0);
    expect(parseJson(piped.stdout)).toMatchObject({ applied: 1, upserted: 1, rewrittenFiles: 1 });
    const head = parseJson((await run('head', `${NS}.customers`, '--ref', `dev-${id}`, '--json')).stdout) as { rows: { id: number; name: string }[] };
    expect(head.rows.sort((a, b) => a.id - b.id)).toEqual([
      { id: 1, name: 'ada l.' },
      { id: 2, name: 'bobby' },
      { id: 4, name: 'dee' },
    ]);
  });

  it('refuses bad events with their place and exit 1, and bad usage with exit 2', async () => {
    const bad = file('bad.ndjson', `${JSON.stringify({ op: 'c', after: { id: 5, name: 'e' } })}\n${JSON.stringify({ op: 'z', after: { id: 6 } })}\n`);
    const r = await run('cdc', 'apply', `${NS}.customers`, bad, '--key', 'id', '--ref', `dev-${id}`);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`lakecat: ${bad}:2: unknown Debezium op "z" (expected c, u, d, r or t)\nnothing was committed\n`);
    const noKey = await run('cdc', 'apply', `${NS}.customers`, file('ok.ndjson', JSON.stringify({ op: 'c', after: { id: 5, name: 'e' } })), '--ref', `dev-${id}`);
    expect(noKey.code).toBe(1);
    expect(noKey.stderr).toContain('has no identifier fields: name the key columns (--key COL[,COL])');
    expect((await run('cdc', 'apply', `${NS}.customers`)).code).toBe(2);
    expect((await run('cdc', 'replay', `${NS}.customers`, bad)).code).toBe(2);
    expect((await run('cdc', 'apply', `${NS}.customers`, bad, '--mode', 'merge')).code).toBe(2);
  });
});
