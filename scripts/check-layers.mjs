// Enforces the layering rule: imports point downwards only, and src/iceberg is pure.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve, dirname } from 'node:path';

const root = resolve(dirname(new URL(import.meta.url).pathname), '..');
// `main` is the files directly in src/ (composition root and configuration); the CLI sits on top.
const layers = ['iceberg', 'io', 'catalog', 'rest', 'main', 'cli'];
const rank = (layer) => layers.indexOf(layer);
const allowedIcebergPackages = new Set(['avsc', 'uuid']);
const problems = [];

function walk(dir) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p);
    else if (p.endsWith('.ts') && !p.endsWith('.test.ts')) check(p);
  }
}

function layerOf(file) {
  const rel = relative(join(root, 'src'), file).split('/');
  return rel.length > 1 ? rel[0] : 'main';
}

function check(file) {
  const text = readFileSync(file, 'utf8');
  const from = layerOf(file);
  for (const m of text.matchAll(/(?:import|export)[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g)) {
    const spec = m[1] ?? m[2];
    if (spec.startsWith('.')) {
      const target = resolve(dirname(file), spec);
      if (!target.startsWith(join(root, 'src'))) continue;
      const to = layerOf(target);
      if (to === from) continue;
      if (rank(to) > rank(from)) {
        problems.push(`${relative(root, file)}: layer '${from}' imports upward from '${to}' (${spec})`);
      }
    } else if (from === 'iceberg') {
      const pkg = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0];
      if (!allowedIcebergPackages.has(pkg)) {
        problems.push(`${relative(root, file)}: src/iceberg must stay pure but imports '${spec}'`);
      }
    }
  }
  if (from !== 'main' && from !== 'cli' && /process\.env/.test(text)) {
    problems.push(`${relative(root, file)}: only src/main.ts and the CLI read process.env`);
  }
}

walk(join(root, 'src'));
if (problems.length) {
  console.error(problems.join('\n'));
  process.exit(1);
}
console.log('layers ok');
