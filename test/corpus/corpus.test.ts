// Scores the audit CLI against the labelled corpus in ../shared/corpus with ../shared/tools/score-corpus.mjs.
// Per family (blocking-cpu, unbounded-fanout, mixed-bound) recall and precision must both reach 0.9 (issue 4).
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { builtCli, REPO } from '../cli/helpers';
import { linkCachedDeps } from './corpusDeps';

const SHARED = resolve(REPO, '..', 'shared');
const CORPUS = join(SHARED, 'corpus');
const SCORER = join(SHARED, 'tools', 'score-corpus.mjs');
const MIN_RECALL = 0.9;
const MIN_PRECISION = 0.9;
const FAMILIES = ['blocking-cpu', 'unbounded-fanout', 'mixed-bound'] as const;

/** What `score-corpus.mjs --json` prints. */
interface Score {
  cases: number;
  errors: number;
  tally: Record<(typeof FAMILIES)[number], { tp: number; fp: number; fn: number }>;
  total: { tp: number; fp: number; fn: number };
  precision: number;
  recall: number;
  misses: string[];
}

const absent = !existsSync(join(CORPUS, 'cases')) || !existsSync(SCORER) ? `no labelled corpus at ${CORPUS}` : false;
const ratio = (a: number, b: number) => (b === 0 ? 1 : a / b);
let score: Score;
let scoreStderr = '';

before(
  () => {
    if (absent) return;
    const work = mkdtempSync(join(tmpdir(), 'looplens-corpus-'));
    process.on('exit', () => rmSync(work, { recursive: true, force: true }));
    cpSync(CORPUS, work, { recursive: true });
    chmodSync(work, 0o755);
    spawnSync('chmod', ['-R', 'u+w', work]); // the shared copy is read-only
    linkCachedDeps(work);
    const cli = `"${process.execPath}" "${builtCli()}" audit --format sarif`;
    const r = spawnSync(process.execPath, [SCORER, '--json', '--cli', cli, work], { encoding: 'utf8', maxBuffer: 64 << 20 });
    scoreStderr = r.stderr;
    score = JSON.parse(r.stdout);
  },
  { timeout: 20 * 60_000 },
);

test('corpus: the CLI prints SARIF for every case', { skip: absent }, (t) => {
  t.diagnostic(`cases=${score.cases} precision=${score.precision.toFixed(3)} recall=${score.recall.toFixed(3)}`);
  for (const f of FAMILIES) {
    const { tp, fp, fn } = score.tally[f];
    t.diagnostic(`${f}: tp=${tp} fp=${fp} fn=${fn} precision=${ratio(tp, tp + fp).toFixed(3)} recall=${ratio(tp, tp + fn).toFixed(3)}`);
  }
  for (const m of score.misses) t.diagnostic(m);
  assert.equal(score.errors, 0, `cases without SARIF:\n${score.misses.filter((m) => m.includes('no SARIF')).join('\n')}\n${scoreStderr}`);
});

test(`corpus: per family recall >= ${MIN_RECALL} and precision >= ${MIN_PRECISION}`, { skip: absent }, () => {
  const below = FAMILIES.flatMap((f) => {
    const { tp, fp, fn } = score.tally[f];
    const precision = ratio(tp, tp + fp);
    const recall = ratio(tp, tp + fn);
    return precision < MIN_PRECISION || recall < MIN_RECALL ? [`${f}: precision ${precision.toFixed(3)}, recall ${recall.toFixed(3)}`] : [];
  });
  assert.deepEqual(below, [], `below threshold:\n${below.join('\n')}\nmisses:\n${score.misses.join('\n')}`);
});
