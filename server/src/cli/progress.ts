import { SingleBar } from 'cli-progress';

/** Receives analysis progress in files; `finish` removes whatever was drawn. */
export interface ProgressSink {
  /** `done` of `total` files of the current project; projects are counted one after the other. */
  update(done: number, total: number): void;
  /** Starts the next project: its files add to the previous projects' total. */
  nextGroup(): void;
  finish(): void;
}

/**
 * A progress bar (cli-progress) on `stream`, a terminal: `Analysing [=====-----] 120/480 files`, redrawn at
 * most 10 times a second and cleared when finished, so that the report that follows starts on a clean line.
 * The bar appears with the first update, when the first project is loaded and its handlers are discovered.
 */
export function progressBar(stream: NodeJS.WritableStream): ProgressSink {
  const bar = new SingleBar({
    stream,
    format: 'Analysing [{bar}] {value}/{total} files',
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
    update(done, total) {
      last = total;
      if (!started) {
        bar.start(before + total, before + done);
        started = true;
        return;
      }
      bar.setTotal(before + total);
      bar.update(before + done);
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
