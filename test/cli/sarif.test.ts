// SARIF formatter on a hand-built result: the shape GitHub code scanning and the corpus scorer read.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildSarifLog, SRCROOT } from '../../server/src/report/sarif';
import { FINGERPRINT_KEY } from '../../server/src/report/fingerprint';
import { RULES, docsUrl } from '../../server/src/engine/rules/registry';
import { finding, loc, sampleResult } from './helpers';

const ROOT = '/work/app';

test('log header, tool driver and every rule', () => {
  const log = buildSarifLog(sampleResult(ROOT), ROOT, { toolVersion: '1.2.3' });
  assert.equal(log.version, '2.1.0');
  assert.match(log.$schema!, /sarif-2\.1\.0/);
  assert.equal(log.runs.length, 1);
  const driver = log.runs[0]!.tool.driver;
  assert.equal(driver.name, 'LoopLens');
  assert.equal(driver.version, '1.2.3');
  assert.ok(driver.informationUri?.startsWith('https://'));
  assert.deepEqual(driver.rules!.map((r) => r.id), RULES.map((r) => r.id));
  for (const [i, rule] of driver.rules!.entries()) {
    assert.equal(rule.helpUri, docsUrl(rule.id));
    assert.equal(rule.shortDescription?.text, RULES[i]!.description);
    assert.ok(['error', 'warning', 'note'].includes(rule.defaultConfiguration!.level!));
  }
  assert.deepEqual(log.runs[0]!.originalUriBaseIds, { [SRCROOT]: { uri: 'file:///work/app/' } });
});

test('results: rule index, level, message, relative location, 1-based region', () => {
  const run = buildSarifLog(sampleResult(ROOT), ROOT, { toolVersion: '0' }).runs[0]!;
  const results = run.results!;
  // sorted by file then line: lib/notify.ts first, then server.ts line 10 (registration) and 11
  assert.deepEqual(
    results.map((r) => [r.ruleId, r.locations![0]!.physicalLocation!.artifactLocation!.uri, r.locations![0]!.physicalLocation!.region!.startLine]),
    [
      ['unbounded-fanout/promise-all', 'src/lib/notify.ts', 4],
      ['mixed-bound/cpu-beside-io', 'src/server.ts', 10],
      ['blocking-cpu/sync-call', 'src/server.ts', 11],
    ],
  );
  for (const r of results) {
    assert.equal(run.tool.driver.rules![r.ruleIndex!]!.id, r.ruleId);
    assert.equal(r.locations![0]!.physicalLocation!.artifactLocation!.uriBaseId, SRCROOT);
    assert.ok(r.message.text);
  }
  assert.deepEqual(results[0]!.locations![0]!.physicalLocation!.region, { startLine: 4, startColumn: 9, endLine: 4, endColumn: 31 });
  assert.deepEqual(results.map((r) => r.level), ['warning', 'error', 'warning']);
});

test('info severity is a note', () => {
  const result = { handlers: [], skipped: [], files: [], findings: [finding({ location: loc(`${ROOT}/a.ts`, 0, 0), severity: 'info' })] };
  assert.equal(buildSarifLog(result, ROOT, { toolVersion: '0' }).runs[0]!.results![0]!.level, 'note');
});

test('related locations come from the chain (minus the finding itself) and related hops', () => {
  const results = buildSarifLog(sampleResult(ROOT), ROOT, { toolVersion: '0' }).runs[0]!.results!;
  const fanout = results[0]!;
  assert.deepEqual(
    fanout.relatedLocations!.map((l) => [l.id, l.message!.text, l.physicalLocation!.artifactLocation!.uri, l.physicalLocation!.region!.startLine]),
    [
      [1, 'POST /login', 'src/server.ts', 10],
      [2, 'calls notifyAll', 'src/server.ts', 12],
    ],
  );
  assert.equal(fanout.codeFlows![0]!.threadFlows[0]!.locations.length, 3);
  const mixed = results[1]!;
  assert.deepEqual(mixed.relatedLocations!.map((l) => l.message!.text), ['GET /items (io)']);
  assert.equal(mixed.codeFlows, undefined);
});

test('files outside the audited folder get absolute file URIs; odd characters are encoded', () => {
  const result = {
    handlers: [],
    skipped: [],
    files: [],
    findings: [finding({ location: loc('/elsewhere/x.ts', 0, 0) }), finding({ location: loc(`${ROOT}/my dir/a#1.ts`, 0, 0) })],
  };
  const uris = buildSarifLog(result, ROOT, { toolVersion: '0' }).runs[0]!.results!.map((r) => r.locations![0]!.physicalLocation!.artifactLocation);
  assert.deepEqual(uris, [{ uri: 'file:///elsewhere/x.ts' }, { uri: 'my%20dir/a%231.ts', uriBaseId: SRCROOT }]);
});

test('fingerprints are stable across runs and line shifts, distinct per finding', () => {
  // notify.ts reads the same wherever the finding's line is; server.ts lines differ by number
  const lineText = (file: string, line: number) => (file.endsWith('notify.ts') ? '  await Promise.all(watchers.map(notify));' : `server line ${line}`);
  const prints = (r: ReturnType<typeof sampleResult>) =>
    buildSarifLog(r, ROOT, { toolVersion: '0', lineText }).runs[0]!.results!.map((x) => x.partialFingerprints![FINGERPRINT_KEY]);
  const first = prints(sampleResult(ROOT));
  assert.deepEqual(prints(sampleResult(ROOT)), first);
  assert.equal(new Set(first).size, 3);
  assert.match(first[0]!, /^[0-9a-f]{32}$/);
  const moved = sampleResult(ROOT);
  moved.findings[0]!.location = loc(`${ROOT}/src/lib/notify.ts`, 5, 8, 30);
  assert.equal(prints(moved)[0], first[0], 'moving the line down keeps the fingerprint');
});

test('two findings of the same rule on identical lines get different fingerprints', () => {
  const findings = [finding({ location: loc(`${ROOT}/a.ts`, 1, 0) }), finding({ location: loc(`${ROOT}/a.ts`, 5, 0) })];
  const r = buildSarifLog({ handlers: [], skipped: [], files: [], findings }, ROOT, { toolVersion: '0', lineText: () => 'same();' }).runs[0]!.results!;
  assert.notEqual(r[0]!.partialFingerprints![FINGERPRINT_KEY], r[1]!.partialFingerprints![FINGERPRINT_KEY]);
});

test('skipped files are tool notifications; unknown rule ids get a descriptor', () => {
  const result = sampleResult(ROOT);
  result.findings.push(finding({ location: loc(`${ROOT}/z.ts`, 0, 0), ruleId: 'blocking-cpu/new-thing' }));
  const run = buildSarifLog(result, ROOT, { toolVersion: '0' }).runs[0]!;
  const notes = run.invocations![0]!.toolExecutionNotifications!;
  assert.equal(notes.length, 1);
  assert.equal(notes[0]!.locations![0]!.physicalLocation!.artifactLocation!.uri, 'src/generated.ts');
  const last = run.results!.at(-1)!;
  assert.equal(run.tool.driver.rules![last.ruleIndex!]!.id, 'blocking-cpu/new-thing');
  assert.equal(run.tool.driver.rules!.length, RULES.length + 1);
});
