/**
 * What the real-editor scenarios expect, computed by the engine itself (the same library the language server
 * runs), so an editor test states "the editor shows what the engine says" rather than a second copy of the
 * rules. Used by the code-server suite (test/e2e) and the @vscode/test-electron suite (test/vscode).
 */
import { join } from 'node:path';
import { applyEdits, fixesFor, resolveSettings, Workspace } from '../../server/src/engine';

/** Lines (1-based) of the fixture that the scenarios look at; `fixture.test.ts` keeps them honest. */
export const FIXTURE_LINES = {
  /** `src/routes.ts`: `const things = await Promise.all(items.map(async (item) => fetchThing(item)));` */
  fanout: 8,
  /** `src/routes.ts`: the outer `for (const person of people) {` of the nested data loop. */
  dataLoop: 16,
  /** `src/notify.ts`: `await Promise.all(users.map(async (user) => sendMail(user)));` */
  notifyFanout: 8,
} as const;

export const RULES = {
  fanout: 'unbounded-fanout/promise-all',
  dataLoop: 'blocking-cpu/data-loop',
} as const;

/**
 * The limiter quick fix's id. Its title carries the limit and why (and a note when p-limit is not in
 * package.json), so the scenarios look for the exact title the engine computes, not a prefix.
 */
export const LIMIT_FIX_ID = 'looplens.wrap-p-limit';

/** Text typed at the end of `src/routes.ts` in the live-edit scenario; its fan-out is on the line after the marker. */
export const NEW_FANOUT = [
  '',
  "app.get('/orders/:id/again', async (req, res) => {",
  '  const items = await db.itemsOfOrder(req.params.id);',
  '  res.json(await Promise.all(items.map(async (item) => fetchThing(item))));',
  '});',
  '',
].join('\n');
/** Offset, within {@link NEW_FANOUT}, of the line holding the new fan-out. */
export const NEW_FANOUT_LINE_OFFSET = 3;

/**
 * The text of `relFile` after the limiter quick fix on its fan-out at `line`, as the engine computes it, and
 * the fix's title. Throws when the engine has no such finding or fix (the scenario cannot pass then).
 */
export function expectedLimitFix(root: string, relFile: string, line: number): { title: string; text: string } {
  const file = join(root, relFile).replace(/\\/g, '/');
  const ws = new Workspace({ root, settings: resolveSettings(undefined) });
  const result = ws.analyze();
  const finding = result.findings.find(
    (f) => f.ruleId === RULES.fanout && f.location.file === file && f.location.range.start.line === line - 1,
  );
  if (!finding) {
    const seen = result.findings.map((f) => `${f.ruleId}@${f.location.file}:${f.location.range.start.line + 1}`);
    throw new Error(`the engine reports no ${RULES.fanout} at ${relFile}:${line} (it reports: ${seen.join(', ') || 'nothing'})`);
  }
  const text = ws.readText(file);
  const fix = fixesFor(finding, text, ws.settings).find((f) => f.fixId === LIMIT_FIX_ID);
  if (!fix) throw new Error(`the engine offers no ${LIMIT_FIX_ID} fix for ${relFile}:${line}`);
  return { title: fix.title, text: applyEdits(text, fix.edits.filter((e) => e.file === file)) };
}
