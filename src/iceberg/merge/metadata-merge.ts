/**
 * The three-way merge of a table's metadata (everything but its snapshots): given the versions
 * at the merge base B, on the target T and on the source S, the updates that bring S's metadata
 * changes onto T, or a conflict. A change made on one side only is taken; the same change on
 * both sides is taken once; different changes to the same element are a conflict. Schemas,
 * partition specs and sort orders are taken whole with their ids (data files and manifests name
 * field, spec and order ids, which cannot be renumbered).
 */
import { LAST_ADDED } from '../table-metadata-builder-state.js';
import type { PartitionSpec, Schema, SortOrder, TableMetadata, TableUpdate } from '../model.js';
import { conflict } from './conflicts.js';

/** Properties a merge never carries from the source: the catalog's own. */
const RESERVED_PROPERTY = /^lakecat\./;

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a, (_k, v) => (typeof v === 'bigint' ? v.toString() : v)) === JSON.stringify(b, (_k, v) => (typeof v === 'bigint' ? v.toString() : v));
}

const schemaOf = (m: TableMetadata, id: number): Schema | undefined => m.schemas.find((s) => s.schemaId === id);
const specOf = (m: TableMetadata, id: number): PartitionSpec | undefined => m.partitionSpecs.find((s) => s.specId === id);
const orderOf = (m: TableMetadata, id: number): SortOrder | undefined => m.sortOrders.find((s) => s.orderId === id);

/** Updates that bring the source's schema, spec, sort-order, property and format changes onto the target. */
export function mergeTableMetadata(base: TableMetadata, target: TableMetadata, source: TableMetadata): TableUpdate[] {
  if (base.tableUuid !== source.tableUuid || base.tableUuid !== target.tableUuid) {
    conflict('KEY_IDENTITY', `The table was dropped and re-created on one side (table-uuid ${base.tableUuid} at the merge base, ${target.tableUuid} on the target, ${source.tableUuid} on the source)`, {
      hint: 'merge with the FORCE or DROP behavior for this key',
    });
  }
  if (source.formatVersion !== target.formatVersion) {
    conflict('FORMAT_VERSION_DIVERGED', `The format version differs: v${target.formatVersion} on the target, v${source.formatVersion} on the source`, {
      hint: 'upgrade the table on the other branch too, then merge',
    });
  }
  if (source.location !== target.location) {
    conflict('LOCATION_CHANGED', `The table location differs: ${target.location} on the target, ${source.location} on the source`);
  }
  if (!same(source.encryptionKeys ?? [], base.encryptionKeys ?? [])) {
    conflict('UNSUPPORTED_CHANGE', 'The source changed the table\'s encryption keys, which a merge does not carry');
  }
  checkTableRefs(base, target, source);
  return [...schemaUpdates(base, target, source), ...specUpdates(base, target, source), ...sortOrderUpdates(base, target, source), ...propertyUpdates(base, target, source)];
}

/**
 * Table-level branches and tags other than `main`: the source's changes to them are not carried
 * (their snapshots exist only on the source), so a change there is a conflict rather than lost,
 * unless the target made the same change.
 */
function checkTableRefs(base: TableMetadata, target: TableMetadata, source: TableMetadata): void {
  const names = new Set([...Object.keys(base.refs), ...Object.keys(source.refs)]);
  const moved = [...names].filter((n) => n !== 'main' && !same(source.refs[n], base.refs[n]) && !same(source.refs[n], target.refs[n])).sort();
  if (moved.length > 0) {
    conflict('TABLE_REF_CONFLICT', `The source changed the table's own branch or tag ${moved.join(', ')}, which a merge does not carry`, {
      hint: 'merge this key with FORCE (take the source) or DROP (keep the target)',
      keys: moved,
    });
  }
}

function schemaUpdates(base: TableMetadata, target: TableMetadata, source: TableMetadata): TableUpdate[] {
  const changed = (m: TableMetadata) => m.currentSchemaId !== base.currentSchemaId || m.lastColumnId !== base.lastColumnId;
  if (!changed(source)) return [];
  if (changed(target)) {
    if (target.lastColumnId === source.lastColumnId && same(schemaOf(target, target.currentSchemaId), schemaOf(source, source.currentSchemaId))) return [];
    conflict('SCHEMA_DIVERGED', `Both sides changed the schema (current schema ${target.currentSchemaId} on the target, ${source.currentSchemaId} on the source; last column id ${base.lastColumnId} at the merge base, ${target.lastColumnId} on the target, ${source.lastColumnId} on the source)`, {
      hint: 'apply the same schema change on both branches, or merge one of them with FORCE or DROP for this key',
      keys: ['schema'],
    });
  }
  // The schemas the source added since the base, in id order: the builder gives them the same
  // ids on the target, which added none.
  const added = source.schemas.filter((s) => !base.schemas.some((b) => b.schemaId === s.schemaId)).sort((a, b) => a.schemaId - b.schemaId);
  const updates: TableUpdate[] = added.map((schema) => ({ action: 'add-schema', schema, lastColumnId: source.lastColumnId }));
  updates.push({ action: 'set-current-schema', schemaId: added.at(-1)?.schemaId === source.currentSchemaId ? LAST_ADDED : source.currentSchemaId });
  return updates;
}

