import { randomBytes } from 'node:crypto';
import { Range, Uri, ViewColumn, window, type Disposable, type WebviewPanel } from 'vscode';
import type { AuditRange, AuditWorkspaceResult, ExportFormat } from '../../../shared/protocol';
import { renderAuditHtml } from './html';
import { parseViewMessage } from './messages';

/** The webview panel's type id (also what `WebviewPanelSerializer` would use). */
export const AUDIT_VIEW_TYPE = 'looplens.auditView';

/** What the panel asks the extension to do on the user's behalf. */
export interface AuditPanelActions {
  refresh(): void;
  export(format: ExportFormat): void;
}

/**
 * The audit view: one webview panel, created on first `show` and re-rendered in place when a new audit
 * arrives. Scripts are enabled (filters, click-through) but no local resource is exposed
 * (`localResourceRoots: []`). Click-through opens only files the shown audit reported.
 */
export class AuditPanel implements Disposable {
  private panel: WebviewPanel | undefined;
  private result: AuditWorkspaceResult | undefined;
  private updatedAt: string | undefined;
  private busy = false;

  constructor(private readonly actions: AuditPanelActions) {}

  /** The audit shown, if any. */
  get current(): AuditWorkspaceResult | undefined {
    return this.result;
  }

  /** Whether the panel is open (the extension re-runs the audit on saves only then). */
  get isOpen(): boolean {
    return this.panel !== undefined;
  }

  /** Opens (or reveals) the panel; with a result, shows it. */
  show(result?: AuditWorkspaceResult, preserveFocus = false): void {
    if (result) {
      this.result = result;
      this.busy = false;
      this.updatedAt = new Date().toLocaleTimeString();
    }
    if (!this.panel) {
      this.panel = window.createWebviewPanel(AUDIT_VIEW_TYPE, 'LoopLens audit', { viewColumn: ViewColumn.Active, preserveFocus }, {
        enableScripts: true,
        localResourceRoots: [],
        retainContextWhenHidden: false,
      });
      this.panel.onDidDispose(() => (this.panel = undefined));
      this.panel.webview.onDidReceiveMessage((m: unknown) => this.onMessage(m));
    } else if (!preserveFocus) this.panel.reveal(undefined, preserveFocus);
    this.render();
  }

  /** Marks the shown data as being refreshed (the header says so). */
  setBusy(busy: boolean): void {
    this.busy = busy;
    void this.panel?.webview.postMessage({ type: 'busy', busy });
  }

  private render(): void {
    if (!this.panel) return;
    this.panel.webview.html = renderAuditHtml(this.result, {
      nonce: randomBytes(16).toString('base64'),
      cspSource: this.panel.webview.cspSource,
      busy: this.busy,
      ...(this.updatedAt ? { updatedAt: this.updatedAt } : {}),
    });
  }

  private onMessage(raw: unknown): void {
    const m = parseViewMessage(raw);
    if (!m) return;
    if (m.type === 'refresh') this.actions.refresh();
    else if (m.type === 'export') this.actions.export(m.format);
    else void this.open(m.file, m.range);
  }

  private async open(file: string, range: AuditRange): Promise<void> {
    const known = this.result?.roots.some((r) => r.handlers.some((h) => h.file === file) || r.findings.some((f) => f.file === file));
    if (!known) return;
    const selection = new Range(range.start.line, range.start.character, range.end.line, range.end.character);
    try {
      await window.showTextDocument(Uri.file(file), { selection, viewColumn: ViewColumn.Beside, preview: true });
    } catch (err) {
      void window.showErrorMessage(`LoopLens: could not open ${file}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  dispose(): void {
    this.panel?.dispose();
  }
}
