/**
 * Loads Apache Iceberg's REST catalog OpenAPI document and compiles ajv validators from it.
 *
 * The document is not part of this repository: it is looked up at `$LAKECAT_OPENAPI_SPEC`,
 * else beside the clone at `../shared/specs/iceberg-rest-catalog-open-api.yaml`.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import { parse } from 'yaml';

export const SPEC_FILE_NAME = 'iceberg-rest-catalog-open-api.yaml';

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Where the spec is expected: the environment variable wins over the default beside the clone. */
export function specPath(env: Record<string, string | undefined> = process.env, repoRoot = REPO_ROOT): string {
  const fromEnv = env.LAKECAT_OPENAPI_SPEC;
  return fromEnv ? resolve(fromEnv) : resolve(repoRoot, '..', 'shared', 'specs', SPEC_FILE_NAME);
}

type Json = any;

/** How a response was matched in the spec: by its exact code, a range such as `5XX`, or `default`. */
export interface ResponseContract {
  /** The key in the operation's `responses` that matched, e.g. `200`, `5XX`. */
  key: string;
  /** Undefined when the spec defines no JSON body for this response (204, 304, ...). */
  validate?: ValidateFunction;
  /** The body schema's `$ref`, when it is a plain reference such as `#/components/schemas/ErrorModel`. */
  schemaRef?: string;
}

export class OpenApiContract {
  readonly version: string;
  private readonly ajv: Ajv2020;
  private readonly cache = new Map<string, ValidateFunction>();

  constructor(readonly doc: Json) {
    this.version = String(doc.openapi);
    // OpenAPI 3.1 schemas are JSON Schema 2020-12; 3.0 ones are close enough for these checks.
    this.ajv = new Ajv2020({ strict: false, allErrors: true, validateSchema: false });
    // Iceberg's numeric formats describe widths, not string shapes: accept them unchecked.
    for (const f of ['int32', 'int64', 'float', 'double', 'byte', 'binary', 'date', 'date-time', 'duration', 'password']) {
      this.ajv.addFormat(f, true);
    }
    this.ajv.addFormat('uuid', /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i);
    // ajv's `discriminator` refuses `mapping`, which Iceberg uses throughout; the `oneOf`
    // next to it carries the real constraint, so the keyword is dropped.
    this.ajv.addSchema(withoutDiscriminators(doc), 'openapi');
  }

  /** Validator for `#/components/schemas/<name>`. */
  schema(name: string): ValidateFunction {
    if (!this.doc.components?.schemas?.[name]) throw new Error(`No schema ${name} in the spec`);
    return this.compile(['components', 'schemas', name]);
  }

  /** The `responses` keys the spec lists for an operation, e.g. ['200', '400', '5XX']. */
  statuses(path: string, method: string): string[] {
    return Object.keys(this.operation(path, method).responses ?? {});
  }

  /**
   * The response the spec defines for this status: the exact code, else its range (`4XX`),
   * else `default`; undefined when the spec lists none of them.
   */
  response(path: string, method: string, status: number): ResponseContract | undefined {
    const responses = this.operation(path, method).responses ?? {};
    const key = [String(status), `${String(status)[0]}XX`, 'default'].find((k) => k in responses);
    if (key === undefined) return undefined;
    let pointer = ['paths', path, method.toLowerCase(), 'responses', key];
    let response = responses[key];
    while (typeof response?.$ref === 'string') {
      pointer = refToPointer(response.$ref);
      response = pointer.reduce((node: Json, segment) => node?.[segment], this.doc);
    }
    const schema = response?.content?.['application/json']?.schema;
    if (!schema) return { key };
    return { key, validate: this.compile([...pointer, 'content', 'application/json', 'schema']), schemaRef: schema.$ref };
  }

  /** The spec path template a concrete request path falls under; literal segments win over `{params}`. */
  matchPath(concrete: string): string | undefined {
    const segments = concrete.split('?')[0].split('/');
    const candidates = Object.keys(this.doc.paths).filter((template) => {
      const parts = template.split('/');
      return parts.length === segments.length && parts.every((p, i) => /^\{.+\}$/.test(p) || p === segments[i]);
    });
    const literals = (t: string) => t.split('/').filter((p) => !p.startsWith('{')).length;
    return candidates.sort((a, b) => literals(b) - literals(a))[0];
  }

  private operation(path: string, method: string): Json {
    const op = this.doc.paths?.[path]?.[method.toLowerCase()];
    if (!op) throw new Error(`The spec has no operation ${method.toUpperCase()} ${path}`);
    return op;
  }

  private compile(pointer: string[]): ValidateFunction {
    const ref = `openapi#/${pointer.map((s) => encodeURIComponent(s.replace(/~/g, '~0').replace(/\//g, '~1'))).join('/')}`;
    let validate = this.cache.get(ref);
    if (!validate) {
      validate = this.ajv.compile({ $ref: ref });
      this.cache.set(ref, validate);
    }
    return validate;
  }
}

/** Parses the spec at `path`; undefined when the file does not exist. */
export function loadSpec(path = specPath()): OpenApiContract | undefined {
  if (!existsSync(path)) return undefined;
  const doc = parse(readFileSync(path, 'utf8'));
  if (!/^3\.[01]\./.test(String(doc?.openapi))) throw new Error(`${path}: expected OpenAPI 3.0 or 3.1, found ${doc?.openapi}`);
  return new OpenApiContract(doc);
}

function refToPointer(ref: string): string[] {
  if (!ref.startsWith('#/')) throw new Error(`Only local references are supported: ${ref}`);
  return ref.slice(2).split('/').map((s) => decodeURIComponent(s).replace(/~1/g, '/').replace(/~0/g, '~'));
}

function withoutDiscriminators(node: Json): Json {
  if (Array.isArray(node)) return node.map(withoutDiscriminators);
  if (node === null || typeof node !== 'object') return node;
  const out: Record<string, Json> = {};
  for (const [k, v] of Object.entries(node)) {
    if (k === 'discriminator' && v && typeof v === 'object' && 'propertyName' in v) continue;
    out[k] = withoutDiscriminators(v);
  }
  return out;
}
