/**
 * `looplens.sync-to-async`: swaps a blocking Node `*Sync` call for its promise form, awaited:
 *
 *   readFileSync(p, 'utf8')            →  await readFile(p, 'utf8')                      (node:fs/promises)
 *   pbkdf2Sync(pw, salt, 1e5, 64, h)   →  await pbkdf2Async(pw, salt, 1e5, 64, h)        (promisify(pbkdf2))
 *   gzipSync(buf)                      →  await gzipAsync(buf)                           (promisify(gzip))
 *   execSync('git rev-parse HEAD')     →  (await execFileAsync('git', ['rev-parse', 'HEAD'], { encoding: 'buffer' })).stdout
 *
 * The imports (and a module-level `const xAsync = promisify(x)`) are added when missing, in the file's module
 * style. When the enclosing function is sync, the fix also makes it async — only when every caller can await
 * it (see `async-conversion.ts`); otherwise it is shown disabled with the reason.
 */
import { ts } from 'ts-morph';
import type { CodeFix, Finding } from '../types';
import { addAwait, addConversionEdits, conversionTitle } from './async-conversion';
import { headerEdit, importedName, moduleStyleOf, namedImportLine, namedImportsOf } from './imports';
import { EditBuilder, enclosingFunction, freeName, isAsync, namesUsedIn, nodesAtRange, styleOf, type FixSource } from './source';

export const SYNC_TO_ASYNC = 'looplens.sync-to-async';

/** Why each promise form: the pool it runs on, for the title. */
const RUNS_ON: Record<string, string> = {
  fs: "libuv's thread pool",
  crypto: "libuv's thread pool (4 threads unless UV_THREADPOOL_SIZE is set)",
  zlib: "libuv's thread pool (4 threads unless UV_THREADPOOL_SIZE is set)",
  child_process: 'a child process, which the event loop waits for without blocking',
};

/**
 * The swap fix for a finding carrying `swap` data, or undefined when it has none or the text no longer
 * matches. A refused swap, or one whose sync enclosing function cannot become async, comes back disabled.
 */
