/**
 * The audit view's pure parts: the model (domains, sorting, folders, limits), the HTML (one section per
 * domain, table rows, filters, CSP, escaping of workspace text), the webview message check, and the status
 * bar's family summary.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AuditFinding, AuditHandler, AuditWorkspaceResult } from '../../shared/protocol';
import { escapeHtml, renderAuditHtml } from '../../client/src/auditView/html';
import { parseViewMessage } from '../../client/src/auditView/messages';
import { buildModel } from '../../client/src/auditView/model';
import { familySummary } from '../../client/src/statusText';

const ROOT = '/ws/shop';
const range = (line: number) => ({ start: { line, character: 2 }, end: { line, character: 20 } });

function handler(id: string, label: string, file: string, line: number, bound: AuditHandler['bound'], domain = `${ROOT}/src/server.ts`): AuditHandler {
  return { id, kind: 'express', label, file: `${ROOT}/${file}`, range: range(line), domain, bound, evidence: bound === 'cpu' ? [{ bound: 'cpu', reason: 'pbkdf2Sync (node:crypto)', file: `${ROOT}/${file}`, line: line + 1 }] : [] };
}

function finding(ruleId: string, severity: AuditFinding['severity'], file: string, line: number, handlerId?: string, limit?: number): AuditFinding {
  return {
    ruleId,
    family: ruleId.split('/')[0]!,
    severity,
    message: `message of ${ruleId}`,
    file: `${ROOT}/${file}`,
    range: range(line),
    ...(handlerId ? { handlerId } : {}),
    ...(limit !== undefined ? { limit, limitReason: 'looplens.concurrency.io setting' } : {}),
  };
}

const RESULT: AuditWorkspaceResult = {
  markdown: '',
  files: 12,
  handlers: 5,
  findings: 4,
  skipped: 1,
  roots: [
    {
      root: ROOT,
      files: 12,
      skipped: 1,
      handlers: [
        handler('h-health', 'GET /health', 'src/routes/health.ts', 3, 'none'),
        handler('h-orders', 'GET /orders', 'src/routes/orders.ts', 10, 'io'),
        handler('h-login', 'POST /login', 'src/routes/auth/login.ts', 7, 'cpu'),
        handler('h-sync', 'POST /sync', 'src/routes/sync.ts', 2, 'mixed'),
        handler('h-digest', 'Worker "digest"', 'src/jobs/digest.ts', 4, 'cpu', `worker:${ROOT}/src/jobs/digest.ts`),
      ],
      findings: [
        finding('blocking-cpu/sync-call', 'warning', 'src/routes/auth/login.ts', 9, 'h-login'),
        finding('mixed-bound/cpu-beside-io', 'error', 'src/routes/auth/login.ts', 7, 'h-login'),
        finding('unbounded-fanout/promise-all', 'warning', 'src/routes/orders.ts', 12, 'h-orders', 8),
        finding('unbounded-fanout/loop-push', 'info', 'scripts/seed.ts', 5, undefined, 8),
      ],
    },
  ],
};

/** The domain sections of a rendered view, in order. */
function sections(html: string): string[] {
  return html.split('<section class="domain"').slice(1);
}

describe('audit view model', () => {
  it('groups handlers by domain, CPU-bound domains and handlers first, and collects folders and limits', () => {
    const model = buildModel(RESULT);
    assert.deepEqual(
      model.domains.map((d) => [d.name, d.handlers.map((h) => h.handler.label), d.counts.cpu, d.counts.io, d.counts.none]),
      [
        ['src/server.ts', ['POST /login', 'POST /sync', 'GET /orders', 'GET /health'], 1, 1, 1],
        ['worker src/jobs/digest.ts', ['Worker "digest"'], 1, 0, 0],
      ],
    );
    assert.deepEqual(model.domains[0]!.handlers[0]!.findings.map((f) => f.ruleId), ['blocking-cpu/sync-call', 'mixed-bound/cpu-beside-io']);
    assert.deepEqual(model.domains[0]!.findings.map((f) => f.finding.severity), ['error', 'warning', 'warning']);
    assert.deepEqual(model.unattached.map((f) => f.relFile), ['scripts/seed.ts']);
    assert.deepEqual(model.folders, ['scripts', 'src/jobs', 'src/routes']);
    assert.deepEqual(model.limits, [{ limit: 8, reason: 'looplens.concurrency.io setting', count: 2 }]);
  });

  it('takes a result without roots (an older server) as empty', () => {
    const model = buildModel({ markdown: '', files: 0, handlers: 0, findings: 0, skipped: 0 } as unknown as AuditWorkspaceResult);
    assert.deepEqual(model.domains, []);
  });
});

