/**
 * Keeps a reference cache honest across processes on one PostgreSQL: a dedicated connection
 * LISTENs on the channel every reference write NOTIFYs (see `notifyRefMoved`), and turns each
 * notification from another writer into an invalidation.
 *
 * The cache is live only while the connection is known to be listening. Any sign of trouble
 * (socket error, end, a heartbeat not coming back in time) turns it off at once and reconnects
 * with back-off; on reconnection the cache restarts empty, because notifications sent while
 * nobody listened are lost.
 *
 * The heartbeat is itself a notification: the listener NOTIFYs a probe on its channel and must
 * receive it back before the next one is due. That proves the whole delivery path, not only
 * that the socket answers: it bounds how long a silently dead connection (no RST, e.g. a network
 * partition) keeps a stale cache live, and it catches a pooler in transaction mode (PgBouncer),
 * where LISTEN "succeeds" but notifications never reach this session.
 */
import pg from 'pg';
import type { RefCache } from './ref-cache.js';

/** The channel reference writes notify on; the payload is `<origin> <reference name>`. */
export const REF_CHANNEL = 'lakecat_refs';
/** Marks a heartbeat probe in a payload; reference names cannot start with it. */
const PROBE = '\u0001probe:';

/** application_name of the listening connection, to tell it apart in pg_stat_activity. */
export const REF_LISTENER_APP = 'lakecat-ref-listener';

export interface RefListenerOptions {
  url: string;
  /** This store's origin id: its own notifications are skipped (it updated the cache itself). */
  origin: string;
  cache: RefCache;
  heartbeatMs?: number;
  /** Called on state changes, for logs; never required. */
  onState?: (state: 'listening' | 'lost', err?: unknown) => void;
}

export class PgRefListener {
  private client: pg.Client | undefined;
  private closed = false;
  private retryMs = 100;
  private timer: NodeJS.Timeout | undefined;
  private heartbeat: NodeJS.Timeout | undefined;
  private probeSeq = 0;

  constructor(private readonly opts: RefListenerOptions) {}

  /** Starts listening; resolves once the first attempt finished (listening or not). */
  async start(): Promise<void> {
    await this.connect();
  }

  private async connect(): Promise<void> {
    if (this.closed) return;
    const client = new pg.Client({ connectionString: this.opts.url, keepAlive: true, application_name: REF_LISTENER_APP });
    this.client = client;
    let lost = false;
    /** The heartbeat probe on its way, if any. */
    let awaited: { seq: number; timeout: NodeJS.Timeout } | undefined;
    const onLost = (err?: unknown) => {
      if (lost) return;
      lost = true;
      this.opts.cache.reset(false);
      clearInterval(this.heartbeat);
      if (awaited) clearTimeout(awaited.timeout);
      this.opts.onState?.('lost', err);
      client.removeAllListeners('notification');
      client.end().catch(() => undefined);
      this.scheduleReconnect();
    };
    client.on('error', onLost);
    client.on('end', () => onLost());
    client.on('notification', (msg) => {
      if (msg.channel !== REF_CHANNEL || msg.payload === undefined) return;
      const space = msg.payload.indexOf(' ');
      const origin = space < 0 ? '' : msg.payload.slice(0, space);
      const name = msg.payload.slice(space + 1);
      if (origin !== this.opts.origin) {
        if (!name.startsWith(PROBE)) this.opts.cache.invalidate(name);
      } else if (awaited && name === `${PROBE}${awaited.seq}`) {
        clearTimeout(awaited.timeout);
        awaited = undefined;
      }
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${REF_CHANNEL}`);
    } catch (err) {
      onLost(err);
      return;
    }
    if (lost || this.closed) return;
    // Listening from here on: whatever was cached before may have missed notifications.
    this.opts.cache.reset(true);
    this.retryMs = 100;
    this.opts.onState?.('listening');
    const every = this.opts.heartbeatMs ?? 5000;
    this.heartbeat = setInterval(() => {
      if (awaited) return; // the previous probe's own timeout decides
      const seq = ++this.probeSeq;
      const timeout = setTimeout(() => onLost(new Error(`reference listener heartbeat not delivered within ${every} ms`)), every);
      timeout.unref();
      awaited = { seq, timeout };
      client.query('SELECT pg_notify($1, $2)', [REF_CHANNEL, `${this.opts.origin} ${PROBE}${seq}`]).catch(onLost);
    }, every);
    this.heartbeat.unref();
  }

  private scheduleReconnect(): void {
    if (this.closed) return;
    const wait = this.retryMs;
    this.retryMs = Math.min(this.retryMs * 2, 5000);
    this.timer = setTimeout(() => void this.connect(), wait);
    this.timer.unref();
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    clearInterval(this.heartbeat);
    this.opts.cache.reset(false);
    const c = this.client;
    this.client = undefined;
    if (c) {
      c.removeAllListeners();
      c.on('error', () => undefined);
      await c.end().catch(() => undefined);
    }
  }
}
