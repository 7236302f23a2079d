import { Workspace, fixesFor, type WorkspaceOptions } from '../engine';
import type { EngineSettings } from '../engine/settings';
import type { AnalysisResult, AnalyzeOptions, CodeFix, Finding } from '../engine';

/** The part of the engine's Workspace the CLI uses. */
export interface AuditWorkspace {
  readonly settings: EngineSettings;
  analyze(options?: AnalyzeOptions): AnalysisResult | Promise<AnalysisResult>;
  readText(file: string): string;
}

/** The engine entry points the CLI calls; tests may replace them. */
export interface EngineHooks {
  createWorkspace(options: WorkspaceOptions): AuditWorkspace;
  fixesFor(finding: Finding, text: string, settings: EngineSettings): CodeFix[];
}

/** The real engine. */
export const defaultEngine: EngineHooks = {
  createWorkspace: (options) => new Workspace(options),
  fixesFor,
};
