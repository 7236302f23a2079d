/**
 * The LoopLens engine: a plain library (no `vscode`, no LSP) that the language server, the CLI and the tests
 * all call.
 *
 *   const ws = new Workspace({ root: '/abs/project' });
 *   ws.setOverlay('/abs/project/src/a.ts', unsavedText); // editor buffers win over disk
 *   const result = ws.analyze({ token });                 // AnalysisResult
 *   const fixes = fixesFor(result.findings[0], ws.readText(file), settings);
 */
export * from './types';
export * from './settings';
export { Workspace, type AnalyzeAsyncOptions, type AnalyzeOptions, type WorkspaceOptions } from './workspace';
export type { AnalysisStep } from './steps';
export { fixesFor } from './fixes';
export { RULES, ruleById, type RuleMeta } from './rules/registry';
export { applyEdits } from './fixes/applyEdits';
