/**
 * Server configuration: every setting is a `--flag` and a `LAKECAT_*` environment variable
 * (flags win). Read once, in the composition root; nothing below it reads the environment.
 */
import { parseDuration } from './catalog/gc/policy.js';
import { resolve } from 'node:path';

export interface ServerConfig {
  host: string;
  port: number;
  /** Folder for the embedded database and the default local warehouse. */
  dataDir: string;
  /** PostgreSQL connection URL; the embedded PGlite database in `dataDir` when absent. */
  dbUrl?: string;
  dbPoolSize: number;
  /** Cache branch and tag heads in the process, kept current by LISTEN/NOTIFY (PostgreSQL only). */
  dbRefCache: boolean;
  /** Memory for the in-process caches (MiB): 3/4 for the store, 1/4 for finished loadTable bodies. */
  cacheMb: number;
  /** V8's heap growth after a full GC, in percent (0: V8's own heuristics). */
  heapGrowthPercent: number;
  /** Server processes sharing the port (more than one needs PostgreSQL). */
  workers: number;
  /** `s3://bucket/prefix`, a `file://` URI or a folder. */
  warehouse: string;
  /** Folders outside the warehouse where clients may place tables and views (absolute paths). */
  extraLocations: string[];
  s3: {
    endpoint?: string;
    region: string;
    pathStyle: boolean;
    accessKeyId?: string;
    secretAccessKey?: string;
    sessionToken?: string;
  };
  /** Hand the S3 endpoint and keys to clients with each table (for local and test setups). */
  vendCredentials: boolean;
  /** Merge tables changed on both sides at the Iceberg level (replay the source's snapshots where safe). */
  icebergMerge: boolean;
  allowOverlappingLocations: boolean;
  commitRetries: number;
  maxBodyBytes: number;
  /** Seconds a client may take to send a request's headers, and the whole request; then the connection is closed (408). */
  headersTimeoutSeconds: number;
  requestTimeoutSeconds: number;
  idempotencyLifetimeMinutes: number;
  /** Garbage collection every this many milliseconds; off when absent. */
  gcEveryMs?: number;
  logRequests: boolean;
  auth: AuthConfig;
}

/** Authentication: `none` (every request is an anonymous admin) or `token` (a bearer JWT from a trusted issuer on every request). */
export interface AuthConfig {
  mode: 'none' | 'token';
  /** OIDC providers trusted by discovery, by exact issuer URL. */
  oidcIssuers: string[];
  /** `aud` values accepted; a token must name one. lakecat's own tokens carry the first. */
  audience: string[];
  principalClaims: string[];
  rolesClaims: string[];
  clockSkewSeconds: number;
  /** JSON file of service clients (`[{id, secretHash, roles}]`) served the client-credentials grant at `/v1/oauth/tokens`. */
  clientsFile?: string;
  /** lakecat's own issuer URL for the tokens it signs (default `http://<host>:<port>`). */
  issuer?: string;
  tokenSeconds: number;
  /** Subjects (`role:x`, `user:x`, `client:x`) that are administrators whatever the grants say. */
  admins: string[];
}

interface Setting {
  flag: string;
  env: string;
  help: string;
  boolean?: boolean;
}

