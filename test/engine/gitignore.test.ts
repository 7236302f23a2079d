// Files a .gitignore ignores, and dot-folders such as .next, are not analysed; the rules of a .gitignore apply
// relative to its folder, including one above the analysed folder up to the repository top.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { after, describe, it } from 'node:test';
import { Workspace } from '../../server/src/engine/workspace';
import { gitignored } from '../../server/src/engine/gitignore';

const base = realpathSync(mkdtempSync(join(tmpdir(), 'looplens-gitignore-'))).replace(/\\/g, '/');

function write(files: Record<string, string>): void {
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(dirname(join(base, file)), { recursive: true });
    writeFileSync(join(base, file), text);
  }
}

write({
  '.git/HEAD': 'ref: refs/heads/main\n',
  '.gitignore': '# repository-wide\n*.gen.ts\n',
  'service/tsconfig.json': '{}',
  'service/.gitignore': 'generated/\n/local.ts\n',
  'service/src/app.ts': 'export const a = 1;\n',
  'service/src/model.gen.ts': 'export const g = 1;\n',
  'service/generated/client.ts': 'export const c = 1;\n',
  'service/local.ts': 'export const l = 1;\n',
  'service/src/local.ts': 'export const l2 = 1;\n',
  'service/packages/web/.gitignore': 'tmp/\n',
  'service/packages/web/tmp/x.ts': 'export const t = 1;\n',
  'service/packages/web/index.ts': 'export const w = 1;\n',
  'service/.next/server/page.js': 'module.exports = 1;\n',
  'service/dist/app.js': 'exports.a = 1;\n',
});

after(() => rmSync(base, { recursive: true, force: true }));

describe('.gitignore and generated folders', () => {
  it('the workspace analyses only the files git keeps, outside dot-folders and the default excludes', () => {
    const root = `${base}/service`;
    const files = new Workspace({ root }).analyze().files.map((f) => relative(root, f)).sort();
    assert.deepEqual(files, ['packages/web/index.ts', 'src/app.ts', 'src/local.ts']);
  });

  it('gitignored: a rule applies relative to its own folder; a root-anchored rule only at that folder', () => {
    const ignored = gitignored(`${base}/service`);
    assert.deepEqual(
      ['service/local.ts', 'service/src/local.ts', 'service/src/model.gen.ts', 'service/packages/web/tmp/x.ts', 'service/tmp/y.ts'].map((f) => ignored(`${base}/${f}`)),
      [true, false, true, true, false],
    );
  });

  it('a folder that is its own repository does not take rules from the folders above it', () => {
    write({ 'nested-repo/.git/HEAD': 'x\n', 'nested-repo/a.gen.ts': 'export {};\n' });
    assert.equal(gitignored(`${base}/nested-repo`)(`${base}/nested-repo/a.gen.ts`), false);
    assert.equal(gitignored(`${base}/service`)(`${base}/service/a.gen.ts`), true);
  });

  it('a folder a .gitignore above ignores is still analysed when it is the one opened', () => {
    write({ 'service/generated/more.ts': 'export {};\n' });
    assert.equal(gitignored(`${base}/service/generated`)(`${base}/service/generated/more.ts`), false);
  });
});
