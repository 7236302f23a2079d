// schemas/looplensrc.schema.json: generated from package.json (so it is never out of date), and it agrees with
// the validation the CLI applies to a config file: what one accepts the other accepts, what one rejects the
// other rejects. The examples in docs/configuration.md are checked against both.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import Ajv from 'ajv';
import { schemaText, SCHEMA_PATH } from '../../scripts/config-schema';
import { validateSettings } from '../../server/src/validateSettings';

const ROOT = join(import.meta.dirname, '..', '..');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
const schema = JSON.parse(readFileSync(SCHEMA_PATH, 'utf8'));

// VS Code's annotation keywords, which Ajv's strict mode would otherwise refuse.
const ajv = new Ajv({ allErrors: true }).addVocabulary(['markdownDescription', 'enumDescriptions']);
const validate = ajv.compile(schema);

/** What the schema says about `config`: `[]` when valid, else Ajv's `instancePath message` lines. */
function schemaErrors(config: unknown): string[] {
  return validate(config) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
}

const FULL = {
  $schema: './node_modules/looplens/schemas/looplensrc.schema.json',
  concurrency: { io: 4, threadpool: 2, cpu: null },
  yieldEvery: 500,
  severity: { 'blocking-cpu': 'error', 'unbounded-fanout/foreach-async': 'off', 'mixed-bound': 'info' },
  include: ['src/**'],
  exclude: ['**/node_modules/**', '**/*.test.ts'],
  handlers: ['registerJob', 'bot.command', '*.subscribe'],
  cpuHeavy: ['renderPdf', 'sharp.resize', 'xlsx#read'],
  limiters: ['withLimit'],
  smallCollections: ['*.columns', 'config.*', 'ROLES'],
};

describe('schemas/looplensrc.schema.json', () => {
  it('is what scripts/config-schema.ts builds from package.json (run `npm run schema`)', () => {
    assert.equal(readFileSync(SCHEMA_PATH, 'utf8'), schemaText(pkg));
  });

  it('has a property for every config key the CLI reads, and no other', () => {
    const keys = Object.keys(validateSettings({}).settings);
    assert.deepEqual(Object.keys(schema.properties).sort(), ['$schema', ...keys].sort());
    assert.equal(schema.additionalProperties, false);
  });

  it('accepts a full valid config, as the CLI does', () => {
    assert.deepEqual(schemaErrors(FULL), []);
    assert.deepEqual(validateSettings(FULL).problems, []);
    assert.deepEqual(schemaErrors({}), []);
  });

  for (const [what, config] of [
    ['an unknown severity', { severity: { 'blocking-cpu': 'fatal' } }],
    ['an unknown rule id', { severity: { 'blocking-cpu/nope': 'off' } }],
    ['an unknown key', { concurrencyIo: 4 }],
    ['an unknown key under concurrency', { concurrency: { gpu: 2 } }],
    ['a concurrency below 1', { concurrency: { io: 0 } }],
    ['a fractional yieldEvery', { yieldEvery: 2.5 }],
    ['a string where a list belongs', { handlers: 'registerJob' }],
    ['an empty pattern', { limiters: [''] }],
    ['a number in a list', { smallCollections: [3] }],
  ] as const) {
    it(`rejects ${what}, as the CLI does`, () => {
      assert.notDeepEqual(schemaErrors(config), [], 'the schema rejects it');
      assert.notDeepEqual(validateSettings(config).problems, [], 'validateSettings rejects it');
    });
  }

  it('the JSON examples in docs/configuration.md are valid configs', () => {
    const doc = readFileSync(join(ROOT, 'docs/configuration.md'), 'utf8');
    const blocks = [...doc.matchAll(/^```json\n([\s\S]*?)^```$/gm)].map((m) => JSON.parse(m[1]!) as Record<string, unknown>);
    assert.ok(blocks.length >= 2, 'docs/configuration.md has JSON examples');
    for (const block of blocks) {
      const config = 'looplens' in block ? block.looplens : block; // a package.json example holds it under `looplens`
      assert.deepEqual(schemaErrors(config), [], JSON.stringify(block));
      assert.deepEqual(validateSettings(config).problems, [], JSON.stringify(block));
    }
  });
});
