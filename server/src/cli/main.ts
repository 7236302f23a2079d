// The `looplens` command (dist/cli.js): parses argv, runs, and leaves the exit code to Node.
import { run } from './run';

// A reader that stops early (`looplens audit | head -1`) closes the pipe: that is not an error worth a stack
// trace. Stop writing and keep the exit code the run decided.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code !== 'EPIPE') throw e;
});

void (async () => {
  const tty = process.stderr.isTTY ? { tty: process.stderr } : {};
  process.exitCode = await run(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, ...tty });
})();
