/**
 * In-process cache of reference heads (branch and tag -> commit hash), so that reading a table
 * at a branch head needs no round trip to the database.
 *
 * It is only used while it can be exact enough:
 * - `exclusive`: this process is the only writer (embedded PGlite); every move of a reference
 *   goes through this store, so the cache is always exact.
 * - `watched`: other processes may write (PostgreSQL). Every reference write sends a NOTIFY in
 *   its own transaction; a LISTEN connection turns those into `invalidate(name)`. While that
 *   connection is down the cache is off (`live` false) and every read goes to the database;
 *   when it comes back the cache starts empty, since notifications sent in between are lost.
 *   A read here right after a commit by ANOTHER process may return the previous head until the
 *   notification arrives (normally well under a millisecond on a LAN; never longer than it
 *   takes this process to process the notification). Reads after this process's own writes are
 *   always exact.
 *
 * Writes never trust the cache: commits CAS the reference row in the database.
 *
 * Races between a database read and a concurrent move are closed with an epoch: a read takes
 * `begin()` before its query and may `fill()` only if nothing was invalidated or moved since,
 * so a slow read can never install a head older than one already known to be replaced.
 */
import type { Reference } from './port.js';

export type RefCacheMode = 'exclusive' | 'watched' | 'off';

export class RefCache {
  private readonly heads = new Map<string, Readonly<Reference>>();
  private epoch = 0;
  private on: boolean;

  constructor(readonly mode: RefCacheMode) {
    // A watched cache starts off: it turns on once the LISTEN connection is established.
    this.on = mode === 'exclusive';
  }

  /** True while hits may be served. */
  get live(): boolean {
    return this.on;
  }

  get(name: string): Readonly<Reference> | undefined {
    return this.on ? this.heads.get(name) : undefined;
  }

  /** Marks the start of a database read whose result may be cached with `fill`. */
  begin(): number {
    return this.epoch;
  }

  /** Caches a head read from the database, unless anything moved since `token` was taken. */
  fill(ref: Reference, token: number): void {
    if (this.on && token === this.epoch) this.heads.set(ref.name, Object.freeze({ name: ref.name, type: ref.type, hash: ref.hash }));
  }

  /**
   * This process moved `name` from `expected` to `next` (null: deleted), confirmed by the
   * database. The new head is kept only when the cache held `expected`: then `next` is its
   * direct successor. Otherwise the order of this move and what the cache holds is unknown
   * (two confirmations of moves from this process may be handled out of order), so the entry
   * is dropped and the next read asks the database.
   */
  moved(name: string, expected: string, next: Reference | null): void {
    this.epoch++;
    const held = this.heads.get(name);
    if (next !== null && held !== undefined && held.hash === expected) {
      this.heads.set(name, Object.freeze({ name: next.name, type: next.type, hash: next.hash }));
    } else {
      this.heads.delete(name);
    }
  }

  /** Forgets one reference (its state is unknown: moved elsewhere, or a write's outcome is unknown). */
  invalidate(name: string): void {
    this.epoch++;
    this.heads.delete(name);
  }

  /** Forgets everything and turns hits on or off (watched mode: the LISTEN connection's state). */
  reset(live: boolean): void {
    this.epoch++;
    this.heads.clear();
    this.on = this.mode === 'exclusive' || (this.mode === 'watched' && live);
  }

  get size(): number {
    return this.heads.size;
  }
}
