/**
 * `looplens.worker-offload`: moves a top-level function that blocks the event loop into a worker module,
 * `<name>.worker.ts` next to it (created by the same edit), and runs it on a module-level piscina pool:
 *
 *   function score(rows: Row[]): Report { … }          // moved to score.worker.ts, exported, plus
 *                                                       // `export default (args) => score(...args)`
 *   const report = score(rows);                    →   const report = await scorePool.run([rows]);
 *
 *   const scorePool = new Piscina({
 *     filename: new URL('./score.worker.js', import.meta.url).href,   // CommonJS: join(__dirname, 'score.worker.js')
 *     maxThreads: Math.max(1, availableParallelism() - 1),
 *   });
 *
 * The worker's file name is the COMPILED one (`.js`): piscina loads the file Node runs, which is what the
 * project's build emits next to the compiled caller; `import.meta.url` for ESM output and `__dirname` for
 * CommonJS output (from the tsconfig, see `moduleFormatOf`). The pool is capped at
 * `availableParallelism() - 1` threads: CPU-bound tasks gain nothing from more threads than cores, and the
 * event loop's own thread keeps a core. Whether the function may move at all (clonable arguments and result,
 * no module state) is decided with the checker in `analysis/blocking-fixes.ts`; a refusal comes back as a
 * disabled fix carrying the reason. Never preferred: fix-all does not create files or add dependencies.
 */
import { availableParallelism } from 'node:os';
import * as nodePath from 'node:path';
import { ts } from 'ts-morph';
import type { CodeFix, Finding, OffloadData } from '../types';
import { addAwait } from './async-conversion';
import { headerEdit, importedName, moduleStyleOf, namedImportLine } from './imports';
import { EditBuilder, freeName, lineStartAt, namesUsedIn, nodesAtRange, styleOf, type CodeStyle, type FixSource } from './source';

export const WORKER_OFFLOAD = 'looplens.worker-offload';

/** The pool size the emitted code computes, evaluated on this machine for the title. */
function poolSizeHere(): number {
  return Math.max(1, availableParallelism() - 1);
}

/** Source extension → the worker's source extension and the compiled extension piscina loads. */
function extensionsOf(file: string): { source: string; compiled: string } {
  const ext = nodePath.extname(file).toLowerCase();
  if (ext === '.mts' || ext === '.mjs') return { source: ext, compiled: '.mjs' };
  if (ext === '.cts' || ext === '.cjs') return { source: ext, compiled: '.cjs' };
  if (ext === '.tsx') return { source: '.ts', compiled: '.js' };
  return { source: ext === '.jsx' ? '.js' : ext || '.ts', compiled: '.js' };
}

/**
 * The offload fix for a finding carrying `offload` data, or undefined when it has none or the text no longer
 * matches. A refused offload comes back as a disabled fix with the reason.
 */
export function workerOffloadFix(finding: Finding, src: FixSource): CodeFix | undefined {
  const data = finding.fix.offload;
  if (!data || typeof data.name !== 'string' || !Array.isArray(data.calls) || !Array.isArray(data.copies)) return undefined;
  const n = poolSizeHere();
  const title = `Run \`${data.name}\` in a piscina worker pool of availableParallelism() − 1 threads (${n} here: CPU-bound work gains nothing from more threads than cores, and the event loop keeps one)`;
  if (data.refused) return { fixId: WORKER_OFFLOAD, title, edits: [], isPreferred: false, disabled: `Not moved to a worker: ${data.refused}.` };
  const fn = nodesAtRange(src, data.fn).find(ts.isFunctionDeclaration);
  if (!fn || !fn.body || fn.name?.text !== data.name) return undefined;
  const calls = data.calls.map((r) => nodesAtRange(src, r).find(ts.isCallExpression));
  const copies = data.copies.map((r) => nodesAtRange(src, r).find((x): x is ts.Statement => ts.isStatement(x) || ts.isImportDeclaration(x)));
  if (calls.some((c) => !c) || copies.some((c) => !c)) return undefined;

  const { sf, text } = src;
  const code = styleOf(src);
  const isTs = /\.[cm]?tsx?$/i.test(src.file);
  const { source, compiled } = extensionsOf(src.file);
  const dir = nodePath.posix.dirname(src.file);
  const workerName = `${data.name}.worker`;
  const workerFile = `${dir}/${workerName}${source}`;
  const runtimeName = `${workerName}${compiled}`;

  const worker = workerText(src, code, fn, copies as ts.Statement[], data, isTs);
  const edits = new EditBuilder(src);
  const taken = namesUsedIn(sf);
  const imports: string[] = [];
  const style = moduleStyleOf(src);
  const bind = (module: string, exported: string): string => {
    const have = importedName(src, [module, module.replace(/^node:/, '')], exported);
    if (have) return have;
    const local = freeName(exported, taken);
    taken.add(local);
    imports.push(namedImportLine(style, code, exported, local, module));
    return local;
  };
  const piscina = bind('piscina', 'Piscina');
  const parallelism = bind('node:os', 'availableParallelism');
  const q = code.quote;
  let filename: string;
  if (data.moduleFormat === 'esm') filename = `new URL(${q}./${runtimeName}${q}, import.meta.url).href`;
  else filename = `${bind('node:path', 'join')}(__dirname, ${q}${runtimeName}${q})`;
  const pool = freeName(`${data.name}Pool`, taken);
  const { eol, indent, semi } = code;
  // `pool.run` would return `any`: type the pool from the moved function, through a type-only import.
  let typeArgs = '';
  if (isTs) {
    imports.push(`import type { ${data.name} } from ${q}./${runtimeName}${q}${semi}`);
    typeArgs = `<Parameters<typeof ${data.name}>, ReturnType<typeof ${data.name}>>`;
  }
  const declaration = [
    `/** Runs \`${data.name}\` (${workerName}${source}) off the event loop; CPU-bound work gains nothing from more threads than cores. */`,
    `const ${pool} = new ${piscina}${typeArgs}({`,
    `${indent}filename: ${filename},`,
    `${indent}maxThreads: Math.max(1, ${parallelism}() - 1),`,
    `})${semi}`,
  ].join(eol);

  // Remove the function (with its doc comment and the line it ends) from this file.
  const start = lineStartAt(text, fn.getStart(sf, true));
  let end = fn.end;
  const nl = text.indexOf('\n', end);
  if (nl >= 0 && /^[ \t]*\r?$/.test(text.slice(end, nl))) end = nl + 1;
  if (/\n\s*\n$/.test(text.slice(0, start)) && /^\r?\n/.test(text.slice(end))) end = text.indexOf('\n', end) + 1;
  edits.replace(start, end, '');
  for (const call of calls as ts.CallExpression[]) {
    const args = call.arguments.map((a) => a.getText(sf)).join(', ');
    const run = `${pool}.run([${args}])`;
    if (data.resultBuffer) {
      if (ts.isAwaitExpression(call.parent)) edits.replace(call.parent.getStart(sf), call.parent.end, `Buffer.from(await ${run})`);
      else edits.replace(call.getStart(sf), call.end, `Buffer.from(await ${run})`);
    } else addAwait(src, edits, call, run);
  }
  const header = headerEdit(src, code, imports, [declaration]);
  const warning = data.io ? ` — warning: it also calls \`${data.io}\`, and workers do not help I/O (prefer the async API)` : '';
  return {
    fixId: WORKER_OFFLOAD,
    title: `${title}; creates ${workerName}${source}${warning}; needs the piscina package`,
    edits: header ? [header, ...edits.build()] : edits.build(),
    creates: [{ file: workerFile, text: worker }],
    isPreferred: false,
  };
}

