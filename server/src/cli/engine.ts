import { Workspace, type WorkspaceOptions } from '../engine';
import { planFixAll, type FixAllPlan } from '../engine/fixes/fix-all';
import type { EngineSettings } from '../engine/settings';
import type { AnalysisResult, AnalyzeAsyncOptions, Finding } from '../engine';

/** The part of the engine's Workspace the CLI uses. */
export interface AuditWorkspace {
  readonly settings: EngineSettings;
  /** The engine's `analyzeAsync`: time-sliced, so the progress bar's steps arrive while it runs. */
  analyze(options?: AnalyzeAsyncOptions): AnalysisResult | Promise<AnalysisResult>;
  readText(file: string): string;
}

/** The engine entry points the CLI calls; tests may replace them. */
export interface EngineHooks {
  createWorkspace(options: WorkspaceOptions): AuditWorkspace;
  /** Fix-all for one file: every finding's preferred fix, composed in document order (see engine/fixes/fix-all). */
  planFixAll(file: string, text: string, findings: readonly Finding[], settings: EngineSettings): FixAllPlan;
}

/** The real engine. */
export const defaultEngine: EngineHooks = {
  createWorkspace: (options) => {
    const workspace = new Workspace(options);
    return { settings: workspace.settings, readText: (file) => workspace.readText(file), analyze: (o) => workspace.analyzeAsync(o) };
  },
  planFixAll,
};