/** Every setting, in the order the README documents them. */
export const SETTINGS: Setting[] = [
  { flag: 'host', env: 'LAKECAT_HOST', help: 'Address to listen on (default 127.0.0.1; 0.0.0.0 in the container image)' },
  { flag: 'port', env: 'LAKECAT_PORT', help: 'HTTP port (default 8181)' },
  { flag: 'data-dir', env: 'LAKECAT_DATA_DIR', help: 'Folder of the embedded database and default warehouse (default ./.lakecat)' },
  { flag: 'db-url', env: 'LAKECAT_DB_URL', help: 'PostgreSQL URL, e.g. postgres://user:pass@host:5432/lakecat (default: embedded PGlite)' },
  { flag: 'db-pool-size', env: 'LAKECAT_DB_POOL_SIZE', help: 'PostgreSQL connections per process (default 16)' },
  { flag: 'db-ref-cache', env: 'LAKECAT_DB_REF_CACHE', help: 'Cache branch and tag heads in each process, kept current by PostgreSQL LISTEN/NOTIFY (true/false, default true)', boolean: true },
  { flag: 'cache-mb', env: 'LAKECAT_CACHE_MB', help: 'Memory for the in-process caches in MiB (default 96)' },
  { flag: 'heap-growth-percent', env: 'LAKECAT_HEAP_GROWTH_PERCENT', help: 'How far the JavaScript heap may grow past live data before a full GC, in percent (default 20; 0 leaves it to V8)' },
  { flag: 'workers', env: 'LAKECAT_WORKERS', help: 'Server processes sharing the port, for more cores (default 1; above 1 needs --db-url)' },
  { flag: 'warehouse', env: 'LAKECAT_WAREHOUSE', help: 'Where new tables go: s3://bucket/prefix or a folder (default <data-dir>/warehouse)' },
  { flag: 'extra-locations', env: 'LAKECAT_EXTRA_LOCATIONS', help: 'Comma-separated folders (or file: URIs) outside the warehouse where clients may place tables and views (default: none)' },
  { flag: 's3-endpoint', env: 'LAKECAT_S3_ENDPOINT', help: 'S3 endpoint URL for MinIO and other S3-compatible stores' },
  { flag: 's3-region', env: 'LAKECAT_S3_REGION', help: 'S3 region (default us-east-1)' },
  { flag: 's3-path-style', env: 'LAKECAT_S3_PATH_STYLE', help: 'Use path-style S3 URLs (true/false; default true when an endpoint is set)', boolean: true },
  { flag: 's3-access-key-id', env: 'LAKECAT_S3_ACCESS_KEY_ID', help: 'S3 access key (default: the AWS SDK credential chain)' },
  { flag: 's3-secret-access-key', env: 'LAKECAT_S3_SECRET_ACCESS_KEY', help: 'S3 secret key' },
  { flag: 's3-session-token', env: 'LAKECAT_S3_SESSION_TOKEN', help: 'S3 session token' },
  { flag: 'vend-credentials', env: 'LAKECAT_VEND_CREDENTIALS', help: 'Return the S3 endpoint and keys to clients with each table (true/false, default false)', boolean: true },
  { flag: 'allow-overlapping-locations', env: 'LAKECAT_ALLOW_OVERLAPPING_LOCATIONS', help: 'Let a table take a location at, inside or around the location of another table (true/false, default false)', boolean: true },
  { flag: 'iceberg-merge', env: 'LAKECAT_ICEBERG_MERGE', help: 'Merge a table changed on both sides by replaying the source\'s snapshots onto the target where safe (true/false, default true)', boolean: true },
  { flag: 'commit-retries', env: 'LAKECAT_COMMIT_RETRIES', help: 'Server-side retries of a commit that lost a race (default 30)' },
  { flag: 'max-body-bytes', env: 'LAKECAT_MAX_BODY_BYTES', help: 'Largest accepted request body (default 16777216)' },
  { flag: 'headers-timeout', env: 'LAKECAT_HEADERS_TIMEOUT', help: 'Seconds a client may take to send the headers of a request before the connection is closed (default 10)' },
  { flag: 'request-timeout', env: 'LAKECAT_REQUEST_TIMEOUT', help: 'Seconds a client may take to send a whole request, body included (default 60)' },
  { flag: 'gc-every', env: 'LAKECAT_GC_EVERY', help: 'Run garbage collection on this schedule, e.g. 24h (default off; see lakecat gc); one process at a time across the cluster' },
  { flag: 'idempotency-minutes', env: 'LAKECAT_IDEMPOTENCY_MINUTES', help: 'How long Idempotency-Key responses are replayed (default 30)' },
  { flag: 'log-requests', env: 'LAKECAT_LOG_REQUESTS', help: 'One JSON log line per request (true/false, default true)', boolean: true },
  { flag: 'auth', env: 'LAKECAT_AUTH', help: 'none (default: every request is an anonymous admin) or token (every request needs a bearer JWT from a trusted issuer)' },
  { flag: 'oidc-issuers', env: 'LAKECAT_OIDC_ISSUERS', help: 'Comma-separated issuer URLs of trusted OIDC providers, found by discovery (exact match)' },
  { flag: 'auth-audience', env: 'LAKECAT_AUTH_AUDIENCE', help: 'Comma-separated audiences a token must name one of (default lakecat)' },
  { flag: 'auth-principal-claims', env: 'LAKECAT_AUTH_PRINCIPAL_CLAIMS', help: 'Claims tried in order for the principal name (default preferred_username,client_id,azp,sub)' },
  { flag: 'auth-roles-claims', env: 'LAKECAT_AUTH_ROLES_CLAIMS', help: 'Claims holding roles, dotted paths allowed (default roles,groups,realm_access.roles)' },
  { flag: 'auth-clock-skew-seconds', env: 'LAKECAT_AUTH_CLOCK_SKEW_SECONDS', help: 'Tolerated clock difference for exp/nbf/iat (default 60)' },
  { flag: 'auth-clients-file', env: 'LAKECAT_AUTH_CLIENTS_FILE', help: 'JSON file of service clients [{"id","secretHash","roles"}]: lakecat then issues them tokens at /v1/oauth/tokens (client credentials)' },
  { flag: 'auth-issuer', env: 'LAKECAT_AUTH_ISSUER', help: "Issuer URL of lakecat's own tokens, as clients reach it (default http://<host>:<port>)" },
  { flag: 'auth-token-seconds', env: 'LAKECAT_AUTH_TOKEN_SECONDS', help: "Lifetime of lakecat's own tokens in seconds (default 3600)" },
  { flag: 'auth-admins', env: 'LAKECAT_AUTH_ADMINS', help: 'Comma-separated subjects that are administrators whatever the grants say (default role:admin)' },
];

