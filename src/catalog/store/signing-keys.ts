/** lakecat's token-signing key in the store's database (table `auth_keys`), shared by every process. */
import { sql } from 'drizzle-orm';
import type { SigningKey, SigningKeyStore } from '../access/service-clients.js';
import { queryRows, type Executor } from './core.js';

interface KeyRow {
  kid: string;
  private_jwk: SigningKey['privateJwk'];
  public_jwk: SigningKey['publicJwk'];
}

export class PgSigningKeyStore implements SigningKeyStore {
  constructor(private readonly db: Executor) {}

  private async oldest(): Promise<SigningKey | undefined> {
    const rows = await queryRows<KeyRow>(this.db, sql`SELECT kid, private_jwk, public_jwk FROM auth_keys ORDER BY created_at, kid LIMIT 1`);
    const r = rows[0];
    return r ? { kid: r.kid, privateJwk: r.private_jwk, publicJwk: r.public_jwk } : undefined;
  }

  async signingKey(candidate: () => Promise<SigningKey>): Promise<SigningKey> {
    const existing = await this.oldest();
    if (existing) return existing;
    const k = await candidate();
    // Two processes may insert at once; both then read the same oldest row.
    await queryRows(
      this.db,
      sql`INSERT INTO auth_keys (kid, private_jwk, public_jwk, created_at)
          VALUES (${k.kid}, ${JSON.stringify(k.privateJwk)}::jsonb, ${JSON.stringify(k.publicJwk)}::jsonb, ${Date.now()})
          ON CONFLICT DO NOTHING`,
    );
    return (await this.oldest()) as SigningKey;
  }
}
