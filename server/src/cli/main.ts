// The `looplens` command (dist/cli.js): parses argv, runs, and leaves the exit code to Node.
import { run } from './run';

void (async () => {
  process.exitCode = await run(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr });
})();
