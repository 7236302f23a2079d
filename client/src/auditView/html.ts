/**
 * The audit view's HTML, as a pure function of the audit result: one section per event-loop domain with a
 * picture of its handlers by bound class, the handlers' table and the findings' table, plus filters and
 * export buttons. Styled only with VS Code's theme variables (`--vscode-*`); the Content-Security-Policy
 * allows nothing but this document's own style and script (by nonce), so nothing remote ever loads.
 */
import type { AuditBound, AuditFinding, AuditRange, AuditWorkspaceResult } from '../../../shared/protocol';
import { BOUND_LABEL, BOUND_ORDER, FAMILIES, SEVERITIES, buildModel, filterFolder, type DomainModel, type FindingRow, type HandlerRow } from './model';

/** Escapes text for HTML element content and double- or single-quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

export interface RenderOptions {
  /** A fresh random nonce per render (base64 or hex): the only style and script the CSP lets run. */
  nonce: string;
  /** The webview's `cspSource` (for images and fonts of the extension, if ever needed). */
  cspSource: string;
  /** Shown in the header: when the audit finished, e.g. `14:02:11`. */
  updatedAt?: string;
  /**
   * True while a new audit runs (the header says so; the data shown is the previous audit's). Later changes
   * arrive as a `{ type: 'busy', busy }` message, so the page is not rebuilt just for that.
   */
  busy?: boolean;
}

const esc = escapeHtml;

/** Attributes that make an element open a place in the editor when clicked (see the script below). */
function openAttrs(file: string, range: AuditRange): string {
  return `data-open data-file="${esc(file)}" data-line="${range.start.line}" data-character="${range.start.character}" data-end-line="${range.end.line}" data-end-character="${range.end.character}"`;
}

function link(file: string, range: AuditRange, text: string): string {
  return `<a href="#" ${openAttrs(file, range)} title="${esc(`${file}:${range.start.line + 1}:${range.start.character + 1}`)}">${esc(text)}</a>`;
}

function chip(bound: AuditBound, text = BOUND_LABEL[bound]): string {
  return `<span class="chip b-${bound}">${esc(text)}</span>`;
}

function filterAttrs(families: readonly string[], severities: readonly string[], folder: string): string {
  return `data-row data-families="${esc([...new Set(families)].join(' '))}" data-severities="${esc([...new Set(severities)].join(' '))}" data-folder="${esc(folder)}"`;
}

const SVG_WIDTH = 600;

/** The domain's handlers by bound class as one stacked bar (inline SVG: no inline styles, which the CSP forbids). */
function domainPicture(d: DomainModel): string {
  const total = d.handlers.length || 1;
  let x = 0;
  const rects: string[] = [];
  for (const b of BOUND_ORDER) {
    const n = d.counts[b];
    if (n === 0) continue;
    const w = Math.max(2, Math.round((n / total) * SVG_WIDTH));
    rects.push(`<rect class="b-${b}" x="${x}" y="0" width="${w}" height="18"><title>${n} ${esc(BOUND_LABEL[b])}</title></rect>`);
    x += w;
  }
  const summary = BOUND_ORDER.filter((b) => d.counts[b] > 0).map((b) => `${d.counts[b]} ${BOUND_LABEL[b]}`).join(', ');
  const chips = BOUND_ORDER.filter((b) => d.counts[b] > 0)
    .map((b) => chip(b, `${BOUND_LABEL[b]}: ${d.counts[b]}`))
    .join(' ');
  const waiting = d.counts.io + d.counts.threadpool;
  const blocking = d.counts.cpu + d.counts.mixed;
  const danger =
    blocking > 0
      ? `<p class="danger" role="note"><span aria-hidden="true">⚠</span> ${blocking} CPU-bound handler${blocking === 1 ? ' holds' : 's hold'} this event loop${
          waiting > 0 ? `: while one runs, the ${waiting} I/O- and thread-pool-bound handler${waiting === 1 ? '' : 's'} beside ${blocking === 1 ? 'it' : 'them'} wait.` : '.'
        }</p>`
      : '';
  return `<figure class="picture">
  <svg role="img" aria-label="${esc(`Handlers by bound class: ${summary}`)}" viewBox="0 0 ${Math.max(x, SVG_WIDTH)} 18" width="100%" height="18" preserveAspectRatio="none">${rects.join('')}</svg>
  <figcaption>${chips}</figcaption>
</figure>
${danger}`;
}

