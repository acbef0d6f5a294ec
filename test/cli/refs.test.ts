/**
 * The real `lakecat` binary against a real server: branches, tags, log, diff, compare-and-swap
 * failures, unknown references, --json, and the documented exit codes.
 */
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseJson } from '../../src/iceberg/json.js';
import { appendSnapshot, cli, createNamespace, createTable, head, startServer, type CliServer } from './harness.js';

const id = Math.random().toString(36).slice(2, 8);
const NS = [`cli_${id}`];
const DEV = `dev-${id}`;
const TAG = `v1-${id}`;
const BIG = 9223372036854775807n;

describe('lakecat branch, tag, log and diff', { timeout: 120_000 }, () => {
  let server: CliServer;
  let run: (...args: string[]) => ReturnType<typeof cli>;

  beforeAll(async () => {
    server = await startServer();
    run = (...args) => cli(server.url, ...args);
    await createNamespace(server.url, 'main', NS);
    await createTable(server.url, 'main', NS, 'orders');
  }, 90_000);
  afterAll(() => server?.close());

  it('lists branches with the default branch marked, and the same heads as the server in --json', async () => {
    const r = await run('branch');
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n')[0].split(/ {2,}/)).toEqual(['NAME', 'HASH', 'AHEAD/BEHIND', 'COMMITTED', 'MESSAGE']);
    const mainHead = await head(server.url, 'main');
    expect(r.stdout).toMatch(new RegExp(`^main \\* +${mainHead.slice(0, 12)} `, 'm'));
    const json = parseJson((await run('branch', 'list', '--json')).stdout) as { name: string; hash: string; type: string }[];
    expect(json.find((b) => b.name === 'main')).toMatchObject({ type: 'BRANCH', hash: mainHead });
  });

  it('creates a branch at the head of its source, and refuses to create it twice (exit 1)', async () => {
    const mainHead = await head(server.url, 'main');
    const r = await run('branch', 'create', DEV, '--from', 'main');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`Created branch '${DEV}' at ${mainHead.slice(0, 12)} (from main).\n`);
    expect(await head(server.url, DEV)).toBe(mainHead);
    const again = await run('branch', 'create', DEV);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain(DEV);
    expect(again.stderr).toContain('already exists');
  });

  it('rejects an invalid branch name as a usage error (exit 2)', async () => {
    const r = await run('branch', 'create', 'bad..name');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^lakecat: .*Reference name/m);
  });

  it('creates, lists and deletes a tag', async () => {
    const mainHead = await head(server.url, 'main');
    expect((await run('tag', 'create', TAG)).code).toBe(0);
    const list = await run('tag', 'list', '--json');
    expect(parseJson(list.stdout)).toContainEqual({ type: 'TAG', name: TAG, hash: mainHead, metadata: expect.anything() });
    expect((await run('branch', 'list')).stdout).not.toContain(TAG);
    const del = await run('tag', 'delete', TAG);
    expect(del.code).toBe(0);
    expect(del.stdout).toBe(`Deleted tag '${TAG}' (was ${mainHead.slice(0, 12)}).\n`);
    expect((await run('tag', 'list')).stdout).not.toContain(TAG);
  });

  it('shows the log of a branch newest first, limited by -n, with exact hashes in --json', async () => {
    await appendSnapshot(server.url, DEV, NS, 'orders', BIG);
    await appendSnapshot(server.url, DEV, NS, 'orders', BIG - 1n);
    const devHead = await head(server.url, DEV);
    const one = await run('log', DEV, '-n', '1');
    expect(one.code).toBe(0);
    const lines = one.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[1].startsWith(devHead.slice(0, 12))).toBe(true);
    const json = parseJson((await run('log', DEV, '--json')).stdout) as { commitMeta: { hash: string } }[];
    expect(json[0].commitMeta.hash).toBe(devHead);
    const mainLog = parseJson((await run('log', '--json')).stdout) as { commitMeta: { hash: string } }[];
    expect(json.length).toBe(mainLog.length + 2);
    expect(mainLog.map((e) => e.commitMeta.hash)).not.toContain(devHead);
  });

  it('diffs two branches per key, showing the snapshot change of a table', async () => {
    const r = await run('diff', 'main', DEV);
    expect(r.code).toBe(0);
    const row = r.stdout.split('\n').find((l) => l.includes(`${NS[0]}.orders`));
    expect(row?.split(/ {2,}/)).toEqual(['modified', 'table', `${NS[0]}.orders`, `snapshot none -> ${BIG - 1n}`]);
    const json = parseJson((await run('diff', 'main', DEV, '--json')).stdout) as { key: { elements: string[] }; to: { snapshotId: bigint } }[];
    const entry = json.find((d) => d.key.elements.join('.') === `${NS[0]}.orders`);
    expect(entry?.to.snapshotId).toBe(BIG - 1n);
    const same = await run('diff', 'main', 'main');
    expect(same.stdout).toBe('No differences between main and main.\n');
  });

  it('fails a delete whose expected hash is stale (compare-and-swap, exit 1) and leaves the branch', async () => {
    const stale = await head(server.url, 'main');
    const devHead = await head(server.url, DEV);
    expect(stale).not.toBe(devHead);
    const r = await run('branch', 'delete', DEV, '--expect', stale);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('The reference moved since its head was read');
    expect(await head(server.url, DEV)).toBe(devHead);
    const atForm = await run('branch', 'delete', `${DEV}@${stale}`);
    expect(atForm.code).toBe(1);
  });

  it('moves a branch with assign, guarded by the expected head', async () => {
    const mainHead = await head(server.url, 'main');
    const devHead = await head(server.url, DEV);
    const other = `other-${id}`;
    expect((await run('branch', 'create', other, '--from', DEV)).code).toBe(0);
    const stale = await run('branch', 'assign', other, 'main', '--expect', mainHead);
    expect(stale.code).toBe(1);
    expect(await head(server.url, other)).toBe(devHead);
    const moved = await run('branch', 'assign', other, 'main');
    expect(moved.code).toBe(0);
    expect(moved.stdout).toBe(`Moved branch '${other}': ${devHead.slice(0, 12)} -> ${mainHead.slice(0, 12)} (main).\n`);
    expect(await head(server.url, other)).toBe(mainHead);
    expect((await run('branch', 'delete', other)).code).toBe(0);
    expect((await run('branch', '--json')).stdout).not.toContain(`"${other}"`);
  });

  it('lets exactly one of two concurrent moves from the same head win', async () => {
    const racer = `race-${id}`;
    expect((await run('branch', 'create', racer, '--from', 'main')).code).toBe(0);
    const start = await head(server.url, racer);
    const [a, b] = await Promise.all([run('branch', 'assign', racer, DEV, '--expect', start), run('branch', 'assign', racer, `${DEV}~1`, '--expect', start)]);
    expect([a.code, b.code].sort()).toEqual([0, 1]);
    const loser = a.code === 1 ? a : b;
    expect(loser.stderr).toContain('The reference moved since its head was read');
    const devHead = await head(server.url, DEV);
    const parent = (parseJson((await run('log', DEV, '-n', '2', '--json')).stdout) as { commitMeta: { hash: string } }[])[1].commitMeta.hash;
    expect(await head(server.url, racer)).toBe(a.code === 0 ? devHead : parent);
  });

  it('answers an unknown branch with exit 3 and the branches and tags that exist', async () => {
    const r = await run('log', `nope-${id}`);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain(`nope-${id}`);
    expect(r.stderr).toMatch(new RegExp(`^Existing branches: .*\\b${DEV}\\b`, 'm'));
    expect(r.stderr).toMatch(/^Existing branches: .*\bmain\b/m);
    expect(r.stderr).toMatch(/^Existing tags: /m);
    const del = await run('branch', 'delete', `nope-${id}`);
    expect(del.code).toBe(3);
    expect(del.stderr).toContain('Existing branches:');
  });

  it('rejects unknown commands and options with exit 2', async () => {
    const r = await run('branch', 'frobnicate');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("unknown branch command 'frobnicate'");
    const o = await run('log', '--limit', '3');
    expect(o.code).toBe(2);
    expect(o.stderr).toContain("unknown option '--limit'");
  });
});

describe('lakecat without a server', { timeout: 120_000 }, () => {
  it('exits 4 and names the URL it tried', async () => {
    const port = await new Promise<number>((resolve) => {
      const s = createServer();
      s.listen(0, '127.0.0.1', () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => resolve(p));
      });
    });
    const url = `http://127.0.0.1:${port}`;
    const r = await cli('http://unused.invalid', 'branch', '--server', url);
    expect(r.code).toBe(4);
    expect(r.stderr).toContain(`cannot reach the lakecat server at ${url}`);
    const viaEnv = await cli(url, 'log');
    expect(viaEnv.code).toBe(4);
    expect(viaEnv.stderr).toContain(url);
  });
});
