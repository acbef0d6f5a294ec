import { defineConfig } from 'vitest/config';

// The repository's vitest config only collects src/ and test/; this one runs the benchmark's
// own unit tests: npx vitest run --config bench/compare/vitest.config.ts
export default defineConfig({
  test: {
    include: ['bench/compare/**/*.test.ts'],
  },
});