export class ConfigError extends Error {}

/** Parses `--flag value` / `--flag=value` / `--flag` (booleans) over `LAKECAT_*` variables. */
export function readConfig(argv: string[], env: Record<string, string | undefined>): ServerConfig {
  const values = new Map<string, string>();
  for (const s of SETTINGS) {
    const v = env[s.env];
    if (v !== undefined && v !== '') values.set(s.flag, v);
  }
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('--')) throw new ConfigError(`Unexpected argument '${arg}'`);
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq < 0 ? undefined : eq);
    const setting = SETTINGS.find((s) => s.flag === name);
    if (!setting) throw new ConfigError(`Unknown option --${name}. Options: ${SETTINGS.map((s) => `--${s.flag}`).join(', ')}`);
    if (eq >= 0) values.set(name, arg.slice(eq + 1));
    else if (setting.boolean && (argv[i + 1] === undefined || argv[i + 1].startsWith('--'))) values.set(name, 'true');
    else if (argv[i + 1] === undefined) throw new ConfigError(`Option --${name} needs a value`);
    else values.set(name, argv[++i]);
  }
  const get = (k: string) => values.get(k);
  const int = (k: string, dflt: number, min = 0) => {
    const v = get(k);
    if (v === undefined) return dflt;
    const n = Number(v);
    if (!Number.isInteger(n) || n < min) throw new ConfigError(`--${k} must be an integer >= ${min}, got '${v}'`);
    return n;
  };
  const bool = (k: string, dflt: boolean) => {
    const v = get(k);
    if (v === undefined) return dflt;
    if (/^(true|1|yes|on)$/i.test(v)) return true;
    if (/^(false|0|no|off)$/i.test(v)) return false;
    throw new ConfigError(`--${k} must be true or false, got '${v}'`);
  };
  const headersTimeoutSeconds = int('headers-timeout', 10, 1);
  const requestTimeoutSeconds = int('request-timeout', 60, 1);
  if (headersTimeoutSeconds > requestTimeoutSeconds) {
    throw new ConfigError(`--headers-timeout (${headersTimeoutSeconds}) must not be longer than --request-timeout (${requestTimeoutSeconds})`);
  }
  const dataDir = resolve(get('data-dir') ?? '.lakecat');
  const endpoint = get('s3-endpoint');
  const port = int('port', 8181);
  if (port > 65535) throw new ConfigError(`--port must be at most 65535, got ${port}`);
  return {
    host: get('host') ?? '127.0.0.1',
    port,
    dataDir,
    dbUrl: get('db-url'),
    dbPoolSize: int('db-pool-size', 16, 1),
    workers: int('workers', 1, 1),
    dbRefCache: bool('db-ref-cache', true),
    cacheMb: int('cache-mb', 96, 8),
    heapGrowthPercent: int('heap-growth-percent', 20),
    warehouse: get('warehouse') ?? resolve(dataDir, 'warehouse'),
    extraLocations: parseExtraLocations(get('extra-locations')),
    s3: {
      endpoint,
      region: get('s3-region') ?? 'us-east-1',
      pathStyle: bool('s3-path-style', endpoint !== undefined),
      accessKeyId: get('s3-access-key-id'),
      secretAccessKey: get('s3-secret-access-key'),
      sessionToken: get('s3-session-token'),
    },
    vendCredentials: bool('vend-credentials', false),
    icebergMerge: bool('iceberg-merge', true),
    allowOverlappingLocations: bool('allow-overlapping-locations', false),
    commitRetries: int('commit-retries', 30),
    maxBodyBytes: int('max-body-bytes', 16 * 1024 * 1024, 1024),
    headersTimeoutSeconds,
    requestTimeoutSeconds,
    idempotencyLifetimeMinutes: int('idempotency-minutes', 30, 1),
    gcEveryMs: gcEvery(get('gc-every')),
    logRequests: bool('log-requests', true),
    auth: readAuth(get, int),
  };
}