describe('renderAuditHtml', () => {
  const html = renderAuditHtml(RESULT, { nonce: 'abc123', cspSource: 'https://webview.test', updatedAt: '14:02:11' });

  it('has one section per event-loop domain plus one for findings no handler reaches', () => {
    const s = sections(html);
    assert.equal(s.length, 3);
    assert.match(s[0]!, /<h2 id="domain-0">Process: <code>src\/server\.ts<\/code> <span class="muted">4 handlers, 3 findings<\/span><\/h2>/);
    assert.match(s[1]!, /<h2 id="domain-1">Worker: <code>worker src\/jobs\/digest\.ts<\/code>/);
    assert.match(s[2]!, /Not reached from a handler/);
  });

  it('lists each handler as a table row with label, file:line link, bound and findings count', () => {
    const first = sections(html)[0]!;
    const rows = first.split('<table class="handlers">')[1]!.split('</table>')[0]!.match(/<tr data-row[\s\S]*?<\/tr>/g)!;
    assert.equal(rows.length, 4);
    assert.match(rows[0]!, /data-families="blocking-cpu mixed-bound" data-severities="warning error" data-folder="src\/routes\/auth"/);
    assert.match(rows[0]!, /<td>POST \/login <span class="muted">express<\/span><\/td>/);
    assert.match(rows[0]!, /<a href="#" data-open data-file="\/ws\/shop\/src\/routes\/auth\/login\.ts" data-line="7" data-character="2" data-end-line="7" data-end-character="20"[^>]*>src\/routes\/auth\/login\.ts:8<\/a>/);
    assert.match(rows[0]!, /title="CPU-bound: pbkdf2Sync \(node:crypto\)"><span class="chip b-cpu">CPU-bound<\/span>/);
    assert.match(rows[0]!, /<span class="sev sev-error" title="blocking-cpu\/sync-call, mixed-bound\/cpu-beside-io">2<\/span>/);
    assert.match(rows[1]!, /<span class="chip b-mixed">CPU-bound with waits<\/span>/);
    assert.match(rows[3]!, /<span class="chip b-none">none<\/span>[\s\S]*<span class="muted">0<\/span>/);
  });

  it('draws the domain by bound class and names the CPU-bound handlers as the danger to the rest', () => {
    const first = sections(html)[0]!;
    assert.match(first, /<svg role="img" aria-label="Handlers by bound class: 1 CPU-bound, 1 CPU-bound with waits, 1 I\/O-bound, 1 no measurable work"/);
    assert.deepEqual(first.match(/<rect class="b-(\w+)"/g), ['<rect class="b-cpu"', '<rect class="b-mixed"', '<rect class="b-io"', '<rect class="b-none"']);
    assert.match(first, /2 CPU-bound handlers hold this event loop: while one runs, the 1 I\/O- and thread-pool-bound handler beside them wait\./);
    assert.doesNotMatch(sections(html)[1]!, /while one runs/, 'a worker with no I/O handlers has nobody to starve');
  });

  it('shows the fixes’ suggested concurrency limits per finding and in total', () => {
    assert.match(html, /<span title="looplens\.concurrency\.io setting">pLimit\(8\)<\/span>/);
    assert.match(html, /<li><code>pLimit\(8\)<\/code> for 2 fan-outs <span class="muted">\(looplens\.concurrency\.io setting\)<\/span><\/li>/);
  });

  it('offers filters by family, severity and folder, and the three exports', () => {
    assert.match(html, /<select data-filter="family"><option value="">All<\/option><option value="blocking-cpu">blocking-cpu<\/option><option value="unbounded-fanout">unbounded-fanout<\/option><option value="mixed-bound">mixed-bound<\/option><option value="looplens">looplens<\/option><\/select>/);
    assert.match(html, /<select data-filter="severity"><option value="">All<\/option><option value="error">error<\/option><option value="warning">warning<\/option><option value="info">info<\/option><\/select>/);
    assert.match(html, /<select data-filter="folder"><option value="">All<\/option><option value="scripts">scripts<\/option><option value="src\/jobs">src\/jobs<\/option><option value="src\/routes">src\/routes<\/option><\/select>/);
    for (const f of ['markdown', 'json', 'sarif']) assert.match(html, new RegExp(`<button data-command="export" data-format="${f}"`));
  });

  it('allows only its own nonce-tagged style and script, and loads nothing remote', () => {
    assert.match(html, /<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src https:\/\/webview\.test data:; style-src 'nonce-abc123'; script-src 'nonce-abc123';">/);
    assert.equal(html.match(/<script/g)!.length, 1);
    assert.match(html, /<script nonce="abc123">/);
    assert.match(html, /<style nonce="abc123">/);
    assert.doesNotMatch(html, /\bsrc=|<link|https?:\/\/(?!webview\.test)/);
    assert.doesNotMatch(html, / style="/, 'inline style attributes would be blocked by the CSP');
    const colours = html.match(/(?:color|background|fill|border[\w-]*):[^;]*;/g)!;
    for (const c of colours) assert.doesNotMatch(c, /#[0-9a-f]{3,6}\b|rgb\(/i, `theme colours only: ${c}`);
  });

  it('escapes workspace text: a <script> in a label, a quote in a path, markup in a message', () => {
    const evil: AuditWorkspaceResult = structuredClone(RESULT);
    const root = evil.roots[0]!;
    root.handlers[0]!.label = 'GET /<script>alert(1)</script>';
    root.handlers[0]!.file = `${ROOT}/src/"><img src=x onerror=alert(1)>.ts`;
    root.findings[0]!.message = 'uses <b>bold</b> & "quotes"';
    const out = renderAuditHtml(evil, { nonce: 'n0', cspSource: 'vscode-webview:' });
    assert.equal(out.match(/<script/g)!.length, 1, 'only the view’s own script');
    assert.match(out, /GET \/&lt;script&gt;alert\(1\)&lt;\/script&gt;/);
    assert.match(out, /data-file="\/ws\/shop\/src\/&quot;&gt;&lt;img src=x onerror=alert\(1\)&gt;\.ts"/);
    assert.doesNotMatch(out, /<img/);
    assert.match(out, /uses &lt;b&gt;bold&lt;\/b&gt; &amp; &quot;quotes&quot;/);
    assert.equal(escapeHtml(`<a href='x'>&</a>`), '&lt;a href=&#39;x&#39;&gt;&amp;&lt;/a&gt;');
  });

  it('says what to do before the first audit, and while one runs', () => {
    const empty = renderAuditHtml(undefined, { nonce: 'n', cspSource: 'c' });
    assert.match(empty, /No audit has run yet\./);
    assert.match(empty, /<button data-command="export" data-format="json" title="Save the report as JSON" disabled>/);
    assert.match(
      renderAuditHtml(RESULT, { nonce: 'n', cspSource: 'c', busy: true, updatedAt: '14:02:11' }),
      /<span id="status" aria-live="polite" data-idle="Updated 14:02:11">Auditing… \(showing the previous audit\)<\/span>/,
    );
    assert.match(html, /<span id="status" aria-live="polite" data-idle="Updated 14:02:11">Updated 14:02:11<\/span>/);
  });
});

describe('parseViewMessage', () => {
  it('accepts the three messages the view sends and nothing else', () => {
    const r = { start: { line: 1, character: 2 }, end: { line: 1, character: 5 } };
    assert.deepEqual(parseViewMessage({ type: 'open', file: '/a.ts', range: r }), { type: 'open', file: '/a.ts', range: r });
    assert.deepEqual(parseViewMessage({ type: 'export', format: 'sarif' }), { type: 'export', format: 'sarif' });
    assert.deepEqual(parseViewMessage({ type: 'refresh' }), { type: 'refresh' });
    assert.equal(parseViewMessage({ type: 'export', format: 'html' }), undefined);
    assert.equal(parseViewMessage({ type: 'open', file: '/a.ts', range: { start: { line: 'x', character: 0 }, end: r.end } }), undefined);
    assert.equal(parseViewMessage({ type: 'open', file: 3, range: r }), undefined);
    assert.equal(parseViewMessage(null), undefined);
    assert.equal(parseViewMessage('refresh'), undefined);
  });
});

describe('familySummary', () => {
  it('counts by family in a fixed order and lumps unknown codes', () => {
    assert.equal(familySummary(new Map([['unbounded-fanout', 2], ['blocking-cpu', 3], ['mixed-bound', 1]])), '3 CPU · 2 fan-out · 1 mixed');
    assert.equal(familySummary(new Map([['unbounded-fanout', 1], ['other', 2]])), '1 fan-out · 2 other');
  });
});
