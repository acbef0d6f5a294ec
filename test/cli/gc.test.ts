/**
 * `lakecat gc` against a real server on the embedded default (local folder warehouse): policies,
 * a dry run that deletes nothing, a run that deletes only what is older than the writer grace
 * (file times set back on disk, so the default 7-day grace is what is tested), and past runs.
 */
import { existsSync, mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, createNamespace, createTable, http, startServer, type CliServer } from './harness.js';

const DAY = 86_400_000;

describe('lakecat gc', { timeout: 120_000 }, () => {
  let server: CliServer;
  let run: (...args: string[]) => ReturnType<typeof cli>;
  let location: string;

  const place = (path: string, ageMs: number) => {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, 'x');
    const t = new Date(Date.now() - ageMs);
    utimesSync(path, t, t);
  };

  beforeAll(async () => {
    server = await startServer();
    run = (...args) => cli(server.url, ...args);
    await createNamespace(server.url, 'main', ['gcns']);
    await createTable(server.url, 'main', ['gcns'], 'events');
    location = (await http(server.url, 'GET', '/v1/main/namespaces/gcns/tables/events')).body.metadata.location;
    expect(location.startsWith('file:')).toBe(true);
  }, 90_000);
  afterAll(async () => {
    await server?.close();
  });

  it('sets, lists and removes retention policies', async () => {
    const set = await run('gc', 'policy', 'set', 'dev/*', '--branches', '--retain', '3d', '--min-commits', '5', '--deleted-grace', '36h');
    expect(set.code, set.stderr).toBe(0);
    expect(set.stdout).toBe('branch dev/*: keep 3d and at least 5 commits; deleted or reset heads kept 36h.\n');
    const list = await run('gc', 'policy');
    expect(list.stdout).toMatch(/^branch +dev\/\* +3d +5 +36h +anonymous$/m);
    expect(list.stdout).toMatch(/^branch +main +30d +20 +7d +\(built in\)$/m);
    expect(list.stdout).toMatch(/^tag +\* +0 +1 +7d +\(built in\)$/m);
    const json = JSON.parse((await run('gc', 'policy', '--json')).stdout);
    expect(json.find((p: any) => p.pattern === 'dev/*')).toMatchObject({ refType: 'BRANCH', retainMs: 3 * DAY, retainCommits: 5, deletedGraceMs: 1.5 * DAY });
    expect((await run('gc', 'policy', 'rm', 'dev/*', '--branches')).code).toBe(0);
    const gone = await run('gc', 'policy', 'rm', 'dev/*', '--branches');
    expect(gone.code).toBe(3);
    const bad = await run('gc', 'policy', 'set', 'main');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--retain');
  });

  it('reports in a dry run, then deletes only unreferenced files older than the writer grace', async () => {
    const root = fileURLToPath(location);
    const old = `${root}/metadata/00042-left-by-a-failed-commit.metadata.json`;
    const fresh = `${root}/data/00000-being-written.parquet`;
    place(old, 8 * DAY);
    place(fresh, 0);

    const dry = await run('gc', '--dry-run');
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toMatch(/^Run: +\S+ \(dry run: nothing deleted\)$/m);
    expect(dry.stdout).toMatch(/^Reclaimable: +1 files, 1 B$/m);
    expect(dry.stdout).toMatch(/^Safety: +0 candidates/m);
    expect(dry.stdout).toContain(`${location.replace(/\/$/, '')}  `);
    expect(existsSync(old)).toBe(true);

    const json = JSON.parse((await run('gc', '--dry-run', '--json')).stdout);
    expect(json.totals).toMatchObject({ reclaimableFiles: 1, keptByWriterGrace: 1, deletedFiles: 0 });
    expect(json.tables.find((t: any) => t.reclaimableFiles === 1).samples).toEqual([expect.stringContaining('00042-left-by-a-failed-commit')]);

    const real = await run('gc');
    expect(real.code, real.stderr).toBe(0);
    expect(real.stdout).toMatch(/^Deleted: +1 files, 1 B$/m);
    expect(existsSync(old)).toBe(false);
    expect(existsSync(fresh)).toBe(true);
    expect((await http(server.url, 'GET', '/v1/main/namespaces/gcns/tables/events')).status).toBe(200);

    const runs = await run('gc', 'runs');
    expect(runs.stdout.split('\n').filter((l) => / done /.test(l))).toHaveLength(1);
    expect(runs.stdout.split('\n').filter((l) => /reported \(dry run\)/.test(l))).toHaveLength(2);
    const id = JSON.parse((await run('gc', 'runs', '--json')).stdout)[0].id;
    const shown = await run('gc', 'show', id);
    expect(shown.stdout).toMatch(/^State: +done$/m);
    expect(shown.stdout).toMatch(/^Deleted: +1 files/m);
  });

  it('refuses a writer grace under a day unless told it is safe', async () => {
    const r = await run('gc', '--writer-grace', '1h');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('24 hours');
    const bad = await run('gc', '--writer-grace', 'soon');
    expect(bad.code).toBe(2);
  });
});
