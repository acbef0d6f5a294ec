/** The real binary's help and command dispatch, which need no server. */
import { describe, expect, it } from 'vitest';
import { cli } from './harness.js';

const NO_SERVER = 'http://127.0.0.1:9';

describe('lakecat help and dispatch', { timeout: 60_000 }, () => {
  it('prints help listing the server commands and every client command, exit 0', async () => {
    for (const args of [[], ['help'], ['--help'], ['-h']]) {
      const r = await cli(NO_SERVER, ...args);
      expect(r.code).toBe(0);
      for (const command of ['serve', 'migrate', 'branch', 'tag', 'log', 'diff', 'merge', 'transplant', 'show', 'ns', 'tables']) {
        expect(r.stdout).toMatch(new RegExp(`^  ${command} +\\S`, 'm'));
      }
      expect(r.stdout).toContain('--data-dir');
      expect(r.stdout).toContain('4 server unreachable');
    }
  });

  it('rejects an unknown command with exit 2 and the usage on stderr', async () => {
    const r = await cli(NO_SERVER, 'frobnicate');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("lakecat: unknown command 'frobnicate'");
    expect(r.stderr).toContain('Usage: lakecat <command>');
  });

  it('prints per-command usage with --help and checks arguments before contacting the server', async () => {
    const help = await cli(NO_SERVER, 'branch', '--help');
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('lakecat branch assign NAME REF [--expect HASH]');
    const missing = await cli(NO_SERVER, 'diff', 'main');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('missing argument');
    const badUrl = await cli(NO_SERVER, 'log', '--server', 'localhost:8181');
    expect(badUrl.code).toBe(2);
    expect(badUrl.stderr).toContain("invalid server URL 'localhost:8181'");
  });
});
