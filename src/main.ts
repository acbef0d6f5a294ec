/**
 * Composition root: turns a ServerConfig into a running server. The only place that picks
 * concrete adapters (PGlite or PostgreSQL, local folder or S3).
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { serve, type ServerType } from '@hono/node-server';
import { discoveredIssuer, NO_AUTHENTICATION, TokenAuthenticator, type Identity, type TrustedIssuer } from './catalog/access/identity.js';
import { auditTo } from './catalog/access/audit.js';
import { PolicyAuthorizer } from './catalog/access/authorizer.js';
import { parseServiceClients, ServiceClients } from './catalog/access/service-clients.js';
import type { CatalogDeps } from './catalog/deps.js';
import { ConflictError, createCatalog, type Catalog } from './catalog/index.js';
import { loadStore } from './catalog/store/load.js';
import type { VersionStore } from './catalog/store/port.js';
import { clientStorageConfig, type ServerConfig } from './config.js';
import { createObjectStore } from './io/index.js';
import { createApp, type App } from './rest/app.js';

export interface Lakecat {
  app: App;
  catalog: Catalog;
  deps: CatalogDeps;
  close(): Promise<void>;
}

const MiB = 1024 * 1024;
/** `--cache-mb` is split: three quarters for the store's caches, one quarter for loadTable bodies. */
const storeCacheBytes = (cfg: ServerConfig) => Math.floor((cfg.cacheMb * MiB * 3) / 4);
const loadCacheBytes = (cfg: ServerConfig) => Math.floor((cfg.cacheMb * MiB) / 4);

export async function openStore(cfg: ServerConfig): Promise<VersionStore> {
  let store: VersionStore;
  if (cfg.dbUrl) {
    store = await loadStore({ kind: 'postgres', url: cfg.dbUrl, poolSize: cfg.dbPoolSize, refCache: cfg.dbRefCache, cacheBytes: storeCacheBytes(cfg) });
  } else {
    mkdirSync(cfg.dataDir, { recursive: true });
    store = await loadStore({ kind: 'pglite', dataDir: join(cfg.dataDir, 'db'), cacheBytes: storeCacheBytes(cfg) });
  }
  await store.init();
  return store;
}

/** Builds the catalog and its HTTP app without listening (tests use `app.hono.request()`). */
export async function buildLakecat(cfg: ServerConfig, log?: (r: Record<string, unknown>) => void): Promise<Lakecat> {
  const store = await openStore(cfg);
  const useS3 = cfg.warehouse.startsWith('s3://') || cfg.s3.endpoint !== undefined;
  const { store: objects, warehouse, close: closeObjects } = createObjectStore({
    warehouse: cfg.warehouse,
    extraFolders: cfg.extraLocations,
    s3: useS3
      ? {
          endpoint: cfg.s3.endpoint,
          region: cfg.s3.region,
          forcePathStyle: cfg.s3.pathStyle,
          accessKeyId: cfg.s3.accessKeyId,
          secretAccessKey: cfg.s3.secretAccessKey,
          sessionToken: cfg.s3.sessionToken,
        }
      : undefined,
  });
  const deps: CatalogDeps = {
    store,
    objects,
    warehouse,
    now: Date.now,
    newUuid: randomUUID,
    commitRetries: cfg.commitRetries,
    icebergMerge: cfg.icebergMerge,
    allowOverlappingLocations: cfg.allowOverlappingLocations,
    identity: buildIdentity(cfg, store),
  };
  // Protections apply to everyone, with or without authentication (the anonymous principal holds
  // every grant); with authentication, grants decide too, and every change and refusal is audited.
  if (cfg.auth.mode === 'token') deps.audit = auditTo(store.access, logLine);
  if (store.access) deps.authorizer = new PolicyAuthorizer({ records: store.access, store, admins: cfg.auth.admins, audit: deps.audit });
  else if (cfg.auth.mode === 'token') throw new Error('this store keeps no access records; authentication needs them');
  const catalog = createCatalog(deps);
  const app = createApp({
    catalog,
    storageConfig: clientStorageConfig(cfg),
    maxBodyBytes: cfg.maxBodyBytes,
    loadCacheBytes: loadCacheBytes(cfg),
    idempotencyLifetimeMs: cfg.idempotencyLifetimeMinutes * 60_000,
    log,
  });
  return {
    app,
    catalog,
    deps,
    close: async () => {
      closeObjects();
      await store.close();
    },
  };
}

/**
 * Authentication from the configuration: none, or bearer tokens from the OIDC providers named
 * by `--oidc-issuers` and, with `--auth-clients-file`, from lakecat's own token endpoint.
 */
