/**
 * The type-checked half of the blocking-cpu quick fixes: whether a `*Sync` call has a promise form, whether the
 * function around a construct can become async (every caller can await), and whether the function can move
 * into a worker (arguments and result survive structured cloning, no module state is closed over). The fix
 * builders in `fixes/` only see one file's syntax, so what needs the checker is decided here, once per finding,
 * and carried on the finding as {@link BlockingFixData}.
 */
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { ts } from 'ts-morph';
import { enclosingFunction, isAsyncFunction, locationOf, type FunctionNode } from '../ast';
import { resolveCallee } from '../resolve';
import type { Detection } from '../rules/rule';
import type { BlockingFixData, ConversionData, HandlerKind, OffloadData, Range, SwapData } from '../types';

/**
 * `*Sync` APIs with a promise form, by builtin module. Source: the Node.js API docs of `fs/promises`,
 * `crypto` (`pbkdf2`, `scrypt`), `zlib` (convenience methods) and `child_process.execFile`.
 */
export const SWAPPABLE: Record<string, ReadonlySet<string>> = {
  fs: new Set(['readFileSync', 'writeFileSync', 'appendFileSync', 'readdirSync', 'statSync', 'lstatSync', 'mkdirSync', 'rmSync', 'rmdirSync', 'unlinkSync', 'renameSync', 'copyFileSync', 'accessSync', 'realpathSync', 'readlinkSync', 'chmodSync', 'mkdtempSync', 'truncateSync']),
  crypto: new Set(['pbkdf2Sync', 'scryptSync']),
  zlib: new Set(['gzipSync', 'gunzipSync', 'deflateSync', 'inflateSync', 'deflateRawSync', 'inflateRawSync', 'unzipSync', 'brotliCompressSync', 'brotliDecompressSync']),
  child_process: new Set(['execSync']),
};

/** Handler kinds whose framework awaits a returned promise and reports its rejection (so a handler may become async). */
const AWAITING_HANDLERS = new Set<HandlerKind>(['fastify', 'koa', 'nestjs', 'hono', 'nextjs', 'lambda', 'bullmq']);

/** Shell syntax that makes splitting a command on spaces wrong. */
const SHELL_SYNTAX = /[|&;<>()$`\\"'*?[\]{}#~=%!\n]/;

/** execSync options that execFile accepts with the same meaning. */
const EXEC_OPTIONS = new Set(['cwd', 'env', 'timeout', 'maxBuffer', 'encoding', 'killSignal', 'uid', 'gid', 'windowsHide']);

/** What the fix planner needs to know about the program around a detection. */
export interface BlockingContext {
  checker: ts.TypeChecker;
  /** The handler kind when `fn` is a discovered handler's function. */
  handlerKind(fn: ts.Node): HandlerKind | undefined;
  /** How Node loads the file (the fan-out fixes' `ProjectFacts.fileFacts`, so both kinds of fix agree). */
  moduleSystem(sf: ts.SourceFile): 'esm' | 'cjs';
}

/** The blocking-cpu fix data for a detection; `{}` parts are left out. Never throws. */
export function blockingFixData(det: Detection, ctx: BlockingContext): BlockingFixData {
  const out: BlockingFixData = {};
  try {
    const swap = swapData(det.node, ctx);
    if (swap) out.swap = swap;
    const fn = enclosingFunction(det.node);
    if (fn && !isAsyncFunction(fn) && (swap && !swap.refused || det.fix.kind === 'yield-in-loop')) out.conversion = conversionData(fn, ctx);
    const offload = offloadData(det.node, ctx);
    if (offload) out.offload = offload;
  } catch {
    // Odd code: offer fewer fixes rather than none of the analysis.
  }
  return out;
}

function rangeOfNode(n: ts.Node): Range {
  return locationOf(n).range;
}

function swapData(node: ts.Node, ctx: BlockingContext): SwapData | undefined {
  if (!ts.isCallExpression(node)) return undefined;
  const callee = resolveCallee(ctx.checker, node);
  const module = callee?.nodeModule;
  if (!callee || !module || !SWAPPABLE[module]) return undefined;
  const data: SwapData = { call: rangeOfNode(node), api: callee.name, module };
  if (!SWAPPABLE[module]!.has(callee.name)) {
    data.refused = callee.name === 'existsSync' ? '`existsSync` has no promise form (use `access` from node:fs/promises, which throws instead)' : `\`${callee.name}\` has no promise form LoopLens swaps to`;
  } else if (callee.name === 'execSync') data.refused = execRefusal(node);
  if (!data.refused) delete data.refused;
  return data;
}

