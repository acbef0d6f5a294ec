// Static checks of the Dockerfile (no Docker engine is needed): the rules we rely on.
import { existsSync, readFileSync } from 'node:fs';

const text = readFileSync(new URL('../Dockerfile', import.meta.url), 'utf8');
const lines = text.split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
const problems = [];
const froms = lines.filter((l) => /^FROM\s/i.test(l));
if (froms.length < 2) problems.push('expected a multi-stage build (two or more FROM lines)');
for (const f of froms) if (!/:[\w.-]+/.test(f.split(/\s+/)[1])) problems.push(`base image without a tag: ${f}`);
const users = lines.filter((l) => /^USER\s/i.test(l));
if (users.length === 0 || /^USER\s+(root|0)\b/i.test(users[users.length - 1])) problems.push('the final stage must run as a non-root USER');
if (!lines.some((l) => /^EXPOSE\s+8181\b/.test(l))) problems.push('EXPOSE 8181 missing');
if (!lines.some((l) => /^HEALTHCHECK\s/.test(l))) problems.push('HEALTHCHECK missing');
if (!lines.some((l) => /npm ci\b.*--omit=dev/.test(l))) problems.push('production dependencies must be installed with npm ci --omit=dev');
for (const l of lines) {
  const m = /^COPY\s+(?:--from=\S+\s+)?(.+)\s+\S+$/i.exec(l);
  if (!m || l.includes('--from=')) continue;
  for (const src of m[1].split(/\s+/)) {
    if (!existsSync(new URL(`../${src}`, import.meta.url))) problems.push(`COPY source does not exist: ${src}`);
  }
}
const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
if (!existsSync(new URL(`../${pkg.bin.lakecat}`, import.meta.url))) problems.push('package.json bin does not exist');
if (pkg.dependencies?.tsx === undefined) problems.push('tsx must be a runtime dependency: bin/lakecat.mjs loads TypeScript through it');
if (problems.length) {
  console.error(`Dockerfile check failed:\n- ${problems.join('\n- ')}`);
  process.exit(1);
}
console.log('Dockerfile ok');
