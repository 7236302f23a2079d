// The suppression-comment injection grammar, tested with vscode-tmgrammar-test against the TypeScript and
// JavaScript grammars VS Code ships (the MIT-licensed copies in the tm-grammars package): each fixture under
// fixtures/ states the scopes its lines must (and must not) have. Also checks that package.json contributes the
// grammar the way config.json tests it.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const HERE = join(ROOT, 'test', 'grammar');
const GRAMMAR = './syntaxes/looplens-suppressions.injection.tmLanguage.json';
const require = createRequire(import.meta.url);

interface GrammarContribution {
  scopeName: string;
  path: string;
  injectTo?: string[];
}

/** Runs vscode-tmgrammar-test on the fixtures matching `pattern`. */
function tmGrammarTest(pattern: string) {
  const bin = join(dirname(require.resolve('vscode-tmgrammar-test/package.json')), 'dist', 'unit.js');
  return spawnSync(process.execPath, [bin, '--compact', '--config', join(HERE, 'config.json'), pattern], { cwd: ROOT, encoding: 'utf8' });
}

describe('suppression comment grammar', () => {
  for (const fixture of ['suppressions.ts', 'suppressions.jsx']) {
    it(`highlights directives, rule ids and reasons: ${fixture}`, () => {
      const r = tmGrammarTest(`test/grammar/fixtures/${fixture}`);
      assert.equal(r.status, 0, r.stdout + r.stderr);
      assert.match(r.stdout, new RegExp(`${fixture.replace('.', '\\.')} run successfuly`));
    });
  }

  it('package.json contributes it, injected into the languages the test injects it into', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    const tested = JSON.parse(readFileSync(join(HERE, 'config.json'), 'utf8')).contributes.grammars as GrammarContribution[];
    const testedInjection = tested.find((g) => g.injectTo)!;
    const contributed = (pkg.contributes.grammars as GrammarContribution[]).find((g) => g.path === GRAMMAR);
    assert.ok(contributed, `package.json contributes.grammars has no entry for ${GRAMMAR}`);
    assert.equal(contributed.scopeName, testedInjection.scopeName);
    assert.deepEqual(contributed.injectTo, ['source.ts', 'source.tsx', 'source.js', 'source.js.jsx']);
    assert.deepEqual(testedInjection.injectTo, contributed.injectTo);
    const grammar = JSON.parse(readFileSync(join(ROOT, GRAMMAR), 'utf8'));
    assert.equal(grammar.scopeName, contributed.scopeName);
  });
});
