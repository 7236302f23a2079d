/**
 * Maps LSP work-done progress (`$/progress` begin/report/end, percentages 0–100) onto VS Code's
 * `Progress.report({ message, increment })`, which wants increments. Pure: no `vscode` import.
 */

/** The subset of `WorkDoneProgressBegin | Report | End` this needs. */
export interface WorkDoneValue {
  kind: 'begin' | 'report' | 'end';
  title?: string;
  message?: string;
  percentage?: number;
}

/** What to pass to `Progress.report`. */
export interface ProgressStep {
  message?: string;
  increment?: number;
}

/**
 * Returns a function that turns each work-done value into a progress step, remembering the last
 * percentage so that `increment` is the difference (never negative, never past 100).
 */
export function progressAdapter(): (value: WorkDoneValue) => ProgressStep {
  let done = 0;
  return (value) => {
    const step: ProgressStep = {};
    const message = value.message ?? (value.kind === 'begin' ? value.title : undefined);
    if (message !== undefined) step.message = message;
    const target = value.kind === 'end' ? 100 : value.percentage;
    if (typeof target === 'number' && Number.isFinite(target)) {
      const clamped = Math.min(100, Math.max(done, target));
      if (clamped > done) step.increment = clamped - done;
      done = clamped;
    }
    return step;
  };
}
