/**
 * `lakecat serve --auth token --auth-clients-file ...` as a user runs it, with the real CLI as
 * a service client: no credentials is a 401, client credentials get a token from the server's
 * own endpoint, and the client is the author of what it commits.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashSecret } from '../../src/catalog/access/service-clients.js';
import { cliWithEnv } from '../cli/harness.js';
import { spawnServer, type SpawnedServer } from '../smoke/spawn-server.js';

const SECRET = 'a-long-enough-secret-for-tests';

describe('lakecat serve with service clients', { timeout: 90_000 }, () => {
  let dir: string;
  let server: SpawnedServer;
  const etl = { LAKECAT_CLIENT_ID: 'etl', LAKECAT_CLIENT_SECRET: SECRET };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'lakecat-auth-'));
    const clients = join(dir, 'clients.json');
    writeFileSync(clients, JSON.stringify([{ id: 'etl', secretHash: await hashSecret(SECRET), roles: ['admin'] }]));
    server = await spawnServer(
      ['--port', '0', '--data-dir', join(dir, 'data'), '--auth', 'token', '--auth-clients-file', clients, '--auth-issuer', 'http://lakecat.local', '--log-requests', 'false'],
    );
  }, 60_000);
  afterAll(async () => {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses a caller without credentials with a 401', async () => {
    const r = await cliWithEnv(server.base, {}, 'whoami');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('Not authorized');
    const res = await fetch(`${server.base}/v1/config`);
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Bearer realm="lakecat"');
  });

  it('gets a token for a service client and acts as that client', async () => {
    const me = await cliWithEnv(server.base, etl, 'whoami');
    expect(me.code, me.stderr).toBe(0);
    expect(me.stdout).toBe('etl (user, issued by http://lakecat.local)\nroles: admin\nauthentication: token\n');
    expect((await cliWithEnv(server.base, etl, 'branch', 'create', 'dev')).code).toBe(0);
    // An engine's way: a token from the endpoint, then an Iceberg REST commit.
    const form = new URLSearchParams({ grant_type: 'client_credentials', client_id: 'etl', client_secret: SECRET, scope: 'catalog' });
    const token = (await (await fetch(`${server.base}/v1/oauth/tokens`, { method: 'POST', body: form })).json()) as { access_token: string };
    const created = await fetch(`${server.base}/v1/dev/namespaces`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token.access_token}`, 'content-type': 'application/json', 'x-lakecat-author': 'someone-else' },
      body: JSON.stringify({ namespace: ['raw'] }),
    });
    expect(created.status).toBe(200);
    const log = await cliWithEnv(server.base, etl, 'log', 'dev', '-n', '1', '--json');
    expect(JSON.parse(log.stdout)[0].commitMeta.authors).toEqual(['etl']);
  });

  it('says clearly when the client credentials are refused', async () => {
    const r = await cliWithEnv(server.base, { LAKECAT_CLIENT_ID: 'etl', LAKECAT_CLIENT_SECRET: 'wrong' }, 'whoami');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('refused the client credentials (invalid_client');
  });
});