function severityCounts(findings: readonly AuditFinding[]): string {
  if (findings.length === 0) return '<span class="muted">0</span>';
  const worst = SEVERITIES.find((s) => findings.some((f) => f.severity === s))!;
  return `<span class="sev sev-${worst}" title="${esc(findings.map((f) => f.ruleId).join(', '))}">${findings.length}</span>`;
}

function handlerRow(r: HandlerRow): string {
  const h = r.handler;
  const evidence = h.evidence.map((e) => `${BOUND_LABEL[e.bound]}: ${e.reason}`).join('\n');
  return `<tr ${filterAttrs(
    r.findings.map((f) => f.family),
    r.findings.map((f) => f.severity),
    r.folder,
  )}>
  <td>${esc(h.label)} <span class="muted">${esc(h.kind)}</span></td>
  <td>${link(h.file, h.range, `${r.relFile}:${h.range.start.line + 1}`)}</td>
  <td${evidence ? ` title="${esc(evidence)}"` : ''}>${chip(h.bound, h.bound === 'none' ? 'none' : BOUND_LABEL[h.bound])}</td>
  <td class="num">${severityCounts(r.findings)}</td>
</tr>`;
}

function findingRow(r: FindingRow): string {
  const f = r.finding;
  const limit = f.limit !== undefined ? `<span title="${esc(f.limitReason ?? '')}">pLimit(${f.limit})</span>` : '<span class="muted">—</span>';
  return `<tr ${filterAttrs([f.family], [f.severity], r.folder)}>
  <td><span class="sev sev-${f.severity}">${esc(f.severity)}</span></td>
  <td><code>${esc(f.ruleId)}</code></td>
  <td>${link(f.file, f.range, `${r.relFile}:${f.range.start.line + 1}`)}</td>
  <td>${esc(f.message)}</td>
  <td>${limit}</td>
</tr>`;
}

function findingsTable(rows: readonly FindingRow[]): string {
  if (rows.length === 0) return '';
  return `<table class="findings">
<thead><tr><th scope="col">Severity</th><th scope="col">Rule</th><th scope="col">Where</th><th scope="col">Message</th><th scope="col">Suggested limit</th></tr></thead>
<tbody>
${rows.map(findingRow).join('\n')}
</tbody>
</table>`;
}

function domainSection(d: DomainModel, index: number): string {
  const worker = d.id.startsWith('worker:');
  return `<section class="domain" aria-labelledby="domain-${index}">
<h2 id="domain-${index}">${worker ? 'Worker' : 'Process'}: <code>${esc(d.name)}</code> <span class="muted">${d.handlers.length} handler${d.handlers.length === 1 ? '' : 's'}, ${d.findings.length} finding${d.findings.length === 1 ? '' : 's'}</span></h2>
${domainPicture(d)}
<h3>Handlers</h3>
<table class="handlers">
<thead><tr><th scope="col">Route / event</th><th scope="col">Registered at</th><th scope="col">Bound</th><th scope="col" class="num">Findings</th></tr></thead>
<tbody>
${d.handlers.map(handlerRow).join('\n')}
</tbody>
</table>
${d.findings.length ? `<h3>Findings</h3>\n${findingsTable(d.findings)}` : ''}
</section>`;
}

function select(name: string, label: string, values: readonly string[]): string {
  const options = values.map((v) => `<option value="${esc(v)}">${esc(v)}</option>`).join('');
  return `<label>${esc(label)} <select data-filter="${esc(name)}"><option value="">All</option>${options}</select></label>`;
}

