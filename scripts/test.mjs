// Runs every test file under test/ with Node's test runner (TypeScript through tsx), in one run so the
// closing `# pass` / `# fail` lines count everything. `node scripts/test.mjs <filter>` runs the files whose
// path contains <filter>.
import { spawnSync } from 'node:child_process';
import { glob } from 'tinyglobby';

const filter = process.argv[2];
const files = (await glob(['test/**/*.test.ts'], { ignore: ['**/fixtures/**', '**/node_modules/**'] }))
  .filter((f) => !filter || f.includes(filter))
  .sort();
if (files.length === 0) {
  console.error(`no test files match ${filter ?? 'test/**/*.test.ts'}`);
  process.exit(1);
}
const r = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=spec', ...files], {
  stdio: 'inherit',
});
process.exit(r.status ?? 1);
