/**
 * Schema helpers: indexes by field id and by dotted name, identifier-field rules, fresh id
 * assignment for new tables, and the equality used to reuse an identical schema. Names and
 * traversal orders follow the reference implementation (Java `TypeUtil`, `Schema`), because
 * clients compare the ids and names we assign with the ones they would have assigned.
 */
import { ValidationError } from './errors.js';
import { jsonEquals, stringifyJson } from './json.js';
import type { FormatVersion, IcebergType, NestedField, Schema, StructType } from './model.js';
export { describeField } from './types.js';
import {
  assertNever,
  checkDefaultValue,
  describeField,
  isPrimitive,
  minFormatVersion,
  parsePrimitive,
  samePrimitive,
} from './types.js';

/** Ids above this are reserved for metadata columns such as `_file` and `_pos`. */
export const MAX_USER_FIELD_ID = 2147483447;

type TypeOrSchema = IcebergType | Schema;

/** The field that holds a list's element, as Java models it (name `element`). */
function listElementField(list: Extract<IcebergType, { type: 'list' }>): NestedField {
  return { id: list.elementId, name: 'element', required: list.elementRequired, type: list.element };
}

function mapKeyField(map: Extract<IcebergType, { type: 'map' }>): NestedField {
  return { id: map.keyId, name: 'key', required: true, type: map.key };
}

function mapValueField(map: Extract<IcebergType, { type: 'map' }>): NestedField {
  return { id: map.valueId, name: 'value', required: map.valueRequired, type: map.value };
}

/** The direct child fields of a type: struct fields, a list's element, a map's key and value. */
export function childFields(type: TypeOrSchema): NestedField[] {
  if (typeof type === 'string') return [];
  switch (type.type) {
    case 'struct':
      return type.fields;
    case 'list':
      return [listElementField(type)];
    case 'map':
      return [mapKeyField(type), mapValueField(type)];
    default:
      return assertNever(type);
  }
}

/** Visits every field below `type` depth-first, pre-order, with the chain of enclosing fields. */
export function visitFields(
  type: TypeOrSchema,
  visit: (field: NestedField, ancestors: readonly NestedField[]) => void,
  ancestors: NestedField[] = [],
): void {
  for (const field of childFields(type)) {
    visit(field, ancestors);
    ancestors.push(field);
    visitFields(field.type, visit, ancestors);
    ancestors.pop();
  }
}

/**
 * Every field by id, including list elements and map keys/values (named `element`, `key`,
 * `value`). Throws ValidationError when an id appears twice.
 */
export function indexById(type: TypeOrSchema): Map<number, NestedField> {
  const index = new Map<number, NestedField>();
  visitFields(type, (field) => {
    const existing = index.get(field.id);
    if (existing !== undefined) {
      throw new ValidationError(
        `Invalid schema: multiple fields for id ${field.id}: ${existing.name} and ${field.name}`,
      );
    }
    index.set(field.id, field);
  });
  return index;
}

/** Throws ValidationError when two fields (at any depth) share an id. */
export function checkDuplicateIds(type: TypeOrSchema): void {
  indexById(type);
}

/** Id of each field's enclosing field (top-level fields have none). */
export function indexParents(type: TypeOrSchema): Map<number, number> {
  const parents = new Map<number, number>();
  visitFields(type, (field, ancestors) => {
    const parent = ancestors[ancestors.length - 1];
    if (parent !== undefined) parents.set(field.id, parent.id);
  });
  return parents;
}

/**
 * Field ids by dotted name, like Java's `TypeUtil.indexByName`: canonical names spell out
 * `element`, `key` and `value` (`points.element.x`, `props.value`), and when a list element or
 * map value is a struct its fields are also reachable by the short name without that step
 * (`points.x`) unless a canonical name already uses it.
 */