/** Why an `execSync` call cannot become `execFile` safely, or undefined when it can. */
function execRefusal(call: ts.CallExpression): string | undefined {
  const [cmd, opts, ...rest] = call.arguments;
  if (!cmd || rest.length > 0) return 'the call has unexpected arguments';
  if (!ts.isStringLiteral(cmd) && !ts.isNoSubstitutionTemplateLiteral(cmd)) return 'the command is not a string literal, so it cannot be split into a program and arguments safely';
  if (SHELL_SYNTAX.test(cmd.text) || cmd.text.trim() === '') return 'the command uses shell syntax (quotes, pipes, variables …), which execFile does not interpret';
  if (opts) {
    if (!ts.isObjectLiteralExpression(opts)) return 'the options are not an object literal';
    for (const p of opts.properties) {
      if (!ts.isPropertyAssignment(p) && !ts.isShorthandPropertyAssignment(p)) return 'the options use a spread or method';
      const name = p.name.getText();
      if (!EXEC_OPTIONS.has(name)) return `the option \`${name}\` has no execFile equivalent`;
    }
  }
  return undefined;
}

/** A named function's name node and the node to search references of; undefined for anonymous functions. */
function nameOf(fn: FunctionNode): ts.Identifier | undefined {
  if (ts.isFunctionDeclaration(fn)) return fn.name;
  if ((ts.isArrowFunction(fn) || ts.isFunctionExpression(fn)) && ts.isVariableDeclaration(fn.parent) && fn.parent.initializer === fn) {
    const list = fn.parent.parent;
    if (ts.isIdentifier(fn.parent.name) && ts.isVariableDeclarationList(list) && list.flags & ts.NodeFlags.Const) return fn.parent.name;
  }
  return undefined;
}

function isExported(fn: FunctionNode): boolean {
  const st = ts.isFunctionDeclaration(fn) ? fn : fn.parent?.parent?.parent;
  return !!st && ts.canHaveModifiers(st) && (ts.getModifiers(st) ?? []).some((m) => m.kind === ts.SyntaxKind.ExportKeyword || m.kind === ts.SyntaxKind.DefaultKeyword);
}

/**
 * The calls of the function named `name` in its file, or why some reference is not a call that can take
 * `await` (passed as a value, exported, called from sync code). References are matched by symbol; a
 * function that is exported may have callers in other files, so it is refused.
 */
function callsOf(fn: FunctionNode, name: ts.Identifier, ctx: BlockingContext, insideOk: boolean): { calls: ts.CallExpression[]; refused?: string } {
  if (isExported(fn)) return { calls: [], refused: `\`${name.text}\` is exported, so callers in other files would have to await it too` };
  const sym = ctx.checker.getSymbolAtLocation(name);
  const sf = fn.getSourceFile();
  const calls: ts.CallExpression[] = [];
  let refused: string | undefined;
  const visit = (n: ts.Node): void => {
    if (refused) return;
    if (ts.isIdentifier(n) && n !== name && n.text === name.text && referencedSymbol(ctx.checker, n) === sym) {
      if (ts.isExportSpecifier(n.parent)) {
        refused = `\`${name.text}\` is exported, so callers in other files would have to await it too`;
        return;
      }
      const inside = n.pos >= fn.pos && n.end <= fn.end;
      const call = n.parent;
      if (!ts.isCallExpression(call) || call.expression !== n) {
        refused = `\`${name.text}\` is used as a value at line ${sf.getLineAndCharacterOfPosition(n.getStart()).line + 1}, not only called`;
        return;
      }
      if (inside && !insideOk) {
        refused = `\`${name.text}\` calls itself`;
        return;
      }
      const caller = enclosingFunction(call);
      if (!inside && (!caller || !isAsyncFunction(caller))) {
        refused = `the call at line ${sf.getLineAndCharacterOfPosition(call.getStart()).line + 1} is not in an async function, so it cannot await`;
        return;
      }
      calls.push(call);
    }
    n.forEachChild(visit);
  };
  sf.forEachChild(visit);
  return refused ? { calls: [], refused } : { calls };
}

