/**
 * Checks the requirements of a table or view commit against the current metadata. The failure
 * messages are those of Java's `UpdateRequirement` classes, word for word: clients show them
 * and some tests compare them.
 */
import { CommitFailedError, ValidationError } from './errors.js';
import type { TableMetadata, TableRequirement, ViewMetadata, ViewRequirement } from './model.js';

/** `base` is null when the table does not exist (yet). Throws CommitFailedError on the first failure. */
export function checkRequirements(base: TableMetadata | null, requirements: readonly TableRequirement[]): void {
  for (const requirement of requirements) checkRequirement(base, requirement);
}

function checkRequirement(base: TableMetadata | null, requirement: TableRequirement): void {
  switch (requirement.type) {
    case 'assert-create':
      if (base !== null) throw new CommitFailedError('Requirement failed: table already exists');
      return;
    case 'assert-table-uuid': {
      const table = existing(base);
      if (requirement.uuid.toLowerCase() !== table.tableUuid.toLowerCase()) {
        // Java prints the current UUID first, after "expected".
        throw new CommitFailedError(
          `Requirement failed: UUID does not match: expected ${table.tableUuid} != ${requirement.uuid}`,
        );
      }
      return;
    }
    case 'assert-ref-snapshot-id':
      return checkRefSnapshotId(existing(base), requirement.ref, requirement.snapshotId);
    case 'assert-last-assigned-field-id':
      // Java lets this one (and the partition id one) pass when there is no table yet.
      if (base !== null && base.lastColumnId !== requirement.lastAssignedFieldId) {
        throw new CommitFailedError(
          `Requirement failed: last assigned field id changed: expected id ${requirement.lastAssignedFieldId} != ${base.lastColumnId}`,
        );
      }
      return;
    case 'assert-current-schema-id': {
      const table = existing(base);
      if (table.currentSchemaId !== requirement.currentSchemaId) {
        throw new CommitFailedError(
          `Requirement failed: current schema changed: expected id ${requirement.currentSchemaId} != ${table.currentSchemaId}`,
        );
      }
      return;
    }
    case 'assert-last-assigned-partition-id':
      if (base !== null && base.lastPartitionId !== requirement.lastAssignedPartitionId) {
        throw new CommitFailedError(
          `Requirement failed: last assigned partition id changed: expected id ${requirement.lastAssignedPartitionId} != ${base.lastPartitionId}`,
        );
      }
      return;
    case 'assert-default-spec-id': {
      const table = existing(base);
      if (table.defaultSpecId !== requirement.defaultSpecId) {
        throw new CommitFailedError(
          `Requirement failed: default partition spec changed: expected id ${requirement.defaultSpecId} != ${table.defaultSpecId}`,
        );
      }
      return;
    }
    case 'assert-default-sort-order-id': {
      const table = existing(base);
      if (table.defaultSortOrderId !== requirement.defaultSortOrderId) {
        throw new CommitFailedError(
          `Requirement failed: default sort order changed: expected id ${requirement.defaultSortOrderId} != ${table.defaultSortOrderId}`,
        );
      }
      return;
    }
    default:
      return unknownRequirement(requirement);
  }
}

function checkRefSnapshotId(base: TableMetadata, name: string, snapshotId: bigint | null): void {
  const ref = Object.prototype.hasOwnProperty.call(base.refs, name) ? base.refs[name] : undefined;
  if (ref !== undefined) {
    const type = ref.type === 'branch' ? 'branch' : 'tag';
    if (snapshotId === null) {
      throw new CommitFailedError(`Requirement failed: ${type} ${name} was created concurrently`);
    }
    if (snapshotId !== ref.snapshotId) {
      throw new CommitFailedError(
        `Requirement failed: ${type} ${name} has changed: expected id ${snapshotId} != ${ref.snapshotId}`,
      );
    }
  } else if (snapshotId !== null) {
    throw new CommitFailedError(`Requirement failed: branch or tag ${name} is missing, expected ${snapshotId}`);
  }
}

/** Java would fail with a NullPointerException; a missing table is a failed requirement. */
function existing(base: TableMetadata | null): TableMetadata {
  if (base === null) throw new CommitFailedError('Requirement failed: table does not exist');
  return base;
}

function unknownRequirement(requirement: never): never {
  const type = (requirement as { type?: unknown }).type;
  throw new ValidationError(`Unknown requirement type: ${String(type)}`);
}

/** `base` is null when the view does not exist. Throws CommitFailedError on the first failure. */
export function checkViewRequirements(base: ViewMetadata | null, requirements: readonly ViewRequirement[]): void {
  for (const requirement of requirements) {
    switch (requirement.type) {
      case 'assert-view-uuid': {
        if (base === null) throw new CommitFailedError('Requirement failed: view does not exist');
        if (requirement.uuid.toLowerCase() !== base.viewUuid.toLowerCase()) {
          throw new CommitFailedError(
            `Requirement failed: view UUID does not match: expected ${base.viewUuid} != ${requirement.uuid}`,
          );
        }
        break;
      }
      default:
        unknownViewRequirement(requirement.type);
    }
  }
}

function unknownViewRequirement(type: never): never {
  throw new ValidationError(`Unknown requirement type: ${String(type)}`);
}
