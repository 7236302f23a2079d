/**
 * Event-loop domains: which process runs each handler. A domain is an entry file (one that listens, exports a
 * Lambda handler, starts a queue worker …) with every file it imports, transitively. Files run in worker
 * threads or sandboxed processors are domains of their own. A handler whose file no entry reaches is its own
 * file's domain.
 */
import * as nodePath from 'node:path';
import { ts } from 'ts-morph';
import { walk } from '../ast';

/** The project files a file imports (ES imports, re-exports, `require`, dynamic `import()`). */
export function importsOf(sf: ts.SourceFile, options: ts.CompilerOptions, host: ts.ModuleResolutionHost, cache: ts.ModuleResolutionCache): string[] {
  const specs: string[] = [];
  walk(sf, (n) => {
    if ((ts.isImportDeclaration(n) || ts.isExportDeclaration(n)) && n.moduleSpecifier && ts.isStringLiteral(n.moduleSpecifier)) specs.push(n.moduleSpecifier.text);
    else if (ts.isImportEqualsDeclaration(n) && ts.isExternalModuleReference(n.moduleReference) && ts.isStringLiteral(n.moduleReference.expression)) specs.push(n.moduleReference.expression.text);
    else if (ts.isCallExpression(n) && n.arguments.length === 1 && ts.isStringLiteral(n.arguments[0]!) && ((ts.isIdentifier(n.expression) && n.expression.text === 'require') || n.expression.kind === ts.SyntaxKind.ImportKeyword)) specs.push((n.arguments[0] as ts.StringLiteral).text);
    // Declarations cannot contain imports we care about below expressions; keep walking.
  });
  const out: string[] = [];
  for (const s of specs) {
    if (!s.startsWith('.') && !s.startsWith('/') && !s.startsWith('#') && !s.startsWith('@/') && !s.startsWith('~/')) continue;
    const r = ts.resolveModuleName(s, sf.fileName, options, host, cache).resolvedModule;
    if (r && !r.isExternalLibraryImport) out.push(r.resolvedFileName.replace(/\\/g, '/'));
  }
  return out;
}

export interface DomainInput {
  /** Every project file with the files it imports. */
  imports: Map<string, string[]>;
  entries: Set<string>;
  workerFiles: Set<string>;
}

/** For each file, the domains (entry files, or `worker:<file>`) it runs in. */
export function computeDomains(input: DomainInput): (file: string) => string[] {
  const byFile = new Map<string, string[]>();
  const sortedEntries = [...input.entries].filter((e) => !input.workerFiles.has(e)).sort();
  for (const entry of sortedEntries) {
    const seen = new Set<string>([entry]);
    const stack = [entry];
    while (stack.length) {
      const f = stack.pop()!;
      const list = byFile.get(f) ?? [];
      list.push(entry);
      byFile.set(f, list);
      for (const g of input.imports.get(f) ?? []) {
        if (!seen.has(g) && !input.workerFiles.has(g)) {
          seen.add(g);
          stack.push(g);
        }
      }
    }
  }
  return (file) => {
    if (input.workerFiles.has(file)) return [`worker:${file}`];
    return byFile.get(file) ?? [file];
  };
}

/** A short name for a domain, for messages: the entry file's base name. */
export function domainName(domain: string): string {
  return domain.startsWith('worker:') ? `worker ${nodePath.basename(domain.slice(7))}` : nodePath.basename(domain);
}
