/** A one-handler Express service whose handler calls readFileSync on line 5 (blocking-cpu/sync-call at 5:12). */
export const SYNC_HANDLER = [
  "import express from 'express';",
  "import { readFileSync } from 'node:fs';",
  'const app = express();',
  "app.get('/cfg', (req, res) => {",
  "  res.send(readFileSync('/etc/app.json', 'utf8'));",
  '});',
  'app.listen(3000);',
  '',
].join('\n');
