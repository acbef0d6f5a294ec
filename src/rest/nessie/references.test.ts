import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NO_ANCESTOR_HASH } from '../../catalog/index.js';
import { parseJson, type JsonObject } from '../../iceberg/json.js';
import { createNessieApi } from './index.js';
import { conflictsOf, namespace, put, startNessie, type NessieHarness } from './nessie-test-harness.js';

let h: NessieHarness;

beforeAll(async () => {
  h = await startNessie();
});
afterAll(async () => {
  await h.close();
});

const names = (body: JsonObject) => (body.references as JsonObject[]).map((r) => r.name);

describe('GET /config', () => {
  it('advertises API v2, the default branch and the spec version clients key on', async () => {
    const r = await h.call('GET', '/config');
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ defaultBranch: 'main', minSupportedApiVersion: 1, maxSupportedApiVersion: 2, actualApiVersion: 2, specVersion: '2.2.0', noAncestorHash: NO_ANCESTOR_HASH });
  });
});

describe('creating and reading references', () => {
  it('creates a branch from a source reference and a tag from a detached commit', async () => {
    await h.commit('main', [put(['refs1'], namespace(['refs1']))]);
    const main = await h.head('main');
    const b = await h.call('POST', '/trees?name=dev&type=BRANCH', { type: 'BRANCH', name: 'main', hash: main });
    expect(b.status).toBe(200);
    expect(b.body.reference).toEqual({ type: 'BRANCH', name: 'dev', hash: main });
    const t = await h.call('POST', '/trees?name=v1&type=tag', { type: 'DETACHED', hash: main });
    expect(t.status).toBe(200);
    expect(t.body.reference).toEqual({ type: 'TAG', name: 'v1', hash: main });
    // No hash: the head of the named source; no body: the head of the default branch.
    expect((await h.call('POST', '/trees?name=dev2&type=BRANCH', { type: 'BRANCH', name: 'dev' })).body.reference).toMatchObject({ hash: main });
    expect((await h.call('POST', '/trees?name=dev3&type=BRANCH')).body.reference).toMatchObject({ hash: main });
  });

  it('reports an existing name as REFERENCE_ALREADY_EXISTS and bad input as BAD_REQUEST', async () => {
    const main = await h.head('main');
    const dup = await h.call('POST', '/trees?name=dev&type=BRANCH', { type: 'BRANCH', name: 'main', hash: main });
    expect(dup.status).toBe(409);
    expect(dup.body).toMatchObject({ status: 409, reason: 'Conflict', errorCode: 'REFERENCE_ALREADY_EXISTS' });
    const bad = await h.call('POST', '/trees?name=a..b&type=BRANCH', { type: 'BRANCH', name: 'main', hash: main });
    expect(bad.body).toMatchObject({ status: 400, errorCode: 'BAD_REQUEST' });
    expect((await h.call('POST', '/trees?name=x', { type: 'BRANCH', name: 'main' })).body.message).toBe('Mandatory reference type missing');
    expect((await h.call('POST', '/trees?name=x&type=NOPE', null)).status).toBe(400);
    expect((await h.call('POST', '/trees?name=x&type=BRANCH', '{not json')).body.errorCode).toBe('BAD_REQUEST');
  });

  it('reports a missing source reference or commit as REFERENCE_NOT_FOUND', async () => {
    const r = await h.call('POST', '/trees?name=x&type=BRANCH', { type: 'BRANCH', name: 'nope' });
    expect(r.status).toBe(404);
    expect(r.body.errorCode).toBe('REFERENCE_NOT_FOUND');
    const c = await h.call('POST', '/trees?name=x&type=BRANCH', { type: 'DETACHED', hash: 'deadbeefdeadbeef' });
    expect(c.body.errorCode).toBe('REFERENCE_NOT_FOUND');
  });

  it('gets a reference by name, with - as the default branch, and rejects hashes', async () => {
    const main = await h.head('main');
    expect((await h.call('GET', '/trees/main')).body.reference).toEqual({ type: 'BRANCH', name: 'main', hash: main });
    expect((await h.call('GET', '/trees/-')).body.reference).toEqual({ type: 'BRANCH', name: 'main', hash: main });
    expect((await h.call('GET', '/trees/v1')).body.reference).toMatchObject({ type: 'TAG', name: 'v1' });
    const missing = await h.call('GET', '/trees/nope');
    expect(missing.status).toBe(404);
    expect(missing.body.errorCode).toBe('REFERENCE_NOT_FOUND');
    const hashed = await h.call('GET', `/trees/main@${main}`);
    expect(hashed.status).toBe(400);
    expect(hashed.body.message).toContain('Hashes are not allowed');
  });

  it('serves branches whose names contain a slash', async () => {
    const main = await h.head('main');
    expect((await h.call('POST', '/trees?name=feature/x&type=BRANCH', { type: 'BRANCH', name: 'main', hash: main })).status).toBe(200);
    expect((await h.call('GET', '/trees/feature/x@')).body.reference).toEqual({ type: 'BRANCH', name: 'feature/x', hash: main });
    expect((await h.call('GET', '/trees/feature%2Fx')).body.reference).toMatchObject({ name: 'feature/x' });
    const r = await h.call('POST', `/trees/feature/x@${main}/history/commit`, { commitMeta: { message: 'on feature' }, operations: [put(['fx'], namespace(['fx']))] });
    expect(r.status).toBe(200);
    expect(r.body.targetBranch).toMatchObject({ type: 'BRANCH', name: 'feature/x' });
  });
});

