/**
 * Entry point of dist/server.js. The transport comes from the command line the client starts it with:
 * `--stdio` or `--node-ipc` (also `--socket=<port>` / `--pipe=<name>`, as vscode-languageserver supports).
 */
import { createConnection, ProposedFeatures } from 'vscode-languageserver/node';
import { foreground } from './engine/steps';
import { startServer } from './server';

const TRANSPORT = /^--(stdio|node-ipc|socket|pipe)(=|$)/;

/**
 * Holds the folder's load (background slices, see `foreground` in ./engine/steps.ts) from the moment a message's
 * bytes arrive until two turns later, when the protocol library has dispatched it (one `setImmediate`) and an
 * edit's handler has taken its own hold: otherwise a load slice runs before the dispatch. Only the stdio and
 * IPC transports (VS Code's) are watched; a socket or pipe connection is answered without the priority.
 */
function holdOnInput(args: readonly string[]): void {
  const hold = (): void => {
    const leave = foreground.enter();
    setImmediate(() => setImmediate(leave));
  };
  if (args.includes('--stdio')) process.stdin.on('data', hold);
  else if (args.includes('--node-ipc')) process.on('message', hold);
}

const args = process.argv.slice(2);
if (args.some((arg) => TRANSPORT.test(arg))) {
  startServer(createConnection(ProposedFeatures.all));
  holdOnInput(args);
} else {
  process.stderr.write('usage: node dist/server.js --stdio | --node-ipc\n');
  process.exitCode = 2;
}
