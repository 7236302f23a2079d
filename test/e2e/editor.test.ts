/**
 * LoopLens in a real VS Code workbench (code-server 4.100.3 in headless Debian Chromium), used the way a person
 * uses it: open a file, read Problems and the squiggles, Ctrl+. for the quick fix, type, run the command from
 * the palette, change a setting. Each scenario gets a fresh editor; screenshots and logs go to
 * test-output/e2e/<scenario>/. `node scripts/test.mjs test/e2e/` runs just these.
 *
 * Needs root (or Chromium already installed); without them every scenario is skipped with the reason.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it, type TestContext } from 'node:test';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import type { Frame } from 'playwright-core';
import { join } from 'node:path';
import { buildSuite } from '../vscode/runTests';
import { ensurePrereqs } from './setup';
import { FIXTURE_LINES, NEW_FANOUT, NEW_FANOUT_LINE_OFFSET, RULES, expectedLimitFix } from './expected';
import { OUTPUT, REPO, acquireRunLock, cleanupInstall, installExtension, releaseRunLock, waitFor, withSession, type EditorSession, type El, type Installed, type ProblemRow, type SessionOptions } from './harness';

/** How long LoopLens may take to show a diagnostic (recipe: 1–8 s; the first analysis loads the project). */
const DIAG_MS = 30_000;
/** How long to wait for another real-editor run on this machine before skipping. */
const LOCK_WAIT_MS = 10 * 60_000;

let installed: Installed | undefined;
let skipReason: string | undefined;
let failures = 0;