describe('listing references', () => {
  it('lists all references sorted, filtered by CEL, and in pages', async () => {
    const all = await h.call('GET', '/trees');
    expect(all.status).toBe(200);
    const list = names(all.body);
    expect(list).toEqual([...list].sort());
    expect(list).toEqual(expect.arrayContaining(['main', 'dev', 'v1', 'feature/x']));
    expect(all.body.hasMore).toBe(false);

    expect(names((await h.call('GET', `/trees?filter=${encodeURIComponent("refType == 'TAG'")}`)).body)).toEqual(['v1']);
    expect(names((await h.call('GET', `/trees?filter=${encodeURIComponent("ref.name.startsWith('dev')")}`)).body)).toEqual(['dev', 'dev2', 'dev3']);

    const seen: unknown[] = [];
    let token: string | undefined;
    do {
      const page = await h.call('GET', `/trees?max-records=2${token ? `&page-token=${token}` : ''}`);
      expect((page.body.references as unknown[]).length).toBeLessThanOrEqual(2);
      seen.push(...names(page.body));
      token = page.body.hasMore ? (page.body.token as string) : undefined;
    } while (token);
    expect(seen).toEqual(list);
  });

  it('rejects an invalid filter as BAD_REQUEST', async () => {
    const r = await h.call('GET', `/trees?filter=${encodeURIComponent('entry.name == 1')}`);
    expect(r.status).toBe(400);
    expect(r.body.errorCode).toBe('BAD_REQUEST');
  });

  it('returns HEAD commit metadata and ahead/behind counts with fetch=ALL', async () => {
    const base = await h.head('main');
    await h.call('POST', '/trees?name=ahead&type=BRANCH', { type: 'BRANCH', name: 'main', hash: base });
    await h.commit('ahead', [put(['ah1'], namespace(['ah1']))], 'first on ahead');
    await h.commit('ahead', [put(['ah2'], namespace(['ah2']))], 'second on ahead');
    await h.commit('main', [put(['mb1'], namespace(['mb1']))], 'on main');
    const r = await h.call('GET', '/trees/ahead?fetch=ALL');
    const meta = (r.body.reference as JsonObject).metadata as JsonObject;
    expect(meta).toMatchObject({ numCommitsAhead: 2, numCommitsBehind: 1, commonAncestorHash: base });
    expect(meta.commitMetaOfHEAD).toMatchObject({ message: 'second on ahead', hash: await h.head('ahead') });
    const listed = await h.call('GET', `/trees?fetch=ALL&filter=${encodeURIComponent("commit.message == 'second on ahead'")}`);
    expect(names(listed.body)).toEqual(['ahead']);
  });
});