export function syncToAsyncFix(finding: Finding, src: FixSource): CodeFix | undefined {
  const swap = finding.fix.swap;
  if (!swap || typeof swap.api !== 'string' || typeof swap.module !== 'string') return undefined;
  const asyncApi = swap.api.replace(/Sync$/, '');
  const target = swap.module === 'child_process' ? 'execFile' : asyncApi;
  const base = `Use the async \`${target}\``;
  const disabled = (reason: string): CodeFix => ({ fixId: SYNC_TO_ASYNC, title: base, edits: [], isPreferred: false, disabled: reason });
  if (swap.refused) return disabled(`Not swapped: ${swap.refused}.`);
  const call = nodesAtRange(src, swap.call).find(ts.isCallExpression);
  if (!call) return undefined;
  const fn = enclosingFunction(call);
  if (!fn) return undefined;
  const edits = new EditBuilder(src);
  let conversion = '';
  if (!isAsync(fn)) {
    const conv = finding.fix.conversion;
    if (!conv) return disabled('The enclosing function is not async, and LoopLens could not check its callers.');
    if (conv.refused) return disabled(`The enclosing function is not async and cannot become async: ${conv.refused}.`);
    if (!addConversionEdits(src, edits, conv)) return undefined;
    conversion = `, and ${conversionTitle(src, conv)}`;
  }

  const code = styleOf(src);
  const style = moduleStyleOf(src);
  const taken = namesUsedIn(src.sf);
  const imports: string[] = [];
  const declarations: string[] = [];
  /** The local name of `exported` from `module`, imported when missing (joining an existing `{ … }` when there is one). */
  const bind = (module: string, exported: string, preferred: string): string => {
    const modules = [module, `node:${module}`];
    const have = importedName(src, modules, exported);
    if (have) return have;
    const local = freeName(preferred, taken);
    taken.add(local);
    const named = style === 'esm' ? namedImportsOf(src, modules) : undefined;
    const spec = local === exported ? local : `${exported} as ${local}`;
    if (named && named.elements.length > 0) edits.insert(named.elements[named.elements.length - 1]!.end, `, ${spec}`);
    else imports.push(namedImportLine(style, code, exported, local, `node:${module}`));
    return local;
  };

  let replacement: string;
  const args = call.arguments.map((a) => a.getText(src.sf));
  if (swap.module === 'fs') {
    const local = bind('fs/promises', asyncApi, importedName(src, ['fs', 'node:fs'], asyncApi) ? `${asyncApi}Async` : asyncApi);
    replacement = `${local}(${args.join(', ')})`;
  } else {
    const callbackName = swap.module === 'child_process' ? 'execFile' : asyncApi;
    const promised = promisifiedIn(src, callbackName, swap.module);
    let local = promised;
    if (!local) {
      const promisify = bind('util', 'promisify', 'promisify');
      const cb = bind(swap.module, callbackName, callbackName);
      local = freeName(`${callbackName}Async`, taken);
      taken.add(local);
      declarations.push(`const ${local} = ${promisify}(${cb})${code.semi}`);
    }
    if (swap.module === 'child_process') {
      const cmd = call.arguments[0];
      if (!cmd || !ts.isStringLiteralLike(cmd)) return undefined;
      const [program, ...rest] = cmd.text.trim().split(/\s+/);
      const q = code.quote;
      const quoted = (s: string) => q + s + q;
      const opts = call.arguments[1];
      let options = `{ encoding: ${quoted('buffer')} }`;
      if (opts && ts.isObjectLiteralExpression(opts)) {
        const hasEncoding = opts.properties.some((p) => p.name?.getText(src.sf) === 'encoding');
        const props = opts.properties.map((p) => p.getText(src.sf));
        options = `{ ${[...props, ...(hasEncoding ? [] : [`encoding: ${quoted('buffer')}`])].join(', ')} }`;
      }
      replacement = `(await ${local}(${quoted(program!)}, [${rest.map(quoted).join(', ')}], ${options})).stdout`;
      edits.replace(call.getStart(src.sf), call.end, replacement);
      return finish();
    }
    replacement = `${local}(${args.join(', ')})`;
  }
  addAwait(src, edits, call, replacement);
  return finish();

  function finish(): CodeFix {
    const header = headerEdit(src, code, imports, declarations);
    return {
      fixId: SYNC_TO_ASYNC,
      title: `${base} from node:${swap!.module === 'fs' ? 'fs/promises' : swap!.module}${swap!.module === 'fs' ? '' : ' (promisified)'}: runs on ${RUNS_ON[swap!.module] ?? 'a thread pool'}, not on the event loop${conversion}`,
      edits: header ? [header, ...edits.build()] : edits.build(),
      isPreferred: true,
    };
  }
}

/** A top-level `const x = promisify(<callbackName>)` already in the file, by its name. */
function promisifiedIn(src: FixSource, callbackName: string, module: string): string | undefined {
  const cb = importedName(src, [module, `node:${module}`], callbackName);
  const promisify = importedName(src, ['util', 'node:util'], 'promisify');
  if (!cb || !promisify) return undefined;
  for (const st of src.sf.statements) {
    if (!ts.isVariableStatement(st)) continue;
    for (const d of st.declarationList.declarations) {
      const init = d.initializer;
      if (
        ts.isIdentifier(d.name) &&
        init &&
        ts.isCallExpression(init) &&
        ts.isIdentifier(init.expression) &&
        init.expression.text === promisify &&
        init.arguments.length === 1 &&
        ts.isIdentifier(init.arguments[0]!) &&
        (init.arguments[0] as ts.Identifier).text === cb
      ) {
        return d.name.text;
      }
    }
  }
  return undefined;
}
