/**
 * Files that run off the main event loop: targets of `new Piscina({ filename })`, `new Tinypool({ filename })`,
 * `worker_threads` `new Worker(path)`, BullMQ sandboxed processors (`new Worker(name, path)`), and files that
 * use `parentPort`/`workerData`. Their handlers form their own event-loop domain and `blocking-cpu` stays
 * silent there: blocking a worker thread is the point of having one.
 */
import * as nodePath from 'node:path';
import { ts } from 'ts-morph';
import { calleeName, skipOuter } from '../ast';

const SOURCE_EXTS = ['.ts', '.tsx', '.mts', '.cts', '.js', '.mjs', '.cjs', '.jsx'];

/** The last string literal in an expression that looks like a module path (`./x.worker.js`). */
function pathLiteral(expr: ts.Expression): string | undefined {
  let found: string | undefined;
  const visit = (n: ts.Node): void => {
    if ((ts.isStringLiteralLike(n) || ts.isNoSubstitutionTemplateLiteral(n)) && /\.(?:[cm]?[jt]sx?)$|^\.\.?\//.test(n.text)) found = n.text;
    ts.forEachChild(n, visit);
  };
  visit(expr);
  return found;
}

/** Candidate source paths for a referenced module path (`./x.js` may be compiled from `./x.ts`). */
function candidates(fromFile: string, ref: string): string[] {
  const abs = nodePath.posix.resolve(nodePath.posix.dirname(fromFile), ref);
  const stem = abs.replace(/\.(?:[cm]?[jt]sx?)$/, '');
  return [abs, ...SOURCE_EXTS.map((e) => stem + e)];
}

/**
 * Collects, for one file, the worker files it starts and whether it is itself a worker-thread body. `visit` is
 * offered every node of the file by discovery's single walk; `targets`/`isWorkerBody` hold the result after it.
 */
export class WorkerScan {
  readonly targets: string[] = [];
  isWorkerBody = false;

  constructor(private readonly fileName: string) {}

  visit(n: ts.Node): void {
    if (ts.isImportDeclaration(n) && ts.isStringLiteral(n.moduleSpecifier) && /^(?:node:)?worker_threads$/.test(n.moduleSpecifier.text)) {
      const names = n.importClause?.namedBindings;
      if (names && ts.isNamedImports(names) && names.elements.some((e) => ['parentPort', 'workerData'].includes((e.propertyName ?? e.name).text))) this.isWorkerBody = true;
    }
    if (ts.isNewExpression(n)) {
      const name = calleeName(n);
      const args = n.arguments ?? [];
      if ((name === 'Piscina' || name === 'Tinypool' || name === 'StaticPool' || name === 'DynamicPool') && args[0]) {
        const p = pathLiteral(args[0]);
        if (p) this.targets.push(...candidates(this.fileName, p));
      } else if (name === 'Worker' && args.length >= 1) {
        // worker_threads: new Worker(path); BullMQ sandboxed: new Worker(queueName, path, opts)
        const pathArg = args.length >= 2 && !ts.isFunctionLike(skipOuter(args[1]!)) ? args[1]! : args[0]!;
        const p = pathLiteral(pathArg);
        if (p) this.targets.push(...candidates(this.fileName, p));
      }
    }
  }
}
