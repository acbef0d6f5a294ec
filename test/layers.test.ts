import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { checkLayers } from '../scripts/check-layers.mjs';

/** A throwaway tree laid out like src/, holding the given files. */
function tree(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'lakecat-layers-'));
  dirs.push(root);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const surface = {
  'catalog/index.ts': "export { x } from './x.js';\n",
  'catalog/x.ts': 'export const x = 1;\n',
  'catalog/store/port.ts': 'export interface VersionStore {}\n',
  'catalog/branch-write.ts': 'export async function gate(deps: any) { return deps.store.commit("main"); }\n',
  'io/port.ts': 'export interface ObjectStore {}\n',
};

describe('scripts/check-layers.mjs', () => {
  it('passes on the project itself', () => {
    expect(checkLayers(join(import.meta.dirname, '..', 'src'))).toEqual([]);
  });

  it('passes on a tree where the adapter uses only the public surface and the gate moves branches', () => {
    expect(checkLayers(tree({ ...surface, 'rest/routes.ts': "import { x } from '../catalog/index.js';\nexport const y = x;\n" }))).toEqual([]);
  });

  it('fails when src/rest imports the store, the object store or a catalog module behind the surface', () => {
    const problems = checkLayers(
      tree({
        ...surface,
        'rest/a.ts': "import type { VersionStore } from '../catalog/store/port.js';\n",
        'rest/b.ts': "import type { ObjectStore } from '../io/port.js';\n",
        'rest/nessie/c.ts': "import { x } from '../../catalog/x.js';\n",
        'rest/d.test.ts': "import type { VersionStore } from '../catalog/store/port.js';\n",
      }),
    );
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^src\/rest\/a\.ts: src\/rest may import only the catalog's public surface.*catalog\/store\/port\.js/),
        expect.stringMatching(/^src\/rest\/b\.ts: src\/rest must not import src\/io/),
        expect.stringMatching(/^src\/rest\/nessie\/c\.ts: src\/rest may import only the catalog's public surface.*catalog\/x\.js/),
        expect.stringMatching(/^src\/rest\/d\.test\.ts: src\/rest may import only the catalog's public surface/),
      ]),
    );
    expect(problems).toHaveLength(4);
  });

  it('lets src/data use src/iceberg and src/io only, as a client of the server', () => {
    const problems = checkLayers(
      tree({
        ...surface,
        'data/ok.ts': "import { x } from '../iceberg/x.js';\nimport { y } from '../io/y.js';\n",
        'data/a.ts': "import { x } from '../catalog/index.js';\n",
        'data/b.ts': "import { x } from '../rest/app.js';\n",
        'data/c.ts': "import { x } from '../config.js';\n",
        'cli/d.ts': "import { x } from '../data/ok.js';\n",
      }),
    );
    expect(problems).toEqual([
      expect.stringMatching(/^src\/data\/a\.ts: src\/data talks to the server over HTTP like any client/),
      expect.stringMatching(/^src\/data\/b\.ts: src\/data talks to the server over HTTP like any client/),
      expect.stringMatching(/^src\/data\/c\.ts: src\/data talks to the server over HTTP like any client/),
    ]);
  });

  it('fails when src/rest holds a store handle, even without importing its type', () => {
    const problems = checkLayers(tree({ ...surface, 'rest/e.ts': 'export const f = (deps: any) => deps.store.getReference("main");\n' }));
    expect(problems).toEqual([expect.stringMatching(/^src\/rest\/e\.ts: src\/rest holds no store handle/)]);
  });

  it("fails when a module other than the write gate calls the store's mutators", () => {
    const problems = checkLayers(
      tree({
        ...surface,
        'catalog/sneaky.ts': 'export const s = (deps: any) => deps.store.assignReference("main", "BRANCH", "a", "b");\n',
        'main.ts': 'export const m = (store: any) => store.merge({});\n',
      }),
    );
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^src\/catalog\/sneaky\.ts: only src\/catalog\/branch-write\.ts/),
        expect.stringMatching(/^src\/main\.ts: only src\/catalog\/branch-write\.ts/),
      ]),
    );
    expect(problems).toHaveLength(2);
  });

  it('fails on upward imports, HTTP in the catalog, impure src/iceberg and process.env outside main', () => {
    const problems = checkLayers(
      tree({
        ...surface,
        'catalog/http.ts': "import { Hono } from 'hono';\nexport const h = Hono;\n",
        'catalog/up.ts': "import { r } from '../rest/r.js';\nexport const u = r;\n",
        'rest/r.ts': 'export const r = 1;\n',
        'iceberg/impure.ts': "import pg from 'pg';\nexport const p = pg;\n",
        'io/env.ts': 'export const e = process.env.X;\n',
      }),
    );
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^src\/catalog\/http\.ts: src\/catalog must not know HTTP/),
        expect.stringMatching(/^src\/catalog\/up\.ts: layer 'catalog' imports upward from 'rest'/),
        expect.stringMatching(/^src\/iceberg\/impure\.ts: src\/iceberg must stay pure/),
        expect.stringMatching(/^src\/io\/env\.ts: only src\/main\.ts and the CLI read process\.env/),
      ]),
    );
    expect(problems).toHaveLength(4);
  });
});
