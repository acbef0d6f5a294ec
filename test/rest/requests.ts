/** Request bodies several HTTP test suites send. */

/** A three-column table schema (id, data, ts) in the REST wire form. */
export const SCHEMA = {
  type: 'struct',
  'schema-id': 0,
  fields: [
    { id: 1, name: 'id', required: true, type: 'long' },
    { id: 2, name: 'data', required: false, type: 'string' },
    { id: 3, name: 'ts', required: false, type: 'timestamptz' },
  ],
};

/**
 * The updates an Iceberg client commits to finish a staged create: the staged metadata's uuid,
 * format, schema, spec, sort order and location, in the order Java's client sends them.
 */
export function stagedCreateUpdates(staged: any): Record<string, unknown>[] {
  return [
    { action: 'assign-uuid', uuid: staged['table-uuid'] },
    { action: 'upgrade-format-version', 'format-version': 2 },
    { action: 'add-schema', schema: staged.schemas[0], 'last-column-id': staged['last-column-id'] },
    { action: 'set-current-schema', 'schema-id': -1 },
    { action: 'add-spec', spec: staged['partition-specs'][0] },
    { action: 'set-default-spec', 'spec-id': -1 },
    { action: 'add-sort-order', 'sort-order': staged['sort-orders'][0] },
    { action: 'set-default-sort-order', 'sort-order-id': -1 },
    { action: 'set-location', location: staged.location },
  ];
}

/** A view version in the REST wire form: one Spark SQL representation, over namespace `ns`. */
export function viewVersion(sql: string, ns: string): Record<string, unknown> {
  return {
    'version-id': 1,
    'timestamp-ms': 1_700_000_000_000,
    'schema-id': 0,
    summary: { 'engine-name': 'spark' },
    representations: [{ type: 'sql', sql, dialect: 'spark' }],
    'default-namespace': [ns],
  };
}
