import { describe, expect, it } from 'vitest';
import { CommitFailedError, ValidationError } from './errors.js';
import type { TableRequirement, ViewMetadata, ViewRequirement } from './model.js';
import { checkRequirements, checkViewRequirements } from './requirements.js';
import { tableWithHistory } from './table-metadata-builder.fixtures.js';

const base = () => {
  const m = tableWithHistory();
  m.refs.v1 = { snapshotId: 1n, type: 'tag' };
  m.lastPartitionId = 1003;
  m.defaultSortOrderId = 0;
  return m;
};

function failure(requirement: TableRequirement, table = base()): string {
  try {
    checkRequirements(table, [requirement]);
  } catch (err) {
    expect(err).toBeInstanceOf(CommitFailedError);
    return (err as Error).message;
  }
  throw new Error('requirement unexpectedly held');
}

describe('checkRequirements', () => {
  it('passes when every requirement holds', () => {
    const m = base();
    expect(() =>
      checkRequirements(m, [
        { type: 'assert-table-uuid', uuid: m.tableUuid.toUpperCase() },
        { type: 'assert-ref-snapshot-id', ref: 'main', snapshotId: 2n },
        { type: 'assert-ref-snapshot-id', ref: 'v1', snapshotId: 1n },
        { type: 'assert-ref-snapshot-id', ref: 'new-branch', snapshotId: null },
        { type: 'assert-last-assigned-field-id', lastAssignedFieldId: 3 },
        { type: 'assert-current-schema-id', currentSchemaId: 0 },
        { type: 'assert-last-assigned-partition-id', lastAssignedPartitionId: 1003 },
        { type: 'assert-default-spec-id', defaultSpecId: 0 },
        { type: 'assert-default-sort-order-id', defaultSortOrderId: 0 },
      ]),
    ).not.toThrow();
  });

  it('assert-create', () => {
    expect(() => checkRequirements(null, [{ type: 'assert-create' }])).not.toThrow();
    expect(failure({ type: 'assert-create' })).toBe('Requirement failed: table already exists');
  });

  it('assert-table-uuid', () => {
    const m = base();
    expect(failure({ type: 'assert-table-uuid', uuid: 'other' }, m)).toBe(
      `Requirement failed: UUID does not match: expected ${m.tableUuid} != other`,
    );
  });

  it('assert-ref-snapshot-id on a branch that moved', () => {
    expect(failure({ type: 'assert-ref-snapshot-id', ref: 'main', snapshotId: 1n })).toBe(
      'Requirement failed: branch main has changed: expected id 1 != 2',
    );
  });

  it('assert-ref-snapshot-id on a tag that moved', () => {
    expect(failure({ type: 'assert-ref-snapshot-id', ref: 'v1', snapshotId: 2n })).toBe(
      'Requirement failed: tag v1 has changed: expected id 2 != 1',
    );
  });

  it('assert-ref-snapshot-id null when the ref exists', () => {
    expect(failure({ type: 'assert-ref-snapshot-id', ref: 'main', snapshotId: null })).toBe(
      'Requirement failed: branch main was created concurrently',
    );
  });

  it('assert-ref-snapshot-id on a missing ref', () => {
    expect(failure({ type: 'assert-ref-snapshot-id', ref: 'gone', snapshotId: 7n })).toBe(
      'Requirement failed: branch or tag gone is missing, expected 7',
    );
  });

  it('assert-ref-snapshot-id does not see inherited object members as refs', () => {
    expect(() => checkRequirements(base(), [{ type: 'assert-ref-snapshot-id', ref: 'constructor', snapshotId: null }])).not.toThrow();
  });

  it('assert-last-assigned-field-id', () => {
    expect(failure({ type: 'assert-last-assigned-field-id', lastAssignedFieldId: 2 })).toBe(
      'Requirement failed: last assigned field id changed: expected id 2 != 3',
    );
  });

  it('assert-current-schema-id', () => {
    expect(failure({ type: 'assert-current-schema-id', currentSchemaId: 4 })).toBe(
      'Requirement failed: current schema changed: expected id 4 != 0',
    );
  });

  it('assert-last-assigned-partition-id', () => {
    expect(failure({ type: 'assert-last-assigned-partition-id', lastAssignedPartitionId: 1000 })).toBe(
      'Requirement failed: last assigned partition id changed: expected id 1000 != 1003',
    );
  });

  it('assert-default-spec-id', () => {
    expect(failure({ type: 'assert-default-spec-id', defaultSpecId: 1 })).toBe(
      'Requirement failed: default partition spec changed: expected id 1 != 0',
    );
  });

  it('assert-default-sort-order-id', () => {
    expect(failure({ type: 'assert-default-sort-order-id', defaultSortOrderId: 1 })).toBe(
      'Requirement failed: default sort order changed: expected id 1 != 0',
    );
  });

  it('on a missing table, id assertions pass as in Java and the others fail', () => {
    expect(() =>
      checkRequirements(null, [
        { type: 'assert-create' },
        { type: 'assert-last-assigned-field-id', lastAssignedFieldId: 0 },
        { type: 'assert-last-assigned-partition-id', lastAssignedPartitionId: 999 },
      ]),
    ).not.toThrow();
    expect(() => checkRequirements(null, [{ type: 'assert-current-schema-id', currentSchemaId: 0 }])).toThrow(
      new CommitFailedError('Requirement failed: table does not exist'),
    );
  });

  it('stops at the first failure', () => {
    expect(() =>
      checkRequirements(base(), [
        { type: 'assert-current-schema-id', currentSchemaId: 9 },
        { type: 'assert-create' },
      ]),
    ).toThrow('current schema changed');
  });

  it('rejects an unknown requirement type', () => {
    const bogus = { type: 'assert-nothing' } as unknown as TableRequirement;
    expect(() => checkRequirements(base(), [bogus])).toThrow(ValidationError);
  });
});

describe('checkViewRequirements', () => {
  const view: ViewMetadata = {
    viewUuid: 'fa6506c3-7681-40c8-86dc-e36561f83385',
    formatVersion: 1,
    location: 's3://bucket/v',
    currentVersionId: 1,
    versions: [],
    versionLog: [],
    schemas: [],
    properties: {},
  };

  it('assert-view-uuid passes on the same uuid (any case)', () => {
    expect(() => checkViewRequirements(view, [{ type: 'assert-view-uuid', uuid: view.viewUuid.toUpperCase() }])).not.toThrow();
  });

  it('assert-view-uuid fails with Java message', () => {
    expect(() => checkViewRequirements(view, [{ type: 'assert-view-uuid', uuid: 'x' }])).toThrow(
      new CommitFailedError(`Requirement failed: view UUID does not match: expected ${view.viewUuid} != x`),
    );
  });

  it('fails on a missing view and rejects unknown types', () => {
    expect(() => checkViewRequirements(null, [{ type: 'assert-view-uuid', uuid: 'x' }])).toThrow(CommitFailedError);
    const bogus = { type: 'assert-create' } as unknown as ViewRequirement;
    expect(() => checkViewRequirements(view, [bogus])).toThrow(ValidationError);
  });
});
