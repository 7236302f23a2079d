/**
 * Reading and adding module imports for the fixes: which local name a module is already bound to, and one
 * edit that adds import lines (and module-level declarations) after the file's last import.
 * Handles ES modules (`import … from`) and CommonJS (`const … = require(…)`).
 */
import { ts } from 'ts-morph';
import type { TextEdit } from '../types';
import { editAt, needsSemicolonBefore, type CodeStyle, type FixSource } from './source';

export type ModuleStyle = 'esm' | 'cjs';

/**
 * Whether new imports should be written as `import` or `require`: `.cjs`/`.cts` files and JavaScript files
 * that use `require` or `module.exports` without any `import`/`export` are CommonJS; everything else (all
 * other TypeScript, ES-module JavaScript, files with no evidence either way) gets `import`.
 */
export function moduleStyleOf(src: FixSource): ModuleStyle {
  if (/\.c[jt]s$/i.test(src.file)) return 'cjs';
  if (/\.m[jt]s$/i.test(src.file) || /\.tsx?$/i.test(src.file)) return 'esm';
  const hasEsm = src.sf.statements.some(
    (st) =>
      ts.isImportDeclaration(st) ||
      ts.isExportDeclaration(st) ||
      ts.isExportAssignment(st) ||
      (ts.canHaveModifiers(st) && (ts.getModifiers(st) ?? []).some((m) => m.kind === ts.SyntaxKind.ExportKeyword)),
  );
  if (hasEsm) return 'esm';
  return /\brequire\s*\(|\bmodule\.exports\b/.test(src.text) ? 'cjs' : 'esm';
}

/** `require('m')` → `'m'`; anything else → undefined. */
function requiredModule(expr: ts.Expression | undefined): string | undefined {
  if (!expr || !ts.isCallExpression(expr)) return undefined;
  if (!ts.isIdentifier(expr.expression) || expr.expression.text !== 'require') return undefined;
  const arg = expr.arguments[0];
  return arg && ts.isStringLiteralLike(arg) ? arg.text : undefined;
}

/** True for top-level statements that only bring in modules (imports and `const x = require('m')`). */
function isImportStatement(st: ts.Statement): boolean {
  if (ts.isImportDeclaration(st) || ts.isImportEqualsDeclaration(st)) return true;
  return (
    ts.isVariableStatement(st) &&
    st.declarationList.declarations.every((d) => {
      let init = d.initializer;
      while (init && ts.isPropertyAccessExpression(init)) init = init.expression;
      return requiredModule(init) !== undefined;
    })
  );
}

/** How a module is bound in this file: the default export's local name, or a named export's local name. */
export function importedName(src: FixSource, modules: readonly string[], exported: 'default' | string): string | undefined {
  for (const st of src.sf.statements) {
    if (ts.isImportDeclaration(st) && ts.isStringLiteral(st.moduleSpecifier) && modules.includes(st.moduleSpecifier.text)) {
      const clause = st.importClause;
      if (!clause || clause.isTypeOnly) continue;
      if (exported === 'default' && clause.name) return clause.name.text;
      const bindings = clause.namedBindings;
      if (bindings && ts.isNamedImports(bindings)) {
        for (const el of bindings.elements) {
          if (!el.isTypeOnly && (el.propertyName ?? el.name).text === exported) return el.name.text;
        }
      }
    }
    if (ts.isVariableStatement(st)) {
      for (const d of st.declarationList.declarations) {
        const mod = requiredModule(d.initializer);
        if (!mod || !modules.includes(mod)) continue;
        if (exported === 'default' && ts.isIdentifier(d.name)) return d.name.text;
        if (exported !== 'default' && ts.isObjectBindingPattern(d.name)) {
          for (const el of d.name.elements) {
            const key = el.propertyName ?? el.name;
            if (ts.isIdentifier(key) && key.text === exported && ts.isIdentifier(el.name)) return el.name.text;
          }
        }
      }
    }
  }
  return undefined;
}

/** The `{ … }` of an ES import of one of `modules` that new named imports can join, or undefined. */
export function namedImportsOf(src: FixSource, modules: readonly string[]): ts.NamedImports | undefined {
  for (const st of src.sf.statements) {
    if (!ts.isImportDeclaration(st) || !ts.isStringLiteral(st.moduleSpecifier)) continue;
    if (!modules.includes(st.moduleSpecifier.text) || st.importClause?.isTypeOnly) continue;
    const bindings = st.importClause?.namedBindings;
    if (bindings && ts.isNamedImports(bindings)) return bindings;
  }
  return undefined;
}

/** The text of an import of `module`'s default export bound to `local`, in the file's module style. */
export function defaultImportLine(style: ModuleStyle, code: CodeStyle, local: string, module: string): string {
  const spec = `${code.quote}${module}${code.quote}`;
  return style === 'esm' ? `import ${local} from ${spec}${code.semi}` : `const ${local} = require(${spec})${code.semi}`;
}

/** The text of an import of `module`'s export `exported` bound to `local` (aliased when they differ). */
export function namedImportLine(style: ModuleStyle, code: CodeStyle, exported: string, local: string, module: string): string {
  const spec = `${code.quote}${module}${code.quote}`;
  if (style === 'esm') return `import { ${exported === local ? local : `${exported} as ${local}`} } from ${spec}${code.semi}`;
  return `const { ${exported === local ? local : `${exported}: ${local}`} } = require(${spec})${code.semi}`;
}

/**
 * One edit that adds `imports` (full lines, no line ending) after the file's last import statement and then
 * `declarations` after a blank line. With no imports in the file, the lines go at the top: after a `#!`
 * line, `'use strict'`-style directives and a header comment that is followed by a blank line.
 * Returns undefined when both lists are empty.
 */
export function headerEdit(src: FixSource, code: CodeStyle, imports: readonly string[], declarations: readonly string[]): TextEdit | undefined {
  if (imports.length === 0 && declarations.length === 0) return undefined;
  const { eol } = code;
  const lastImport = [...src.sf.statements].reverse().find(isImportStatement);
  const anchor = lastImport ? { offset: lastImport.end, after: true } : topAnchor(src);
  let decls = declarations.join(eol);
  if (decls && !code.semi && needsSemicolonBefore(src.text, anchor.offset)) decls += ';';
  if (lastImport) {
    const text = imports.map((l) => eol + l).join('') + (decls ? eol + eol + decls : '');
    return editAt(src, anchor.offset, anchor.offset, text);
  }
  const block = [...imports, ...(decls && imports.length ? [''] : []), ...(decls ? [decls] : [])].join(eol);
  if (anchor.after) return editAt(src, anchor.offset, anchor.offset, eol + eol + block);
  return editAt(src, anchor.offset, anchor.offset, block + eol + eol);
}

/**
 * Where top-of-file insertions go: `after` a directive prologue or a header comment (insert a blank line
 * first), else at the start of the file or the line after `#!` (insert before).
 */
function topAnchor(src: FixSource): { offset: number; after: boolean } {
  const { text, sf } = src;
  let directiveEnd = -1;
  for (const st of sf.statements) {
    if (ts.isExpressionStatement(st) && ts.isStringLiteral(st.expression)) directiveEnd = st.end;
    else break;
  }
  if (directiveEnd >= 0) return { offset: directiveEnd, after: true };
  let offset = 0;
  if (text.startsWith('#!')) {
    const nl = text.indexOf('\n');
    offset = nl < 0 ? text.length : nl + 1;
  }
  const comments = ts.getLeadingCommentRanges(text, offset) ?? [];
  const last = comments[comments.length - 1];
  if (last && /^[ \t]*\r?\n[ \t]*\r?\n/.test(text.slice(last.end))) return { offset: last.end, after: true };
  return { offset, after: false };
}
