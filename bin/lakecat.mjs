#!/usr/bin/env node
// Runs the TypeScript sources directly: there is no build step.
//
// `serve` and `migrate` load them through tsx's loader. The client commands (`load`, `log`,
// `merge`, ...) run from a bundle that esbuild (the transformer tsx itself uses) writes from src/
// into node_modules/.cache/lakecat/<key>/ the first time, and again whenever a source file
// changes (bundle.mjs; the key covers the name, size and time of every file under src/). A
// command then starts in a fraction of the time the loader takes to load module by module.
// Every `import.meta.url` in the bundle is the URL of its own source file, so files found next
// to a module (the Parquet encoder thread) are found as from the sources. When the bundle cannot
// be written (a read-only folder) or LAKECAT_CLI_BUNDLE=false, the loader is used.
import { fileURLToPath, pathToFileURL } from 'node:url';
import { clientBundle } from './bundle.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));

async function loadMain() {
  const command = process.argv[2];
  if (command !== 'serve' && command !== 'migrate' && process.env.LAKECAT_CLI_BUNDLE !== 'false') {
    try {
      const entry = await clientBundle(root);
      if (entry) return await import(pathToFileURL(entry).href);
    } catch (err) {
      if (process.env.LAKECAT_DEBUG) process.stderr.write(`lakecat: running through the loader (no bundle: ${err instanceof Error ? err.message : err})\n`);
    }
  }
  const { register } = await import('tsx/esm/api');
  register();
  return import('../src/cli/main.ts');
}

const { main } = await loadMain();
process.exitCode = await main(process.argv.slice(2));
