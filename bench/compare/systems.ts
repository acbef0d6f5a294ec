/**
 * The five catalogs under test and how each is started on loopback: the command line, where
 * its Iceberg REST API and (for the versioned ones) its Nessie API v2 live, start-up time
 * (spawn to the first 200 from /v1/config, or 401 with authentication on) and resident memory sampled from /proc.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, readdirSync, readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { hashSecret } from '../../src/catalog/access/service-clients.js';
import type { Downloads } from './downloads.js';

export const SYSTEM_IDS = ['lakecat-embedded', 'lakecat-pg', 'lakecat-pg-2w', 'lakecat-pg-auth', 'nessie-inmem', 'nessie-jdbc', 'reference'] as const;
export type SystemId = (typeof SYSTEM_IDS)[number];

export interface S3Target {
  endpoint: string;
  bucket: string;
  accessKey: string;
  secretKey: string;
}

export interface RunContext {
  repoRoot: string;
  /** A scratch folder for this run (data dirs, logs). */
  workDir: string;
  downloads?: Downloads;
  /** A fresh PostgreSQL database URL per call (`postgres://...`), when PostgreSQL is available. */
  newDatabase?: (name: string) => Promise<string>;
  s3?: S3Target;
  /** Put lakecat's warehouse on S3 (the same MinIO as Nessie) instead of its data folder. */
  lakecatOnS3: boolean;
}

export interface Launch {
  command: string;
  args: string[];
  env: Record<string, string>;
  /** Working folder (default: the repository). */
  cwd?: string;
}

export interface SystemSpec {
  id: SystemId;
  /** What the results table says about the set-up. */
  describe(ctx: RunContext): string;
  /** Why this system cannot run here, or undefined. */
  unavailable(ctx: RunContext): string | undefined;
  launch(ctx: RunContext, port: number, dir: string): Promise<Launch>;
  icebergRoot(port: number): string;
  nessieApi?(port: number): string;
  /** Headers every request needs once the system runs (a bearer token when authentication is on). */
  headers?(port: number): Promise<Record<string, string>>;
}

const host = '127.0.0.1';

/** The service client the `lakecat-pg-auth` column authenticates as (an admin, so that grants do not get in the way). */
const BENCH_CLIENT = { id: 'bench', secret: 'bench-secret-for-the-benchmark-only' };

function lakecat(id: 'lakecat-embedded' | 'lakecat-pg' | 'lakecat-pg-2w' | 'lakecat-pg-auth'): SystemSpec {
  const onPostgres = id !== 'lakecat-embedded';
  const auth = id === 'lakecat-pg-auth';
  const database =
    id === 'lakecat-pg-2w' ? 'PostgreSQL, 2 worker processes' : auth ? 'PostgreSQL, authentication on: a bearer token on every request' : onPostgres ? 'PostgreSQL' : 'embedded PGlite';
  return {
    id,
    describe: (ctx) => `lakecat (${database}), warehouse ${ctx.lakecatOnS3 && ctx.s3 ? 'on MinIO' : 'in a local folder'}`,
    unavailable: (ctx) => (onPostgres && !ctx.newDatabase ? 'no PostgreSQL (run through scripts/with-postgres.sh)' : undefined),
    async launch(ctx, port, dir) {
      const args = ['bin/lakecat.mjs', 'serve', '--host', host, '--port', String(port), '--data-dir', dir, '--log-requests', 'false'];
      const env: Record<string, string> = {};
      if (onPostgres) args.push('--db-url', await ctx.newDatabase!('lakecat'));
      if (id === 'lakecat-pg-2w') args.push('--workers', '2');
      if (auth) {
        const clients = join(dir, 'clients.json');
        await writeFile(clients, JSON.stringify([{ id: BENCH_CLIENT.id, secretHash: await hashSecret(BENCH_CLIENT.secret), roles: ['admin'] }]));
        args.push('--auth', 'token', '--auth-clients-file', clients);
      }
      if (ctx.lakecatOnS3 && ctx.s3) {
        args.push('--warehouse', `s3://${ctx.s3.bucket}/${id}`, '--s3-endpoint', ctx.s3.endpoint, '--s3-path-style', 'true');
        // Keys go through the environment so that they do not show in the process list.
        env.LAKECAT_S3_ACCESS_KEY_ID = ctx.s3.accessKey;
        env.LAKECAT_S3_SECRET_ACCESS_KEY = ctx.s3.secretKey;
      }
      return { command: process.execPath, args, env };
    },
    icebergRoot: (port) => `http://${host}:${port}`,
    nessieApi: (port) => `http://${host}:${port}/api/v2`,
    ...(auth
      ? {
          async headers(port: number) {
            const res = await fetch(`http://${host}:${port}/v1/oauth/tokens`, {
              method: 'POST',
              body: new URLSearchParams({ grant_type: 'client_credentials', client_id: BENCH_CLIENT.id, client_secret: BENCH_CLIENT.secret }),
            });
            if (!res.ok) throw new Error(`token request failed: ${res.status} ${await res.text()}`);
            return { authorization: `Bearer ${((await res.json()) as { access_token: string }).access_token}` };
          },
        }
      : {}),
  };
}

