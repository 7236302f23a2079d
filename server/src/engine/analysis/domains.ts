/**
 * Event-loop domains: which process runs each handler. A domain is an entry file (one that listens, exports a
 * Lambda handler, starts a queue worker, or that a `package.json` names as `main`, `bin` or its `.` export)
 * with every file it imports, transitively. Files run in worker
 * threads or sandboxed processors are domains of their own. A handler whose file no entry reaches is its own
 * file's domain.
 */
import * as nodePath from 'node:path';
import { ts } from 'ts-morph';
import { walk } from '../ast';

/** The project files a file imports (ES imports, re-exports, `require`, dynamic `import()`). */
export function importsOf(sf: ts.SourceFile, options: ts.CompilerOptions, host: ts.ModuleResolutionHost, cache: ts.ModuleResolutionCache): string[] {
  const specs = moduleSpecifiers(sf);
  const out: string[] = [];
  for (const s of specs) {
    if (!s.startsWith('.') && !s.startsWith('/') && !s.startsWith('#') && !s.startsWith('@/') && !s.startsWith('~/')) continue;
    const r = ts.resolveModuleName(s, sf.fileName, options, host, cache).resolvedModule;
    if (r && !r.isExternalLibraryImport) out.push(r.resolvedFileName.replace(/\\/g, '/'));
  }
  return out;
}

