import { StatusBarAlignment, ThemeColor, languages, window, type Disposable } from 'vscode';
import { State, type LanguageClient } from 'vscode-languageclient/node';

/**
 * The LoopLens status bar item: server state (starting, running, stopped), the number of LoopLens problems,
 * and a spinner while an audit runs. Clicking it runs the audit, or shows the output when the server is down.
 */
export class StatusItem implements Disposable {
  private readonly item = window.createStatusBarItem('looplens.status', StatusBarAlignment.Right, 100);
  private readonly subscriptions: Disposable[] = [];
  private busy = false;

  constructor(private readonly client: LanguageClient) {
    this.item.name = 'LoopLens';
    this.subscriptions.push(
      client.onDidChangeState(() => this.render()),
      languages.onDidChangeDiagnostics(() => this.render()),
    );
    this.render();
    this.item.show();
  }

  /** Shows or clears the "auditing" spinner. */
  setBusy(busy: boolean): void {
    this.busy = busy;
    this.render();
  }

  private render(): void {
    const state = this.client.state;
    this.item.backgroundColor = undefined;
    if (state === State.Stopped) {
      this.item.text = '$(error) LoopLens';
      this.item.tooltip = 'LoopLens server is not running. Click to show the output.';
      this.item.command = 'looplens.showOutput';
      this.item.backgroundColor = new ThemeColor('statusBarItem.errorBackground');
      return;
    }
    this.item.command = 'looplens.auditWorkspace';
    if (state === State.Starting) {
      this.item.text = '$(sync~spin) LoopLens';
      this.item.tooltip = 'LoopLens server is starting.';
    } else if (this.busy) {
      this.item.text = '$(sync~spin) LoopLens: auditing';
      this.item.tooltip = 'LoopLens is auditing the workspace.';
    } else {
      const count = this.countProblems();
      this.item.text = count > 0 ? `$(pulse) LoopLens: ${count}` : '$(pulse) LoopLens';
      this.item.tooltip = `${count} LoopLens problem${count === 1 ? '' : 's'} in open and audited files. Click to audit the workspace.`;
    }
  }

  private countProblems(): number {
    let count = 0;
    this.client.diagnostics?.forEach((_uri, diagnostics) => {
      count += diagnostics.length;
    });
    return count;
  }

  dispose(): void {
    for (const s of this.subscriptions) s.dispose();
    this.item.dispose();
  }
}
