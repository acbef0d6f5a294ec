import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SETTINGS } from '../src/config.js';
import { ENDPOINTS } from '../src/rest/iceberg/index.js';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

describe('README stays true', () => {
  it('documents every server flag and environment variable', () => {
    for (const s of SETTINGS) {
      expect(readme, s.flag).toContain(`--${s.flag}`);
      expect(readme, s.env).toContain(s.env);
    }
  });

  it('documents every advertised Iceberg REST endpoint', () => {
    for (const e of ENDPOINTS) expect(readme, e).toContain(e.replace('/v1/{prefix}', ''));
  });

  it('names the two commands a new user runs', () => {
    expect(readme).toContain('npm start');
    expect(readme).toContain('npm test');
  });
});
