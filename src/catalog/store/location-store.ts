/** Table locations in the store's database (table `table_locations`; rules in catalog/locations.ts). */
import { sql } from 'drizzle-orm';
import type { LocationClaim, LocationClaims } from '../locations.js';
import { queryRows, type Executor } from './core.js';

interface ClaimRow {
  location: string;
  table_uuid: string;
  content_id: string;
  key: string;
  claimed_at: string | number;
}

export class PgLocationClaims implements LocationClaims {
  constructor(private readonly db: Executor) {}

  async overlapping(location: string, ancestors: string[]): Promise<LocationClaim[]> {
    // At or above it (exact matches on the primary key), or below it (a prefix scan: the table
    // has a row per table ever created, and this runs when a table is created or moved).
    const rows = await queryRows<ClaimRow>(
      this.db,
      sql`SELECT location, table_uuid, content_id, key, claimed_at FROM table_locations
          WHERE location IN (${sql.join(ancestors.map((a) => sql`${a}`), sql`, `)})
             OR starts_with(location, ${`${location}/`})
          ORDER BY location LIMIT 100`,
    );
    return rows.map((r) => ({ location: r.location, tableUuid: r.table_uuid, contentId: r.content_id, key: r.key, claimedAtMs: Number(r.claimed_at) }));
  }

  async put(claim: LocationClaim): Promise<void> {
    await queryRows(
      this.db,
      sql`INSERT INTO table_locations (location, table_uuid, content_id, key, claimed_at)
          VALUES (${claim.location}, ${claim.tableUuid}, ${claim.contentId}, ${claim.key}, ${claim.claimedAtMs})
          ON CONFLICT (location) DO UPDATE SET table_uuid = EXCLUDED.table_uuid, content_id = EXCLUDED.content_id,
            key = EXCLUDED.key, claimed_at = EXCLUDED.claimed_at`,
    );
  }

  async remove(location: string, tableUuid: string): Promise<void> {
    await queryRows(this.db, sql`DELETE FROM table_locations WHERE location = ${location} AND table_uuid = ${tableUuid}`);
  }
}