function nessie(id: 'nessie-inmem' | 'nessie-jdbc'): SystemSpec {
  return {
    id,
    describe: (ctx) =>
      `Nessie ${ctx.downloads?.nessieVersion ?? '?'} (${id === 'nessie-jdbc' ? 'JDBC2 version store on PostgreSQL' : 'IN_MEMORY version store'}), Java ${ctx.downloads?.nessieJava.version ?? '?'}, warehouse on MinIO`,
    unavailable: (ctx) =>
      !ctx.downloads
        ? 'downloads disabled'
        : !ctx.downloads.nessieJava.path
          ? `Nessie ${ctx.downloads.nessieVersion} needs Java ${ctx.downloads.nessieJava.needs}+; none found`
          : !ctx.s3
            ? 'Nessie serves Iceberg REST only with an object store: run through scripts/with-minio.sh'
            : id === 'nessie-jdbc' && !ctx.newDatabase
              ? 'no PostgreSQL (run through scripts/with-postgres.sh)'
              : undefined,
    async launch(ctx, port, dir) {
      const d = ctx.downloads!;
      const s3 = ctx.s3!;
      // Everything listens on loopback: the HTTP port, the management port (default 9000) and no
      // access log (lakecat runs with --log-requests false too). OpenTelemetry export is off.
      const props: Record<string, string> = {
        'quarkus.http.host': host,
        'quarkus.http.port': String(port),
        'quarkus.management.host': host,
        'quarkus.management.port': String(await freePort()),
        'quarkus.http.access-log.enabled': 'false',
        'quarkus.otel.sdk.disabled': 'true',
        'quarkus.log.file.enable': 'false',
        'nessie.catalog.default-warehouse': 'warehouse',
        'nessie.catalog.warehouses.warehouse.location': `s3://${s3.bucket}/${id}`,
        'nessie.catalog.service.s3.default-options.endpoint': s3.endpoint,
        'nessie.catalog.service.s3.default-options.path-style-access': 'true',
        'nessie.catalog.service.s3.default-options.region': 'us-east-1',
        'nessie.catalog.service.s3.default-options.access-key': 'urn:nessie-secret:quarkus:bench-s3',
      };
      if (id === 'nessie-jdbc') {
        const url = new URL(await ctx.newDatabase!('nessie'));
        props['nessie.version.store.type'] = 'JDBC2';
        props['nessie.version.store.persist.jdbc.datasource'] = 'postgresql';
        props['quarkus.datasource.postgresql.jdbc.url'] = `jdbc:postgresql://${url.host}${url.pathname}`;
        props['quarkus.datasource.postgresql.username'] = decodeURIComponent(url.username || 'postgres');
        if (url.password) props['quarkus.datasource.postgresql.password'] = decodeURIComponent(url.password);
      } else {
        props['nessie.version.store.type'] = 'IN_MEMORY';
      }
      // The secret the access-key URN names goes into config/application.properties of the
      // working folder (Quarkus reads it at start), so that it does not show in the process list.
      await mkdir(join(dir, 'config'), { recursive: true });
      await writeFile(join(dir, 'config', 'application.properties'), `bench-s3.name=${s3.accessKey}\nbench-s3.secret=${s3.secretKey}\n`, { mode: 0o600 });
      return {
        command: d.nessieJava.path!,
        args: [...Object.entries(props).map(([k, v]) => `-D${k}=${v}`), '-jar', d.nessieJar],
        env: {},
        cwd: dir,
      };
    },
    icebergRoot: (port) => `http://${host}:${port}/iceberg`,
    nessieApi: (port) => `http://${host}:${port}/api/v2`,
  };
}

