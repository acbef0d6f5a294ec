/**
 * The load generator's HTTP client: node:http with one keep-alive agent per server, so that
 * connection set-up is not measured and every concurrent client holds its own socket.
 */
import http from 'node:http';

export interface Reply {
  status: number;
  body: string;
  etag?: string;
}

export class HttpError extends Error {
  constructor(
    readonly method: string,
    readonly url: string,
    readonly status: number,
    readonly body: string,
  ) {
    super(`${method} ${url} -> ${status}: ${body.slice(0, 300)}`);
  }
}

export class HttpClient {
  private readonly agent: http.Agent;

  /** Sent with every request (e.g. `authorization` for a catalog with authentication on). */
  readonly defaultHeaders: Record<string, string> = {};

  constructor(maxSockets = 128) {
    this.agent = new http.Agent({ keepAlive: true, maxSockets, maxFreeSockets: maxSockets });
  }

  request(method: string, url: string, body?: unknown, headers: Record<string, string> = {}): Promise<Reply> {
    const payload = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
    return new Promise((resolve, reject) => {
      const req = http.request(
        url,
        {
          method,
          agent: this.agent,
          headers: {
            accept: 'application/json',
            ...(payload === undefined ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) }),
            ...this.defaultHeaders,
            ...headers,
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), etag: res.headers.etag }));
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      if (payload !== undefined) req.write(payload);
      req.end();
    });
  }

  /** A request that must answer 2xx; the parsed JSON body (or null for an empty one). */
  async json<T = any>(method: string, url: string, body?: unknown): Promise<T> {
    const r = await this.request(method, url, body);
    if (r.status < 200 || r.status > 299) throw new HttpError(method, url, r.status, r.body);
    return (r.body === '' ? null : JSON.parse(r.body)) as T;
  }

  close(): void {
    this.agent.destroy();
  }
}
