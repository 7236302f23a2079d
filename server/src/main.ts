/**
 * Entry point of dist/server.js. The transport comes from the command line the client starts it with:
 * `--stdio` or `--node-ipc` (also `--socket=<port>` / `--pipe=<name>`, as vscode-languageserver supports).
 */
import { createConnection, ProposedFeatures } from 'vscode-languageserver/node';
import { startServer } from './server';

const TRANSPORT = /^--(stdio|node-ipc|socket|pipe)(=|$)/;

if (process.argv.slice(2).some((arg) => TRANSPORT.test(arg))) {
  startServer(createConnection(ProposedFeatures.all));
} else {
  process.stderr.write('usage: node dist/server.js --stdio | --node-ipc\n');
  process.exitCode = 2;
}
