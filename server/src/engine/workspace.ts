import { resolveSettings, type EngineSettings } from './settings';
import type { AnalysisResult, CancellationToken } from './types';

/** How to open a workspace. */
export interface WorkspaceOptions {
  /** Absolute path of the folder to analyse. */
  root: string;
  /** Path of the tsconfig to use; default `<root>/tsconfig.json` when present, else defaults with `allowJs`. */
  tsconfig?: string;
  settings?: Partial<EngineSettings>;
}

/** Options for one analysis run. */
export interface AnalyzeOptions {
  /** Files or folders (absolute) whose findings to report; default the whole root. */
  paths?: string[];
  token?: CancellationToken;
}

/**
 * A loaded project: keeps the parsed program between analyses so the editor can re-analyse after each edit.
 * STUB: replaced by the real implementation.
 */
export class Workspace {
  readonly root: string;
  settings: EngineSettings;
  private readonly overlays = new Map<string, string>();

  constructor(options: WorkspaceOptions) {
    this.root = options.root;
    this.settings = resolveSettings(options.settings);
  }

  /** Sets (or with `undefined`, clears) unsaved editor text for an absolute file path. */
  setOverlay(file: string, text: string | undefined): void {
    if (text === undefined) this.overlays.delete(file);
    else this.overlays.set(file, text);
  }

  /** Replaces the settings; the next analysis uses them. */
  updateSettings(settings: Partial<EngineSettings>): void {
    this.settings = resolveSettings(settings);
  }

  /** The text the engine sees for a file: the overlay if any, else the file on disk. Throws if unreadable. */
  readText(file: string): string {
    return this.overlays.get(file) ?? require('node:fs').readFileSync(file, 'utf8');
  }

  /** Analyses the workspace and returns handlers and findings for the requested paths. */
  analyze(_options: AnalyzeOptions = {}): AnalysisResult {
    return { handlers: [], findings: [], skipped: [], files: [] };
  }
}
