/**
 * An HTTP client for contract tests: every response it returns has been checked against the
 * OpenAPI operation it belongs to (status listed, body valid for that status).
 */
import { expect } from 'vitest';
import type { Harness, TestResponse } from '../rest/harness.js';
import type { OpenApiContract } from './spec.js';

export interface CheckedResponse extends TestResponse {
  /** The spec path template the request fell under, e.g. `/v1/{prefix}/namespaces/{namespace}`. */
  template: string;
}

/**
 * Sends the request, asserts the expected status, and checks the response against the spec.
 *
 * Only status codes the operation lists by their exact number count as conforming. Most
 * operations also list `5XX` (and the spec defines no `default` or `4XX`): that range is the
 * catch-all for server failures, which no scenario here should provoke, so a response matched
 * only through it fails the check instead of passing silently.
 */
export async function checkedRequest(
  h: Harness,
  spec: OpenApiContract,
  expectedStatus: number,
  method: string,
  path: string,
  body?: unknown,
  headers?: Record<string, string>,
): Promise<CheckedResponse> {
  const r = await h.request(method, path, body, headers);
  const what = `${method} ${path}`;
  expect(r.status, `${what}: ${r.text}`).toBe(expectedStatus);
  const template = spec.matchPath(path);
  expect(template, `${what}: no path in the spec`).toBeDefined();
  const listed = spec.statuses(template!, method);
  const contract = spec.response(template!, method, r.status);
  expect(contract?.key, `${what}: status ${r.status} is not listed for ${method} ${template} (listed: ${listed.join(', ')})`).toBe(
    String(r.status),
  );
  if (contract!.validate && method !== 'HEAD') {
    const json = JSON.parse(r.text); // plain numbers: 64-bit ids only need to be integers here
    // The view operations name the bare ErrorModel as their error body, while their own examples,
    // every other operation and Iceberg's clients use the `{"error": ErrorModel}` envelope
    // (IcebergErrorResponse): lakecat sends the envelope, and its content is checked here.
    const bareErrorModel = r.status >= 400 && contract!.schemaRef === '#/components/schemas/ErrorModel';
    const ok = contract!.validate(bareErrorModel ? json.error : json);
    expect(ok, `${what} ${r.status} body does not match the spec: ${JSON.stringify(contract!.validate.errors)}\n${r.text}`).toBe(true);
    if (r.status >= 400) expect(json.error.code, `${what}: error.code`).toBe(r.status);
  } else {
    // HEAD never carries a body, whatever the spec describes for the status.
    expect(r.text, `${what} ${r.status}: no body expected`).toBe('');
  }
  return { ...r, template: template! };
}
