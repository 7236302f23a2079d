/**
 * The Mocha entry the extension host loads (`extensionTestsPath`): runs the API scenarios in editor.spec.js
 * beside it. When `LOOPLENS_VSCODE_RESULTS` is set, a one-line JSON summary is written there too, so a
 * launcher that cannot read the extension host's stdout (code-server) still learns the outcome.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Mocha from 'mocha';

export async function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'tdd', color: false, timeout: 90_000, reporter: 'spec' });
  mocha.addFile(join(__dirname, 'editor.spec.js'));
  const results: { passed: string[]; failed: { title: string; error: string }[] } = { passed: [], failed: [] };
  const failures = await new Promise<number>((resolve) => {
    const runner = mocha.run(resolve);
    runner.on('pass', (t) => results.passed.push(t.fullTitle()));
    runner.on('fail', (t, err: Error) => results.failed.push({ title: t.fullTitle(), error: err.stack ?? err.message }));
  });
  const out = process.env.LOOPLENS_VSCODE_RESULTS;
  if (out) writeFileSync(out, JSON.stringify(results, null, 2));
  if (failures > 0) throw new Error(`${failures} LoopLens API test(s) failed`);
}