export function indexByName(type: TypeOrSchema): Map<string, number> {
  const canonical = new Map<string, number>();
  const short = new Map<string, number>();

  const walk = (parent: IcebergType | Schema, fullPrefix: string, shortPrefix: string): void => {
    for (const field of childFields(parent)) {
      const fullName = fullPrefix + field.name;
      const existing = canonical.get(fullName);
      if (existing !== undefined) {
        throw new ValidationError(`Invalid schema: multiple fields for name ${fullName}: ${existing} and ${field.id}`);
      }
      canonical.set(fullName, field.id);

      // The element of a list and the value of a map drop out of short names when they are structs.
      const collapses =
        typeof parent === 'object' && parent.type !== 'struct' && field.name !== 'key' && isStructType(field.type);
      const shortName = shortPrefix + field.name;
      if (shortName !== fullName) short.set(shortName, field.id);
      walk(field.type, fullName + '.', collapses ? shortPrefix : shortName + '.');
    }
  };
  walk(type, '', '');

  for (const [name, id] of short) {
    if (!canonical.has(name)) canonical.set(name, id);
  }
  return canonical;
}

function isStructType(type: IcebergType): type is StructType {
  return typeof type === 'object' && type.type === 'struct';
}

/** Canonical dotted name of each field id (the inverse of the canonical part of {@link indexByName}). */
export function indexNameById(type: TypeOrSchema): Map<number, string> {
  const names = new Map<number, string>();
  const walk = (parent: IcebergType | Schema, prefix: string): void => {
    for (const field of childFields(parent)) {
      names.set(field.id, prefix + field.name);
      walk(field.type, prefix + field.name + '.');
    }
  };
  walk(type, '');
  return names;
}

/** The highest field id used anywhere in the type or schema; 0 when it has no fields. */
export function highestFieldId(type: TypeOrSchema): number {
  let highest = 0;
  visitFields(type, (field) => {
    if (field.id > highest) highest = field.id;
  });
  return highest;
}

export interface FindFieldOptions {
  /** Match names ignoring case (Java's `caseInsensitiveFindField`). Default: case-sensitive. */
  caseSensitive?: boolean;
}

/** Finds a field by id or by dotted name (see {@link indexByName}). */
export function findField(
  schema: TypeOrSchema,
  idOrName: number | string,
  options: FindFieldOptions = {},
): NestedField | undefined {
  const byId = indexById(schema);
  if (typeof idOrName === 'number') return byId.get(idOrName);
  const names = indexByName(schema);
  let id = names.get(idOrName);
  if (id === undefined && options.caseSensitive === false) {
    const wanted = idOrName.toLowerCase();
    for (const [name, fieldId] of names) {
      if (name.toLowerCase() === wanted) {
        id = fieldId;
        break;
      }
    }
  }
  return id === undefined ? undefined : byId.get(id);
}

/** Canonical dotted name of a field id, or undefined. */
export function findColumnName(schema: TypeOrSchema, id: number): string | undefined {
  return indexNameById(schema).get(id);
}

/**
 * Checks the spec's rules for identifier fields: each id exists and names a required primitive
 * field that is not float or double, and is reached only through required structs (never
 * through a list, a map or an optional struct).
 */
export function validateIdentifierFields(schema: Schema): void {
  const ids = schema.identifierFieldIds ?? [];
  if (ids.length === 0) return;
  const byId = indexById(schema);
  const parents = indexParents(schema);
  for (const id of ids) {
    const field = byId.get(id);
    if (field === undefined) {
      throw new ValidationError(`Cannot add fieldId ${id} as an identifier field: field does not exist`);
    }
    if (!isPrimitive(field.type)) {
      throw new ValidationError(`Cannot add field ${field.name} as an identifier field: not a primitive type field`);
    }
    if (!field.required) {
      throw new ValidationError(`Cannot add field ${field.name} as an identifier field: not a required field`);
    }
    const kind = parsePrimitive(field.type as string).kind;
    if (kind === 'float' || kind === 'double') {
      throw new ValidationError(`Cannot add field ${field.name} as an identifier field: must not be float or double field`);
    }
    // Walk from the root down so that a list or map is reported before an optional struct in it.
    const chain: NestedField[] = [];
    for (let parentId = parents.get(id); parentId !== undefined; parentId = parents.get(parentId)) {
      chain.unshift(byId.get(parentId) as NestedField);
    }
    for (const parent of chain) {
      if (!isStructType(parent.type)) {
        throw new ValidationError(
          `Cannot add field ${field.name} as an identifier field: must not be nested in ${describeField(parent)}`,
        );
      }
      if (!parent.required) {
        throw new ValidationError(
          `Cannot add field ${field.name} as an identifier field: must not be nested in an optional field ${describeField(parent)}`,
        );
      }
    }
  }
}