describe('assigning and deleting references (compare-and-swap)', () => {
  it('assigns a branch to another reference when the expected hash is current', async () => {
    const main = await h.head('main');
    const dev = await h.head('dev');
    const r = await h.call('PUT', `/trees/dev@${dev}`, { type: 'BRANCH', name: 'main', hash: main });
    expect(r.status).toBe(200);
    expect(r.body.reference).toEqual({ type: 'BRANCH', name: 'dev', hash: main });
    expect(await h.head('dev')).toBe(main);
  });

  it('fails with REFERENCE_CONFLICT when the expected hash is stale', async () => {
    await h.call('POST', '/trees?name=cas&type=BRANCH', { type: 'BRANCH', name: 'main', hash: await h.head('main') });
    const stale = await h.head('cas');
    await h.commit('cas', [put(['cas1'], namespace(['cas1']))]);
    const r = await h.call('PUT', `/trees/cas@${stale}?type=BRANCH`, { type: 'BRANCH', name: 'main', hash: await h.head('main') });
    expect(r.status).toBe(409);
    expect(r.body.errorCode).toBe('REFERENCE_CONFLICT');
    expect(conflictsOf(r.body)[0].conflictType).toBe('UNEXPECTED_HASH');
    const d = await h.call('DELETE', `/trees/cas@${stale}`);
    expect(d.status).toBe(409);
    expect(d.body.errorCode).toBe('REFERENCE_CONFLICT');
    expect((await h.call('GET', '/trees/cas')).status).toBe(200);
  });

  it('requires the expected hash and a matching type', async () => {
    const noHash = await h.call('PUT', '/trees/dev', { type: 'BRANCH', name: 'main' });
    expect(noHash.status).toBe(400);
    expect(noHash.body.message).toBe('Expected hash must be provided.');
    expect((await h.call('DELETE', '/trees/dev')).body.message).toBe('Expected hash must be provided.');
    const wrongType = await h.call('DELETE', `/trees/dev@${await h.head('dev')}?type=TAG`);
    expect(wrongType.status).toBe(400);
    expect((await h.call('GET', '/trees/dev')).status).toBe(200);
  });

  it('moves and deletes a tag', async () => {
    const v1 = await h.head('v1');
    const target = await h.head('ahead');
    const moved = await h.call('PUT', `/trees/v1@${v1}?type=TAG`, { type: 'BRANCH', name: 'ahead', hash: target });
    expect(moved.body.reference).toEqual({ type: 'TAG', name: 'v1', hash: target });
    const deleted = await h.call('DELETE', `/trees/v1@${target}?type=tag`);
    expect(deleted.status).toBe(200);
    expect(deleted.body.reference).toEqual({ type: 'TAG', name: 'v1', hash: target });
    expect((await h.call('GET', '/trees/v1')).status).toBe(404);
  });

  it('refuses to delete the default branch', async () => {
    const r = await h.call('DELETE', `/trees/main@${await h.head('main')}`);
    expect(r.status).toBe(400);
    expect(r.body.message).toContain("Default branch 'main' cannot be deleted");
  });
});

