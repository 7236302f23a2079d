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
 * CommonJS output (`ProjectFacts.fileFacts`: file extension, package.json `type`, tsconfig `module`). The
 * pool is capped at `availableParallelism() - 1` threads: CPU-bound tasks gain nothing from more threads than cores, and the
 * event loop's own thread keeps a core. Whether the function may move at all (clonable arguments and result,
 * no module state) is decided with the checker in `analysis/blocking-fixes.ts`; a refusal comes back as a
 * disabled fix carrying the reason. Never preferred: fix-all does not create files or add dependencies.
 *
 * With `looplens.fixes.workerPool: "worker_threads"` the fix adds no dependency: a module-level
 * `<name>InWorker(...args)` starts one `node:worker_threads` Worker per call (same compiled file name, same
 * ESM/CJS location), resolves with its one message and rejects on `error` or a non-zero `exit`; the worker
 * module calls the function with `workerData` and posts the result. Each call pays a thread's start-up, which
 * is why piscina stays the default.
 */
import { availableParallelism } from 'node:os';
import * as nodePath from 'node:path';
import { ts } from 'ts-morph';
import type { WorkerPoolKind } from '../settings';
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
 * matches. A refused offload comes back as a disabled fix with the reason. `pool` picks the variant
 * (`looplens.fixes.workerPool`, default piscina).
 */