/**
 * Renumbers every field id in Java's `TypeUtil.assignFreshIds` order: the fields of a struct
 * first take consecutive ids, then each field's type is renumbered in turn; a list's element
 * and a map's key then value take their ids before their own types are visited. When
 * `baseSchema` is given, a field whose full name exists there keeps that field's id (as Java
 * does when a table is replaced). Identifier field ids follow their fields by name.
 */
export function assignFreshIds(schema: Schema, nextId: () => number, baseSchema?: Schema): Schema {
  const names = indexNameById(schema);
  const baseNames = baseSchema === undefined ? undefined : indexByName(baseSchema);
  const idFor = (oldId: number): number => {
    const name = names.get(oldId);
    const reused = name === undefined ? undefined : baseNames?.get(name);
    return reused ?? nextId();
  };

  const renumber = (type: IcebergType): IcebergType => {
    if (typeof type === 'string') return type;
    switch (type.type) {
      case 'struct': {
        const ids = type.fields.map((f) => idFor(f.id));
        return { type: 'struct', fields: type.fields.map((f, i) => ({ ...f, id: ids[i], type: renumber(f.type) })) };
      }
      case 'list': {
        const elementId = idFor(type.elementId);
        return { ...type, elementId, element: renumber(type.element) };
      }
      case 'map': {
        const keyId = idFor(type.keyId);
        const valueId = idFor(type.valueId);
        return { ...type, keyId, valueId, key: renumber(type.key), value: renumber(type.value) };
      }
      default:
        return assertNever(type);
    }
  };

  const fresh = renumber({ type: 'struct', fields: schema.fields }) as StructType;
  const result: Schema = { type: 'struct', schemaId: schema.schemaId, fields: fresh.fields };
  if (schema.identifierFieldIds !== undefined) {
    const freshNames = indexByName(result);
    result.identifierFieldIds = schema.identifierFieldIds.map((id) => {
      const name = names.get(id);
      const freshId = name === undefined ? undefined : freshNames.get(name);
      if (freshId === undefined) {
        throw new ValidationError(`Cannot find identifier field id ${id} in schema`);
      }
      return freshId;
    });
  }
  return result;
}

/**
 * {@link assignFreshIds} counting up from `lastColumnId` (a new table passes 0, so its first
 * column gets id 1); returns the new highest id as well.
 */
export function assignFreshIdsFrom(
  schema: Schema,
  lastColumnId: number,
  baseSchema?: Schema,
): { schema: Schema; lastColumnId: number } {
  let last = lastColumnId;
  const fresh = assignFreshIds(schema, () => ++last, baseSchema);
  return { schema: fresh, lastColumnId: Math.max(last, highestFieldId(fresh)) };
}

/** Structural equality of two types: ids, names, requiredness, docs and defaults included. */
export function sameType(a: IcebergType, b: IcebergType): boolean {
  if (typeof a === 'string' || typeof b === 'string') {
    return typeof a === 'string' && typeof b === 'string' && samePrimitive(a, b);
  }
  switch (a.type) {
    case 'struct':
      return b.type === 'struct' && sameFields(a.fields, b.fields);
    case 'list':
      return (
        b.type === 'list' &&
        a.elementId === b.elementId &&
        a.elementRequired === b.elementRequired &&
        sameType(a.element, b.element)
      );
    case 'map':
      return (
        b.type === 'map' &&
        a.keyId === b.keyId &&
        a.valueId === b.valueId &&
        a.valueRequired === b.valueRequired &&
        sameType(a.key, b.key) &&
        sameType(a.value, b.value)
      );
    default:
      return assertNever(a);
  }
}