describe('reference syntax', () => {
  let hashes: string[] = [];
  let times: number[] = [];

  beforeAll(async () => {
    await h.call('POST', '/trees?name=syn&type=BRANCH', { type: 'BRANCH', name: 'main', hash: await h.head('main') });
    hashes = [];
    times = [];
    for (const n of ['s1', 's2', 's3']) {
      hashes.push(await h.commit('syn', [put([n], namespace([n]))], `commit ${n}`));
      times.push(await h.commitTime(hashes[hashes.length - 1]));
      await new Promise((r) => setTimeout(r, 5));
    }
  });

  const firstLogHash = async (ref: string) => {
    const r = await h.call('GET', `/trees/${ref}/history?max-records=1`);
    expect(r.status).toBe(200);
    return ((r.body.logEntries as JsonObject[])[0].commitMeta as JsonObject).hash;
  };

  it('resolves name@hash, abbreviated hashes, ~N and ^1', async () => {
    expect(await firstLogHash(`syn@${hashes[1]}`)).toBe(hashes[1]);
    expect(await firstLogHash(`syn@${hashes[1].slice(0, 12)}`)).toBe(hashes[1]);
    expect(await firstLogHash('syn~1')).toBe(hashes[1]);
    expect(await firstLogHash('syn~2')).toBe(hashes[0]);
    expect(await firstLogHash(`syn@${hashes[2]}^1`)).toBe(hashes[1]);
    expect(await firstLogHash(`syn@${hashes[2]}~1^1`)).toBe(hashes[0]);
  });

  it('resolves *timestamp in epoch millis and ISO-8601 to the commit valid at that time', async () => {
    expect(await firstLogHash(`syn*${times[1]}`)).toBe(hashes[1]);
    expect(await firstLogHash(`syn*${new Date(times[0]).toISOString()}`)).toBe(hashes[0]);
    expect(await firstLogHash(`syn@${hashes[2]}*${times[1]}`)).toBe(hashes[1]);
    // Before the first commit is the empty catalog, from a reference or from a commit alike.
    for (const early of ['syn*1', `syn@${hashes[2]}*1`]) {
      const r = await h.call('GET', `/trees/${early}/entries`);
      expect(r.body.effectiveReference, early).toMatchObject({ hash: NO_ANCESTOR_HASH });
      expect(r.body.entries).toEqual([]);
    }
  });

  it('reads a detached commit with @hash and reports it as DETACHED', async () => {
    const r = await h.call('GET', `/trees/@${hashes[0]}/entries`);
    expect(r.status).toBe(200);
    expect(r.body.effectiveReference).toEqual({ type: 'DETACHED', hash: hashes[0] });
    const named = await h.call('GET', `/trees/syn@${hashes[0]}/entries`);
    expect(named.body.effectiveReference).toEqual({ type: 'BRANCH', name: 'syn', hash: hashes[0] });
  });

  it('rejects a hash that is not on the named reference, and unknown hashes', async () => {
    const other = await h.commit('main', [put(['offsyn'], namespace(['offsyn']))]);
    const r = await h.call('GET', `/trees/syn@${other}/entries`);
    expect(r.status).toBe(404);
    expect(r.body.errorCode).toBe('REFERENCE_NOT_FOUND');
    expect((await h.call('GET', '/trees/syn@0123456789abcdef/entries')).body.errorCode).toBe('REFERENCE_NOT_FOUND');
    expect((await h.call('GET', '/trees/syn@nothex/entries')).status).toBe(400);
  });

  it('answers unknown endpoints and methods with Nessie-shaped errors', async () => {
    const r = await h.call('GET', '/trees/main/nothing');
    expect(r.status).toBe(404);
    expect(r.body).toMatchObject({ status: 404, errorCode: 'UNKNOWN' });
    expect((await h.call('PATCH', '/trees/main')).status).toBe(404);
    expect((await h.call('POST', '/trees/main/entries')).body).toMatchObject({ status: 405 });
  });
});

describe('mounted under /api/v2', () => {
  it('routes requests and maps errors when composed into a parent app', async () => {
    const parent = new Hono();
    parent.route('/api/v2', createNessieApi({ catalog: h.catalog }));
    parent.get('/other', (c) => c.text('other'));
    const ok = await parent.request('/api/v2/trees/main');
    expect(ok.status).toBe(200);
    expect((parseJson(await ok.text()) as JsonObject).reference).toMatchObject({ name: 'main' });
    const slash = await parent.request('/api/v2/trees/feature/x@/entries');
    expect(slash.status).toBe(200);
    const missing = await parent.request('/api/v2/trees/nope');
    expect(missing.status).toBe(404);
    expect((parseJson(await missing.text()) as JsonObject).errorCode).toBe('REFERENCE_NOT_FOUND');
    const unknown = await parent.request('/api/v2/nothing');
    expect((parseJson(await unknown.text()) as JsonObject).status).toBe(404);
    expect(await (await parent.request('/other')).text()).toBe('other');
  });
});