/** `--gc-every`: a duration of at least a minute, or off. */
function gcEvery(value: string | undefined): number | undefined {
  if (value === undefined || /^(off|false|0)$/i.test(value.trim())) return undefined;
  let ms: number;
  try {
    ms = parseDuration(value, '--gc-every');
  } catch (err) {
    throw new ConfigError((err as Error).message);
  }
  if (ms < 60_000) throw new ConfigError(`--gc-every must be at least 1m, got '${value}'`);
  return ms;
}

function list(value: string | undefined, dflt: string[]): string[] {
  if (value === undefined) return dflt;
  return value
    .split(',')
    .map((v) => v.trim())
    .filter((v) => v !== '');
}

function readAuth(get: (k: string) => string | undefined, int: (k: string, dflt: number, min?: number) => number): AuthConfig {
  const mode = get('auth') ?? 'none';
  if (mode !== 'none' && mode !== 'token') throw new ConfigError(`--auth must be none or token, got '${mode}'`);
  const auth: AuthConfig = {
    mode,
    oidcIssuers: list(get('oidc-issuers'), []),
    audience: list(get('auth-audience'), ['lakecat']),
    principalClaims: list(get('auth-principal-claims'), ['preferred_username', 'client_id', 'azp', 'sub']),
    rolesClaims: list(get('auth-roles-claims'), ['roles', 'groups', 'realm_access.roles']),
    clockSkewSeconds: int('auth-clock-skew-seconds', 60),
    clientsFile: get('auth-clients-file'),
    issuer: get('auth-issuer'),
    tokenSeconds: int('auth-token-seconds', 3600, 5),
    admins: list(get('auth-admins'), ['role:admin']),
  };
  for (const a of auth.admins) {
    if (!/^(role|user|client):.+$/.test(a)) throw new ConfigError(`--auth-admins takes subjects like role:admin, user:NAME or client:ID, got '${a}'`);
  }
  for (const issuer of auth.oidcIssuers) {
    if (!/^https?:\/\/[^/]/.test(issuer)) throw new ConfigError(`--oidc-issuers takes http(s) URLs, got '${issuer}'`);
  }
  if (auth.audience.length === 0) throw new ConfigError('--auth-audience must name at least one audience');
  if (mode === 'token' && auth.oidcIssuers.length === 0 && auth.clientsFile === undefined) {
    throw new ConfigError('--auth token needs a trusted issuer: --oidc-issuers and/or --auth-clients-file');
  }
  return auth;
}

/** `--extra-locations`: folders or `file:` URIs, made absolute; object-store URIs are refused (the warehouse's store already serves its bucket). */
function parseExtraLocations(value: string | undefined): string[] {
  if (value === undefined) return [];
  return value
    .split(',')
    .map((v) => v.trim())
    .filter((v) => v !== '')
    .map((v) => {
      if (/^[a-z][a-z0-9+.-]*:\/\//i.test(v) && !v.startsWith('file:')) {
        throw new ConfigError(`--extra-locations takes folders or file: URIs, got '${v}'`);
      }
      return v.startsWith('file:') ? v : resolve(v);
    });
}

/** The table configuration handed to clients: S3 settings engines need to reach the warehouse. */
export function clientStorageConfig(cfg: ServerConfig): Record<string, string> {
  if (!cfg.warehouse.startsWith('s3://')) return {};
  const out: Record<string, string> = { 'client.region': cfg.s3.region, 's3.region': cfg.s3.region };
  if (cfg.s3.endpoint) out['s3.endpoint'] = cfg.s3.endpoint;
  if (cfg.s3.pathStyle) out['s3.path-style-access'] = 'true';
  if (cfg.vendCredentials && cfg.s3.accessKeyId && cfg.s3.secretAccessKey) {
    out['s3.access-key-id'] = cfg.s3.accessKeyId;
    out['s3.secret-access-key'] = cfg.s3.secretAccessKey;
    if (cfg.s3.sessionToken) out['s3.session-token'] = cfg.s3.sessionToken;
  }
  return out;
}