export function buildIdentity(cfg: ServerConfig, store: VersionStore): Identity {
  const auth = cfg.auth;
  if (auth.mode === 'none') return { authenticator: NO_AUTHENTICATION };
  let serviceClients: ServiceClients | undefined;
  if (auth.clientsFile !== undefined) {
    const clients = parseServiceClients(readFileSync(auth.clientsFile, 'utf8'), auth.clientsFile);
    if (!store.signingKeys) throw new Error('this store keeps no signing key; service clients need one');
    serviceClients = new ServiceClients({
      clients,
      issuer: (auth.issuer ?? `http://${cfg.host}:${cfg.port}`).replace(/\/+$/, ''),
      audience: auth.audience[0],
      tokenLifetimeSeconds: auth.tokenSeconds,
      keys: store.signingKeys,
    });
  }
  const issuers: TrustedIssuer[] = auth.oidcIssuers.map((issuer) => discoveredIssuer(issuer));
  if (serviceClients) issuers.push(serviceClients.trustedIssuer());
  const authenticator = new TokenAuthenticator({
    issuers,
    audience: auth.audience,
    claims: { principalClaims: auth.principalClaims, rolesClaims: auth.rolesClaims },
    clockToleranceSeconds: auth.clockSkewSeconds,
  });
  if (serviceClients) serviceClients.verifier = authenticator;
  return { authenticator, serviceClients };
}

/** One structured JSON log line on stdout. */
export function logLine(record: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify({ ts: new Date().toISOString(), ...record })}\n`);
}

/**
 * Bounds how far V8 lets the heap grow past live data: on a machine with plenty of memory V8
 * otherwise lets garbage pile up to several times the live size (peaks of 400-700 MiB where
 * 150 MiB are live). The flag is read at every full GC, so setting it at start-up takes effect.
 */
function limitHeapGrowth(cfg: ServerConfig): void {
  if (cfg.heapGrowthPercent > 0) setFlagsFromString(`--heap-growing-percent=${cfg.heapGrowthPercent}`);
}

/**
 * `--gc-every`: garbage collection on a schedule, with the defaults of `lakecat gc` (7-day
 * writer grace). Every process may schedule it; the run's lease lets one run at a time, and a
 * process that finds another run going skips its turn.
 */
export function scheduleGc(lakecat: Lakecat, everyMs: number, log: (r: Record<string, unknown>) => void): void {
  const { catalog } = lakecat;
  const timer = setInterval(() => {
    catalog.gc
      .run({ principal: { kind: 'system', name: 'gc-schedule' } }, {})
      .then((r) => log({ level: 'info', msg: 'gc run', runId: r.runId, deletedFiles: r.totals.deletedFiles, deletedBytes: r.totals.deletedBytes, failedDeletes: r.totals.failedDeletes, skipped: r.skipped.length }))
      .catch((err: unknown) => {
        if (err instanceof ConflictError) log({ level: 'info', msg: 'gc run skipped: another run holds the lease' });
        else log({ level: 'warn', msg: 'gc run failed', error: err instanceof Error ? err.message : String(err) });
      });
  }, everyMs);
  timer.unref();
  const close = lakecat.close;
  lakecat.close = async () => {
    clearInterval(timer);
    await close();
  };
}

/** Starts listening; resolves once the port is bound. */
export async function startServer(
  cfg: ServerConfig,
  logFields: Record<string, unknown> = {},
): Promise<{ lakecat: Lakecat; server: ServerType; port: number }> {
  const log = logLine;
  limitHeapGrowth(cfg);
  const lakecat = await buildLakecat(cfg, cfg.logRequests ? log : undefined);
  return new Promise((resolvePromise, reject) => {
    const serverOptions = {
      // A client trickling its headers or body is cut off (408) instead of holding a connection
      // open; the timeouts are checked every second (Node's default is every 30 s).
      headersTimeout: cfg.headersTimeoutSeconds * 1000,
      requestTimeout: cfg.requestTimeoutSeconds * 1000,
      connectionsCheckingInterval: 1000,
    };
    if (cfg.gcEveryMs) scheduleGc(lakecat, cfg.gcEveryMs, log);
    const server = serve({ fetch: lakecat.app.hono.fetch, port: cfg.port, hostname: cfg.host, serverOptions }, (info) => {
      log({ level: 'info', msg: 'lakecat listening', url: `http://${cfg.host}:${info.port}`, database: cfg.dbUrl ? 'postgresql' : `pglite:${cfg.dataDir}`, warehouse: lakecat.deps.warehouse, ...logFields });
      resolvePromise({ lakecat, server, port: info.port });
    });
    server.once('error', reject);
  });
}