/** `require(…)` however spaced: a TypeScript file that calls it needs a walk (see {@link moduleSpecifiers}). */
const REQUIRE_CALL = /\brequire\s*\(/;

/**
 * The module specifiers a file names. The program collected them as it was built (`SourceFile.imports`,
 * internal: imports, re-exports, `import x = require()`, `import()` and, in JavaScript, `require()`), so only a
 * TypeScript file whose text calls `require` is walked for its calls; a walk of every file cost 0.12 s of a 5 s
 * audit of 1,000 files.
 */
function moduleSpecifiers(sf: ts.SourceFile): string[] {
  const collected = (sf as { imports?: readonly ts.StringLiteralLike[] }).imports;
  const js = /\.[cm]?jsx?$/i.test(sf.fileName);
  if (collected && (js || !REQUIRE_CALL.test(sf.text))) return collected.map((s) => s.text);
  const specs: string[] = [];
  walk(sf, (n) => {
    if ((ts.isImportDeclaration(n) || ts.isExportDeclaration(n)) && n.moduleSpecifier && ts.isStringLiteral(n.moduleSpecifier)) specs.push(n.moduleSpecifier.text);
    else if (ts.isImportEqualsDeclaration(n) && ts.isExternalModuleReference(n.moduleReference) && ts.isStringLiteral(n.moduleReference.expression)) specs.push(n.moduleReference.expression.text);
    else if (ts.isCallExpression(n) && n.arguments.length === 1 && ts.isStringLiteral(n.arguments[0]!) && ((ts.isIdentifier(n.expression) && n.expression.text === 'require') || n.expression.kind === ts.SyntaxKind.ImportKeyword)) specs.push((n.arguments[0] as ts.StringLiteral).text);
  });
  return specs;
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

/** What {@link packageEntries} reads: the parts of `ts.sys` it needs (tests pass an in-memory one). */
export interface PackageHost {
  fileExists(path: string): boolean;
  readFile(path: string): string | undefined;
}

/** Folders that hold build output: `dist/index.js` is built from `src/index.ts` (or `index.ts`). */
const BUILD_DIRS = new Set(['dist', 'lib', 'build', 'out', 'cjs', 'esm', 'mjs']);
const SOURCE_EXTENSIONS = ['.ts', '.tsx', '.mts', '.cts', '.js', '.jsx', '.mjs', '.cjs'];

/**
 * The paths a package names as what runs: `main`, every `bin`, and the `.` export when it is a string or an
 * object of condition strings (`{ ".": { "import": "./dist/index.mjs", "require": … } }` or top-level
 * conditions). Subpath exports (`./adapters/express`) are library surfaces, not processes, and are left out.
 */
function manifestTargets(manifest: unknown): string[] {
  if (!manifest || typeof manifest !== 'object') return [];
  const m = manifest as Record<string, unknown>;
  const out: string[] = [];
  const add = (v: unknown) => {
    if (typeof v === 'string' && !v.endsWith('.d.ts')) out.push(v);
    else if (v && typeof v === 'object' && !Array.isArray(v)) for (const [k, x] of Object.entries(v)) if (k !== 'types' && !k.startsWith('.')) add(x);
  };
  add(m.main);
  if (typeof m.bin === 'string') add(m.bin);
  else if (m.bin && typeof m.bin === 'object') for (const v of Object.values(m.bin)) add(v);
  const exp = m.exports;
  if (typeof exp === 'string') add(exp);
  else if (exp && typeof exp === 'object' && !Array.isArray(exp)) {
    const keys = Object.keys(exp);
    if (keys.some((k) => k.startsWith('.'))) add((exp as Record<string, unknown>)['.']);
    else add(exp);
  }
  return out;
}

/**
 * The source file a manifest path refers to, among `files`: the path itself, the path with a source extension
 * (`./server` → `server.ts`, `dist/cli.js` → `dist/cli.ts`) or as a folder's `index`, and the same after mapping
 * build output back to sources — `outDir` to `rootDir` when the compiler options say so, else leading build
 * folders (`dist/`, `lib/`, `build/`, `out/`, `cjs/`, `esm/`) to `src/` or to the package root.
 */
function sourceFor(pkgDir: string, target: string, files: ReadonlySet<string>, options: ts.CompilerOptions): string | undefined {
  const abs = nodePath.posix.resolve(pkgDir, target.replace(/\\/g, '/'));
  const stems = new Set<string>();
  const addStem = (p: string) => {
    stems.add(p);
    stems.add(p.replace(/\.(?:[cm]?js|jsx)$/, ''));
  };
  addStem(abs);
  const outDir = options.outDir?.replace(/\\/g, '/');
  if (outDir && (abs + '/').startsWith(outDir.replace(/\/?$/, '/'))) {
    const rest = abs.slice(outDir.replace(/\/$/, '').length);
    addStem((options.rootDir?.replace(/\\/g, '/') ?? `${pkgDir}/src`).replace(/\/$/, '') + rest);
  }
  const rel = nodePath.posix.relative(pkgDir, abs).split('/');
  let lead = 0;
  while (lead < rel.length - 1 && BUILD_DIRS.has(rel[lead]!)) lead++;
  if (lead > 0) {
    addStem(`${pkgDir}/src/${rel.slice(lead).join('/')}`);
    addStem(`${pkgDir}/${rel.slice(lead).join('/')}`);
  }
  for (const stem of stems) {
    if (files.has(stem)) return stem;
    for (const ext of SOURCE_EXTENSIONS) if (files.has(stem + ext)) return stem + ext;
    for (const ext of SOURCE_EXTENSIONS) if (files.has(`${stem}/index${ext}`)) return `${stem}/index${ext}`;
  }
  return undefined;
}

/**
 * Entry files named by the `package.json` of each package the project files belong to (the nearest one above
 * each file, outside `node_modules`): see {@link manifestTargets} for which fields count and
 * {@link sourceFor} for how built paths map back to sources. Returns absolute forward-slash paths among
 * `files`. A manifest that is unreadable or not JSON is ignored; nothing here runs workspace code.
 */
export function packageEntries(files: readonly string[], options: ts.CompilerOptions, host: PackageHost): string[] {
  const fileSet = new Set(files);
  const manifestOf = new Map<string, string | undefined>(); // folder → its package.json folder
  const nearest = (dir: string): string | undefined => {
    if (manifestOf.has(dir)) return manifestOf.get(dir);
    let found: string | undefined;
    if (!dir.split('/').includes('node_modules')) {
      if (host.fileExists(`${dir}/package.json`)) found = dir;
      else {
        const up = nodePath.posix.dirname(dir);
        found = up === dir ? undefined : nearest(up);
      }
    }
    manifestOf.set(dir, found);
    return found;
  };
  const pkgDirs = new Set<string>();
  for (const f of files) {
    const d = nearest(nodePath.posix.dirname(f));
    if (d) pkgDirs.add(d);
  }
  const out = new Set<string>();
  for (const dir of pkgDirs) {
    let manifest: unknown;
    try {
      manifest = JSON.parse(host.readFile(`${dir}/package.json`) ?? '');
    } catch {
      continue;
    }
    for (const t of manifestTargets(manifest)) {
      const src = sourceFor(dir, t, fileSet, options);
      if (src) out.add(src);
    }
  }
  return [...out].sort();
}
