import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { EXIT } from './errors.js';
import { findCommand, runClientCommand } from './run.js';
import { startStubServer, type StubServer } from './testing/stub-server.js';

const MAIN = 'a'.repeat(64);
const DEV = 'b'.repeat(64);
const REFS = `{"hasMore":false,"references":[{"type":"BRANCH","name":"main","hash":"${MAIN}"},{"type":"BRANCH","name":"dev","hash":"${DEV}"},{"type":"TAG","name":"v1","hash":"${MAIN}"}]}`;

let stub: StubServer;

async function run(...argv: string[]) {
  let out = '';
  let err = '';
  const [name, ...rest] = argv;
  const code = await runClientCommand(findCommand(name)!, rest, { LAKECAT_URL: stub.url }, { out: (t) => (out += t), err: (t) => (err += t) });
  return { code, out, err };
}

beforeAll(async () => {
  stub = await startStubServer();
});
afterAll(() => stub.close());
beforeEach(() => {
  stub.answers.clear();
  stub.seen.length = 0;
  stub.answers.set('GET /api/v2/trees', { status: 200, body: REFS });
  stub.answers.set('GET /api/v2/config', { status: 200, body: '{"defaultBranch":"main","maxSupportedApiVersion":2}' });
  stub.answers.set('GET /api/v2/trees/main', { status: 200, body: `{"reference":{"type":"BRANCH","name":"main","hash":"${MAIN}"}}` });
  stub.answers.set('GET /api/v2/trees/-', { status: 200, body: `{"reference":{"type":"BRANCH","name":"main","hash":"${MAIN}"}}` });
  stub.answers.set('GET /api/v2/trees/dev', { status: 200, body: `{"reference":{"type":"BRANCH","name":"dev","hash":"${DEV}"}}` });
  stub.answers.set('GET /api/v2/trees/v1', { status: 200, body: `{"reference":{"type":"TAG","name":"v1","hash":"${MAIN}"}}` });
});

