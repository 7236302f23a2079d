import { writeFileSync } from 'node:fs';
import type { Finding } from '../engine/types';
import type { AuditWorkspace, EngineHooks } from './engine';

/** What `--fix` did. */
export interface FixSummary {
  /** Preferred fixes applied. */
  applied: number;
  /** Findings whose preferred fix could not be placed (an earlier fix rewrote their range). */
  skipped: number;
  /** Absolute paths of the files rewritten. */
  files: string[];
}

/**
 * Applies every finding's preferred fix in place with the engine's fix-all (fixes of one file composed in
 * document order, so a second p-limit wrap reuses the first one's limiter), writing each changed file once.
 * Files are read through `workspace.readText`. Throws the file system's error when a file cannot be read
 * or written.
 */
export function applyFixes(workspace: AuditWorkspace, findings: readonly Finding[], engine: Pick<EngineHooks, 'planFixAll'>): FixSummary {
  const byFile = new Map<string, Finding[]>();
  for (const f of findings) byFile.set(f.location.file, [...(byFile.get(f.location.file) ?? []), f]);
  const summary: FixSummary = { applied: 0, skipped: 0, files: [] };
  for (const [file, list] of byFile) {
    const text = workspace.readText(file);
    const plan = engine.planFixAll(file, text, list, workspace.settings);
    summary.skipped += plan.skipped.length;
    if (plan.applied.length === 0 || plan.text === text) continue;
    writeFileSync(file, plan.text);
    summary.applied += plan.applied.length;
    summary.files.push(file);
  }
  return summary;
}