/**
 * The symbol an identifier refers to. The name of a shorthand property (`module.exports = { hashToken }`) and of
 * an export specifier (`export { hashToken }`) resolve to the property and the export; the local function they
 * name is what a caller search must match, or a CommonJS export would look like no reference at all.
 */
function referencedSymbol(checker: ts.TypeChecker, id: ts.Identifier): ts.Symbol | undefined {
  const p = id.parent;
  if (ts.isShorthandPropertyAssignment(p) && p.name === id) return checker.getShorthandAssignmentValueSymbol(p);
  if (ts.isExportSpecifier(p) && !p.isTypeOnly) return checker.getExportSpecifierLocalTargetSymbol(p);
  return checker.getSymbolAtLocation(id);
}

function conversionData(fn: FunctionNode, ctx: BlockingContext): ConversionData {
  const data: ConversionData = { fn: rangeOfNode(fn), calls: [] };
  const kind = ctx.handlerKind(fn);
  if (ts.isFunctionDeclaration(fn) && fn.asteriskToken || ts.isFunctionExpression(fn) && fn.asteriskToken) data.refused = 'the function is a generator';
  else if (ts.isConstructorDeclaration(fn) || ts.isGetAccessorDeclaration(fn) || ts.isSetAccessorDeclaration(fn)) data.refused = 'constructors and accessors cannot be async';
  else if (kind) {
    const awaits = AWAITING_HANDLERS.has(kind) || (kind === 'express' && expressMajor(fn.getSourceFile().fileName) >= 5);
    if (!awaits) data.refused = `the ${kind === 'express' ? 'Express 4' : kind} caller of this handler does not handle a rejected promise, so making it async could leave an error unhandled`;
  } else {
    const name = nameOf(fn);
    if (!name) data.refused = 'the function is a callback or method whose callers LoopLens cannot see';
    else {
      const { calls, refused } = callsOf(fn, name, ctx, true);
      if (refused) data.refused = refused;
      else data.calls = calls.map(rangeOfNode);
    }
  }
  return data;
}

const expressMajors = new Map<string, number>();

/**
 * The major version of the `express` package installed for `file` (nearest `node_modules/express`), 0 when
 * none is found. Express 5 passes a handler's rejected promise to the error handler
 * (https://expressjs.com/en/guide/migrating-5.html#rejected-promises); Express 4 leaves it unhandled.
 */
