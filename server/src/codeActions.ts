/**
 * Code actions: a quick fix per fix of each LoopLens diagnostic in the request, and `source.fixAll.looplens`
 * applying every preferred fix of the document. Every edit is stamped with the document version it was
 * computed for; a diagnostic computed for another version than the document's current one gets no fix.
 */
import {
  CodeActionKind,
  OptionalVersionedTextDocumentIdentifier,
  TextDocumentEdit,
  type CodeAction,
  type Diagnostic,
  type TextEdit as LspTextEdit,
  type WorkspaceEdit,
} from 'vscode-languageserver';
import { fixesFor } from './engine/fixes/index';
import { planFixAll } from './engine/fixes/fix-all';
import type { EngineSettings } from './engine/settings';
import type { Finding, TextEdit } from './engine/types';
import { findingFromDiagnostic } from './diagnostics';

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
      actions.push({
        title: fix.title,
        kind: CodeActionKind.QuickFix,
        diagnostics: [diagnostic],
        isPreferred: fix.isPreferred,
        edit: workspaceEdit(doc, fix.edits),
      });
    }
  }
  return actions;
}

/**
 * The fix-all action for the document from its current findings (computed for `doc.version`), or
 * undefined when no preferred fix applies.
 */
export function fixAllAction(doc: ActionDocument, findings: readonly Finding[], settings: EngineSettings): CodeAction | undefined {
  const plan = planFixAll(doc.file, doc.text, findings, settings);
  if (plan.edits.length === 0) return undefined;
  return { title: 'Fix all LoopLens problems', kind: FIX_ALL_KIND, edit: workspaceEdit(doc, plan.edits) };
}

/** Edits of the document's file as a workspace edit stamped with the document version. */
function workspaceEdit(doc: ActionDocument, edits: readonly TextEdit[]): WorkspaceEdit {
  const lsp: LspTextEdit[] = edits.filter((e) => e.file === doc.file).map((e) => ({ range: e.range, newText: e.newText }));
  if (!doc.versionedEdits) return { changes: { [doc.uri]: lsp } };
  return { documentChanges: [TextDocumentEdit.create(OptionalVersionedTextDocumentIdentifier.create(doc.uri, doc.version), lsp)] };
}