before(async () => {
  const t0 = Date.now();
  if (!(await acquireRunLock(LOCK_WAIT_MS))) {
    skipReason = `real-editor suite skipped: another real-editor run on this machine held its lock for ${LOCK_WAIT_MS / 60_000} min`;
    return;
  }
  const setup = ensurePrereqs();
  if (!setup.ok) {
    skipReason = `real-editor suite skipped: ${setup.reason}`;
    return;
  }
  installed = installExtension(setup.prereqs);
  console.log(`# e2e: code-server ready, .vsix packaged and installed in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
});

after(() => {
  if (failures === 0) cleanupInstall(installed);
  releaseRunLock();
});

/** One scenario: a fresh editor session; skipped with the reason when the machine cannot run it. */
function scenario(
  name: string,
  body: (s: EditorSession) => Promise<void>,
  session: () => Promise<SessionOptions> = async () => ({}),
  /** Why this scenario does not run here (an opt-in scenario), or undefined. */
  unless?: string,
): void {
  it(name, async (t: TestContext) => {
    if (unless || skipReason || !installed) {
      t.skip(unless ?? skipReason ?? 'real-editor suite not set up');
      return;
    }
    const slug = name.replace(/[^a-z0-9]+/gi, '-').replace(/^-|-$/g, '').toLowerCase();
    try {
      await withSession(slug, installed, body, await session());
    } catch (err) {
      failures++;
      throw err;
    }
  });
}

const isMarker = (r: ProblemRow) => r.kind === 'error' || r.kind === 'warning' || r.kind === 'info';

async function waitForMarker(s: EditorSession, what: string, pred: (r: ProblemRow) => boolean, timeoutMs = DIAG_MS): Promise<ProblemRow> {
  return waitFor(
    what,
    async () => {
      s.assertServerAlive();
      return (await s.problemRows()).find((r) => isMarker(r) && pred(r));
    },
    { timeoutMs },
  );
}

const hasCode = (code: string) => (r: ProblemRow) => r.text.includes(code);

/** The audit view's document (a webview: the page's nested frames), once its text satisfies `ok`. */
async function auditView(s: EditorSession, ok: (text: string) => boolean, timeoutMs: number): Promise<Frame> {
  return waitFor(
    'the audit view',
    async () => {
      s.assertServerAlive();
      for (const f of s.page.frames()) {
        if (f === s.page.mainFrame()) continue;
        const text = await f.locator('body').innerText({ timeout: 1_000 }).catch(() => '');
        if (/LoopLens audit/.test(text) && ok(text.replace(/\s+/g, ' '))) return f;
      }
      return undefined;
    },
    { timeoutMs, intervalMs: 500 },
  );
}

/** Saves the whole workbench, audit view in front, as test-output/e2e/<name>. */
async function auditShot(s: EditorSession, name: string): Promise<void> {
  mkdirSync(OUTPUT, { recursive: true });
  await s.page.screenshot({ path: join(OUTPUT, name) });
  console.log(`# e2e: ${join(OUTPUT, name)}`);
}

describe('real editor (code-server + Chromium)', () => {
  scenario('extension activates and its language server runs', async (s) => {
    await s.stepShot('workbench', async () => {});
    await s.stepShot('open-routes', () => s.openFile('src/routes.ts'));
    await s.stepShot('server-running', async () => {
      // The status item shows `$(pulse) LoopLens` while the server runs and `$(error) LoopLens` when it stopped.
      await waitFor(
        'the LoopLens status item with the server running',
        async () => {
          s.assertServerAlive();
          const item = s.page.locator('.statusbar-item', { hasText: 'LoopLens' }).first();
          if (!(await item.isVisible().catch(() => false))) return false;
          if (await item.locator('.codicon-error').count()) throw new Error('the status item says the server stopped');
          return (await item.locator('.codicon-pulse').count()) > 0;
        },
        { timeoutMs: DIAG_MS },
      );
      s.assertServerAlive();
    });
  });

  scenario('opening a file shows LoopLens diagnostics in Problems and squiggles on their lines', async (s) => {
    await s.stepShot('open-routes', () => s.openFile('src/routes.ts'));
    await s.openProblems();
    const fanout = await s.stepShot('problems-panel', async () => {
      const f = await waitForMarker(s, `${RULES.fanout} in Problems`, hasCode(RULES.fanout));
      await waitForMarker(s, `${RULES.dataLoop} in Problems`, hasCode(RULES.dataLoop));
      return f;
    });
    const rows = (await s.problemRows()).filter(isMarker);
    const loop = rows.find(hasCode(RULES.dataLoop))!;
    assert.equal(fanout.line, FIXTURE_LINES.fanout, `fan-out row: ${fanout.text}`);
    assert.equal(loop.line, FIXTURE_LINES.dataLoop, `data-loop row: ${loop.text}`);
    for (const r of [fanout, loop]) {
      assert.equal(r.kind, 'warning', `default severity is warning: ${r.label}`);
      assert.match(r.text, /looplens/i, `source is LoopLens: ${r.text}`);
    }
    // Every row in this file is ours (TypeScript validation is off), and each has a family/kind rule id.
    for (const r of rows) assert.match(r.text, /\b(blocking-cpu|unbounded-fanout|mixed-bound)\/[a-z-]+/, `rule id in ${r.text}`);
    await s.stepShot('squiggles', async () => {
      const lines = await waitFor('warning squiggles on both lines', async () => {
        const sq = (await s.squiggles()).filter((q) => q.kind === 'warning').map((q) => q.line);
        return sq.includes(FIXTURE_LINES.fanout) && sq.includes(FIXTURE_LINES.dataLoop) ? sq : undefined;
      });
      const expected = new Set(rows.filter((r) => r.kind === 'warning').map((r) => r.line));
      for (const l of lines) assert.ok(expected.has(l), `a warning squiggle on line ${l} has no Problems row (rows: ${[...expected]})`);
    });
  });

  scenario('Ctrl+. offers the limiter fix; applying it rewrites the fan-out and clears its diagnostic', async (s) => {
    await s.stepShot('open-routes', () => s.openFile('src/routes.ts'));
    await s.openProblems();
    const before = s.readWorkspaceFile('src/routes.ts');
    const expected = expectedLimitFix(s.workspace, 'src/routes.ts', FIXTURE_LINES.fanout);
    const fanout = await waitForMarker(s, `${RULES.fanout} in Problems`, hasCode(RULES.fanout));
    const action = await s.stepShot('quick-fix-menu', async () => {
      for (let attempt = 1; ; attempt++) {
        await s.page.locator('.editor-instance .monaco-editor .view-lines').first().click();
        await s.goTo(fanout.line!, fanout.column!);
        await s.page.keyboard.press('Control+.');
        try {
          return await waitFor(`a "${expected.title}" row in the quick-fix menu`, async () => {
            const rows = s.page.locator('.action-widget .monaco-list-row.action');
            for (const label of await rows.evaluateAll((els) => els.map((e) => e.getAttribute('aria-label') ?? (e as unknown as El).innerText))) {
              if (label === expected.title) return label;
            }
            return undefined;
          }, { timeoutMs: 8_000 });
        } catch (err) {
          // Recipe: right after moving the cursor, Ctrl+. sometimes answers "No code actions available"; retry once.
          if (attempt >= 2) throw err;
          await s.page.keyboard.press('Escape');
        }
      }
    });
    assert.equal(action, expected.title);
    await s.stepShot('fix-applied', async () => {
      // Keyboard, as a person would: a pointer-block layer over the menu swallows clicks while it settles.
      await waitFor(`the "${expected.title}" row focused`, async () => {
        const focused = await s.page.locator('.action-widget .monaco-list-row.action.focused').first().getAttribute('aria-label');
        if (focused === expected.title) return true;
        await s.page.keyboard.press('ArrowDown');
        return false;
      });
      await s.page.keyboard.press('Enter');
      await waitFor('the editor to be dirty', () => s.page.locator('.tabs-container .tab.active.dirty').count());
      await s.page.keyboard.press('Control+S');
      await waitFor('routes.ts saved with the fix', () => s.readWorkspaceFile('src/routes.ts') !== before);
    });
    assert.equal(s.readWorkspaceFile('src/routes.ts'), expected.text, 'the saved text is the engine’s fix');
    // The fix adds lines above, so the data loop moves: its row must follow, which proves Problems was refreshed.
    const loopLine = expected.text.split('\n').findIndex((l) => /for \(const person of people\)/.test(l)) + 1;
    await s.stepShot('diagnostic-gone', () =>
      waitFor(`no ${RULES.fanout} left, ${RULES.dataLoop} moved to line ${loopLine}`, async () => {
        const rows = (await s.problemRows()).filter(isMarker);
        return rows.some((r) => hasCode(RULES.dataLoop)(r) && r.line === loopLine) && !rows.some(hasCode(RULES.fanout));
      }, { timeoutMs: DIAG_MS }),
    );
  });

  scenario('typing a new fan-out brings a new diagnostic without saving', async (s) => {
    await s.stepShot('open-routes', () => s.openFile('src/routes.ts'));
    await s.openProblems();
    const onDisk = s.readWorkspaceFile('src/routes.ts');
    await waitForMarker(s, `${RULES.fanout} in Problems`, hasCode(RULES.fanout));
    const newLine = onDisk.split('\n').length + NEW_FANOUT_LINE_OFFSET;
    await s.stepShot('typed', async () => {
      await s.page.locator('.editor-instance .monaco-editor .view-lines').first().click();
      await s.page.keyboard.press('Control+End');
      // insertText: one input event, so auto-closing brackets and auto-indent do not alter the text.
      await s.page.keyboard.insertText(NEW_FANOUT);
      await waitFor('the editor to be dirty', () => s.page.locator('.tabs-container .tab.active.dirty').count());
    });
    await s.stepShot('new-diagnostic', () =>
      waitForMarker(s, `a new ${RULES.fanout} on line ${newLine}`, (r) => hasCode(RULES.fanout)(r) && r.line === newLine),
    );
    assert.equal(s.readWorkspaceFile('src/routes.ts'), onDisk, 'the file was not saved');
    const sq = await waitFor(`a squiggle on line ${newLine}`, async () => (await s.squiggles()).some((q) => q.line === newLine));
    assert.ok(sq);
  });

  scenario('LoopLens: Audit Workspace reports never-opened files with progress and a report', async (s) => {
    await s.openProblems();
    await s.recordTexts();
    await s.stepShot('command', () => s.runCommand('LoopLens: Audit Workspace'));
    await s.stepShot('problems-filled', async () => {
      // notify.ts was never opened: its diagnostic can only come from the audit.
      await waitFor(
        'notify.ts in Problems',
        async () => {
          s.assertServerAlive();
          return (await s.problemRows()).some((r) => r.kind === 'file' && r.label.includes('notify.ts'));
        },
        { timeoutMs: 60_000 },
      );
      const rows = await s.problemRows();
      const notifyAt = rows.findIndex((r) => r.kind === 'file' && r.label.includes('notify.ts'));
      const notify = rows.slice(notifyAt + 1).find((r) => isMarker(r));
      assert.ok(notify && hasCode(RULES.fanout)(notify) && notify.line === FIXTURE_LINES.notifyFanout, `notify.ts row: ${notify?.text}`);
    });
    await s.stepShot('report', async () => {
      await waitFor('the audit report tab', async () => {
        const tabs = await s.page.locator('.tabs-container .tab').evaluateAll((els) => els.map((e) => e.getAttribute('aria-label') ?? ''));
        return tabs.some((t) => /LoopLens audit/i.test(t));
      });
      // The report is a Markdown preview, a webview (nested iframes): its text lists the handlers it found,
      // including the one in the never-opened notify.ts.
      await waitFor('the report preview to list the POST /notify handler', async () => {
        for (const f of s.page.frames()) {
          if (f === s.page.mainFrame()) continue;
          const text = await f.locator('body').innerText({ timeout: 1_000 }).catch(() => '');
          if (/LoopLens audit/.test(text) && /Handlers/.test(text) && text.includes('POST /notify')) return true;
        }
        return false;
      });
    });
    const seen = (await s.seenTexts()).join('\n');
    assert.match(seen, /auditing/i, `progress was shown (saw: ${seen.slice(0, 500)})`);
  });

  scenario(
    'the audit view of examples/demo-service: domains, handlers by bound class, filters, click-through',
    async (s) => {
      await s.runCommand('LoopLens: Audit Workspace');
      const view = await s.stepShot('audit-view', () =>
        auditView(s, (t) => t.includes('Process: src/server.ts') && t.includes('GET /reports/reconciliation') && !t.includes('Auditing…'), 120_000),
      );
      // The demo's stale suppression is a finding no handler reaches: it gets its own section, not a process.
      assert.equal(await view.locator('section.domain:not([aria-labelledby="domain-none"])').count(), 1, 'one Express process');
      assert.equal(await view.locator('table.handlers tbody tr').count(), 15);
      assert.deepEqual(await view.locator('svg rect').evaluateAll((rs) => rs.map((r) => r.getAttribute('class'))), ['b-mixed', 'b-io', 'b-none']);
      assert.match(await view.locator('.danger').innerText(), /4 CPU-bound handlers hold this event loop: while one runs, the 10 I\/O- and thread-pool-bound handlers beside them wait\./);
      // Keys go to the workbench again, not to the webview.
      await s.page.locator('.tabs-container .tab.active').click();
      await s.runCommand('View: Close Primary Side Bar');
      await s.runCommand('Notifications: Clear All Notifications');
      await auditShot(s, 'audit-view-demo.png');

      await s.stepShot('filter-blocking-cpu', async () => {
        await view.locator('select[data-filter="family"]').selectOption('blocking-cpu');
        const shown = await view.locator('table.handlers tbody tr:not([hidden]) td:first-child').allInnerTexts();
        assert.deepEqual(shown.map((t) => t.replace(/\s+express$/, '')).sort(), [
          'GET /reports/reconciliation',
          'POST /accounts/invitations',
          'POST /imports/products',
          'PUT /accounts/:id/password',
        ]);
      });
      await s.stepShot('click-through', async () => {
        await view.locator('table.handlers tbody tr:not([hidden]) a[data-open]', { hasText: 'src/routes/reports.ts:' }).first().click();
        await waitFor('reports.ts open in an editor', async () => {
          const tabs = await s.page.locator('.tabs-container .tab.active').evaluateAll((els) => els.map((e) => e.getAttribute('aria-label') ?? ''));
          return tabs.some((t) => t.includes('reports.ts'));
        });
        const position = await s.page.locator('.statusbar-item[id="status.editor.selection"]').innerText();
        assert.match(position, /\bLn 8, Col \d+/, 'the registration of GET /reports/reconciliation is selected');
      });
      await s.stepShot('export-json', async () => {
        await view.locator('button[data-format="json"]').click();
        const input = s.page.locator('.quick-input-widget input');
        await input.waitFor({ state: 'visible' });
        await waitFor('the save dialog to propose looplens-audit.json', async () => (await input.inputValue()).endsWith('looplens-audit.json'));
        await s.page.keyboard.press('Enter');
        const exported = await waitFor('looplens-audit.json written', () => {
          try {
            return JSON.parse(s.readWorkspaceFile('looplens-audit.json')) as { handlers: unknown[]; findings: unknown[] };
          } catch {
            return undefined;
          }
        });
        const rows = await view.locator('table.findings tbody tr').count();
        assert.deepEqual([exported.handlers.length, exported.findings.length], [15, rows], 'the export holds what the view lists');
      });
    },
    async () => ({ folder: { path: join(REPO, 'examples', 'demo-service'), copy: true } }),
  );

  const budibase = join(REPO, '.bench-cache', 'budibase-server-3.38.1', 'package', 'src');
  scenario(
    'the audit view of @budibase/server’s sources (opt-in: LOOPLENS_E2E_BUDIBASE=1 and .bench-cache)',
    async (s) => {
      await s.runCommand('LoopLens: Audit Workspace');
      const view = await s.stepShot('audit-view', () => auditView(s, (t) => /Process: \S+\.ts \d+ handlers/.test(t) && !t.includes('Auditing…'), 15 * 60_000));
      assert.ok((await view.locator('table.handlers tbody tr').count()) > 200, 'hundreds of handlers');
      // Keys go to the workbench again, not to the webview.
      await s.page.locator('.tabs-container .tab.active').click();
      await s.runCommand('View: Close Primary Side Bar');
      await s.runCommand('Notifications: Clear All Notifications');
      await auditShot(s, 'audit-view-budibase.png');
    },
    async () => ({ folder: { path: budibase, copy: false } }),
    process.env.LOOPLENS_E2E_BUDIBASE !== '1'
      ? 'opt-in: set LOOPLENS_E2E_BUDIBASE=1'
      : existsSync(budibase)
        ? undefined
        : `needs ${budibase} (npm run bench:real fills .bench-cache)`,
  );

  scenario('changing a rule severity in settings.json changes diagnostics live', async (s) => {
    await s.stepShot('open-routes', () => s.openFile('src/routes.ts'));
    await s.openProblems();
    await waitForMarker(s, `${RULES.fanout} as a warning`, (r) => hasCode(RULES.fanout)(r) && r.kind === 'warning');
    await s.stepShot('severity-error', async () => {
      s.writeWorkspaceFile('.vscode/settings.json', JSON.stringify({ 'looplens.severity': { [RULES.fanout]: 'error' } }, null, 2));
      await waitForMarker(s, `${RULES.fanout} as an error`, (r) => hasCode(RULES.fanout)(r) && r.kind === 'error');
      await waitFor(`an error squiggle on line ${FIXTURE_LINES.fanout}`, async () =>
        (await s.squiggles()).some((q) => q.kind === 'error' && q.line === FIXTURE_LINES.fanout),
      );
    });
    await s.stepShot('severity-off', async () => {
      s.writeWorkspaceFile('.vscode/settings.json', JSON.stringify({ 'looplens.severity': { [RULES.fanout]: 'off' } }, null, 2));
      await waitFor(`${RULES.fanout} gone while ${RULES.dataLoop} stays`, async () => {
        const rows = (await s.problemRows()).filter(isMarker);
        return rows.some(hasCode(RULES.dataLoop)) && !rows.some(hasCode(RULES.fanout));
      }, { timeoutMs: DIAG_MS });
    });
  });

  // The Mocha suite of test/vscode (the VS Code API scenarios) in code-server's extension host: it runs here
  // even though @vscode/test-electron cannot download VS Code, with the repo as the extension under development.
  const apiResults = join(REPO, 'test-output', 'vscode', 'code-server-results.json');
  let suiteIndex = '';
  scenario(
    'the VS Code API suite (test/vscode) passes in code-server’s extension host',
    async (s) => {
      await s.stepShot('suite-finished', () =>
        waitFor('the Mocha suite to write its results', () => existsSync(apiResults), { timeoutMs: 240_000, intervalMs: 500 }),
      );
      const r = JSON.parse(readFileSync(apiResults, 'utf8')) as { passed: string[]; failed: { title: string; error: string }[] };
      console.log(`# e2e API suite in code-server: ${r.passed.length} passed, ${r.failed.length} failed`);
      for (const f of r.failed) console.log(`#   ✖ ${f.title}\n#     ${f.error.split('\n').slice(0, 4).join('\n#     ')}`);
      assert.deepEqual(r.failed.map((f) => f.title), [], 'every API test passes');
      assert.ok(r.passed.length >= 5, `ran the whole suite (${r.passed.length} passed)`);
    },
    async () => {
      suiteIndex = await buildSuite();
      rmSync(apiResults, { force: true });
      return {
        env: { LOOPLENS_VSCODE_RESULTS: apiResults },
        query: (s) => ({
          payload: JSON.stringify([
            ['extensionDevelopmentPath', `${s.remote}${REPO}`],
            ['extensionTestsPath', `${s.remote}${suiteIndex}`],
          ]),
        }),
      };
    },
  );
});