/** The view's script: filters (kept in the webview state), click-through and the buttons, by `postMessage`. */
const SCRIPT = `(function () {
  const vscode = acquireVsCodeApi();
  const selects = Array.from(document.querySelectorAll('select[data-filter]'));
  const saved = vscode.getState() || {};
  const state = { filters: saved.filters || {}, scrollY: saved.scrollY || 0 };
  const has = (list, v) => !v || (' ' + list + ' ').includes(' ' + v + ' ');
  function apply() {
    const f = {};
    for (const s of selects) f[s.dataset.filter] = s.value;
    state.filters = f;
    vscode.setState(state);
    for (const row of document.querySelectorAll('[data-row]')) {
      const folder = row.dataset.folder || '';
      const inFolder = !f.folder || folder === f.folder || folder.startsWith(f.folder + '/');
      row.hidden = !(has(row.dataset.families, f.family) && has(row.dataset.severities, f.severity) && inFolder);
    }
    for (const table of document.querySelectorAll('table')) {
      const rows = table.querySelectorAll('tbody tr');
      table.hidden = rows.length > 0 && Array.from(rows).every((r) => r.hidden);
    }
  }
  for (const s of selects) {
    if (typeof state.filters[s.dataset.filter] === 'string') s.value = state.filters[s.dataset.filter];
    s.addEventListener('change', apply);
  }
  // A new audit replaces the document: keep the reader's place.
  window.addEventListener('scroll', () => {
    state.scrollY = window.scrollY;
    vscode.setState(state);
  }, { passive: true });
  const status = document.getElementById('status');
  window.addEventListener('message', (event) => {
    const m = event.data;
    if (status && m && m.type === 'busy') status.textContent = m.busy ? 'Auditing… (showing the previous audit)' : status.dataset.idle;
  });
  document.addEventListener('click', (event) => {
    const target = event.target instanceof Element ? event.target : null;
    const place = target && target.closest('[data-open]');
    if (place) {
      event.preventDefault();
      const d = place.dataset;
      vscode.postMessage({ type: 'open', file: d.file, range: { start: { line: +d.line, character: +d.character }, end: { line: +d.endLine, character: +d.endCharacter } } });
      return;
    }
    const button = target && target.closest('button[data-command]');
    if (button) vscode.postMessage({ type: button.dataset.command, format: button.dataset.format });
  });
  apply();
  window.scrollTo(0, state.scrollY);
})();`;

const STYLE = `
body { font-family: var(--vscode-font-family); font-size: var(--vscode-font-size); color: var(--vscode-foreground); background: var(--vscode-editor-background); padding: 0 20px 20px; }
h1 { font-size: 1.5em; font-weight: 600; margin: 16px 0 4px; }
h2 { font-size: 1.2em; font-weight: 600; margin: 0 0 8px; }
h3 { font-size: 1em; font-weight: 600; margin: 12px 0 4px; }
a { color: var(--vscode-textLink-foreground); text-decoration: none; }
a:hover { color: var(--vscode-textLink-activeForeground); text-decoration: underline; }
a:focus-visible, button:focus-visible, select:focus-visible { outline: 1px solid var(--vscode-focusBorder); outline-offset: 1px; }
code { font-family: var(--vscode-editor-font-family); color: var(--vscode-textPreformat-foreground); }
td code { white-space: nowrap; }
.muted { color: var(--vscode-descriptionForeground); font-weight: normal; }
header { position: sticky; top: 0; background: var(--vscode-editor-background); padding-bottom: 8px; border-bottom: 1px solid var(--vscode-panel-border); z-index: 1; }
.toolbar { display: flex; flex-wrap: wrap; gap: 8px 16px; align-items: center; margin-top: 8px; }
.toolbar .actions { display: flex; gap: 6px; margin-left: auto; }
button { font-family: inherit; font-size: inherit; color: var(--vscode-button-secondaryForeground); background: var(--vscode-button-secondaryBackground); border: 1px solid var(--vscode-button-border, transparent); border-radius: 2px; padding: 4px 10px; cursor: pointer; }
button:hover { background: var(--vscode-button-secondaryHoverBackground); }
button.primary { color: var(--vscode-button-foreground); background: var(--vscode-button-background); }
button.primary:hover { background: var(--vscode-button-hoverBackground); }
select { font-family: inherit; font-size: inherit; color: var(--vscode-dropdown-foreground); background: var(--vscode-dropdown-background); border: 1px solid var(--vscode-dropdown-border); border-radius: 2px; padding: 2px 4px; }
section.domain { margin: 16px 0 24px; padding: 12px 16px; border: 1px solid var(--vscode-panel-border); border-radius: 4px; background: var(--vscode-sideBar-background, transparent); }
figure.picture { margin: 0 0 8px; }
figure.picture svg { display: block; border-radius: 2px; background: var(--vscode-editorWidget-background); }
figcaption { margin-top: 6px; display: flex; flex-wrap: wrap; gap: 6px; }
.chip { display: inline-block; padding: 0 6px; border-radius: 9px; font-size: 0.9em; line-height: 18px; border: 1px solid currentColor; white-space: nowrap; }
rect.b-cpu { fill: var(--vscode-charts-red); } rect.b-mixed { fill: var(--vscode-charts-orange); } rect.b-io { fill: var(--vscode-charts-blue); } rect.b-threadpool { fill: var(--vscode-charts-yellow); }
rect.b-memory { fill: var(--vscode-charts-purple); } rect.b-none { fill: var(--vscode-disabledForeground); }
.chip.b-cpu { color: var(--vscode-charts-red); font-weight: 600; } .chip.b-mixed { color: var(--vscode-charts-orange); font-weight: 600; } .chip.b-io { color: var(--vscode-charts-blue); } .chip.b-threadpool { color: var(--vscode-charts-yellow); }
.chip.b-memory { color: var(--vscode-charts-purple); } .chip.b-none { color: var(--vscode-descriptionForeground); }
.danger { margin: 4px 0 8px; padding: 6px 10px; border-left: 3px solid var(--vscode-editorError-foreground); background: var(--vscode-inputValidation-errorBackground); color: var(--vscode-foreground); }
table { border-collapse: collapse; width: 100%; margin-bottom: 4px; }
th { text-align: left; font-weight: 600; color: var(--vscode-descriptionForeground); border-bottom: 1px solid var(--vscode-panel-border); padding: 4px 8px; }
td { padding: 3px 8px; vertical-align: top; border-bottom: 1px solid var(--vscode-editorWidget-border, transparent); }
tbody tr:hover { background: var(--vscode-list-hoverBackground); }
.num { text-align: right; }
.sev { font-weight: 600; } .sev-error { color: var(--vscode-editorError-foreground); } .sev-warning { color: var(--vscode-editorWarning-foreground); } .sev-info { color: var(--vscode-editorInfo-foreground); }
.limits { margin: 8px 0 0; padding-left: 20px; }
.empty { color: var(--vscode-descriptionForeground); margin-top: 24px; }
[hidden] { display: none !important; }
`;

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/**
 * The whole document for an audit result (`undefined`: no audit yet). Every string from the result is
 * escaped; the CSP is `default-src 'none'` with the style and script allowed by `options.nonce` only.
 */
