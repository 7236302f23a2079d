import { Format, SingleBar } from 'cli-progress';
import { displayPath } from '../report/paths';

/** Receives analysis progress; `finish` removes whatever was drawn. */
export interface ProgressSink {
  /** A project (absolute folder) starts loading: parsing and binding, before any file count is known. */
  loading(root: string): void;
  /** `done` of `total` files of the current project; projects are counted one after the other. */
  update(done: number, total: number): void;
  /** The current project is finished: its files stay counted under the next project's. */
  nextGroup(): void;
  finish(): void;
}

const BAR_FORMAT = 'Analysing [{bar}] {value}/{total} files';

/**
 * A progress bar (cli-progress) on `stream`, a terminal: `Loading src…` while a project is parsed, then
 * `Analysing [=====-----] 120/480 files`; redrawn at most 10 times a second and cleared when finished, so that
 * the report that follows starts on a clean line. Project folders are shown relative to `cwd`.
 */
export function progressBar(stream: NodeJS.WritableStream, cwd: string): ProgressSink {
  const bar = new SingleBar({
    stream,
    format: (options, params, payload: { loading?: string }) =>
      Format.Formatter({ ...options, format: payload.loading ? 'Loading {loading}…' : BAR_FORMAT }, params, payload),
    barsize: 30,
    fps: 10,
    clearOnComplete: true,
    hideCursor: false,
    // The analysis is synchronous: the bar's timer never fires while it runs, so redraw from update().
    synchronousUpdate: true,
  });
  let started = false;
  let before = 0;
  let last = 0;
  return {
    loading(root) {
      const loading = displayPath(cwd, root);
      if (!started) bar.start(Math.max(before, 1), before, { loading });
      else bar.update(before, { loading });
      started = true;
      // Loading is one synchronous stretch: draw now, the throttled redraw would come only after it.
      bar.render();
    },
    update(done, total) {
      last = total;
      if (!started) bar.start(before + total, before + done, { loading: '' });
      started = true;
      bar.setTotal(before + total);
      bar.update(before + done, { loading: '' });
    },
    nextGroup() {
      before += last;
      last = 0;
    },
    finish() {
      if (started) bar.stop();
    },
  };
}
