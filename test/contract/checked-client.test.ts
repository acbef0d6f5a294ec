import { describe, expect, it } from 'vitest';
import type { Harness, TestResponse } from '../rest/harness.js';
import { checkedRequest } from './checked-client.js';
import { loadSpec, specPath } from './spec.js';

const SPEC_PATH = specPath();
const spec = loadSpec(SPEC_PATH);

/** A harness whose every request answers with the given response. */
function answering(status: number, body: unknown): Harness {
  const text = body === undefined ? '' : JSON.stringify(body);
  const response: TestResponse = { status, text, body, headers: new Headers() };
  return { request: async () => response } as unknown as Harness;
}

const NOT_FOUND = { error: { message: 'Namespace does not exist: ghost', type: 'NoSuchNamespaceException', code: 404 } };

describe.skipIf(!spec)(`checked requests${spec ? '' : ` (skipped: OpenAPI spec not found at ${SPEC_PATH})`}`, () => {
  const check = (h: Harness, status: number, method: string, path: string) => checkedRequest(h, spec!, status, method, path);

  it('accepts a listed status with a body valid for it', async () => {
    const r = await check(answering(404, NOT_FOUND), 404, 'GET', '/v1/main/namespaces/ghost');
    expect(r.template).toBe('/v1/{prefix}/namespaces/{namespace}');
  });

  it('rejects a status the operation does not list, even one the 5XX range would cover', async () => {
    await expect(check(answering(422, { error: { ...NOT_FOUND.error, code: 422 } }), 422, 'GET', '/v1/main/namespaces/ghost')).rejects.toThrow(/not listed/);
    await expect(check(answering(500, { error: { ...NOT_FOUND.error, code: 500 } }), 500, 'GET', '/v1/main/namespaces/ghost')).rejects.toThrow(/not listed/);
  });

  it('rejects a body that does not match the schema, and an error code that differs from the status', async () => {
    await expect(check(answering(404, NOT_FOUND.error), 404, 'GET', '/v1/main/namespaces/ghost')).rejects.toThrow(/does not match the spec/);
    await expect(check(answering(200, { namespace: 'ghost' }), 200, 'GET', '/v1/main/namespaces/ghost')).rejects.toThrow(/does not match the spec/);
    await expect(check(answering(404, { error: { ...NOT_FOUND.error, code: 400 } }), 404, 'GET', '/v1/main/namespaces/ghost')).rejects.toThrow(/error\.code/);
  });

  it('rejects a body where the spec defines none, and a status other than the expected one', async () => {
    await expect(check(answering(204, { dropped: true }), 204, 'DELETE', '/v1/main/namespaces/ghost')).rejects.toThrow(/no body expected/);
    await expect(check(answering(404, NOT_FOUND), 200, 'GET', '/v1/main/namespaces/ghost')).rejects.toThrow(/expected 404 to be 200/);
  });

  it('checks the content of the envelope where the spec names the bare ErrorModel (view operations)', async () => {
    const noView = { error: { message: 'View does not exist: vw.ghost', type: 'NoSuchViewException', code: 404 } };
    await check(answering(404, noView), 404, 'GET', '/v1/main/namespaces/vw/views/ghost');
    await expect(check(answering(404, { error: { message: 'no type' } }), 404, 'GET', '/v1/main/namespaces/vw/views/ghost')).rejects.toThrow(
      /does not match the spec/,
    );
  });
});