export function renderAuditHtml(result: AuditWorkspaceResult | undefined, options: RenderOptions): string {
  const nonce = esc(options.nonce);
  const csp = `default-src 'none'; img-src ${options.cspSource} data:; style-src 'nonce-${nonce}'; script-src 'nonce-${nonce}';`;
  const model = result ? buildModel(result) : undefined;
  const t = model?.totals;
  const idle = options.updatedAt ? `Updated ${options.updatedAt}` : '';
  const status = options.busy ? 'Auditing… (showing the previous audit)' : idle;
  const summary = t
    ? `${plural(t.files, 'file')} analysed, ${plural(t.handlers, 'handler')} in ${plural(model.domains.length, 'event-loop domain')}, ${plural(t.findings, 'finding')}${t.skipped ? `, ${t.skipped} skipped` : ''}.`
    : 'No audit has run yet.';
  const folders = model ? [...new Set(model.folders.map(filterFolder))] : [];
  const limits = model?.limits.length
    ? `<h3>Suggested concurrency limits</h3><ul class="limits">${model.limits
        .map((l) => `<li><code>pLimit(${l.limit})</code> for ${plural(l.count, 'fan-out')} <span class="muted">(${esc(l.reason)})</span></li>`)
        .join('')}</ul>`
    : '';
  const body = model
    ? model.domains.length || model.unattached.length
      ? [
          ...model.domains.map(domainSection),
          model.unattached.length
            ? `<section class="domain" aria-labelledby="domain-none"><h2 id="domain-none">Not reached from a handler</h2>${findingsTable(model.unattached)}</section>`
            : '',
        ].join('\n')
      : '<p class="empty">No handlers found: LoopLens found no route, event, job or timer handlers in this workspace.</p>'
    : '<p class="empty">Run the audit to see each event-loop domain with its handlers.</p>';
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>LoopLens audit</title>
<style nonce="${nonce}">${STYLE}</style>
</head>
<body>
<header>
<h1>LoopLens audit</h1>
<div class="muted">${esc(summary)} <span id="status" aria-live="polite" data-idle="${esc(idle)}">${esc(status)}</span></div>
<div class="toolbar">
${select('family', 'Family', FAMILIES)}
${select('severity', 'Severity', SEVERITIES)}
${select('folder', 'Folder', folders)}
<div class="actions">
<button class="primary" data-command="refresh" title="Run the audit again">Refresh</button>
<button data-command="export" data-format="markdown" title="Save the report as Markdown"${model ? '' : ' disabled'}>Export Markdown</button>
<button data-command="export" data-format="json" title="Save the report as JSON"${model ? '' : ' disabled'}>Export JSON</button>
<button data-command="export" data-format="sarif" title="Save the report as SARIF 2.1.0"${model ? '' : ' disabled'}>Export SARIF</button>
</div>
</div>
</header>
<main>
${limits}
${body}
</main>
<script nonce="${nonce}">${SCRIPT}</script>
</body>
</html>
`;
}
