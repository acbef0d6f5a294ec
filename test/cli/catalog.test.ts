/** The real `lakecat show`, `ns` and `tables` against a real server, on the default branch and on another branch. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseJson } from '../../src/iceberg/json.js';
import { appendSnapshot, cli, createNamespace, createTable, createView, startServer, type CliServer } from './harness.js';

const id = Math.random().toString(36).slice(2, 8);
const DB = `db_${id}`;
const DEV = `dev-${id}`;
const BIG = 9223372036854775807n;

describe('lakecat show, ns and tables', { timeout: 120_000 }, () => {
  let server: CliServer;
  let run: (...args: string[]) => ReturnType<typeof cli>;

  beforeAll(async () => {
    server = await startServer();
    run = (...args) => cli(server.url, ...args);
    await createNamespace(server.url, 'main', [DB]);
    await createNamespace(server.url, 'main', [DB, 'sales']);
    await createTable(server.url, 'main', [DB], 'orders');
    await createTable(server.url, 'main', [DB, 'sales'], 'leads');
    await appendSnapshot(server.url, 'main', [DB], 'orders', BIG);
    await createView(server.url, 'main', [DB], 'big_orders', 'SELECT count(*) AS n FROM orders');
    expect((await run('branch', 'create', DEV)).code).toBe(0);
    await createNamespace(server.url, DEV, [`${DB}_dev`]);
    await appendSnapshot(server.url, DEV, [DB], 'orders', BIG - 7n);
  }, 90_000);
  afterAll(() => server?.close());

  it('lists top-level namespaces, children of a parent, and per branch', async () => {
    const top = await run('ns');
    expect(top.code).toBe(0);
    expect(top.stdout).toMatch(new RegExp(`^${DB}$`, 'm'));
    expect(top.stdout).not.toContain(`${DB}.sales`);
    expect(top.stdout).not.toContain(`${DB}_dev`);
    const children = await run('ns', DB);
    expect(children.stdout.split('\n')).toContain(`${DB}.sales`);
    const dev = parseJson((await run('ns', '--ref', DEV, '--json')).stdout) as string[][];
    expect(dev).toContainEqual([`${DB}_dev`]);
    expect(dev).toContainEqual([DB]);
  });

  it('lists the tables of a namespace, nested ones included', async () => {
    const r = await run('tables', DB);
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n').map((l) => l.split(/ {2,}/))).toContainEqual([`${DB}.orders`, 'table']);
    expect(r.stdout.split('\n').map((l) => l.split(/ {2,}/))).toContainEqual([`${DB}.big_orders`, 'view']);
    const nested = parseJson((await run('tables', `${DB}.sales`, '--json')).stdout);
    expect(nested).toEqual([{ type: 'table', namespace: [DB, 'sales'], name: 'leads' }]);
    const empty = await run('tables', `${DB}_dev`, '--ref', DEV);
    expect(empty.stdout).toBe(`No tables or views in ${DB}_dev on ${DEV}.\n`);
  });

  it('shows a table: schema, partition spec, snapshots with exact 63-bit ids, refs and metadata history', async () => {
    const r = await run('show', `${DB}.orders`);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^Table: +${DB}\\.orders \\(on main\\)$`, 'm'));
    expect(r.stdout).toMatch(new RegExp(`^Current snapshot: +${BIG}$`, 'm'));
    expect(r.stdout).toMatch(/^1 +id +long +no$/m);
    expect(r.stdout).toMatch(/^2 +ts +timestamptz +yes$/m);
    expect(r.stdout).toMatch(/^ts_day +day +ts$/m);
    expect(r.stdout).toMatch(new RegExp(`^${BIG} \\* +- +1 +.* append +\\+rows=10$`, 'm'));
    expect(r.stdout).toMatch(new RegExp(`^main +branch +${BIG}`, 'm'));
    expect(r.stdout).toMatch(/^Metadata history:$/m);
    expect(r.stdout).toMatch(/metadata\.json \(current\)$/m);
  });

  it('shows the same table as of another branch with --ref, and as lossless --json', async () => {
    const r = await run('show', `${DB}.orders`, '--ref', DEV);
    expect(r.stdout).toMatch(new RegExp(`^Current snapshot: +${BIG - 7n}$`, 'm'));
    const json = parseJson((await run('show', `${DB}.orders`, '--ref', DEV, '--json')).stdout) as {
      ref: string;
      metadata: { 'current-snapshot-id': bigint; snapshots: { 'snapshot-id': bigint }[] };
    };
    expect(json.ref).toBe(DEV);
    expect(json.metadata['current-snapshot-id']).toBe(BIG - 7n);
    expect(json.metadata.snapshots.map((s) => s['snapshot-id'])).toEqual([BIG, BIG - 7n]);
    const before = await run('show', `${DB}.orders`, '--ref', `${DEV}~1`);
    expect(before.code).toBe(0);
    expect(before.stdout).toMatch(new RegExp(`^Current snapshot: +${BIG}$`, 'm'));
    expect(before.stdout).toMatch(new RegExp(`^Table: +${DB}\\.orders \\(on ${DEV}@[0-9a-f]{64}\\)$`, 'm'));
  });

  it('shows a view when the name is not a table', async () => {
    const r = await run('show', `${DB}.big_orders`);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^View: +${DB}\\.big_orders \\(on main\\)$`, 'm'));
    expect(r.stdout).toContain('SQL (trino):\n  SELECT count(*) AS n FROM orders');
    const json = parseJson((await run('show', `${DB}.big_orders`, '--json')).stdout) as { type: string };
    expect(json.type).toBe('view');
  });

  it('exits 3 for a missing table or namespace, and lists references for an unknown --ref', async () => {
    const table = await run('show', `${DB}.nope`);
    expect(table.code).toBe(3);
    expect(table.stderr).toContain('nope');
    expect(table.stderr).not.toContain('Existing branches');
    const ns = await run('tables', `nope_${id}`);
    expect(ns.code).toBe(3);
    const ref = await run('ns', '--ref', `nope-${id}`);
    expect(ref.code).toBe(3);
    expect(ref.stderr).toMatch(new RegExp(`^Existing branches: .*\\b${DEV}\\b`, 'm'));
  });

  it('needs NAMESPACE.TABLE for show (exit 2)', async () => {
    const r = await run('show', 'orders');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("'orders' needs a namespace");
  });
});
