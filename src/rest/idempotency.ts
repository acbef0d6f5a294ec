/**
 * Replays the final response of a mutation for a repeated `Idempotency-Key` (Iceberg REST).
 * Kept in this process's memory for the advertised lifetime: with several server processes,
 * a retry that lands on another process is executed again (and then usually fails with a
 * 409 on its requirements rather than applying twice).
 */
export interface StoredResponse {
  status: number;
  body: string;
  headers: Record<string, string>;
}

export class IdempotencyCache {
  private readonly entries = new Map<string, { at: number; fingerprint: string; response: StoredResponse }>();

  constructor(
    readonly lifetimeMs: number,
    private readonly maxEntries = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  get(key: string, fingerprint: string): StoredResponse | 'mismatch' | undefined {
    const e = this.entries.get(key);
    if (!e) return undefined;
    if (this.now() - e.at > this.lifetimeMs) {
      this.entries.delete(key);
      return undefined;
    }
    return e.fingerprint === fingerprint ? e.response : 'mismatch';
  }

  put(key: string, fingerprint: string, response: StoredResponse): void {
    if (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.entries.set(key, { at: this.now(), fingerprint, response });
  }
}