function sameFields(a: NestedField[], b: NestedField[]): boolean {
  if (a.length !== b.length) return false;
  return a.every((f, i) => {
    const g = b[i];
    return (
      f.id === g.id &&
      f.name === g.name &&
      f.required === g.required &&
      (f.doc ?? null) === (g.doc ?? null) &&
      jsonEquals(f.initialDefault ?? null, g.initialDefault ?? null) &&
      jsonEquals(f.writeDefault ?? null, g.writeDefault ?? null) &&
      sameType(f.type, g.type)
    );
  });
}

/**
 * Java's `Schema.sameSchema`: same fields (ids, names, types, docs, defaults) and the same set
 * of identifier field ids; the schema id is ignored. Used to reuse an existing schema instead
 * of adding a duplicate.
 */
export function sameSchema(a: Schema, b: Schema): boolean {
  const idsA = new Set(a.identifierFieldIds ?? []);
  const idsB = new Set(b.identifierFieldIds ?? []);
  if (idsA.size !== idsB.size || [...idsA].some((id) => !idsB.has(id))) return false;
  return sameFields(a.fields, b.fields);
}

/**
 * Checks every field's `initial-default` and `write-default` against its type (JSON
 * single-value serialization, spec appendix D), that `unknown` columns are optional, and that
 * the schema only uses what the format version supports: v3 types, and non-null initial
 * defaults only from v3 (Java `Schema.checkCompatibility`).
 */
export function validateDefaults(schema: Schema | StructType, formatVersion: FormatVersion): void {
  checkProblems(compatibilityProblems(schema, formatVersion, false), formatVersion);
}

/** Java `Schema.checkCompatibility`: types and defaults the format version cannot carry. */
export function checkSchemaCompatibility(schema: Schema | StructType, formatVersion: FormatVersion): void {
  checkProblems(compatibilityProblems(schema, formatVersion, true), formatVersion);
}

/** Throws on malformed defaults; returns what the format version cannot carry. */
function compatibilityProblems(schema: Schema | StructType, formatVersion: FormatVersion, checkTypes: boolean): string[] {
  const problems: string[] = [];
  const names = indexNameById(schema);
  visitFields(schema, (field) => {
    const name = names.get(field.id) ?? field.name;
    if (checkTypes && typeof field.type === 'string') {
      const needed = minFormatVersion(field.type);
      if (formatVersion < needed) {
        problems.push(`Invalid type for ${name}: ${field.type} is not supported until v${needed}`);
      }
    }
    if (typeof field.type === 'string' && parsePrimitive(field.type).kind === 'unknown' && field.required) {
      throw new ValidationError(`Cannot create required field with unknown type: ${field.name}`);
    }
    if (field.initialDefault !== undefined && field.initialDefault !== null) {
      checkDefaultValue(field.type, field.initialDefault, `initial default of ${name}`);
      if (formatVersion < 3) {
        problems.push(
          `Invalid initial default for ${name}: non-null default (${stringifyJson(field.initialDefault)}) is not supported until v3`,
        );
      }
    }
    if (field.writeDefault !== undefined && field.writeDefault !== null) {
      checkDefaultValue(field.type, field.writeDefault, `write default of ${name}`);
    }
  });
  return problems;
}

function checkProblems(problems: string[], formatVersion: FormatVersion): void {
  if (problems.length > 0) {
    throw new ValidationError(`Invalid schema for v${formatVersion}:\n- ${problems.join('\n- ')}`);
  }
}

/**
 * All checks a schema must pass before it enters table metadata: unique ids, unique names,
 * ids in the user range, valid primitive types, identifier fields, defaults and version support.
 */
export function validateSchema(schema: Schema, formatVersion: FormatVersion): void {
  const byId = indexById(schema);
  indexByName(schema);
  for (const field of byId.values()) {
    if (field.id < 0 || field.id > MAX_USER_FIELD_ID || !Number.isInteger(field.id)) {
      throw new ValidationError(`Invalid field id ${field.id} for field ${field.name}`);
    }
    if (typeof field.type === 'string') parsePrimitive(field.type);
  }
  validateIdentifierFields(schema);
  checkSchemaCompatibility(schema, formatVersion);
}
