import { SingleBar } from 'cli-progress';
import type { AnalysisStep } from '../engine/steps';
import { displayPath } from '../report/paths';

/** Receives the engine's analysis steps; `finish` removes whatever was drawn. */
export interface ProgressSink {
  /** The latest step of the project at `root` (absolute folder). */
  step(root: string, step: AnalysisStep): void;
  finish(): void;
}

/** What each engine phase is called on the bar. */
const PHASE_LABEL: Record<AnalysisStep['phase'], string> = {
  parse: 'parsing',
  discover: 'finding handlers in',
  handlers: 'analysed',
};

/**
 * A progress bar (cli-progress) on `stream`, a terminal, one phase of one project at a time:
 * `src  analysed [=====-----] 120/480 files` (files whose handlers have all been followed), after `parsing` and
 * `finding handlers in`. Redrawn at most 10 times a second, cleared when finished so that the report that
 * follows starts on a clean line. Project folders are shown relative to `cwd`.
 */
export function progressBar(stream: NodeJS.WritableStream, cwd: string): ProgressSink {
  const bar = new SingleBar({
    stream,
    format: '{project}  {phase} [{bar}] {value}/{total} files',
    barsize: 30,
    fps: 10,
    clearOnComplete: true,
    hideCursor: false,
  });
  let started = false;
  return {
    step(root, step) {
      const payload = { project: displayPath(cwd, root), phase: PHASE_LABEL[step.phase] };
      if (!started) bar.start(step.files, step.filesDone, payload);
      started = true;
      bar.setTotal(step.files);
      bar.update(step.filesDone, payload);
    },
    finish() {
      if (started) bar.stop();
    },
  };
}
