/**
 * One table per location: a table created, registered or moved may not take a location at,
 * inside or around the location of another table (another `table-uuid`), because whatever
 * later cleans up by location (a purge, an orphan-file sweep, lakecat's own GC) would then
 * delete the other table's files. The same table on several branches (same uuid) shares its
 * location, as it should.
 *
 * Every location lakecat gives a table is recorded (`LocationClaims`, kept in the store's
 * database). A recorded location in the way is checked against the catalog before refusing:
 * it still counts while its table exists under the name it was recorded with at the head of
 * any branch or tag. A table dropped everywhere frees its location (as in other catalogs: its
 * old files are still read by time travel, which GC must respect), and a table re-created
 * under the same name may reuse it. Operators may switch the rule off (`--allow-overlapping-locations`).
 */
import type { CatalogDeps } from './deps.js';
import { BadRequestError } from './errors.js';
import { formatIdentifier, tableKey, type TableIdentifier } from './identifiers.js';
import { trimSlash } from './metadata-files.js';

export interface LocationClaim {
  /** Normalised (see `normalizeLocation`). */
  location: string;
  tableUuid: string;
  contentId: string;
  /** The table's content key when it took the location, as a JSON array of its elements. */
  key: string;
  claimedAtMs: number;
}

export interface LocationClaims {
  /** Claims at `location`, at one of its `ancestors` (which include itself), or below it. */
  overlapping(location: string, ancestors: string[]): Promise<LocationClaim[]>;
  /** Records a claim, replacing any claim of the same location. */
  put(claim: LocationClaim): Promise<void>;
  /** Drops a claim that turned out stale. */
  remove(location: string, tableUuid: string): Promise<void>;
}

/** A claim younger than this whose table is nowhere yet may belong to a create still in flight. */
const IN_FLIGHT_MS = 60_000;

/** One spelling per place: `s3a://` and `s3n://` are `s3://`, `file:/x` is `file:///x`, no trailing slash. */
export function normalizeLocation(location: string): string {
  return trimSlash(location.replace(/^s3[an]:\/\//, 's3://').replace(/^file:\/(?!\/)/, 'file:///'));
}

/** The location and each folder above it, up to the bucket or the root. */
export function locationAncestors(location: string): string[] {
  const m = /^([A-Za-z][A-Za-z0-9+.-]*:\/\/[^/]*)(.*)$/.exec(location);
  const root = m ? m[1] : '';
  const parts = (m ? m[2] : location).split('/').filter((p) => p !== '');
  const out: string[] = [];
  for (let i = parts.length; i >= 1; i--) out.push(`${root}/${parts.slice(0, i).join('/')}`);
  return out;
}

export interface TableLocationUse {
  id: TableIdentifier;
  location: string;
  tableUuid: string;
  contentId: string;
}

/**
 * Refuses (400) a location in the way of another live table's; otherwise records it for this
 * table. Called by the verbs that give a table a location: create, register, a commit that
 * creates a table or sets its location.
 */
export async function claimTableLocation(deps: CatalogDeps, use: TableLocationUse): Promise<void> {
  const claims = deps.store.locations;
  if (!claims) return;
  const location = normalizeLocation(use.location);
  const key = JSON.stringify(tableKey(use.id));
  if (!deps.allowOverlappingLocations) {
    for (const other of await claims.overlapping(location, locationAncestors(location))) {
      if (other.tableUuid === use.tableUuid) continue;
      const liveOn = await whereLive(deps, other);
      if (liveOn !== undefined) {
        const elements = JSON.parse(other.key) as string[];
        const name = formatIdentifier({ namespace: elements.slice(0, -1), name: elements[elements.length - 1] });
        const how = other.location === location ? 'is the location of' : location.startsWith(`${other.location}/`) ? 'is inside the location of' : 'contains the location of';
        throw new BadRequestError(
          `Cannot give table ${formatIdentifier(use.id)} the location ${use.location}: it ${how} table ${name} (${other.location}) on '${liveOn}'. Choose another location (an operator may allow overlapping locations with --allow-overlapping-locations)`,
        );
      }
      // Nowhere any more. The same name again is a retry of this create or a table created
      // anew after a drop; another name within a minute may be a create still in flight.
      if (other.key !== key && deps.now() - other.claimedAtMs < IN_FLIGHT_MS) {
        throw new BadRequestError(
          `Cannot give table ${formatIdentifier(use.id)} the location ${use.location}: ${other.location} was given to another table less than a minute ago (it may still be being created). Choose another location`,
        );
      }
      await claims.remove(other.location, other.tableUuid);
    }
  }
  await claims.put({ location, tableUuid: use.tableUuid, contentId: use.contentId, key, claimedAtMs: deps.now() });
}

/** The first reference whose head holds the claimed table under its recorded name, if any. */
async function whereLive(deps: CatalogDeps, claim: LocationClaim): Promise<string | undefined> {
  const key = JSON.parse(claim.key) as string[];
  for (const ref of await deps.store.listReferences()) {
    const content = await deps.store.getContent(ref.hash, key);
    if (content && content.id === claim.contentId) return ref.name;
  }
  return undefined;
}