describe('bad input', () => {
  it('never answers malformed requests with a 5xx', async () => {
    const main = await h.head('main');
    const requests: [string, string, unknown?][] = [
      ['GET', '/trees?max-records=-1'],
      ['GET', '/trees?page-token=***'],
      ['GET', '/trees?fetch=EVERYTHING'],
      ['GET', `/trees?filter=${encodeURIComponent("ref.name.startsWith(1)")}`],
      ['GET', '/trees?filter=%E0%A4%A'],
      ['GET', '/trees/main/entries?page-token=not-a-token!'],
      ['GET', '/trees/main/entries?page-token=Zm9v'],
      ['GET', '/trees/main/entries?key='],
      ['GET', '/trees/main/entries?min-key=.bad*escape'],
      ['GET', '/trees/main/entries?content=maybe'],
      ['GET', '/trees/main/history?limit-hash=xyz'],
      ['GET', '/trees/main/history?page-token=Zm9v'],
      ['GET', '/trees/main/contents/%'],
      ['GET', '/trees/main/contents?key=a..b'],
      ['GET', '/trees/main%ZZ/entries'],
      ['GET', '/trees/main/diff/main@zz'],
      ['POST', '/trees/main/contents', { requestedKeys: [{ elements: 'a' }] }],
      ['POST', '/trees/main/contents', []],
      ['POST', '/trees?name=ok&type=BRANCH', { type: 'SOMETHING', name: 'main' }],
      ['POST', '/trees?name=ok&type=BRANCH', { type: 'BRANCH', name: 'main', hash: 42 }],
      ['PUT', `/trees/main@${main}`, 'null'],
      ['PUT', `/trees/main@${main}`, { type: 'DETACHED' }],
      ['POST', `/trees/main@${main}/history/commit`, { commitMeta: 'x', operations: [] }],
      ['POST', `/trees/main@${main}/history/commit`, { operations: [{ type: 'PUT', key: { elements: ['a'] } }] }],
      ['POST', `/trees/main@${main}/history/commit`, { operations: [{ type: 'PUT', key: { elements: ['a'] }, content: { type: 'ICEBERG_TABLE', metadataLocation: 'x', snapshotId: 1.5 } }] }],
      ['POST', `/trees/main@${main}/history/commit`, { operations: [{ type: 'PUT', key: { elements: ['a'] }, content: { type: 'NAMESPACE', properties: { a: 1 } } }] }],
      ['POST', `/trees/main@${main}/history/commit`, { operations: [{ type: 'PUT', key: { elements: ['a'] }, content: { type: 'NAMESPACE', elements: ['b'] } }] }],
      ['POST', `/trees/main@${main}/history/merge`, { fromRefName: 'dev', keyMergeModes: [{}] }],
      ['POST', `/trees/main@${main}/history/merge`, { fromRefName: 'dev', keyMergeModes: 'all' }],
      ['POST', `/trees/main@${main}/history/merge`, { fromRefName: 'dev', isDryRun: 'yes' }],
      ['POST', `/trees/main@${main}/history/transplant`, { fromRefName: 'dev', hashesToTransplant: ['zz'] }],
      ['POST', `/trees/main@${main}/history/transplant`, { fromRefName: 'dev', hashesToTransplant: [7] }],
      ['POST', `/trees/main@${main}/history/transplant`, { fromRefName: 'dev', hashesToTransplant: ['~1'] }],
      ['POST', `/trees/main@${main}/history/transplant`, { fromRefName: 'dev' }],
      ['GET', '/trees/main/recent-changes'],
    ];
    for (const [method, path, body] of requests) {
      const r = await h.call(method, path, body);
      expect(r.status, `${method} ${path}`).toBeGreaterThanOrEqual(400);
      expect(r.status, `${method} ${path}: ${String(r.body.message)}`).toBeLessThan(500);
      expect(r.body.errorCode, `${method} ${path}`).toBeDefined();
    }
  });
});
