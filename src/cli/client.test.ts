import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseJson } from '../iceberg/json.js';
import { LakecatClient, namespacePath, refPath } from './client.js';
import { ApiError, EXIT, ServerUnreachableError, UsageError } from './errors.js';
import { startStubServer, type StubServer } from './testing/stub-server.js';

describe('LakecatClient over HTTP', () => {
  let stub: StubServer;
  let client: LakecatClient;

  beforeAll(async () => {
    stub = await startStubServer();
    client = new LakecatClient(`${stub.url}/`);
  });
  afterAll(() => stub.close());

  it('maps a Nessie error body to an ApiError with its errorCode, conflicts and exit code', async () => {
    stub.answers.set('DELETE /api/v2/trees/dev@0123456789abcdef?type=BRANCH', {
      status: 409,
      body: '{"status":409,"reason":"Conflict","message":"Expected hash mismatch","errorCode":"REFERENCE_CONFLICT","errorDetails":{"type":"REFERENCE_CONFLICTS","conflicts":[{"conflictType":"UNEXPECTED_HASH","message":"moved"}]}}',
    });
    const err = await client.deleteReference('dev', 'BRANCH', '0123456789abcdef').catch((e) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ status: 409, code: 'REFERENCE_CONFLICT', message: 'Expected hash mismatch', exitCode: EXIT.FAILED });
    expect(err.conflicts).toEqual([{ conflictType: 'UNEXPECTED_HASH', message: 'moved' }]);
  });

  it('recognises "reference not found" from both APIs and exits 3', async () => {
    stub.answers.set('GET /api/v2/trees/nope', {
      status: 404,
      body: '{"status":404,"reason":"Not Found","message":"Named reference \'nope\' not found","errorCode":"REFERENCE_NOT_FOUND"}',
    });
    stub.answers.set('GET /v1/nope/namespaces', {
      status: 404,
      body: '{"error":{"message":"Reference nope not found","type":"NoSuchReferenceException","code":404}}',
    });
    const a = await client.getReference('nope').catch((e) => e);
    const b = await client.listNamespaces('nope').catch((e) => e);
    for (const err of [a, b]) {
      expect(err).toBeInstanceOf(ApiError);
      expect(err.isReferenceNotFound).toBe(true);
      expect(err.exitCode).toBe(EXIT.NOT_FOUND);
    }
    stub.answers.set('GET /v1/main/namespaces/db/tables/t', { status: 404, body: '{"error":{"message":"Table does not exist: db.t","type":"NoSuchTableException","code":404}}' });
    const c = await client.loadTable('main', ['db'], 't').catch((e) => e);
    expect(c).toMatchObject({ code: 'NoSuchTableException', isReferenceNotFound: false, exitCode: EXIT.NOT_FOUND });
  });

  it('reports a non-JSON error answer with the status and request', async () => {
    stub.answers.set('GET /api/v2/config', { status: 502, body: 'Bad Gateway' });
    const err = await client.config().catch((e) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err.message).toBe('GET /api/v2/config failed with HTTP 502: Bad Gateway');
    expect(err.exitCode).toBe(EXIT.FAILED);
  });

  it('follows reference pages until hasMore is false', async () => {
    stub.answers.set('GET /api/v2/trees', { status: 200, body: '{"hasMore":true,"token":"T1","references":[{"type":"BRANCH","name":"a","hash":"11"}]}' });
    stub.answers.set('GET /api/v2/trees?page-token=T1', { status: 200, body: '{"hasMore":false,"references":[{"type":"TAG","name":"b","hash":"22"}]}' });
    expect(await client.listReferences()).toEqual([
      { type: 'BRANCH', name: 'a', hash: '11' },
      { type: 'TAG', name: 'b', hash: '22' },
    ]);
  });

  it('sends merges with Nessie v2 flags and conflicts-as-result, and keeps 63-bit ids exact', async () => {
    const path = '/api/v2/trees/main@aaaaaaaa/history/merge';
    stub.answers.set(`POST ${path}`, {
      status: 200,
      body: '{"wasApplied":false,"wasSuccessful":true,"targetBranch":"main","effectiveTargetHash":"aaaaaaaa","details":[{"key":{"elements":["db","t"]},"mergeBehavior":"FORCE"}],"x":9223372036854775807}',
    });
    const result = await client.merge('main', 'aaaaaaaa', 'dev', 'bbbbbbbb', {
      dryRun: true,
      keyMergeModes: [{ key: ['db', 't'], mergeBehavior: 'FORCE' }],
    });
    expect(result.details).toEqual([{ key: ['db', 't'], mergeBehavior: 'FORCE' }]);
    expect(result.raw.x).toBe(9223372036854775807n);
    const sent = parseJson(stub.seen.filter((s) => s.url === path).pop()!.body);
    expect(sent).toEqual({
      fromRefName: 'dev',
      fromHash: 'bbbbbbbb',
      isDryRun: true,
      isFetchAdditionalInfo: true,
      isReturnConflictAsResult: true,
      keyMergeModes: [{ key: { elements: ['db', 't'] }, mergeBehavior: 'FORCE' }],
    });
  });

  it('stops the log at the requested number of entries', async () => {
    stub.answers.set('GET /api/v2/trees/-/history?max-records=2', {
      status: 200,
      body: '{"hasMore":true,"token":"n","logEntries":[{"commitMeta":{"hash":"h1","message":"one"}},{"commitMeta":{"hash":"h2","message":"two"}}]}',
    });
    const log = await client.history('-', 2);
    expect(log.map((e) => e.commitMeta.hash)).toEqual(['h1', 'h2']);
    expect(stub.seen.some((s) => s.url.includes('page-token=n'))).toBe(false);
  });
});

describe('LakecatClient without a server', () => {
  it('says which URL it could not reach and exits 4', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const err = await new LakecatClient(`http://127.0.0.1:${port}`).config().catch((e) => e);
    expect(err).toBeInstanceOf(ServerUnreachableError);
    expect(err.exitCode).toBe(EXIT.UNREACHABLE);
    expect(err.message).toContain(`http://127.0.0.1:${port}`);
    expect(err.message).toContain('LAKECAT_URL');
  });

  it('rejects a server URL that is not http(s) as a usage error', () => {
    expect(() => new LakecatClient('localhost:8181')).toThrow(UsageError);
    expect(() => new LakecatClient('not a url')).toThrow("invalid server URL 'not a url'");
  });
});

describe('paths', () => {
  it('writes references the way Nessie routes them', () => {
    expect(refPath('main')).toBe('main');
    expect(refPath('main', 'abcdef12')).toBe('main@abcdef12');
    expect(refPath('feature/x')).toBe('feature/x@');
    expect(refPath('feature/x', 'abcdef12')).toBe('feature/x@abcdef12');
    expect(refPath('a b')).toBe('a%20b');
  });

  it('joins namespace levels with the unit separator', () => {
    expect(namespacePath(['db', 'sales'])).toBe('db%1Fsales');
  });
});