/** The worker module: the copied top-level statements, the function (exported) and piscina's default export. */
function workerText(src: FixSource, code: CodeStyle, fn: ts.FunctionDeclaration, copies: ts.Statement[], data: OffloadData, isTs: boolean): string {
  const { sf, text } = src;
  const { eol, indent, semi } = code;
  const used = new Set<string>();
  for (const node of [fn, ...copies.filter((c) => !ts.isImportDeclaration(c))]) for (const name of namesUsedIn(node)) used.add(name);
  const parts: string[] = [];
  const imports = copies.map((c) => (ts.isImportDeclaration(c) ? prunedImport(sf, c, used, code) : c.getText(sf))).filter((t): t is string => !!t);
  const cjs = moduleStyleOf(src) === 'cjs';
  parts.push(
    [
      '/**',
      ` * \`${data.name}\`, moved here by LoopLens so it runs on a worker thread instead of the event loop.`,
      ` * piscina calls the default export with one task: the arguments of one call, as an array.`,
      ' */',
    ].join(eol),
  );
  if (imports.length) parts.push(imports.join(eol));
  const fnText = text.slice(fn.getStart(sf, true), fn.end);
  const exported = cjs ? fnText : fnText.replace(/^((?:\/\*[\s\S]*?\*\/\s*)?)/, '$1export ');
  parts.push(exported);
  const sig = isTs ? `(args: Parameters<typeof ${data.name}>): ReturnType<typeof ${data.name}>` : '(args)';
  if (cjs) parts.push(`module.exports = function run${sig} {${eol}${indent}return ${data.name}(...args)${semi}${eol}}${semi}${eol}module.exports.${data.name} = ${data.name}${semi}`);
  else parts.push(`export default function run${sig} {${eol}${indent}return ${data.name}(...args)${semi}${eol}}`);
  return parts.join(eol + eol) + eol;
}

/** An import declaration keeping only the bindings in `used` (type-only and side-effect imports as they are). */
function prunedImport(sf: ts.SourceFile, decl: ts.ImportDeclaration, used: ReadonlySet<string>, code: CodeStyle): string | undefined {
  const clause = decl.importClause;
  if (!clause) return decl.getText(sf);
  const spec = decl.moduleSpecifier.getText(sf);
  const keepDefault = clause.name && used.has(clause.name.text) ? clause.name.text : undefined;
  const bindings = clause.namedBindings;
  let named: string | undefined;
  if (bindings && ts.isNamespaceImport(bindings)) named = used.has(bindings.name.text) ? bindings.getText(sf) : undefined;
  else if (bindings) {
    const kept = bindings.elements.filter((e) => used.has(e.name.text)).map((e) => e.getText(sf));
    named = kept.length ? `{ ${kept.join(', ')} }` : undefined;
  }
  const what = [keepDefault, named].filter(Boolean).join(', ');
  if (!what) return undefined;
  return `import ${clause.isTypeOnly ? 'type ' : ''}${what} from ${spec}${code.semi}`;
}
