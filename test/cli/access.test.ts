/**
 * `lakecat protect`, `lakecat checks` and `lakecat grant` against a real server on the embedded
 * default (no authentication): protections guard main for everyone, and a merge into it waits
 * for its required check on the exact commit merged.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, createNamespace, createTable, head, http, startServer, type CliServer } from './harness.js';

const id = Math.random().toString(36).slice(2, 8);

describe('lakecat protect, checks and grant', { timeout: 120_000 }, () => {
  let server: CliServer;
  let run: (...args: string[]) => ReturnType<typeof cli>;
  const dev = `dev-${id}`;
  const ns = `wap_${id}`;

  beforeAll(async () => {
    server = await startServer();
    run = (...args) => cli(server.url, ...args);
    await createNamespace(server.url, 'main', [ns]);
  }, 90_000);
  afterAll(async () => {
    await run('protect', 'rm', 'main');
    await server?.close();
  });

  it('protects main: direct writes and resets are refused, also without authentication', async () => {
    const set = await run('protect', 'set', 'main', '--merge-from', 'dev-*', '--require-check', 'dq/orders');
    expect(set.code, set.stderr).toBe(0);
    expect(set.stdout).toMatch(/^main +writes, assign, delete, transplant +dev-\* +dq\/orders +no +-$/m);
    const before = await head(server.url, 'main');
    const write = await http(server.url, 'POST', `/v1/main/namespaces/${ns}/tables`, { name: 'direct', schema: { type: 'struct', 'schema-id': 0, fields: [] } });
    expect(write.status).toBe(403);
    expect(write.body.error.message).toContain("blocked by protection 'main': direct writes are refused");
    const reset = await run('branch', 'assign', 'main', `@${before.slice(0, 12)}`);
    expect(reset.code, reset.stderr).toBe(1);
    expect(reset.stderr).toContain('cannot be reset or assigned');
    expect(await head(server.url, 'main')).toBe(before);
  });

  it('merges dev into main only once the required check passed on the commit merged', async () => {
    expect((await run('branch', 'create', dev)).code).toBe(0);
    await createTable(server.url, dev, [ns], 'orders');
    const blocked = await run('merge', dev);
    expect(blocked.code).toBe(1);
    expect(blocked.stderr).toMatch(/check dq\/orders is missing/);
    const validated = await head(server.url, dev);
    const failed = await run('checks', 'report', validated, 'dq/orders', 'failure', '--description', 'nulls in id');
    expect(failed.code, failed.stderr).toBe(0);
    expect((await run('merge', dev)).stderr).toMatch(/check dq\/orders is failure/);
    expect((await run('checks', 'report', dev, 'dq/orders', 'success', '--url', 'https://ci.example/1')).code).toBe(0);
    const listed = await run('checks', validated);
    expect(listed.stdout).toMatch(/^dq\/orders +success +anonymous/m);
    const merged = await run('merge', `${dev}@${validated}`);
    expect(merged.code, merged.stderr).toBe(0);
    expect((await http(server.url, 'GET', `/v1/main/namespaces/${ns}/tables/orders`)).status).toBe(200);
  });

  it('manages grants (they take effect once authentication is on)', async () => {
    const added = await run('grant', 'add', 'role:analyst', 'content.read', '--on', 'main', '--ns', `${ns}.**`);
    expect(added.stdout).toBe(`Granted content.read on main (namespaces ${ns}.**) to role:analyst.\n`);
    expect((await run('grant', 'add', 'role:analyst', 'content.read', '--on', 'main', '--ns', `${ns}.**`)).stdout).toBe('That grant exists already.\n');
    expect((await run('grant')).stdout).toMatch(new RegExp(`^role:analyst +content\\.read +main +${ns}\\.\\*\\*$`, 'm'));
    const bad = await run('grant', 'add', 'analyst', 'content.read');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("Invalid subject 'analyst'");
    expect((await run('grant', 'rm', 'role:analyst', 'content.read', '--on', 'main', '--ns', `${ns}.**`)).code).toBe(0);
    expect((await run('grant')).stdout).toBe('No grants.\n');
  });
});
