import { describe, expect, it } from 'vitest';
import { appendSnapshotChange, newSnapshotId, stateOf } from './iceberg.js';
import { nessieJavaNeeds, parseJavaVersion } from './downloads.js';

describe('appendSnapshotChange', () => {
  it('chains the snapshot onto the current one and guards main with its id', () => {
    const c = appendSnapshotChange({ snapshotId: 42, lastSequenceNumber: 7 }, 's3://b/t');
    const add = c.updates[0] as { action: string; snapshot: Record<string, unknown> };
    const id = add.snapshot['snapshot-id'];
    expect(add.action).toBe('add-snapshot');
    expect(add.snapshot['parent-snapshot-id']).toBe(42);
    expect(add.snapshot['sequence-number']).toBe(8);
    expect(add.snapshot['manifest-list']).toMatch(/^s3:\/\/b\/t\/metadata\/snap-\d+-1-bench\.avro$/);
    expect(c.updates[1]).toEqual({ action: 'set-snapshot-ref', 'ref-name': 'main', type: 'branch', 'snapshot-id': id });
    expect(c.requirements).toEqual([{ type: 'assert-ref-snapshot-id', ref: 'main', 'snapshot-id': 42 }]);
    expect(c.next).toEqual({ snapshotId: id, lastSequenceNumber: 8 });
  });

  it('asserts that main does not exist yet for the first snapshot', () => {
    const c = appendSnapshotChange({ snapshotId: null, lastSequenceNumber: 0 }, '/w/t');
    expect(c.requirements[0]['snapshot-id']).toBeNull();
    expect('parent-snapshot-id' in (c.updates[0] as { snapshot: object }).snapshot).toBe(false);
  });
});

describe('newSnapshotId', () => {
  it('stays a positive safe integer', () => {
    for (let i = 0; i < 1000; i++) {
      const id = newSnapshotId();
      expect(Number.isSafeInteger(id)).toBe(true);
      expect(id).toBeGreaterThan(0);
    }
  });
});

describe('stateOf', () => {
  it('reads -1 and a missing current snapshot as none', () => {
    expect(stateOf({ 'current-snapshot-id': -1, 'last-sequence-number': 0 })).toEqual({ snapshotId: null, lastSequenceNumber: 0 });
    expect(stateOf({})).toEqual({ snapshotId: null, lastSequenceNumber: 0 });
    expect(stateOf({ 'current-snapshot-id': 5, 'last-sequence-number': 3 })).toEqual({ snapshotId: 5, lastSequenceNumber: 3 });
  });
});

describe('Java versions', () => {
  it('parses modern and legacy version strings', () => {
    expect(parseJavaVersion('openjdk version "17.0.15" 2025-04-15')).toEqual({ major: 17, version: '17.0.15' });
    expect(parseJavaVersion('openjdk version "25.0.3" 2026-04-21 LTS')?.major).toBe(25);
    expect(parseJavaVersion('java version "1.8.0_402"')?.major).toBe(8);
    expect(parseJavaVersion('no java here')).toBeUndefined();
  });

  it('knows that Nessie 0.99 and later need Java 21', () => {
    expect(nessieJavaNeeds('0.99.0')).toBe(21);
    expect(nessieJavaNeeds('0.104.5')).toBe(21);
    expect(nessieJavaNeeds('0.95.0')).toBe(17);
  });
});