function specUpdates(base: TableMetadata, target: TableMetadata, source: TableMetadata): TableUpdate[] {
  const changed = (m: TableMetadata) => m.defaultSpecId !== base.defaultSpecId || m.lastPartitionId !== base.lastPartitionId || m.partitionSpecs.length !== base.partitionSpecs.length;
  if (!changed(source)) return [];
  if (changed(target)) {
    if (target.lastPartitionId === source.lastPartitionId && target.defaultSpecId === source.defaultSpecId && same(specOf(target, target.defaultSpecId), specOf(source, source.defaultSpecId))) return [];
    conflict('SPEC_DIVERGED', `Both sides changed the partitioning (default spec ${target.defaultSpecId} on the target, ${source.defaultSpecId} on the source)`, {
      hint: 'apply the same partition change on both branches, or merge one of them with FORCE or DROP for this key',
      keys: ['partition-spec'],
    });
  }
  const added = source.partitionSpecs.filter((s) => !base.partitionSpecs.some((b) => b.specId === s.specId)).sort((a, b) => a.specId - b.specId);
  const updates: TableUpdate[] = added.map((spec) => ({ action: 'add-spec', spec }));
  updates.push({ action: 'set-default-spec', specId: added.at(-1)?.specId === source.defaultSpecId ? LAST_ADDED : source.defaultSpecId });
  return updates;
}

function sortOrderUpdates(base: TableMetadata, target: TableMetadata, source: TableMetadata): TableUpdate[] {
  if (source.defaultSortOrderId === base.defaultSortOrderId && source.sortOrders.length === base.sortOrders.length) return [];
  const wanted = orderOf(source, source.defaultSortOrderId);
  if (target.defaultSortOrderId !== base.defaultSortOrderId || target.sortOrders.length !== base.sortOrders.length) {
    if (same(orderOf(target, target.defaultSortOrderId)?.fields, wanted?.fields)) return [];
    conflict('SORT_ORDER_DIVERGED', `Both sides changed the sort order (order ${target.defaultSortOrderId} on the target, ${source.defaultSortOrderId} on the source)`, {
      hint: 'set the same sort order on both branches',
      keys: ['sort-order'],
    });
  }
  const added = source.sortOrders.filter((o) => !base.sortOrders.some((b) => b.orderId === o.orderId)).sort((a, b) => a.orderId - b.orderId);
  const updates: TableUpdate[] = added.map((sortOrder) => ({ action: 'add-sort-order', sortOrder }));
  updates.push({ action: 'set-default-sort-order', sortOrderId: added.at(-1)?.orderId === source.defaultSortOrderId ? LAST_ADDED : source.defaultSortOrderId });
  return updates;
}

function propertyUpdates(base: TableMetadata, target: TableMetadata, source: TableMetadata): TableUpdate[] {
  const keys = new Set([...Object.keys(base.properties), ...Object.keys(source.properties), ...Object.keys(target.properties)]);
  const set: Record<string, string> = {};
  const removals: string[] = [];
  const clashes: string[] = [];
  for (const key of [...keys].sort()) {
    if (RESERVED_PROPERTY.test(key)) continue;
    const b = base.properties[key];
    const s = source.properties[key];
    const t = target.properties[key];
    if (s === b || s === t) continue;
    if (t !== b) {
      clashes.push(key);
      continue;
    }
    if (s === undefined) removals.push(key);
    else set[key] = s;
  }
  if (clashes.length > 0) {
    conflict('PROPERTY_CONFLICT', `Both sides changed the table propert${clashes.length === 1 ? 'y' : 'ies'} ${clashes.join(', ')} to different values`, {
      hint: 'set the same value on both branches, then merge',
      keys: clashes,
    });
  }
  const updates: TableUpdate[] = [];
  if (Object.keys(set).length > 0) updates.push({ action: 'set-properties', updates: set });
  if (removals.length > 0) updates.push({ action: 'remove-properties', removals });
  return updates;
}