export function workerOffloadFix(finding: Finding, src: FixSource, pool: WorkerPoolKind = 'piscina'): CodeFix | undefined {
  const data = finding.fix.offload;
  if (!data || typeof data.name !== 'string' || !Array.isArray(data.calls) || !Array.isArray(data.copies)) return undefined;
  const threads = pool === 'worker_threads';
  const title = threads
    ? `Run \`${data.name}\` in a worker thread (node:worker_threads, one per call: no dependency, but each call starts a thread; looplens.fixes.workerPool setting)`
    : `Run \`${data.name}\` in a piscina worker pool of availableParallelism() − 1 threads (${poolSizeHere()} here: CPU-bound work gains nothing from more threads than cores, and the event loop keeps one)`;
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

  const worker = (threads ? threadWorkerText : workerText)(src, code, fn, copies as ts.Statement[], data, isTs);
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
  const q = code.quote;
  const { eol, indent, semi } = code;
  // Where Node finds the compiled worker file: a URL for ESM output, a path for CommonJS (no import.meta).
  const located = (esm: string): string =>
    data.moduleFormat === 'esm' ? esm : `${bind('node:path', 'join')}(__dirname, ${q}${runtimeName}${q})`;
  let declaration: string;
  let runCall: (args: string) => string;
  if (threads) {
    const workerClass = bind('node:worker_threads', 'Worker');
    const helper = freeName(`${data.name}InWorker`, taken);
    taken.add(helper);
    const filename = located(`new URL(${q}./${runtimeName}${q}, import.meta.url)`);
    const sig = isTs ? `(...args: Parameters<typeof ${data.name}>): Promise<ReturnType<typeof ${data.name}>>` : '(...args)';
    const exitParam = isTs ? '(code: number)' : '(code)';
    declaration = [
      `/** Runs \`${data.name}\` (${workerName}${source}) on a new worker thread, off the event loop: one thread per call, no pool. */`,
      `function ${helper}${sig} {`,
      `${indent}return new Promise((resolve, reject) => {`,
      `${indent}${indent}const worker = new ${workerClass}(${filename}, { workerData: args })${semi}`,
      `${indent}${indent}worker.once(${q}message${q}, resolve)${semi}`,
      `${indent}${indent}worker.once(${q}error${q}, reject)${semi}`,
      `${indent}${indent}worker.once(${q}exit${q}, ${exitParam} => {`,
      `${indent}${indent}${indent}if (code !== 0) reject(new Error(\`${workerName} stopped with exit code \${code}\`))${semi}`,
      `${indent}${indent}})${semi}`,
      `${indent}})${semi}`,
      `}`,
    ].join(eol);
    runCall = (args) => `${helper}(${args})`;
  } else {
    const piscina = bind('piscina', 'Piscina');
    const parallelism = bind('node:os', 'availableParallelism');
    const filename = located(`new URL(${q}./${runtimeName}${q}, import.meta.url).href`);
    const pool = freeName(`${data.name}Pool`, taken);
    const typeArgs = isTs ? `<Parameters<typeof ${data.name}>, ReturnType<typeof ${data.name}>>` : '';
    declaration = [
      `/** Runs \`${data.name}\` (${workerName}${source}) off the event loop; CPU-bound work gains nothing from more threads than cores. */`,
      `const ${pool} = new ${piscina}${typeArgs}({`,
      `${indent}filename: ${filename},`,
      `${indent}maxThreads: Math.max(1, ${parallelism}() - 1),`,
      `})${semi}`,
    ].join(eol);
    runCall = (args) => `${pool}.run([${args}])`;
  }
  // The result would be `any`: type it from the moved function, through a type-only import.
  if (isTs) imports.push(`import type { ${data.name} } from ${q}./${runtimeName}${q}${semi}`);

  // Remove the function (with its doc comment and the line it ends) from this file.
  const start = lineStartAt(text, fn.getStart(sf, true));
  let end = fn.end;
  const nl = text.indexOf('\n', end);
  if (nl >= 0 && /^[ \t]*\r?$/.test(text.slice(end, nl))) end = nl + 1;
  if (/\n\s*\n$/.test(text.slice(0, start)) && /^\r?\n/.test(text.slice(end))) end = text.indexOf('\n', end) + 1;
  edits.replace(start, end, '');
  for (const call of calls as ts.CallExpression[]) {
    const args = call.arguments.map((a) => a.getText(sf)).join(', ');
    const run = runCall(args);
    if (data.resultBuffer) {
      if (ts.isAwaitExpression(call.parent)) edits.replace(call.parent.getStart(sf), call.parent.end, `Buffer.from(await ${run})`);
      else edits.replace(call.getStart(sf), call.end, `Buffer.from(await ${run})`);
    } else addAwait(src, edits, call, run);
  }
  const header = headerEdit(src, code, imports, [declaration]);
  const warning = data.io ? ` — warning: it also calls \`${data.io}\`, and workers do not help I/O (prefer the async API)` : '';
  return {
    fixId: WORKER_OFFLOAD,
    title: `${title}; creates ${workerName}${source}${warning}${threads ? '' : '; needs the piscina package'}`,
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

/**
 * The `worker_threads` variant's worker module: the copied statements, the function (exported in ESM, for the
 * caller's type-only import) and one call with the arguments from `workerData`, its result posted to the
 * parent. `parentPort?.` keeps an accidental import on the main thread from running the function.
 */
function threadWorkerText(src: FixSource, code: CodeStyle, fn: ts.FunctionDeclaration, copies: ts.Statement[], data: OffloadData, isTs: boolean): string {
  const { sf, text } = src;
  const { eol, semi, quote: q } = code;
  const used = new Set<string>();
  for (const node of [fn, ...copies.filter((c) => !ts.isImportDeclaration(c))]) for (const name of namesUsedIn(node)) used.add(name);
  const taken = new Set([...used, ...namesUsedIn(fn)]);
  const port = freeName('parentPort', taken);
  taken.add(port);
  const input = freeName('workerData', taken);
  const cjs = moduleStyleOf(src) === 'cjs';
  const spec = `${q}node:worker_threads${q}`;
  const bindings = [port === 'parentPort' ? port : `parentPort${cjs ? ': ' : ' as '}${port}`, input === 'workerData' ? input : `workerData${cjs ? ': ' : ' as '}${input}`].join(', ');
  const importLine = cjs ? `const { ${bindings} } = require(${spec})${semi}` : `import { ${bindings} } from ${spec}${semi}`;
  const copied = copies.map((c) => (ts.isImportDeclaration(c) ? prunedImport(sf, c, used, code) : c.getText(sf))).filter((t): t is string => !!t);
  const parts: string[] = [
    [
      '/**',
      ` * \`${data.name}\`, moved here by LoopLens so it runs on a worker thread instead of the event loop.`,
      ` * One Worker per call: the arguments arrive as \`workerData\` (an array) and the result goes back as one message.`,
      ' */',
    ].join(eol),
    [importLine, ...copied].join(eol),
  ];
  const fnText = text.slice(fn.getStart(sf, true), fn.end);
  parts.push(cjs ? fnText : fnText.replace(/^((?:\/\*[\s\S]*?\*\/\s*)?)/, '$1export '));
  const args = isTs ? `(${input} as Parameters<typeof ${data.name}>)` : input;
  parts.push(`${port}?.postMessage(${data.name}(...${args}))${semi}`);
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