describe('client commands against a scripted server', () => {
  it('answers an unknown branch with the branches and tags that exist, exit 3', async () => {
    stub.answers.set('GET /api/v2/trees/nope/history?max-records=50', {
      status: 404,
      body: '{"status":404,"reason":"Not Found","message":"Named reference \'nope\' not found","errorCode":"REFERENCE_NOT_FOUND"}',
    });
    const r = await run('log', 'nope');
    expect(r.code).toBe(EXIT.NOT_FOUND);
    expect(r.err).toContain("lakecat: Named reference 'nope' not found");
    expect(r.err).toContain('Existing branches: dev, main');
    expect(r.err).toContain('Existing tags: v1');
    expect(r.out).toBe('');
  });

  it('lists merge conflicts per table and exits 1 when the server returns them as a result', async () => {
    stub.answers.set(`POST /api/v2/trees/main@${MAIN}/history/merge`, {
      status: 200,
      body: `{"wasApplied":false,"wasSuccessful":false,"targetBranch":"main","effectiveTargetHash":"${MAIN}","details":[
        {"key":{"elements":["db","orders"]},"mergeBehavior":"NORMAL","conflict":{"conflictType":"VALUE_DIFFERS","key":{"elements":["db","orders"]},"message":"values of existing and expected content for key 'db.orders' are different"}},
        {"key":{"elements":["db","customers"]},"mergeBehavior":"NORMAL"}]}`,
    });
    const r = await run('merge', 'dev');
    expect(r.code).toBe(EXIT.FAILED);
    expect(r.err).toContain('Cannot merge dev into main: 1 conflict.');
    expect(r.out.split('\n')[1].split(/ {2,}/)).toEqual(['db.orders', 'VALUE_DIFFERS', "values of existing and expected content for key 'db.orders' are different"]);
    expect(r.out).not.toContain('db.customers');
  });

  it('reports conflicts the same way when the server answers 409 with errorDetails', async () => {
    stub.answers.set(`POST /api/v2/trees/main@${MAIN}/history/merge`, {
      status: 409,
      body: '{"status":409,"reason":"Conflict","message":"The following keys have been changed in conflict: \'db.t\'","errorCode":"REFERENCE_CONFLICT","errorDetails":{"type":"REFERENCE_CONFLICTS","conflicts":[{"conflictType":"VALUE_DIFFERS","key":{"elements":["db","t"]},"message":"differs"}]}}',
    });
    const r = await run('merge', 'dev', '--into', 'main');
    expect(r.code).toBe(EXIT.FAILED);
    expect(r.out).toMatch(/^db\.t +VALUE_DIFFERS +differs$/m);
  });

  it('sends --force-key and --drop-key as key merge modes and prints a dry run without changing anything', async () => {
    stub.answers.set(`POST /api/v2/trees/main@${MAIN}/history/merge`, {
      status: 200,
      body: `{"wasApplied":false,"wasSuccessful":true,"targetBranch":"main","effectiveTargetHash":"${MAIN}","details":[{"key":{"elements":["db","a"]},"mergeBehavior":"FORCE"},{"key":{"elements":["db","b"]},"mergeBehavior":"DROP"}]}`,
    });
    const r = await run('merge', 'dev', '--dry-run', '--force-key', 'db.a', '--drop-key', 'db.b');
    expect(r.code).toBe(EXIT.OK);
    expect(r.out).toContain('Dry run: merge of dev into main would succeed without conflicts (2 keys). Nothing was changed.');
    const body = JSON.parse(stub.seen.filter((s) => s.method === 'POST').pop()!.body);
    expect(body.isDryRun).toBe(true);
    expect(body.fromHash).toBe(DEV);
    expect(body.keyMergeModes).toEqual([
      { key: { elements: ['db', 'a'] }, mergeBehavior: 'FORCE' },
      { key: { elements: ['db', 'b'] }, mergeBehavior: 'DROP' },
    ]);
  });

  it('asks for and prints how each table was merged at the Iceberg level, and sends --snapshot-isolation-key', async () => {
    const iceberg = (o: string) => `{"outcome":"MERGED","isolation":"${o}","replayedSnapshots":["11","12"],"message":"merged at the Iceberg level"}`;
    stub.answers.set(`POST /api/v2/trees/main@${MAIN}/history/merge`, {
      status: 200,
      body: `{"wasApplied":true,"wasSuccessful":true,"targetBranch":"main","effectiveTargetHash":"${MAIN}","resultantTargetHash":"${DEV}","details":[
        {"key":{"elements":["db","a"]},"mergeBehavior":"NORMAL","icebergMerge":${iceberg('TABLE')}},
        {"key":{"elements":["db","b"]},"mergeBehavior":"NORMAL","icebergMerge":${iceberg('SNAPSHOT')}},
        {"key":{"elements":["db","c"]},"mergeBehavior":"NORMAL"}]}`,
    });
    const r = await run('merge', 'dev', '--snapshot-isolation-key', 'db.b');
    expect(r.code).toBe(EXIT.OK);
    expect(r.out).toMatch(/^db\.a +NORMAL \(Iceberg merge: 2 source snapshots replayed onto the target\)$/m);
    expect(r.out).toMatch(/^db\.b +NORMAL \(Iceberg merge: 2 source snapshots replayed onto the target, snapshot isolation\)$/m);
    expect(r.out).toMatch(/^db\.c +NORMAL$/m);
    const request = stub.seen.filter((s) => s.method === 'POST').pop()!;
    expect(request.headers['lakecat-merge-details']).toBe('true');
    expect(JSON.parse(request.body).keyMergeModes).toEqual([{ key: { elements: ['db', 'b'] }, mergeBehavior: 'NORMAL', isolation: 'SNAPSHOT' }]);

    stub.answers.set(`POST /api/v2/trees/main@${MAIN}/history/merge`, {
      status: 200,
      body: `{"wasApplied":false,"wasSuccessful":false,"targetBranch":"main","effectiveTargetHash":"${MAIN}","details":[
        {"key":{"elements":["db","a"]},"mergeBehavior":"NORMAL","conflict":{"conflictType":"VALUE_DIFFERS","message":"cannot be merged at the Iceberg level: CONCURRENT_DATA_IN_SCOPE: rows added in part=x"},
         "icebergMerge":{"outcome":"CONFLICT","isolation":"TABLE","conflictType":"CONCURRENT_DATA_IN_SCOPE","sourceSnapshotId":"12","hint":"h","message":"rows added in part=x"}}]}`,
    });
    const refused = await run('merge', 'dev');
    expect(refused.code).toBe(EXIT.FAILED);
    expect(refused.out).toMatch(/^db\.a +CONCURRENT_DATA_IN_SCOPE +cannot be merged at the Iceberg level/m);
    expect((await run('transplant', 'abcdef12', '--into', 'main', '--snapshot-isolation-key', 'db.a')).code).toBe(EXIT.USAGE);
    expect((await run('merge', 'dev', '--force-key', 'db.a', '--snapshot-isolation-key', 'db.a')).err).toContain("key 'db.a' is given both to --force-key and --snapshot-isolation-key");
  });

  it('refuses contradictory key modes and merging into a tag as usage errors, before changing anything', async () => {
    const both = await run('merge', 'dev', '--force-key', 'db.a', '--drop-key', 'db.a');
    expect(both.code).toBe(EXIT.USAGE);
    expect(both.err).toContain("key 'db.a' is given both to --force-key and --drop-key");
    const tag = await run('merge', 'dev', '--into', 'v1');
    expect(tag.code).toBe(EXIT.USAGE);
    expect(tag.err).toContain("cannot change 'v1': it is a tag");
    expect(stub.seen.some((s) => s.method === 'POST')).toBe(false);
  });

  it('deletes with the head it read as the compare-and-swap expectation, and says why a CAS failed', async () => {
    stub.answers.set(`DELETE /api/v2/trees/dev@${'c'.repeat(12)}?type=BRANCH`, {
      status: 409,
      body: '{"status":409,"reason":"Conflict","message":"Named-reference \'dev\' is not at expected hash","errorCode":"REFERENCE_CONFLICT","errorDetails":{"type":"REFERENCE_CONFLICTS","conflicts":[{"conflictType":"UNEXPECTED_HASH","message":"x"}]}}',
    });
    const r = await run('branch', 'delete', 'dev', '--expect', 'c'.repeat(12));
    expect(r.code).toBe(EXIT.FAILED);
    expect(r.err).toContain("Named-reference 'dev' is not at expected hash");
    expect(r.err).toContain('The reference moved since its head was read');
    const ok = await run('branch', 'delete', 'v1');
    expect(ok.code).toBe(EXIT.USAGE);
    expect(ok.err).toContain("'v1' is a tag, not a branch");
  });

  it('prints --json output losslessly', async () => {
    stub.answers.set('GET /v1/main/namespaces/db/tables/t', {
      status: 200,
      body: '{"metadata-location":"file:///w/db/t/m.json","metadata":{"format-version":2,"current-snapshot-id":9223372036854775807},"config":{"s3.secret-access-key":"hidden"}}',
    });
    const r = await run('show', 'db.t', '--json');
    expect(r.code).toBe(EXIT.OK);
    expect(r.out).toContain('"current-snapshot-id": 9223372036854775807');
    expect(r.out).not.toContain('hidden');
  });

  it('prints usage for --help without calling the server', async () => {
    const r = await run('tables', '--help');
    expect(r.code).toBe(EXIT.OK);
    expect(r.out).toContain('Usage: lakecat tables NAMESPACE [--ref REF]');
    expect(stub.seen.length).toBe(0);
  });
});
