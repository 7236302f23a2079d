import type { EngineSettings } from '../settings';
import type { CodeFix, Finding } from '../types';

/**
 * The quick fixes for one finding, computed from the current text of the finding's file.
 * STUB: the fix builders (p-limit wrap, setImmediate yield, disable comment) replace this.
 */
export function fixesFor(_finding: Finding, _text: string, _settings: EngineSettings): CodeFix[] {
  return [];
}
