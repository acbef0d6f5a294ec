// Enforces the layering rules (run by `npm run lint`; tested by test/layers.test.ts):
// - imports point downwards only (iceberg < io < catalog < rest < main < data < cli), and src/iceberg is pure;
// - src/data (the thin data clients) is a client of the server: it imports only src/iceberg and
//   src/io, never the catalog, the HTTP adapters or the composition root;
// - one door: src/rest imports only the catalog's public surface (catalog/index.ts; tests also
//   catalog/testing.ts), never src/io, and holds no store handle;
// - one gate: only src/catalog/branch-write.ts calls the store's mutators;
// - src/catalog knows no HTTP; only src/main.ts and the CLI read process.env.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

// `main` is the files directly in src/ (composition root and configuration); the CLI sits on top.
const layers = ['iceberg', 'io', 'catalog', 'rest', 'main', 'data', 'cli'];
const rank = (layer) => layers.indexOf(layer);
const allowedIcebergPackages = new Set(['avsc', 'uuid']);
const httpPackages = /^(hono|@hono\/|node:http|node:https|undici)/;
const storeMutation = /\bstore\s*\.\s*(commit|merge|transplant|assignReference|createReference|deleteReference)\s*\(/;
const storeHandle = /\bdeps\.store\b|\.store\./;
// Files allowed to call the store's mutators: the gate, and test set-up that seeds a store.
const mutatorFiles = new Set(['catalog/branch-write.ts', 'catalog/testing.ts']);

/** Every problem found under `srcDir` (a folder laid out like src/), as `path: message` lines. */
export function checkLayers(srcDir) {
  const problems = [];
  const layerOf = (file) => {
    const rel = relative(srcDir, file).split(sep);
    return rel.length > 1 ? rel[0] : 'main';
  };
  const walk = (dir) => {
    for (const name of readdirSync(dir)) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (p.endsWith('.ts')) check(p);
    }
  };
  const check = (file) => {
    const text = readFileSync(file, 'utf8');
    const rel = relative(srcDir, file).split(sep).join('/');
    const from = layerOf(file);
    const isTest = file.endsWith('.test.ts') || file.endsWith('test-harness.ts');
    const report = (message) => problems.push(`src/${rel}: ${message}`);
    for (const m of text.matchAll(/(?:import|export)[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g)) {
      const spec = m[1] ?? m[2];
      if (spec.startsWith('.')) {
        const target = resolve(dirname(file), spec);
        if (!target.startsWith(srcDir + sep)) continue;
        const to = layerOf(target);
        const targetRel = relative(srcDir, target).split(sep).join('/');
        if (from === 'rest') {
          const surface = targetRel === 'catalog/index.js' || (isTest && targetRel === 'catalog/testing.js');
          if (to === 'catalog' && !surface) report(`src/rest may import only the catalog's public surface (catalog/index.ts), not ${targetRel} (${spec})`);
          if (to === 'io') report(`src/rest must not import src/io; the catalog reaches storage (${spec})`);
        }
        if (from === 'data' && to !== 'data' && to !== 'iceberg' && to !== 'io') {
          report(`src/data talks to the server over HTTP like any client; it may import src/iceberg and src/io only, not ${targetRel} (${spec})`);
        }
        if (isTest || to === from) continue;
        if (rank(to) > rank(from)) report(`layer '${from}' imports upward from '${to}' (${spec})`);
      } else if (from === 'iceberg' && !isTest) {
        const pkg = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0];
        if (!allowedIcebergPackages.has(pkg)) report(`src/iceberg must stay pure but imports '${spec}'`);
      } else if (from === 'catalog' && httpPackages.test(spec)) {
        report(`src/catalog must not know HTTP but imports '${spec}'`);
      }
    }
    if (from === 'rest' && storeHandle.test(text)) {
      report('src/rest holds no store handle: call a catalog verb instead of the store');
    }
    if (!rel.startsWith('catalog/store/') && !mutatorFiles.has(rel) && !isTest && storeMutation.test(text)) {
      report("only src/catalog/branch-write.ts (the write gate) may call the store's mutators");
    }
    if (!isTest && from !== 'main' && from !== 'cli' && /process\.env/.test(text)) {
      report('only src/main.ts and the CLI read process.env');
    }
  };
  walk(srcDir);
  return problems;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
  const problems = checkLayers(join(root, 'src'));
  if (problems.length) {
    console.error(problems.join('\n'));
    process.exit(1);
  }
  console.log('layers ok');
}
