/**
 * Slow clients against the real `lakecat serve`: a client that trickles its headers or its body
 * is cut off by the server's timeouts (408, connection closed), other clients are served
 * meanwhile, and a request that never arrived whole changes nothing.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnServer, type SpawnedServer } from './spawn-server.js';

/** Writes `first`, then one of `drip` every 250 ms until the server closes the connection; resolves with what it answered and when. */
function trickle(base: string, first: string, drip: string): Promise<{ answer: string; closedAfterMs: number }> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const started = Date.now();
    let answer = '';
    const socket: Socket = connect(Number(url.port), url.hostname, () => socket.write(first));
    const timer = setInterval(() => {
      if (!socket.destroyed) socket.write(drip);
    }, 250);
    const done = () => {
      clearInterval(timer);
      resolve({ answer, closedAfterMs: Date.now() - started });
    };
    socket.on('data', (d) => (answer += d.toString()));
    socket.on('close', done);
    socket.on('error', () => undefined); // a write after the server closed: the close event follows
    setTimeout(() => {
      clearInterval(timer);
      socket.destroy();
      reject(new Error(`the server kept the connection open for 20 s; it answered: ${answer}`));
    }, 20_000);
  });
}

describe('slow clients', { timeout: 60_000 }, () => {
  let server: SpawnedServer;
  let dataDir = '';
  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'lakecat-slow-'));
    server = await spawnServer(['--port', '0', '--data-dir', dataDir, '--headers-timeout', '1', '--request-timeout', '3', '--log-requests', 'false']);
  });
  afterAll(async () => {
    await server?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('closes a connection whose headers trickle in, with a 408, while other clients are served', async () => {
    const slow = trickle(server.base, 'GET /v1/config HTTP/1.1\r\nHost: lakecat\r\n', 'X-Slow: 1\r\n');
    const t = Date.now();
    const health = await fetch(`${server.base}/health`);
    expect(health.status).toBe(200);
    expect(Date.now() - t).toBeLessThan(1_000);
    const { answer, closedAfterMs } = await slow;
    expect(answer).toMatch(/^HTTP\/1\.1 408/);
    expect(closedAfterMs).toBeGreaterThanOrEqual(900);
    expect(closedAfterMs).toBeLessThan(4_000);
  });

  it('closes a connection whose body trickles in, and the request changes nothing', async () => {
    const body = JSON.stringify({ namespace: ['trickled'] });
    const head = `POST /v1/namespaces HTTP/1.1\r\nHost: lakecat\r\nContent-Type: application/json\r\nContent-Length: ${body.length + 100}\r\n\r\n`;
    const { answer, closedAfterMs } = await trickle(server.base, head + body, ' ');
    expect(answer).toMatch(/^HTTP\/1\.1 408/);
    expect(closedAfterMs).toBeGreaterThanOrEqual(2_900);
    expect(closedAfterMs).toBeLessThan(6_000);
    const list = (await (await fetch(`${server.base}/v1/namespaces`)).json()) as { namespaces: string[][] };
    expect(list.namespaces).toEqual([]);
  });

  it('refuses a headers timeout longer than the request timeout at start-up', async () => {
    await expect(spawnServer(['--port', '0', '--data-dir', dataDir, '--headers-timeout', '30', '--request-timeout', '5'], { timeoutMs: 20_000 })).rejects.toThrow(
      /--headers-timeout \(30\) must not be longer than --request-timeout \(5\)/,
    );
  });
});
