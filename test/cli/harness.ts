/**
 * End-to-end support for CLI tests: a real `lakecat serve` child process on the embedded default
 * (PGlite + a local folder), the real `bin/lakecat.mjs` run as a child process per command, and
 * Iceberg REST calls to set up tables and conflicting changes.
 *
 * With LAKECAT_TEST_SERVER_URL set, the suite runs against that already running server instead
 * (e.g. one on PostgreSQL and S3); names carry a random suffix so re-runs do not collide.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseJson, stringifyJson, type JsonValue } from '../../src/iceberg/json.js';

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface CliServer {
  url: string;
  close(): Promise<void>;
}

const BIN = 'bin/lakecat.mjs';

export async function startServer(): Promise<CliServer> {
  const external = process.env.LAKECAT_TEST_SERVER_URL;
  if (external) return { url: external.replace(/\/+$/, ''), close: async () => {} };
  const dataDir = mkdtempSync(join(tmpdir(), 'lakecat-cli-'));
  const proc: ChildProcess = spawn(process.execPath, [BIN, 'serve', '--port', '0', '--data-dir', dataDir], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, LAKECAT_LOG_REQUESTS: 'false' },
  });
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${output}`)), 45_000);
    proc.stdout!.on('data', (d: Buffer) => {
      output += d.toString();
      const m = /"url":"(http:\/\/[^"]+)"/.exec(output);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    proc.stderr!.on('data', (d: Buffer) => (output += d.toString()));
    proc.once('exit', (code) => reject(new Error(`server exited with ${code}:\n${output}`)));
  });
  return {
    url,
    close: async () => {
      if (proc.exitCode === null) {
        const exited = new Promise((r) => proc.once('exit', r));
        proc.kill('SIGTERM');
        await exited;
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Runs the real CLI binary; the server comes from LAKECAT_URL unless the args say otherwise. */
export function cli(serverUrl: string, ...args: string[]): Promise<CliResult> {
  return cliWithEnv(serverUrl, {}, ...args);
}

/** `cli` with extra environment variables (e.g. credentials). */
export function cliWithEnv(serverUrl: string, env: Record<string, string>, ...args: string[]): Promise<CliResult> {
  return cliWithStdin(serverUrl, undefined, env, ...args);
}

/** `cli` with `input` on its standard input (none when undefined). */
export function cliWithStdin(serverUrl: string, input: string | undefined, env: Record<string, string>, ...args: string[]): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [BIN, ...args], {
      stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
      env: { ...process.env, LAKECAT_URL: serverUrl, ...env },
    });
    if (input !== undefined) proc.stdin!.end(input);
    let stdout = '';
    let stderr = '';
    proc.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
    proc.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    proc.once('error', reject);
    proc.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Lossless HTTP call to the server under test. */
export async function http(base: string, method: string, path: string, body?: JsonValue): Promise<{ status: number; body: any; text: string }> {
  const res = await fetch(`${base}${path}`, {
    method,
    body: body === undefined ? undefined : stringifyJson(body),
    headers: body === undefined ? undefined : { 'content-type': 'application/json' },
  });
  const text = await res.text();
  return { status: res.status, text, body: text ? parseJson(text) : null };
}

async function ok(base: string, method: string, path: string, body?: JsonValue): Promise<any> {
  const r = await http(base, method, path, body);
  if (r.status !== 200 && r.status !== 204) throw new Error(`${method} ${path} -> ${r.status}: ${r.text}`);
  return r.body;
}

export const SCHEMA = {
  type: 'struct',
  'schema-id': 0,
  fields: [
    { id: 1, name: 'id', required: true, type: 'long' },
    { id: 2, name: 'ts', required: false, type: 'timestamptz' },
  ],
};

export function createNamespace(base: string, ref: string, namespace: string[]): Promise<any> {
  return ok(base, 'POST', `/v1/${ref}/namespaces`, { namespace });
}

export function createTable(base: string, ref: string, namespace: string[], name: string): Promise<any> {
  return ok(base, 'POST', `/v1/${ref}/namespaces/${encodeURIComponent(namespace.join('\u001f'))}/tables`, {
    name,
    schema: SCHEMA,
    'partition-spec': { 'spec-id': 0, fields: [{ name: 'ts_day', transform: 'day', 'source-id': 2, 'field-id': 1000 }] },
  });
}

export function createView(base: string, ref: string, namespace: string[], name: string, sql: string): Promise<any> {
  return ok(base, 'POST', `/v1/${ref}/namespaces/${encodeURIComponent(namespace.join('\u001f'))}/views`, {
    name,
    schema: { type: 'struct', 'schema-id': 0, fields: [{ id: 1, name: 'n', required: false, type: 'long' }] },
    'view-version': {
      'version-id': 1,
      'timestamp-ms': 1_700_000_000_000,
      'schema-id': 0,
      summary: { 'engine-name': 'trino' },
      representations: [{ type: 'sql', sql, dialect: 'trino' }],
      'default-namespace': namespace,
    },
    properties: {},
  });
}

/** Appends a snapshot to a table on `ref` (the table's own `main` ref moves to it), as an engine would. */
export async function appendSnapshot(base: string, ref: string, namespace: string[], name: string, snapshotId: bigint): Promise<void> {
  const path = `/v1/${ref}/namespaces/${encodeURIComponent(namespace.join('\u001f'))}/tables/${name}`;
  const loaded = await ok(base, 'GET', path);
  const current = loaded.metadata['current-snapshot-id'];
  const parent = current === undefined || current === null || current === -1 ? null : current;
  const seq = Number(loaded.metadata['last-sequence-number'] ?? 0) + 1;
  await ok(base, 'POST', path, {
    requirements: [{ type: 'assert-ref-snapshot-id', ref: 'main', 'snapshot-id': parent }],
    updates: [
      {
        action: 'add-snapshot',
        snapshot: {
          'snapshot-id': snapshotId,
          ...(parent === null ? {} : { 'parent-snapshot-id': parent }),
          'sequence-number': seq,
          'timestamp-ms': 1_700_000_000_000 + seq,
          'manifest-list': `file:///tmp/snap-${snapshotId}.avro`,
          summary: { operation: 'append', 'added-records': '10' },
          'schema-id': 0,
        },
      },
      { action: 'set-snapshot-ref', 'ref-name': 'main', type: 'branch', 'snapshot-id': snapshotId },
    ],
  });
}

export async function currentSnapshot(base: string, ref: string, namespace: string[], name: string): Promise<bigint | number | null> {
  const loaded = await ok(base, 'GET', `/v1/${ref}/namespaces/${encodeURIComponent(namespace.join('\u001f'))}/tables/${name}`);
  return loaded.metadata['current-snapshot-id'] ?? null;
}

export async function head(base: string, ref: string): Promise<string> {
  return (await ok(base, 'GET', `/api/v2/trees/${ref}`)).reference.hash;
}
