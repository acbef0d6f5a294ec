/**
 * A scripted HTTP server for CLI unit tests: answers are set per `METHOD /path?query`, and every
 * request is recorded. End-to-end tests use a real `lakecat serve` instead (test/cli).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SeenRequest {
  method: string;
  url: string;
  body: string;
  headers: Record<string, string | string[] | undefined>;
}

export interface StubServer {
  url: string;
  answers: Map<string, { status: number; body: string }>;
  seen: SeenRequest[];
  close(): Promise<void>;
}

export async function startStubServer(): Promise<StubServer> {
  const answers = new Map<string, { status: number; body: string }>();
  const seen: SeenRequest[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      seen.push({ method: req.method ?? '', url: req.url ?? '', body, headers: req.headers });
      const answer = answers.get(`${req.method} ${req.url}`) ?? {
        status: 404,
        body: '{"error":{"message":"no stub","type":"NotFoundException","code":404}}',
      };
      res.writeHead(answer.status, { 'content-type': 'application/json' });
      res.end(answer.body);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    answers,
    seen,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
