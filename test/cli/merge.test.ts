/**
 * The real `lakecat merge` and `lakecat transplant` against a real server, with changes made
 * through the Iceberg REST API on several branches, the way engines make them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseJson } from '../../src/iceberg/json.js';
import { appendSnapshot, cli, createNamespace, createTable, currentSnapshot, head, http, startServer, type CliServer } from './harness.js';

const id = Math.random().toString(36).slice(2, 8);
const NS = [`merge_${id}`];
const ORDERS = `${NS[0]}.orders`;

describe('lakecat merge and transplant', { timeout: 120_000 }, () => {
  let server: CliServer;
  let run: (...args: string[]) => ReturnType<typeof cli>;
  const branch = (name: string) => `${name}-${id}`;

  beforeAll(async () => {
    server = await startServer();
    run = (...args) => cli(server.url, ...args);
    await createNamespace(server.url, 'main', NS);
    await createTable(server.url, 'main', NS, 'orders');
    await createTable(server.url, 'main', NS, 'customers');
  }, 90_000);
  afterAll(() => server?.close());

  it('dry-runs a clean merge without changing the target, then merges it', async () => {
    const feat = branch('feat');
    expect((await run('branch', 'create', feat)).code).toBe(0);
    await appendSnapshot(server.url, feat, NS, 'orders', 1001n);
    const before = await head(server.url, 'main');

    const dry = await run('merge', feat, '--dry-run');
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain(`Dry run: merge of ${feat} into main would succeed without conflicts`);
    expect(dry.stdout).toContain('Nothing was changed.');
    expect(await head(server.url, 'main')).toBe(before);
    expect(await currentSnapshot(server.url, 'main', NS, 'orders')).toBe(-1);

    const merged = await run('merge', feat, '--into', 'main', '-m', `Release ${feat}`);
    expect(merged.code).toBe(0);
    const after = await head(server.url, 'main');
    expect(after).not.toBe(before);
    expect(merged.stdout).toContain(`Merged ${feat} into main: ${before.slice(0, 12)} -> ${after.slice(0, 12)}.`);
    expect(merged.stdout).toMatch(new RegExp(`^${ORDERS.replace('.', '\\.')} +NORMAL$`, 'm'));
    expect(await currentSnapshot(server.url, 'main', NS, 'orders')).toBe(1001);
    const log = parseJson((await run('log', 'main', '-n', '1', '--json')).stdout) as { commitMeta: { message: string; parentCommitHashes: string[] } }[];
    expect(log[0].commitMeta.parentCommitHashes).toContain(await head(server.url, feat));
    expect(log[0].commitMeta.message).toBe(`Release ${feat}`);
    expect((await run('log', 'main', '-n', '1')).stdout).toMatch(new RegExp(`Merge: Release ${feat}$`, 'm'));
  });

  it('reports conflicting changes per table with exit 1 and leaves the target untouched', async () => {
    const b1 = branch('b1');
    const b2 = branch('b2');
    expect((await run('branch', 'create', b1)).code).toBe(0);
    expect((await run('branch', 'create', b2)).code).toBe(0);
    await appendSnapshot(server.url, b1, NS, 'orders', 2002n);
    await appendSnapshot(server.url, b2, NS, 'orders', 9223372036854775807n);
    await appendSnapshot(server.url, b2, NS, 'customers', 3003n);
    expect((await run('merge', b1)).code).toBe(0);
    const before = await head(server.url, 'main');

    const r = await run('merge', b2);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`Cannot merge ${b2} into main: 1 conflict.`);
    expect(r.stderr).toContain('--force-key KEY');
    const rows = r.stdout.trimEnd().split('\n');
    expect(rows[0].split(/ {2,}/)).toEqual(['KEY', 'CONFLICT', 'MESSAGE']);
    expect(rows).toHaveLength(2);
    // These snapshots have no manifest lists in storage: the Iceberg-level merge cannot read the
    // table's history, and the table stays a conflict that says so (its Iceberg conflict type).
    const [key, type, message] = rows[1].split(/ {2,}/);
    expect([key, type]).toEqual([ORDERS, 'HISTORY_UNAVAILABLE']);
    expect(message).toContain('cannot be merged at the Iceberg level');
    expect(await head(server.url, 'main')).toBe(before);
    expect(await currentSnapshot(server.url, 'main', NS, 'customers')).toBe(-1);

    const json = await run('merge', b2, '--json');
    expect(json.code).toBe(1);
    const body = parseJson(json.stdout) as { wasSuccessful: boolean; details: { key: { elements: string[] }; conflict?: { conflictType: string } }[] };
    expect(body.wasSuccessful).toBe(false);
    expect(body.details.find((d) => d.conflict)?.key.elements).toEqual([...NS, 'orders']);

    const dryForce = await run('merge', b2, '--dry-run', '--force-key', ORDERS);
    expect(dryForce.code).toBe(0);
    expect(await head(server.url, 'main')).toBe(before);

    const forced = await run('merge', b2, '--force-key', ORDERS);
    expect(forced.code).toBe(0);
    expect(forced.stdout).toMatch(new RegExp(`^${ORDERS.replace('.', '\\.')} +FORCE$`, 'm'));
    const shown = await run('show', ORDERS, '--json');
    expect(shown.stdout).toContain('"current-snapshot-id": 9223372036854775807');
    expect(await currentSnapshot(server.url, 'main', NS, 'customers')).toBe(3003);
  });

  it('keeps the target side of a key with --drop-key', async () => {
    const b3 = branch('b3');
    expect((await run('branch', 'create', b3)).code).toBe(0);
    await appendSnapshot(server.url, b3, NS, 'customers', 4004n);
    await createTable(server.url, b3, NS, 'extra');
    await appendSnapshot(server.url, 'main', NS, 'customers', 5005n);

    expect((await run('merge', b3)).code).toBe(1);
    const r = await run('merge', b3, '--drop-key', `${NS[0]}.customers`);
    expect(r.code).toBe(0);
    expect(await currentSnapshot(server.url, 'main', NS, 'customers')).toBe(5005);
    const tables = await run('tables', NS[0]);
    expect(tables.stdout).toMatch(new RegExp(`^${NS[0]}\\.extra +table$`, 'm'));
  });

  it('says there is nothing to merge when the target already has the source, and commits nothing', async () => {
    const r = await run('merge', branch('b3'));
    expect(r.code).toBe(0);
    const mainHead = await head(server.url, 'main');
    expect(r.stdout).toBe(`Nothing to merge: main already contains these changes (${mainHead.slice(0, 12)}).\n`);
    expect(await head(server.url, 'main')).toBe(mainHead);
  });

  it('transplants a chosen commit (named or detached source) onto a branch, after a dry run that changes nothing', async () => {
    const t = branch('t');
    expect((await run('branch', 'create', t)).code).toBe(0);
    await createTable(server.url, t, NS, 'events');
    await appendSnapshot(server.url, t, NS, 'orders', 6006n);
    const log = parseJson((await run('log', t, '-n', '2', '--json')).stdout) as { commitMeta: { hash: string; message: string } }[];
    expect(log[1].commitMeta.message).toContain('events');
    const eventsCommit = log[1].commitMeta.hash;
    const before = await head(server.url, 'main');

    const dry = await run('transplant', eventsCommit.slice(0, 16), '--into', 'main', '--from', t, '--dry-run');
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain('Dry run: transplant of 1 commit onto main would succeed');
    expect(await head(server.url, 'main')).toBe(before);

    const r = await run('transplant', eventsCommit, '--into', 'main');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Transplanted 1 commit onto main');
    const tables = parseJson((await run('tables', NS[0], '--json')).stdout) as { name: string; type: string }[];
    expect(tables.map((x) => x.name)).toContain('events');
    expect(await currentSnapshot(server.url, 'main', NS, 'orders')).not.toBe(6006);
    expect((await http(server.url, 'GET', `/v1/main/namespaces/${NS[0]}/tables/events`)).status).toBe(200);
  });

  it('merges a detached commit given as @HASH', async () => {
    const d = branch('d');
    expect((await run('branch', 'create', d)).code).toBe(0);
    await createTable(server.url, d, NS, 'detached_t');
    const commit = await head(server.url, d);
    expect((await run('branch', 'delete', d)).code).toBe(0);
    const r = await run('merge', `@${commit.slice(0, 20)}`);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^${NS[0]}\\.detached_t +NORMAL$`, 'm'));
    expect((await http(server.url, 'GET', `/v1/main/namespaces/${NS[0]}/tables/detached_t`)).status).toBe(200);
  });

  it('merges an ancestor given with a relative part (NAME~N), leaving out the newer commit', async () => {
    const r2 = branch('r2');
    expect((await run('branch', 'create', r2)).code).toBe(0);
    await createTable(server.url, r2, NS, 'older');
    await createTable(server.url, r2, NS, 'newer');
    const r = await run('merge', `${r2}~1`);
    expect(r.code).toBe(0);
    expect((await http(server.url, 'GET', `/v1/main/namespaces/${NS[0]}/tables/older`)).status).toBe(200);
    expect((await http(server.url, 'GET', `/v1/main/namespaces/${NS[0]}/tables/newer`)).status).toBe(404);
    const from = await run('branch', 'create', branch('r3'), '--from', `${r2}~1`);
    expect(from.code).toBe(0);
    const tables = parseJson((await run('tables', NS[0], '--ref', branch('r3'), '--json')).stdout) as { name: string }[];
    expect(tables.map((t) => t.name)).toContain('older');
    expect(tables.map((t) => t.name)).not.toContain('newer');
  });

  it('refuses --force-key and --drop-key for a key the merge does not touch, and changes nothing', async () => {
    const typo = branch('typo');
    expect((await run('branch', 'create', typo)).code).toBe(0);
    await appendSnapshot(server.url, typo, NS, 'orders', 8008n);
    const before = await head(server.url, 'main');
    const forced = await run('merge', typo, '--force-key', `${NS[0]}.ordrs`);
    expect(forced.code).toBe(2);
    expect(forced.stderr).toContain(`The following keys were not used: [${NS[0]}.ordrs]`);
    const dry = await run('merge', typo, '--dry-run', '--drop-key', `${NS[0]}.customers`);
    expect(dry.code).toBe(2);
    expect(dry.stderr).toContain(`[${NS[0]}.customers]`);
    expect(await head(server.url, 'main')).toBe(before);
    // The key the merge does touch is accepted.
    expect((await run('merge', typo, '--force-key', ORDERS)).code).toBe(0);
    expect(await currentSnapshot(server.url, 'main', NS, 'orders')).toBe(8008);
  });

  it('requires --into for transplant and rejects non-hashes (exit 2)', async () => {
    const noInto = await run('transplant', 'abcdef0123456789');
    expect(noInto.code).toBe(2);
    expect(noInto.stderr).toContain('--into BRANCH');
    const notHash = await run('transplant', 'main', '--into', 'main');
    expect(notHash.code).toBe(2);
    expect(notHash.stderr).toContain("'main' is not a commit hash");
  });
});
