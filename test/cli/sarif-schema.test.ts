// SARIF logs validated against the SARIF 2.1.0 JSON schema, and fingerprints that survive line moves (real bin).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import Ajv from 'ajv-draft-04';
import addFormats from 'ajv-formats';
import type * as Sarif from 'sarif';
import { buildSarifLog } from '../../server/src/report/sarif';
import { FINGERPRINT_KEY } from '../../server/src/report/fingerprint';
import { copyFixture, REPO, sampleResult, spawnCli } from './helpers';

// The OASIS SARIF 2.1.0 schema (rtm.5, JSON Schema draft-04) as shipped by Microsoft's @microsoft/jest-sarif.
const SCHEMA = JSON.parse(readFileSync(require.resolve('@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json'), 'utf8'));
// The rtm.5 schema's `language` pattern has a stray `]`, legal only without the regex `u` flag.
const ajv = new Ajv({ allErrors: true, strict: false, unicodeRegExp: false });
addFormats(ajv);
const validate = ajv.compile(SCHEMA);

function assertValid(log: unknown): void {
  assert.ok(validate(log), JSON.stringify(validate.errors?.slice(0, 5), null, 2));
}

test('the validator rejects what the schema forbids (so a pass means something)', () => {
  assert.equal(validate({ version: '2.1.0', runs: [{ tool: { driver: {} } }] }), false, 'driver without a name');
  assert.equal(validate({ version: '2.0.0', runs: [] }), false, 'wrong version');
  const log = buildSarifLog(sampleResult('/work/app'), '/work/app', { toolVersion: '0' });
  (log.runs[0]!.results![0]!.locations![0]!.physicalLocation!.region as { startLine: number }).startLine = 0;
  assert.equal(validate(log), false, 'startLine 0');
});

test('a hand-built log with chains, related locations, notifications and an unknown rule is valid SARIF 2.1.0', () => {
  const result = sampleResult('/work/app');
  assertValid(buildSarifLog(result, '/work/app', { toolVersion: '1.2.3', lineText: () => 'x' }));
});

test('the demo service audited by the bin: valid SARIF, URIs relative to the repository root', () => {
  const out = join(mkdtempSync(join(REPO, 'test-output', 'sarif-')), 'demo.sarif');
  const r = spawnCli(['audit', 'examples/demo-service', '--format', 'sarif', '--output', out]);
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stdout, /^\d+ problems .* Report written to /);
  const log = JSON.parse(readFileSync(out, 'utf8')) as Sarif.Log;
  assertValid(log);
  const run = log.runs[0]!;
  assert.deepEqual(run.originalUriBaseIds, { '%SRCROOT%': { uri: pathToFileURL(REPO).href + '/' } });
  assert.ok(run.results!.length > 0);
  for (const res of run.results!) {
    const loc = res.locations![0]!.physicalLocation!.artifactLocation!;
    assert.equal(loc.uriBaseId, '%SRCROOT%');
    assert.match(loc.uri!, /^examples\/demo-service\/src\/.+\.ts$/);
    assert.match(res.partialFingerprints![FINGERPRINT_KEY]!, /^[0-9a-f]{32}$/);
  }
});

test('moving code down 3 lines keeps every partialFingerprint; lines follow the code', () => {
  const dir = copyFixture('http-fanout');
  const sarif = () => {
    const r = spawnCli(['audit', dir, '--format', 'sarif']);
    assert.equal(r.code, 1, r.stderr);
    return (JSON.parse(r.stdout) as Sarif.Log).runs[0]!.results!.map((x) => ({
      print: x.partialFingerprints![FINGERPRINT_KEY],
      line: x.locations![0]!.physicalLocation!.region!.startLine!,
    }));
  };
  const before = sarif();
  assert.equal(before.length, 1);
  const file = join(dir, 'server.ts');
  writeFileSync(file, `// moved\n// down\n// three lines\n${readFileSync(file, 'utf8')}`);
  const after = sarif();
  assert.deepEqual(after, before.map((b) => ({ ...b, line: b.line + 3 })));
});