function expressMajor(file: string): number {
  let dir = nodePath.dirname(file);
  const visited: string[] = [];
  let major = 0;
  for (;;) {
    const cached = expressMajors.get(dir);
    if (cached !== undefined) {
      major = cached;
      break;
    }
    visited.push(dir);
    try {
      const pkg = JSON.parse(fs.readFileSync(nodePath.join(dir, 'node_modules', 'express', 'package.json'), 'utf8')) as { version?: unknown };
      major = typeof pkg.version === 'string' ? Number.parseInt(pkg.version, 10) || 0 : 0;
      break;
    } catch {
      // not installed here: look in the parent folder
    }
    const parent = nodePath.dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  for (const d of visited) expressMajors.set(d, major);
  return major;
}

/** The top-level function declaration that contains `node`, if any. */
function topLevelFunction(node: ts.Node): ts.FunctionDeclaration | undefined {
  let found: ts.FunctionDeclaration | undefined;
  for (let p: ts.Node | undefined = node.parent; p; p = p.parent) {
    if (ts.isFunctionDeclaration(p) && p.body && ts.isSourceFile(p.parent)) found = p;
  }
  return found;
}

const BLOCKING_IO = /^(?:readFileSync|writeFileSync|appendFileSync|readdirSync|statSync|execSync|execFileSync|spawnSync|copyFileSync)$/;

function offloadData(node: ts.Node, ctx: BlockingContext): OffloadData | undefined {
  const fn = topLevelFunction(node);
  if (!fn || !fn.name) return undefined;
  const sf = fn.getSourceFile();
  const data: OffloadData = { fn: rangeOfNode(fn), name: fn.name.text, calls: [], copies: [], moduleFormat: ctx.moduleSystem(sf) };
  const refuse = (why: string) => ({ ...data, refused: why });
  if (isAsyncFunction(fn) || fn.asteriskToken) return refuse(`\`${fn.name.text}\` is ${fn.asteriskToken ? 'a generator' : 'async'}; only synchronous work can move to a worker as it is`);
  if (fn.typeParameters) return refuse(`\`${fn.name.text}\` is generic`);
  if (ctx.handlerKind(fn)) return refuse(`\`${fn.name.text}\` is a handler itself`);
  const { calls, refused } = callsOf(fn, fn.name, ctx, false);
  if (refused) return refuse(refused);
  if (calls.length === 0) return refuse(`\`${fn.name.text}\` has no call in this file to replace`);
  const sig = ctx.checker.getSignatureFromDeclaration(fn);
  for (const p of fn.parameters) {
    const why = unclonable(ctx.checker, ctx.checker.getTypeAtLocation(p));
    if (why) return refuse(`the argument \`${p.name.getText()}\` cannot be copied to a worker: ${why}`);
  }
  if (sig) {
    const ret = ctx.checker.getReturnTypeOfSignature(sig);
    const why = isBuffer(ret) ? undefined : unclonable(ctx.checker, ret);
    if (why) return refuse(`the result cannot be copied back from a worker: ${why}`);
    if (isBuffer(ret)) data.resultBuffer = true;
  }
  const closure = closureOf(fn, ctx.checker);
  if (typeof closure === 'string') return refuse(closure);
  data.copies = closure.map(rangeOfNode);
  data.calls = calls.map(rangeOfNode);
  const io = findIo(fn, ctx.checker);
  if (io) data.io = io;
  return data;
}

function findIo(fn: ts.FunctionDeclaration, checker: ts.TypeChecker): string | undefined {
  let io: string | undefined;
  const visit = (n: ts.Node): void => {
    if (io) return;
    if (ts.isCallExpression(n)) {
      const c = resolveCallee(checker, n);
      if (c?.nodeModule && (c.nodeModule === 'fs' || c.nodeModule === 'child_process') && BLOCKING_IO.test(c.name)) io = c.name;
    }
    n.forEachChild(visit);
  };
  fn.body?.forEachChild(visit);
  return io;
}

/** True for Node's `Buffer`, which structured cloning turns into a plain `Uint8Array`. */
function isBuffer(type: ts.Type): boolean {
  return (type.getSymbol() ?? type.aliasSymbol)?.getName() === 'Buffer';
}

const CLONEABLE_CLASSES = new Set(['Date', 'RegExp', 'ArrayBuffer', 'SharedArrayBuffer', 'DataView', 'Error', 'TypeError', 'RangeError', 'Int8Array', 'Uint8Array', 'Uint8ClampedArray', 'Int16Array', 'Uint16Array', 'Int32Array', 'Uint32Array', 'Float32Array', 'Float64Array', 'BigInt64Array', 'BigUint64Array']);

/**
 * Why a value of `type` does not survive structured cloning (the HTML spec's algorithm, which
 * `postMessage` and piscina use), or undefined when it does: functions, symbols, promises, `Buffer`s (they
 * arrive as plain `Uint8Array`s) and objects with methods (class instances, sockets, streams) do not.
 * `any` and `unknown` pass: nothing is known against them.
 */
export function unclonable(checker: ts.TypeChecker, type: ts.Type, depth = 0, seen = new Set<ts.Type>()): string | undefined {
  if (depth > 4 || seen.has(type)) return undefined;
  seen.add(type);
  const f = type.flags;
  if (f & (ts.TypeFlags.Any | ts.TypeFlags.Unknown | ts.TypeFlags.StringLike | ts.TypeFlags.NumberLike | ts.TypeFlags.BigIntLike | ts.TypeFlags.BooleanLike | ts.TypeFlags.EnumLike | ts.TypeFlags.Null | ts.TypeFlags.Undefined | ts.TypeFlags.Void | ts.TypeFlags.Never)) return undefined;
  if (f & ts.TypeFlags.ESSymbolLike) return 'a symbol';
  if (type.isUnionOrIntersection()) {
    for (const t of type.types) {
      const why = unclonable(checker, t, depth, seen);
      if (why) return why;
    }
    return undefined;
  }
  const typeName = checker.typeToString(type);
  if (type.getCallSignatures().length > 0) return `\`${typeName}\` is a function`;
  if (checker.isArrayType(type) || checker.isTupleType(type)) {
    for (const t of checker.getTypeArguments(type as ts.TypeReference)) {
      const why = unclonable(checker, t, depth + 1, seen);
      if (why) return why;
    }
    return undefined;
  }
  const name = type.getSymbol()?.getName();
  if (name === 'Buffer') return 'a `Buffer` arrives as a plain `Uint8Array`';
  if (name && CLONEABLE_CLASSES.has(name)) return undefined;
  if (name === 'Map' || name === 'Set' || name === 'ReadonlyMap' || name === 'ReadonlySet') {
    for (const t of checker.getTypeArguments(type as ts.TypeReference)) {
      const why = unclonable(checker, t, depth + 1, seen);
      if (why) return why;
    }
    return undefined;
  }
  if (name === 'Promise' || name === 'PromiseLike') return `\`${typeName}\` is a promise`;
  if (!(f & ts.TypeFlags.Object)) return undefined;
  for (const p of type.getProperties()) {
    const decl = p.valueDeclaration ?? p.declarations?.[0];
    if (decl && (ts.isMethodDeclaration(decl) || ts.isMethodSignature(decl))) return `\`${typeName}\` has methods (\`${p.getName()}\`), which are lost in the copy`;
    if (decl && (ts.isGetAccessorDeclaration(decl) || ts.isSetAccessorDeclaration(decl))) return `\`${typeName}\` has accessors (\`${p.getName()}\`)`;
    let pt: ts.Type;
    try {
      pt = checker.getTypeOfSymbol(p);
    } catch {
      continue;
    }
    const why = unclonable(checker, pt, depth + 1, seen);
    if (why) return why;
  }
  return undefined;
}

/**
 * The top-level statements the function needs in the worker module (imports and type declarations it
 * references, `const`s holding literals, helper functions that pass the same checks, transitively), or why
 * it closes over module state: `this`, a `let`/`var`, a `const` holding anything but a literal, a class.
 */
function closureOf(fn: ts.FunctionDeclaration, checker: ts.TypeChecker): ts.Statement[] | string {
  const sf = fn.getSourceFile();
  const needed = new Set<ts.Statement>();
  const queue: ts.FunctionDeclaration[] = [fn];
  const seen = new Set<ts.Node>([fn]);
  while (queue.length > 0) {
    const current = queue.shift()!;
    let refused: string | undefined;
    const visit = (n: ts.Node): void => {
      if (refused) return;
      if (n.kind === ts.SyntaxKind.ThisKeyword) {
        refused = `\`${current.name?.text}\` uses \`this\``;
        return;
      }
      if (ts.isIdentifier(n) && !(ts.isPropertyAccessExpression(n.parent) && n.parent.name === n)) {
        const sym = checker.getSymbolAtLocation(n);
        const decl = sym?.declarations?.[0];
        if (decl && decl.getSourceFile() === sf && !(decl.pos >= current.pos && decl.end <= current.end)) {
          const st = topStatementOf(decl);
          if (st && st !== fn && !seen.has(st)) {
            seen.add(st);
            const why = copyable(st, n.text);
            if (why) {
              refused = why;
              return;
            }
            needed.add(st);
            if (ts.isFunctionDeclaration(st)) queue.push(st);
          }
        }
      }
      n.forEachChild(visit);
    };
    current.forEachChild(visit);
    if (refused) return refused;
  }
  return [...needed].sort((a, b) => a.pos - b.pos);
}

function topStatementOf(decl: ts.Node): ts.Statement | undefined {
  let n: ts.Node = decl;
  while (n.parent && !ts.isSourceFile(n.parent)) n = n.parent;
  return n.parent ? (n as ts.Statement) : undefined;
}

/** Why the top-level statement `st` (declaring `name`) cannot be copied into the worker module. */
function copyable(st: ts.Statement, name: string): string | undefined {
  if (ts.isImportDeclaration(st) || ts.isInterfaceDeclaration(st) || ts.isTypeAliasDeclaration(st) || ts.isEnumDeclaration(st)) return undefined;
  if (ts.isImportEqualsDeclaration(st)) return undefined;
  if (ts.isFunctionDeclaration(st)) {
    if (!st.body) return undefined;
    if (isAsyncFunction(st)) return `it calls the async \`${name}\``;
    return undefined;
  }
  if (ts.isVariableStatement(st)) {
    const list = st.declarationList;
    const requires = list.declarations.every((d) => d.initializer && isRequire(d.initializer));
    if (requires) return undefined;
    if (!(list.flags & ts.NodeFlags.Const)) return `it reads the mutable module variable \`${name}\`, which a worker would not share`;
    for (const d of list.declarations) {
      if (!d.initializer || !isLiteralValue(d.initializer)) return `it reads the module-level \`${name}\`, whose value (not a literal) a worker would not share`;
    }
    return undefined;
  }
  if (ts.isClassDeclaration(st)) return `it uses the class \`${name}\` of this module`;
  return `it uses the module-level \`${name}\``;
}

function isRequire(e: ts.Expression): boolean {
  while (ts.isPropertyAccessExpression(e)) e = e.expression;
  return ts.isCallExpression(e) && ts.isIdentifier(e.expression) && e.expression.text === 'require' && e.arguments.length === 1 && ts.isStringLiteralLike(e.arguments[0]!);
}

/** Values that are the same in every thread: literals, `as const` literals and `new RegExp('literal')`. */
function isLiteralValue(e: ts.Expression): boolean {
  while (ts.isParenthesizedExpression(e)) e = e.expression;
  if (ts.isAsExpression(e) && e.type.getText() === 'const') return isFrozenLiteral(e.expression);
  if (ts.isStringLiteralLike(e) || ts.isNumericLiteral(e) || ts.isBigIntLiteral(e) || ts.isRegularExpressionLiteral(e)) return true;
  if (e.kind === ts.SyntaxKind.TrueKeyword || e.kind === ts.SyntaxKind.FalseKeyword || e.kind === ts.SyntaxKind.NullKeyword) return true;
  if (ts.isPrefixUnaryExpression(e)) return ts.isNumericLiteral(e.operand);
  if (ts.isNewExpression(e) && ts.isIdentifier(e.expression) && e.expression.text === 'RegExp') return (e.arguments ?? []).every((a) => ts.isStringLiteralLike(a));
  return false;
}

function isFrozenLiteral(e: ts.Expression): boolean {
  if (isLiteralValue(e)) return true;
  if (ts.isArrayLiteralExpression(e)) return e.elements.every((x) => isFrozenLiteral(x));
  if (ts.isObjectLiteralExpression(e)) return e.properties.every((p) => ts.isPropertyAssignment(p) && isFrozenLiteral(p.initializer));
  return false;
}
