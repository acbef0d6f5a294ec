// Prints one plain closing line per vitest JSON report: "<suite>: N passed, N failed, N skipped".
// Usage: node scripts/vitest-summary.mjs <suite-name> <report.json>
import { readFileSync } from 'node:fs';

const [suite, file] = process.argv.slice(2);
let report;
try {
  report = JSON.parse(readFileSync(file, 'utf8'));
} catch (err) {
  console.log(`${suite}: 0 passed, 1 failed, 0 skipped`);
  console.error(`no vitest report at ${file}: ${err.message}`);
  process.exit(1);
}
const skipped = (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
console.log(`${suite}: ${report.numPassedTests} passed, ${report.numFailedTests} failed, ${skipped} skipped`);
if (report.numTotalTests === 0) {
  console.error(`${suite}: no test ran`);
  process.exit(1);
}
