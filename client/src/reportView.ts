import { EventEmitter, Uri, commands, window, workspace, type Disposable, type TextDocumentContentProvider } from 'vscode';

/** The scheme of the read-only audit report documents. */
export const REPORT_SCHEME = 'looplens-report';

/**
 * Holds the latest audit report as a read-only virtual Markdown document (`looplens-report:/LoopLens audit.md`)
 * and opens it in the Markdown preview. Read-only and never dirty, so closing it asks nothing.
 */
export class ReportView implements TextDocumentContentProvider, Disposable {
  readonly uri = Uri.from({ scheme: REPORT_SCHEME, path: '/LoopLens audit.md' });
  private markdown = '# LoopLens audit\n\nNo audit has run yet.\n';
  private readonly changed = new EventEmitter<Uri>();
  private readonly registration = workspace.registerTextDocumentContentProvider(REPORT_SCHEME, this);
  readonly onDidChange = this.changed.event;

  /** Content of a report document (there is one, so the uri is not needed). */
  provideTextDocumentContent(): string {
    return this.markdown;
  }

  /** Replaces the report and shows it in the Markdown preview (falls back to the plain editor). */
  async show(markdown: string): Promise<void> {
    this.markdown = markdown;
    this.changed.fire(this.uri);
    try {
      await commands.executeCommand('markdown.showPreview', this.uri);
    } catch {
      await window.showTextDocument(await workspace.openTextDocument(this.uri), { preview: true });
    }
  }

  dispose(): void {
    this.registration.dispose();
    this.changed.dispose();
  }
}
