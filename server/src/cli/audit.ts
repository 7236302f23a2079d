import type { EngineSettings } from '../engine/settings';
import type { AnalysisStep } from '../engine/steps';
import type { AnalysisResult, CancellationToken } from '../engine/types';
import type { AuditWorkspace, EngineHooks } from './engine';
import type { ProgressSink } from './progress';
import type { ProjectGroup } from './targets';
import { collectGarbage } from './memory';

/** One project's open workspace and what it found. */
export interface GroupAnalysis {
  group: ProjectGroup;
  workspace: AuditWorkspace;
  result: AnalysisResult;
}

/**
 * Opens one Workspace per project group and analyses the group's paths, one group after the other (the
 * analysis is CPU-bound; parallel groups would only compete for the same cores and memory). Engine errors
 * propagate unchanged. `progress` hears each group's analysis steps (phase and file counts). A full garbage
 * collection follows each group's analysis (./memory.ts).
 */
export async function analyzeGroups(
  groups: readonly ProjectGroup[],
  settings: Partial<EngineSettings>,
  engine: EngineHooks,
  token?: CancellationToken,
  progress?: ProgressSink,
): Promise<GroupAnalysis[]> {
  const out: GroupAnalysis[] = [];
  for (const group of groups) {
    const wholeRoot = group.paths.length === 1 && group.paths[0] === group.root;
    const workspace = engine.createWorkspace({
      root: group.root,
      settings,
      once: true,
      ...(group.tsconfig ? { tsconfig: group.tsconfig } : {}),
      ...(wholeRoot ? {} : { within: group.paths }),
    });
    const onStep = progress && ((step: AnalysisStep) => progress.step(group.root, step));
    const result = await workspace.analyze({ ...(wholeRoot ? {} : { paths: group.paths }), ...(token ? { token } : {}), ...(onStep ? { onStep } : {}) });
    out.push({ group, workspace, result });
    // The group's program is dropped: give its memory to the next group's load and the report (./memory.ts).
    collectGarbage();
  }
  return out;
}

/** Concatenates analyses; a file reported by several (overlapping) groups is listed once. */
export function mergeResults(results: readonly AnalysisResult[]): AnalysisResult {
  const unique = <T>(xs: T[], key: (x: T) => string) => [...new Map(xs.map((x) => [key(x), x])).values()];
  return {
    handlers: unique(results.flatMap((r) => r.handlers), (h) => h.id),
    findings: results.flatMap((r) => r.findings),
    skipped: unique(results.flatMap((r) => r.skipped), (s) => s.file),
    files: unique(results.flatMap((r) => r.files), (f) => f),
  };
}
