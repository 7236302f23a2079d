// The manifest's contributions agree with the code: settings with shared/settings.ts and the engine
// defaults, severity keys with the rule registry, commands with what the client registers, the config file's
// schema with the CLI's search places.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { CONFIG_FILES } from '../../server/src/cli/config';
import { toServerSettings } from '../../server/src/validateSettings';
import { RULES } from '../../server/src/engine/rules/all';
import { DEFAULT_SETTINGS } from '../../server/src/engine/settings';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
const properties: Record<string, Record<string, unknown>> = pkg.contributes.configuration.properties;
const SEVERITIES = ['error', 'warning', 'info', 'off'];

/** Setting names (`looplens.a.b`) of every leaf of a settings object, objects with free keys kept whole. */
function settingNames(value: object, prefix = 'looplens'): string[] {
  return Object.entries(value).flatMap(([key, v]) =>
    v && typeof v === 'object' && !Array.isArray(v) && key !== 'severity' ? settingNames(v, `${prefix}.${key}`) : [`${prefix}.${key}`],
  );
}

describe('package.json contributes', () => {
  it('contributes exactly the settings the server reads, plus trace.server', () => {
    const expected = [...settingNames(toServerSettings({})), 'looplens.trace.server'].sort();
    assert.deepEqual(Object.keys(properties).sort(), expected);
  });

  it('the README settings table has a row for every contributed setting', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    assert.deepEqual(Object.keys(properties).filter((key) => !readme.includes(`| \`${key}\` |`)), []);
  });

  it('setting defaults are the engine defaults', () => {
    assert.equal(properties['looplens.concurrency.io']!.default, DEFAULT_SETTINGS.concurrencyIo);
    assert.equal(properties['looplens.yieldEvery']!.default, DEFAULT_SETTINGS.yieldEvery);
    assert.deepEqual(properties['looplens.include']!.default, DEFAULT_SETTINGS.include);
    assert.deepEqual(properties['looplens.exclude']!.default, DEFAULT_SETTINGS.exclude);
    assert.equal(properties['looplens.concurrency.io']!.minimum, 1);
    assert.equal(properties['looplens.yieldEvery']!.minimum, 1);
  });

  it('the four pattern lists are resource-scoped arrays of non-empty strings, defaulting to the engine defaults', () => {
    const engineKey = { handlers: 'handlerCalls', cpuHeavy: 'cpuHeavy', limiters: 'limiters', smallCollections: 'smallCollections' } as const;
    for (const [key, engine] of Object.entries(engineKey)) {
      const setting = properties[`looplens.${key}`]!;
      assert.equal(setting.type, 'array', key);
      assert.deepEqual(setting.items, { type: 'string', minLength: 1 }, key);
      assert.equal(setting.scope, 'resource', key);
      assert.deepEqual(setting.default, DEFAULT_SETTINGS[engine], key);
      assert.match(String(setting.markdownDescription), /Example: `\[.+\]`/, `${key} shows an example`);
    }
  });

  it('contributes the config file schema for .looplensrc.json, .looplensrc and looplens.config.json', () => {
    const [validation, ...others] = pkg.contributes.jsonValidation as { fileMatch: string[]; url: string }[];
    assert.deepEqual(others, []);
    assert.deepEqual(validation!.fileMatch, CONFIG_FILES.filter((f) => f !== 'package.json'));
    assert.ok(existsSync(join(ROOT, validation!.url)), `${validation!.url} exists`);
    assert.deepEqual(pkg.contributes.languages, [{ id: 'json', filenames: ['.looplensrc'] }], '.looplensrc is opened as JSON');
    assert.match(readFileSync(join(ROOT, '.vscodeignore'), 'utf8'), /^!schemas\/\*\*$/m, 'the schema ships in the .vsix');
  });

  it('looplens.severity knows every rule id and family, each with the four severities', () => {
    const severity = properties['looplens.severity']!;
    const keys = Object.keys(severity.properties as object).sort();
    const expected = [...new Set([...RULES.map((r) => r.id), ...RULES.map((r) => r.family)])].sort();
    assert.deepEqual(keys, expected);
    for (const [key, schema] of Object.entries(severity.properties as Record<string, { enum: string[] }>)) {
      assert.deepEqual(schema.enum, SEVERITIES, `${key} enum`);
    }
    assert.equal(severity.additionalProperties, false);
  });

  it('looplens.trace.server offers off/messages/verbose', () => {
    assert.deepEqual(properties['looplens.trace.server']!.enum, ['off', 'messages', 'verbose']);
  });

  it('contributes the commands the client registers, in the LoopLens category', () => {
    const source = readFileSync(join(ROOT, 'client/src/extension.ts'), 'utf8');
    const registered = [...source.matchAll(/registerCommand\('([^']+)'/g)].map((m) => m[1]).sort();
    const contributed = (pkg.contributes.commands as { command: string; category: string }[]);
    assert.deepEqual(contributed.map((c) => c.command).sort(), registered);
    for (const c of contributed) assert.equal(c.category, 'LoopLens');
    assert.ok(registered.includes('looplens.auditWorkspace'));
  });

  it('activates on TypeScript and JavaScript, with and without JSX', () => {
    for (const language of ['typescript', 'javascript', 'typescriptreact', 'javascriptreact']) {
      assert.ok(pkg.activationEvents.includes(`onLanguage:${language}`), `onLanguage:${language}`);
    }
  });

  it('declares untrusted workspaces supported (nothing from the workspace is executed)', () => {
    assert.equal(pkg.capabilities.untrustedWorkspaces.supported, true);
  });
});