const reference: SystemSpec = {
  id: 'reference',
  describe: (ctx) =>
    `Iceberg REST reference server ${ctx.downloads?.icebergVersion ?? '?'} (RESTCatalogServer, JdbcCatalog on a SQLite file), Java ${ctx.downloads?.referenceJava.version ?? '?'}, local file warehouse`,
  unavailable: (ctx) => (!ctx.downloads ? 'downloads disabled' : !ctx.downloads.referenceJava.path ? 'no Java 17+ found' : undefined),
  async launch(ctx, port, dir) {
    const d = ctx.downloads!;
    // The fixture's own defaults are an in-memory SQLite database and a temporary warehouse.
    // A SQLite file is used instead: with `jdbc:sqlite::memory:` every pooled JDBC connection
    // would open a separate empty database.
    return {
      command: d.referenceJava.path!,
      args: ['-cp', d.referenceClasspath, 'LoopbackRestServer', String(port)],
      env: {
        CATALOG_URI: `jdbc:sqlite:${join(dir, 'catalog.db')}`,
        CATALOG_WAREHOUSE: `file://${join(dir, 'warehouse')}`,
      },
    };
  },
  icebergRoot: (port) => `http://${host}:${port}`,
};

export const SYSTEMS: Record<SystemId, SystemSpec> = {
  'lakecat-embedded': lakecat('lakecat-embedded'),
  'lakecat-pg': lakecat('lakecat-pg'),
  'lakecat-pg-2w': lakecat('lakecat-pg-2w'),
  'lakecat-pg-auth': lakecat('lakecat-pg-auth'),
  'nessie-inmem': nessie('nessie-inmem'),
  'nessie-jdbc': nessie('nessie-jdbc'),
  reference,
};

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, host, () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/**
 * Resident set size of a process and all its descendants (a server started with several
 * worker processes counts them all) in bytes, from /proc; undefined once it is gone.
 */
export function rssBytes(pid: number): number | undefined {
  const own = processRss(pid);
  if (own === undefined) return undefined;
  return childPids(pid).reduce((sum, child) => sum + (rssBytes(child) ?? 0), own);
}

function processRss(pid: number): number | undefined {
  try {
    const m = /VmRSS:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

function childPids(pid: number): number[] {
  try {
    return readdirSync(`/proc/${pid}/task`).flatMap((task) =>
      readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').split(' ').filter(Boolean).map(Number),
    );
  } catch {
    return [];
  }
}

export class RunningSystem {
  private maxRss = 0;
  private readonly timer: NodeJS.Timeout;

  private constructor(
    readonly spec: SystemSpec,
    readonly child: ChildProcess,
    readonly port: number,
    readonly logFile: string,
    readonly startupMs: number,
  ) {
    this.sample();
    this.timer = setInterval(() => this.sample(), 250);
    this.timer.unref();
  }

  static async start(spec: SystemSpec, ctx: RunContext, timeoutMs = 240_000): Promise<RunningSystem> {
    const dir = join(ctx.workDir, spec.id);
    await mkdir(dir, { recursive: true });
    const port = await freePort();
    const launch = await spec.launch(ctx, port, dir);
    const logFile = join(dir, 'server.log');
    const log = createWriteStream(logFile);
    const t0 = performance.now();
    const child = spawn(launch.command, launch.args, {
      cwd: launch.cwd ?? ctx.repoRoot,
      env: { ...process.env, ...launch.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.pipe(log);
    child.stderr!.pipe(log);
    const readyUrl = `${spec.icebergRoot(port)}/v1/config`;
    for (;;) {
      if (child.exitCode !== null || child.signalCode !== null) {
        throw new Error(`${spec.id} exited during start-up (code ${child.exitCode}); log: ${logFile}\n${tail(logFile)}`);
      }
      if (performance.now() - t0 > timeoutMs) {
        child.kill('SIGKILL');
        throw new Error(`${spec.id} did not answer ${readyUrl} within ${timeoutMs / 1000}s; log: ${logFile}\n${tail(logFile)}`);
      }
      try {
        const r = await fetch(readyUrl, { signal: AbortSignal.timeout(2000) });
        await r.arrayBuffer();
        // 401: up, and asking for a token (authentication on).
        if (r.status === 200 || r.status === 401) break;
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    return new RunningSystem(spec, child, port, logFile, performance.now() - t0);
  }

  private sample(): void {
    const rss = this.child.pid === undefined ? undefined : rssBytes(this.child.pid);
    if (rss !== undefined && rss > this.maxRss) this.maxRss = rss;
  }

  /** Largest RSS seen since start, in MiB. */
  maxRssMiB(): number {
    this.sample();
    return this.maxRss / (1024 * 1024);
  }

  currentRssMiB(): number {
    return (this.child.pid === undefined ? 0 : (rssBytes(this.child.pid) ?? 0)) / (1024 * 1024);
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise<void>((r) => this.child.once('exit', () => r()));
    this.child.kill('SIGTERM');
    const killed = await Promise.race([exited.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 15_000))]);
    if (!killed) {
      this.child.kill('SIGKILL');
      await exited;
    }
  }
}

function tail(file: string, lines = 25): string {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}
