// The client commands' bundle (see lakecat.mjs): src/cli/main.ts and everything it imports, as
// one ES module with chunks, written by esbuild under node_modules/.cache/lakecat/<key>/.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

/** Changes when the bundle's options below change. */
const FORMAT = 1;

/** The bundle's file for the sources as they are now, written first if needed; undefined when it cannot be. */
export async function clientBundle(root) {
  const cache = join(root, 'node_modules', '.cache', 'lakecat');
  const key = sourceKey(root);
  const dir = join(cache, key);
  const entry = join(dir, 'cli.mjs');
  if (existsSync(entry)) return entry;
  const { build } = await import('esbuild');
  const staging = `${dir}.${process.pid}.tmp`;
  rmSync(staging, { recursive: true, force: true });
  await build({
    entryPoints: [join(root, 'src', 'cli', 'main.ts')],
    outdir: staging,
    entryNames: 'cli',
    outExtension: { '.js': '.mjs' },
    // Modules imported on demand (the server, the S3 store) stay in chunks of their own, loaded when used.
    splitting: true,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    logLevel: 'silent',
    plugins: [
      {
        name: 'lakecat-source-urls',
        setup(b) {
          b.onLoad({ filter: /\.ts$/ }, (args) => ({
            contents: readFileSync(args.path, 'utf8').replaceAll('import.meta.url', JSON.stringify(pathToFileURL(args.path).href)),
            loader: 'ts',
          }));
        },
      },
    ],
  });
  try {
    renameSync(staging, dir);
  } catch {
    // Another command wrote the same bundle first.
    rmSync(staging, { recursive: true, force: true });
  }
  // Bundles of earlier sources go after a day (a command still running from one may load a chunk of it).
  for (const name of readdirSync(cache)) {
    const path = join(cache, name);
    if (name !== key && Date.now() - statSync(path).mtimeMs > 86_400_000) rmSync(path, { recursive: true, force: true });
  }
  return existsSync(entry) ? entry : undefined;
}

/** A hash of the name, size and modification time of every file under src/, with the options and tools that shape the bundle. */
export function sourceKey(root) {
  const hash = createHash('sha256');
  hash.update(`${FORMAT}\0${process.version}\0`);
  for (const file of ['package.json', 'tsconfig.json', 'node_modules/esbuild/package.json']) stamp(hash, join(root, file), file);
  const walk = (dir, rel) => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path, `${rel}/${entry.name}`);
      else stamp(hash, path, `${rel}/${entry.name}`);
    }
  };
  walk(join(root, 'src'), 'src');
  return hash.digest('hex').slice(0, 16);
}

function stamp(hash, path, name) {
  const s = statSync(path, { throwIfNoEntry: false });
  hash.update(`${name}\0${s ? `${s.size}\0${s.mtimeMs}` : '-'}\n`);
}

