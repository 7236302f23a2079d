/**
 * Code actions: a quick fix per fix of each LoopLens diagnostic in the request, and `source.fixAll.looplens`
 * applying every preferred fix of the document. Every edit is stamped with the document version it was
 * computed for; a diagnostic computed for another version than the document's current one gets no fix.
 */
import {
  CodeActionKind,
  CreateFile,
  OptionalVersionedTextDocumentIdentifier,
  TextDocumentEdit,
  type CodeAction,
  type Diagnostic,
  type Range,
  type TextEdit as LspTextEdit,
  type WorkspaceEdit,
} from 'vscode-languageserver';
import { fixesFor } from './engine/fixes/index';
import { loopRewriteFixes, type LoopSizing } from './engine/fixes/loop-rewrite';
import { parseSource } from './engine/fixes/source';
import { planFixAll } from './engine/fixes/fix-all';
import type { EngineSettings } from './engine/settings';
import type { Finding, TextEdit } from './engine/types';
import { findingFromDiagnostic } from './diagnostics';
import { pathToUri } from './uri';

/** The fix-all kind LoopLens answers (`editor.codeActionsOnSave: { "source.fixAll.looplens": "explicit" }`). */
export const FIX_ALL_KIND = `${CodeActionKind.SourceFixAll}.looplens`;

/** The document a code action is for, at the version the client sees. */
export interface ActionDocument {
  uri: string;
  /** Absolute forward-slash path. */
  file: string;
  version: number;
  text: string;
  /** Whether the client accepts `documentChanges` (versioned edits); otherwise plain `changes` are sent. */
  versionedEdits: boolean;
}

/** True when an action of `kind` answers a request limited to `only` (absent: every kind). */
export function isRequested(only: readonly string[] | undefined, kind: string): boolean {
  return !only || only.some((k) => k === kind || kind.startsWith(`${k}.`));
}

/**
 * The quick fixes for the LoopLens diagnostics among `diagnostics`. A diagnostic whose `data.version` is
 * not the document's version is stale: its ranges may point at other code, so it gets no action.
 */
export function quickFixes(doc: ActionDocument, diagnostics: readonly Diagnostic[], settings: EngineSettings): CodeAction[] {
  const actions: CodeAction[] = [];
  for (const diagnostic of diagnostics) {
    const parsed = findingFromDiagnostic(diagnostic, doc.file);
    if (!parsed || parsed.version !== doc.version) continue;
    for (const fix of fixesFor(parsed.finding, doc.text, settings)) {
      if (fix.disabled) {
        actions.push({ title: fix.title, kind: CodeActionKind.QuickFix, diagnostics: [diagnostic], disabled: { reason: fix.disabled } });
        continue;
      }
      // A command-only fix (looplens.install-dependency) has no edit; every other fix has one.
      const edit = fix.edits.length > 0 || fix.creates?.length || !fix.command ? workspaceEdit(doc, fix.edits, fix.creates) : undefined;
      if (!edit && !fix.command) continue;
      const action: CodeAction = { title: fix.title, kind: CodeActionKind.QuickFix, diagnostics: [diagnostic], isPreferred: fix.isPreferred };
      if (edit) action.edit = edit;
      if (fix.command) action.command = fix.command;
      actions.push(action);
    }
  }
  return actions;
}

/** The refactor kind of the loop rewrites (`for…of` awaiting each item → bounded concurrency). */
export const REWRITE_KIND = CodeActionKind.RefactorRewrite;

/**
 * The `refactor.rewrite` actions for a serial `for…of` loop around `range` (see engine/fixes/loop-rewrite.ts),
 * with the concurrency limit `sizing` gives; none when the loop's iterations depend on each other.
 */
export function loopRefactors(doc: ActionDocument, range: Range, sizing: LoopSizing): CodeAction[] {
  return loopRewriteFixes(parseSource(doc.file, doc.text), range, sizing).map((fix) => ({
    title: fix.title,
    kind: REWRITE_KIND,
    isPreferred: fix.isPreferred,
    edit: workspaceEdit(doc, fix.edits)!,
  }));
}

/**
 * The fix-all action for the document from its current findings (computed for `doc.version`), or
 * undefined when no preferred fix applies.
 */
export function fixAllAction(doc: ActionDocument, findings: readonly Finding[], settings: EngineSettings): CodeAction | undefined {
  const plan = planFixAll(doc.file, doc.text, findings, settings);
  if (plan.edits.length === 0) return undefined;
  return { title: 'Fix all LoopLens problems', kind: FIX_ALL_KIND, edit: workspaceEdit(doc, plan.edits)! };
}

/**
 * Edits of the document's file as a workspace edit stamped with the document version. Files to create (a
 * worker module) become a `CreateFile` that fails if the file exists, then one insert of their text; a
 * client without `documentChanges` cannot create files, so such a fix gets no edit at all (never half of it).
 */
function workspaceEdit(doc: ActionDocument, edits: readonly TextEdit[], creates: readonly { file: string; text: string }[] = []): WorkspaceEdit | undefined {
  const lsp: LspTextEdit[] = edits.filter((e) => e.file === doc.file).map((e) => ({ range: e.range, newText: e.newText }));
  if (!doc.versionedEdits) return creates.length ? undefined : { changes: { [doc.uri]: lsp } };
  const created = creates.flatMap((c) => {
    const uri = pathToUri(c.file);
    const empty = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
    return [CreateFile.create(uri, { overwrite: false, ignoreIfExists: false }), TextDocumentEdit.create(OptionalVersionedTextDocumentIdentifier.create(uri, null), [{ range: empty, newText: c.text }])];
  });
  return { documentChanges: [...created, TextDocumentEdit.create(OptionalVersionedTextDocumentIdentifier.create(doc.uri, doc.version), lsp)] };
}
