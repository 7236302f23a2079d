// `looplens init`: the starter .looplensrc.json, refusing to overwrite, and that the CLI accepts what it wrote.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import Ajv from 'ajv';
import { schemaReference, starterConfig } from '../../server/src/cli/init';
import { fakeEngine, REPO, runCli, tempProject } from './helpers';

const SCHEMA = join(REPO, 'schemas', 'looplensrc.schema.json');
const schema = JSON.parse(readFileSync(SCHEMA, 'utf8'));

test('init writes the starter config: $schema, concurrency defaults, include/exclude, severity per family', async () => {
  const dir = realpathSync(tempProject({ 'package.json': '{}' }));
  const r = await runCli(['init'], { cwd: dir });
  assert.deepEqual(r, { code: 0, stdout: 'Wrote .looplensrc.json.\n', stderr: '' });
  const config = JSON.parse(readFileSync(join(dir, '.looplensrc.json'), 'utf8'));
  assert.deepEqual(config, {
    $schema: schema.$id,
    concurrency: { io: 8, threadpool: 4, cpu: null },
    include: [],
    exclude: ['**/node_modules/**', '**/dist/**', '**/build/**', '**/out/**', '**/coverage/**', '**/*.d.ts'],
    severity: { 'blocking-cpu': 'warning', looplens: 'info', 'mixed-bound': 'warning', 'unbounded-fanout': 'warning' },
  });
  const validate = new Ajv({ strict: false }).compile(schema);
  assert.ok(validate(config), JSON.stringify(validate.errors));
});

test('the CLI audits with the config init wrote', async () => {
  const dir = realpathSync(tempProject({ 'package.json': '{}', 'src/a.ts': 'export const a = BAD(1);\n' }));
  assert.equal((await runCli(['init'], { cwd: dir })).code, 0);
  const r = await runCli(['audit'], { cwd: dir, engine: fakeEngine().engine });
  assert.equal(r.code, 1, r.stderr);
  assert.equal(r.stderr, '');
});

test('$schema: the shipped schema by relative path when it is inside the folder, else its public id', () => {
  assert.equal(schemaReference('/p', '/p/node_modules/looplens/schemas/looplensrc.schema.json'), './node_modules/looplens/schemas/looplensrc.schema.json');
  assert.equal(schemaReference('/p', '/usr/lib/node_modules/looplens/schemas/looplensrc.schema.json'), schema.$id);
  assert.equal(schemaReference('/p', undefined), schema.$id);
  // The raw file, not GitHub's HTML page for it: an editor fetches the URL to validate the config.
  assert.equal(schema.$id, 'https://raw.githubusercontent.com/looplens/looplens/main/schemas/looplensrc.schema.json');
  assert.equal(JSON.parse(starterConfig('/p', '/p/node_modules/looplens/schemas/looplensrc.schema.json')).$schema, './node_modules/looplens/schemas/looplensrc.schema.json');
});

test('init refuses to overwrite without --force (exit 2, file unchanged); --force overwrites', async () => {
  const dir = realpathSync(tempProject({ 'svc/.looplensrc.json': '{ "yieldEvery": 5 }\n' }));
  const refused = await runCli(['init', 'svc'], { cwd: dir });
  assert.deepEqual(refused, { code: 2, stdout: '', stderr: 'looplens: svc/.looplensrc.json already exists (use --force to overwrite it)\n' });
  assert.equal(readFileSync(join(dir, 'svc/.looplensrc.json'), 'utf8'), '{ "yieldEvery": 5 }\n');
  const forced = await runCli(['init', 'svc', '--force'], { cwd: dir });
  assert.deepEqual(forced, { code: 0, stdout: 'Wrote svc/.looplensrc.json.\n', stderr: '' });
  assert.equal(JSON.parse(readFileSync(join(dir, 'svc/.looplensrc.json'), 'utf8')).concurrency.io, 8);
});

test('init notes a config it now shadows; a folder that cannot be made is exit 2', async () => {
  const dir = realpathSync(tempProject({ 'package.json': '{ "looplens": { "yieldEvery": 5 } }', 'file.txt': '' }));
  const r = await runCli(['init'], { cwd: dir });
  assert.equal(r.code, 0);
  assert.equal(r.stderr, 'looplens: note: .looplensrc.json takes precedence over package.json in that folder\n');
  const bad = await runCli(['init', 'file.txt/sub'], { cwd: dir });
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /^looplens: cannot write file\.txt\/sub\/\.looplensrc\.json: ENOTDIR/);
});

test('init takes only --force and one folder', async () => {
  for (const [argv, reason] of [
    [['init', '--format', 'json'], 'looplens: option --format does not apply to "init" (see looplens --help)\n'],
    [['init', 'a', 'b'], 'looplens: init takes one folder (got 2)\n'],
    [['audit', '--force'], 'looplens: option --force does not apply to "audit" (see looplens --help)\n'],
  ] as const) {
    assert.deepEqual(await runCli([...argv]), { code: 2, stdout: '', stderr: reason });
  }
});
