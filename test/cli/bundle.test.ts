/**
 * The client commands' bundle (bin/bundle.mjs) on a small project of its own: written on first
 * use, used as long as the sources are unchanged, written again after a change, and every
 * `import.meta.url` in it is its source file's.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: plain JavaScript next to the executable, without type declarations
import { clientBundle, sourceKey } from '../../bin/bundle.mjs';

const bundleOf = clientBundle as (root: string) => Promise<string | undefined>;
const keyOf = sourceKey as (root: string) => string;

describe('the client commands bundle', { timeout: 60_000 }, () => {
  it('is written once per state of the sources, with the sources own import.meta.url', async () => {
    const root = mkdtempSync(join(tmpdir(), 'lakecat-bundle-'));
    mkdirSync(join(root, 'src', 'cli'), { recursive: true });
    mkdirSync(join(root, 'node_modules'));
    writeFileSync(join(root, 'package.json'), '{"type":"module"}');
    writeFileSync(join(root, 'src', 'helper.ts'), 'export const where: string = import.meta.url;\n');
    const main = join(root, 'src', 'cli', 'main.ts');
    writeFileSync(main, "import { where } from '../helper.js';\nexport async function main(): Promise<string[]> { return [where, import.meta.url]; }\n");

    const first = await bundleOf(root);
    expect(first).toMatch(/node_modules\/\.cache\/lakecat\/[0-9a-f]{16}\/cli\.mjs$/);
    const { main: run } = await import(pathToFileURL(first!).href);
    expect(await run()).toEqual([pathToFileURL(join(root, 'src', 'helper.ts')).href, pathToFileURL(main).href]);

    expect(await bundleOf(root)).toBe(first);
    const key = keyOf(root);
    utimesSync(main, new Date(), new Date(Date.now() + 5_000));
    expect(keyOf(root)).not.toBe(key);
    const second = await bundleOf(root);
    expect(second).not.toBe(first);
    expect(second).toContain(keyOf(root));
  });

  it('gives up (the caller then uses the loader) when the sources do not build', async () => {
    const root = mkdtempSync(join(tmpdir(), 'lakecat-bundle-'));
    mkdirSync(join(root, 'src', 'cli'), { recursive: true });
    writeFileSync(join(root, 'src', 'cli', 'main.ts'), 'export const broken = ;\n');
    await expect(bundleOf(root)).rejects.toThrow();
  });

  it('is skipped with LAKECAT_CLI_BUNDLE=false: the command runs through the loader', () => {
    const r = spawnSync(process.execPath, ['bin/lakecat.mjs', 'branch', '--help'], { env: { ...process.env, LAKECAT_CLI_BUNDLE: 'false' }, encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('lakecat branch');
  });
});
