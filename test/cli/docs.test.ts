/** Keeps the CLI documentation (docs/cli.md, merged into the README) in step with the code. */
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { EXIT } from '../../src/cli/errors.js';
import { CLIENT_COMMANDS } from '../../src/cli/run.js';

const docs = ['../../docs/cli.md', '../../README.md']
  .map((p) => new URL(p, import.meta.url))
  .filter((u) => existsSync(u))
  .map((u) => readFileSync(u, 'utf8'))
  .join('\n');

describe('CLI documentation stays true', () => {
  it('documents every client command and its options', () => {
    for (const command of CLIENT_COMMANDS) {
      expect(docs, command.name).toMatch(new RegExp('`' + command.name + '[ `]'));
      for (const option of command.options) expect(docs, `${command.name} --${option.name}`).toContain(`--${option.name}`);
    }
  });

  it('documents every exit code', () => {
    for (const [name, code] of Object.entries(EXIT)) {
      expect(docs, name).toMatch(new RegExp(`^\\| ${code} \\|`, 'm'));
    }
  });
});
