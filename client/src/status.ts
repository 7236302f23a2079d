import { StatusBarAlignment, ThemeColor, languages, window, type Disposable } from 'vscode';
import { State, type LanguageClient } from 'vscode-languageclient/node';
import { familySummary } from './statusText';

/**
 * The LoopLens status bar item: server state (starting, running, stopped), LoopLens problems counted by rule
 * family, and a spinner with the server's progress ("Analysed 120/530 files") while an audit runs. Clicking
 * it opens the audit view, or shows the output when the server is down.
 */
export class StatusItem implements Disposable {
  private readonly item = window.createStatusBarItem('looplens.status', StatusBarAlignment.Right, 100);
  private readonly subscriptions: Disposable[] = [];
  private busy = false;
  private busyMessage: string | undefined;

  constructor(private readonly client: LanguageClient) {
    this.item.name = 'LoopLens';
    this.subscriptions.push(
      client.onDidChangeState(() => this.render()),
      languages.onDidChangeDiagnostics(() => this.render()),
    );
    this.render();
    this.item.show();
  }

  /** Shows (with the latest progress message) or clears the "analysing" spinner. */
  setBusy(busy: boolean, message?: string): void {
    this.busy = busy;
    this.busyMessage = busy ? message : undefined;
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
    this.item.command = 'looplens.openAuditView';
    if (state === State.Starting) {
      this.item.text = '$(sync~spin) LoopLens';
      this.item.tooltip = 'LoopLens server is starting.';
    } else if (this.busy) {
      this.item.text = `$(sync~spin) LoopLens: ${this.busyMessage ?? 'analysing…'}`;
      this.item.tooltip = 'LoopLens is auditing the workspace. Click to open the audit view.';
    } else {
      const counts = this.countByFamily();
      const total = [...counts.values()].reduce((a, b) => a + b, 0);
      this.item.text = total > 0 ? `$(pulse) LoopLens: ${familySummary(counts)}` : '$(pulse) LoopLens';
      this.item.tooltip = `${total} LoopLens problem${total === 1 ? '' : 's'} in open and audited files${
        total > 0 ? ` (${[...counts].map(([f, n]) => `${f}: ${n}`).join(', ')})` : ''
      }. Click to open the audit view.`;
    }
  }

  /** Problems per rule family (the part of the rule id before `/`), from LoopLens's diagnostic collection. */
  private countByFamily(): Map<string, number> {
    const counts = new Map<string, number>();
    this.client.diagnostics?.forEach((_uri, diagnostics) => {
      for (const d of diagnostics) {
        const code = typeof d.code === 'object' ? d.code.value : d.code;
        const family = String(code ?? 'other').split('/')[0]!;
        counts.set(family, (counts.get(family) ?? 0) + 1);
      }
    });
    return counts;
  }

  dispose(): void {
    for (const s of this.subscriptions) s.dispose();
    this.item.dispose();
  }
}

