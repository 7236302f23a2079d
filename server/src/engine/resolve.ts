/**
 * Type-aware resolution of what a call invokes. Calls are identified by their declaration, so aliases,
 * destructured renames (`const { pbkdf2Sync: derive } = require('crypto')`) and re-exports all count.
 */
import { ts } from 'ts-morph';
import { isFunctionWithBody, skipOuter, type FunctionNode } from './ast';
import { isOverBudget } from './budget';

/** Where a callee is declared. Read-only: one object describes a declaration for every call resolved to it. */
export interface CalleeInfo {
  /** The declared name (`pbkdf2Sync`, `compareSync`, `send`). */
  readonly name: string;
  /** The Node.js builtin module for declarations in `@types/node` (`fs`, `crypto` …, without `node:`). */
  readonly nodeModule?: string;
  /** The npm package for other declarations under node_modules (`bcryptjs`, `p-limit`, `@nestjs/common`). */
  readonly packageName?: string;
  /** The implementation, when it is a function with a body in the analysed program (not a .d.ts). */
  readonly body?: FunctionNode;
}

const NODE_MODULE_RE = /^(?:node:)?([a-z_]+(?:\/[a-z_]+)?)$/;

/** The builtin module an ambient declaration sits in (`declare module 'fs' { … }`), if any. */
function nodeModuleOf(decl: ts.Node): string | undefined {
  for (let n: ts.Node | undefined = decl; n; n = n.parent) {
    if (ts.isModuleDeclaration(n) && ts.isStringLiteral(n.name)) {
      const m = NODE_MODULE_RE.exec(n.name.text);
      if (m && n.getSourceFile().fileName.includes('/@types/node/')) return m[1]!.replace(/\/promises$/, '');
    }
  }
  return undefined;
}

/** The package a file belongs to when it lives under node_modules. */
export function packageOfFile(fileName: string): string | undefined {
  const i = fileName.lastIndexOf('/node_modules/');
  if (i < 0) return undefined;
  const rest = fileName.slice(i + '/node_modules/'.length).split('/');
  const name = rest[0]?.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0];
  if (name?.startsWith('@types/')) {
    const bare = name.slice('@types/'.length);
    return bare.includes('__') ? '@' + bare.replace('__', '/') : bare;
  }
  return name;
}

/** Follows import aliases to the original symbol. */
export function unalias(checker: ts.TypeChecker, sym: ts.Symbol | undefined): ts.Symbol | undefined {
  if (sym && sym.flags & ts.SymbolFlags.Alias) {
    try {
      return checker.getAliasedSymbol(sym);
    } catch {
      return sym;
    }
  }
  return sym;
}

/** Finds a function body for a declaration: the function itself or a variable initialised with one. */
export function functionOfDeclaration(decl: ts.Node | undefined): FunctionNode | undefined {
  if (!decl) return undefined;
  if (isFunctionWithBody(decl)) return decl;
  if ((ts.isVariableDeclaration(decl) || ts.isPropertyDeclaration(decl) || ts.isPropertyAssignment(decl)) && decl.initializer) {
    const init = skipOuter(decl.initializer);
    if (isFunctionWithBody(init)) return init;
  }
  if (ts.isShorthandPropertyAssignment(decl)) return undefined;
  if (ts.isExportAssignment(decl)) {
    const e = skipOuter(decl.expression);
    if (isFunctionWithBody(e)) return e;
  }
  return undefined;
}

function isProjectSource(sf: ts.SourceFile): boolean {
  return !sf.isDeclarationFile && !sf.fileName.includes('/node_modules/') && !isOverBudget(sf);
}

/**
 * Describes a declaration: its name, module or package, and its body if it is in the project. One object per
 * declaration, shared by every call site resolved to it (a cache keeps the callee of each call): callers copy
 * before they change it. Kept per declaration node: all it reads is settled with the node's file, its budget
 * verdict included (./budget.ts).
 */
export function describeDeclaration(decl: ts.Declaration): CalleeInfo {
  let info = descriptions.get(decl);
  if (info) return info;
  const sf = decl.getSourceFile();
  const nameNode = ts.getNameOfDeclaration(decl);
  const name = nameNode && (ts.isIdentifier(nameNode) || ts.isStringLiteralLike(nameNode) || ts.isPrivateIdentifier(nameNode)) ? nameNode.text : '';
  if (isProjectSource(sf)) {
    info = { name, body: functionOfDeclaration(decl) };
  } else {
    const nodeModule = nodeModuleOf(decl);
    info = nodeModule ? { name, nodeModule } : { name, packageName: packageOfFile(sf.fileName) };
  }
  descriptions.set(decl, info);
  return info;
}

const descriptions = new WeakMap<ts.Declaration, CalleeInfo>();

/**
 * Resolves what a call or `new` expression invokes. Returns undefined when the checker cannot tell (untyped
 * JS, `any`). Never throws: checker failures on broken code count as unresolved.
 */
export function resolveCallee(checker: ts.TypeChecker, call: ts.CallExpression | ts.NewExpression): CalleeInfo | undefined {
  try {
    const symbol = ts.isCallExpression(call) ? unalias(checker, checker.getSymbolAtLocation(calleeNameNode(call))) : undefined;
    const decls = symbol?.declarations;
    const direct = soleDeclaration(decls);
    if (direct) return describeDeclaration(direct);
    // A property a mapped or union type made (`{ [K in keyof T]: Promisified<T[K]> }`) keeps the declarations of
    // the functions it was made from, but its call signatures may be new ones: those are resolved.
    const overloaded = symbol && !(symbol.flags & ts.SymbolFlags.Transient) ? libraryOverloads(decls) : undefined;
    if (overloaded) return overloaded;
    let decl = (singleSignature(checker, call) ?? checker.getResolvedSignature(call))?.getDeclaration() as ts.Declaration | undefined;
    if (decl && ts.isJSDocSignature(decl)) decl = undefined;
    if (decl) {
      let info = describeDeclaration(decl);
      if (!info.name) {
        // A call signature of an interface or function type (`export const statSync: StatSyncFn`): name it after
        // the value being called.
        const sym = unalias(checker, checker.getSymbolAtLocation(ts.isCallExpression(call) ? calleeNameNode(call) : call.expression));
        const name = sym?.getName() ?? '';
        const valueDecl = sym?.valueDeclaration;
        info = { ...(valueDecl && !info.nodeModule && !info.packageName && !info.body ? describeDeclaration(valueDecl) : info), name };
      }
      // Overloads: the resolved signature has no body; look for the implementation among the symbol's declarations.
      if (!info.body && isProjectSource(decl.getSourceFile())) {
        const sym = unalias(checker, checker.getSymbolAtLocation(ts.isCallExpression(call) ? calleeNameNode(call) : call.expression));
        for (const d of sym?.declarations ?? []) {
          const body = functionOfDeclaration(d);
          if (body) return { ...info, body };
        }
      }
      return info;
    }
    const sym = unalias(checker, checker.getSymbolAtLocation(ts.isCallExpression(call) ? calleeNameNode(call) : call.expression));
    const d = sym?.valueDeclaration ?? sym?.declarations?.[0];
    return d ? describeDeclaration(d) : uninstalledPackageCallee(checker, call);
  } catch {
    return undefined;
  }
}

/**
 * A call into a package whose declarations are not installed (`import bcrypt from 'bcryptjs'` before
 * `npm install`, or a package without types): the checker resolves nothing, but the import still names the
 * package. Gives `{ name, packageName }` for `pkg.member(…)` and `member(…)` when `pkg` or `member` is imported
 * (ES import or `import x = require(…)`) from a bare specifier whose module did not resolve; else undefined.
 */
function uninstalledPackageCallee(checker: ts.TypeChecker, call: ts.CallExpression | ts.NewExpression): CalleeInfo | undefined {
  const e = skipOuter(call.expression);
  const root = ts.isPropertyAccessExpression(e) ? e.expression : e;
  if (!ts.isIdentifier(root)) return undefined;
  const alias = checker.getSymbolAtLocation(root);
  if (!alias || !(alias.flags & ts.SymbolFlags.Alias) || unalias(checker, alias)?.declarations?.length) return undefined;
  const decl = alias.declarations?.[0];
  const specifier = decl && importSpecifierOf(decl);
  if (!specifier || /^(?:\.|\/|node:)/.test(specifier)) return undefined;
  const packageName = specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0]!;
  if (ts.isPropertyAccessExpression(e)) return { name: e.name.text, packageName };
  const imported = ts.isImportSpecifier(decl) ? (decl.propertyName ?? decl.name).text : root.text;
  return { name: imported, packageName };
}

/** The module specifier of an import binding's declaration (`import a`, `import { a }`, `import * as a`, `import a = require(…)`). */
function importSpecifierOf(decl: ts.Declaration): string | undefined {
  let n: ts.Node = decl;
  if (ts.isImportEqualsDeclaration(n)) {
    const ref = n.moduleReference;
    return ts.isExternalModuleReference(ref) && ts.isStringLiteral(ref.expression) ? ref.expression.text : undefined;
  }
  while (n.parent && !ts.isImportDeclaration(n)) n = n.parent;
  return ts.isImportDeclaration(n) && ts.isStringLiteral(n.moduleSpecifier) ? n.moduleSpecifier.text : undefined;
}

/**
 * The declaration a call invokes when its callee's symbol has exactly one, which is the signature the checker
 * would resolve: a function or method (a single declaration has no overloads), or a variable or property
 * initialised with a function and not annotated with another type. Found from the symbol alone, this skips
 * overload resolution and the contextual checking of every argument (callbacks included), which made
 * `getResolvedSignature` the largest cost of an analysis. Undefined when only the signature can tell.
 */
function soleDeclaration(decls: readonly ts.Declaration[] | undefined): ts.Declaration | undefined {
  if (decls?.length !== 1) return undefined;
  const d = decls[0]!;
  if (isNamedFunctionDeclaration(d)) return d;
  if ((ts.isVariableDeclaration(d) || ts.isPropertyDeclaration(d)) && !d.type && d.initializer) return functionExpression(d.initializer);
  if (ts.isPropertyAssignment(d)) return functionExpression(d.initializer);
  return undefined;
}

/** A function or method declaration (or method signature) with a name. */
function isNamedFunctionDeclaration(d: ts.Declaration): d is ts.FunctionDeclaration | ts.MethodDeclaration | ts.MethodSignature {
  return (ts.isFunctionDeclaration(d) || ts.isMethodDeclaration(d) || ts.isMethodSignature(d)) && d.name !== undefined;
}

/**
 * What a call to an overloaded function or method declared outside the project (`fs.promises.readFile`,
 * `Buffer.from`, lib.d.ts's `Array.prototype.concat`) invokes, when every overload describes alike: the same name and the same
 * builtin module or package, and no body. Which overload the call picks then changes nothing, and choosing one
 * (`getResolvedSignature`) checks every argument against each overload's parameters: on a new checker, the
 * edited function's first calls into @types/node, ~1.5 ms per edit at 1,000 files. Undefined otherwise.
 */
function libraryOverloads(decls: readonly ts.Declaration[] | undefined): CalleeInfo | undefined {
  if (!decls || decls.length < 2) return undefined;
  let first: CalleeInfo | undefined;
  for (const d of decls) {
    if (!isNamedFunctionDeclaration(d) || isProjectSource(d.getSourceFile())) return undefined;
    const info = describeDeclaration(d);
    if (!first) first = info;
    else if (info.name !== first.name || info.nodeModule !== first.nodeModule || info.packageName !== first.packageName) return undefined;
  }
  return first;
}

/**
 * The one call signature of the callee's type, when it has exactly one: the signature any resolution of the
 * call picks (instantiated, with the same declaration), so its declaration is the callee's. Asking the callee's
 * type checks only the callee; `getResolvedSignature` also checks every argument against the parameters, which
 * on a first query into a large library's types (tRPC's fastify adapter: `onConnection(socket, req.raw)`) costs
 * the better part of a second. Undefined for `new`, and for callees with no or several signatures (overloads
 * are resolved).
 */
function singleSignature(checker: ts.TypeChecker, call: ts.CallExpression | ts.NewExpression): ts.Signature | undefined {
  if (!ts.isCallExpression(call) || call.expression.kind === ts.SyntaxKind.SuperKeyword || call.expression.kind === ts.SyntaxKind.ImportKeyword) return undefined;
  const signatures = checker.getTypeAtLocation(call.expression).getCallSignatures();
  return signatures.length === 1 ? signatures[0] : undefined;
}

function functionExpression(init: ts.Expression): ts.Declaration | undefined {
  let e = init;
  while (ts.isParenthesizedExpression(e)) e = e.expression;
  return ts.isArrowFunction(e) || ts.isFunctionExpression(e) ? e : undefined;
}

function calleeNameNode(call: ts.CallExpression): ts.Node {
  const e = call.expression;
  if (ts.isPropertyAccessExpression(e)) return e.name;
  return e;
}

/**
 * Resolves an expression that names a function (`handler`, `this.onMessage`, `service.run`, `fn.bind(x)`)
 * to its body in the project. Inline functions are returned as they are.
 */
export function resolveFunctionValue(checker: ts.TypeChecker, expr: ts.Expression, depth = 0): FunctionNode | undefined {
  const e = skipOuter(expr);
  if (isFunctionWithBody(e)) return e;
  if (depth > 4) return undefined;
  if (ts.isCallExpression(e) && ts.isPropertyAccessExpression(e.expression) && e.expression.name.text === 'bind') {
    return resolveFunctionValue(checker, e.expression.expression, depth + 1);
  }
  if (ts.isIdentifier(e) || ts.isPropertyAccessExpression(e)) {
    try {
      const sym = unalias(checker, checker.getSymbolAtLocation(ts.isPropertyAccessExpression(e) ? e.name : e));
      for (const d of sym?.declarations ?? []) {
        if (!isProjectSource(d.getSourceFile())) continue;
        const f = functionOfDeclaration(d);
        if (f) return f;
        // `const handler = wrap(async (req, res) => …)`: take the wrapped function.
        if (ts.isVariableDeclaration(d) && d.initializer && ts.isCallExpression(skipOuter(d.initializer))) {
          const inner = unwrapWrapperCall(checker, skipOuter(d.initializer) as ts.CallExpression, depth + 1);
          if (inner) return inner;
        }
      }
    } catch {
      return undefined;
    }
  }
  if (ts.isCallExpression(e)) return unwrapWrapperCall(checker, e, depth + 1);
  return undefined;
}

/**
 * `asyncHandler(fn)`, `catchErrors(async (req, res) => …)`: the function a wrapper call was given. Only a call
 * that returns a function taking as many parameters as the one it was given counts as a wrapper, so
 * `const unsubscribe = store.onChange(cb)` does not resolve to `cb`.
 */
export function unwrapWrapperCall(checker: ts.TypeChecker, call: ts.CallExpression, depth = 0): FunctionNode | undefined {
  const candidates: FunctionNode[] = [];
  for (const a of call.arguments) {
    const inner = skipOuter(a);
    if (isFunctionWithBody(inner)) candidates.push(inner);
  }
  if (candidates.length === 0) {
    for (const a of call.arguments) {
      const f = resolveFunctionValue(checker, a, depth + 1);
      if (f) candidates.push(f);
    }
  }
  const fn = candidates[0];
  if (!fn || !returnsWrapperOf(checker, call, fn)) return undefined;
  return fn;
}

function returnsWrapperOf(checker: ts.TypeChecker, call: ts.CallExpression, fn: FunctionNode): boolean {
  const wraps = (t: ts.Type): boolean =>
    (t.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown)) !== 0 || t.getCallSignatures().some((sig) => sig.getParameters().length >= fn.parameters.length && fn.parameters.length > 0);
  try {
    return declaredVerdict(checker, call, wraps) ?? wraps(checker.getTypeAtLocation(call));
  } catch {
    return false;
  }
}

/** Type flags of a return type that only the call's type arguments settle. */
const INSTANTIATED = ts.TypeFlags.TypeParameter | ts.TypeFlags.Conditional | ts.TypeFlags.IndexedAccess | ts.TypeFlags.Substitution | ts.TypeFlags.Index;

/**
 * `test` applied to the return types the callee declares, without resolving the call: typing the call
 * resolves its overloads against every argument and infers the callbacks it is given (on `@budibase/server`
 * one `rows.flatMap((row, i) => { … })` took 0.5 s; on `@trpc/server` one `onConnection(socket, req.raw)`
 * 0.9 s), while `flatMap` declares an array whatever the call. Undefined when the answer needs the call: `new`,
 * `super()` or `import()`, no signatures, overloads that disagree, or a return type that depends on type
 * arguments (`wrap<T>(fn: T): T`).
 */
function declaredVerdict(checker: ts.TypeChecker, call: ts.CallExpression, test: (t: ts.Type) => boolean): boolean | undefined {
  if (call.expression.kind === ts.SyntaxKind.SuperKeyword || call.expression.kind === ts.SyntaxKind.ImportKeyword) return undefined;
  let verdict: boolean | undefined;
  for (const sig of checker.getTypeAtLocation(call.expression).getCallSignatures()) {
    const r = sig.getReturnType();
    if (r.flags & INSTANTIATED || (r.isUnionOrIntersection() && r.types.some((t) => t.flags & INSTANTIATED))) return undefined;
    const v = test(r);
    if (verdict !== undefined && v !== verdict) return undefined;
    verdict = v;
  }
  return verdict;
}

/** True when a type is a Promise or another thenable (including unions with one). */
export function isThenable(checker: ts.TypeChecker, type: ts.Type): boolean {
  if (type.isUnion()) return type.types.some((t) => isThenable(checker, t));
  if (type.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown)) return false;
  const then = type.getProperty('then');
  if (!then) return false;
  try {
    const t = checker.getTypeOfSymbol(then);
    return t.getCallSignatures().length > 0;
  } catch {
    return false;
  }
}

/**
 * True when an expression's value is a promise (by its type). A call is judged from its callee's declared
 * return types when they settle it ({@link declaredVerdict}); an optional call is typed as it is, since its
 * value may also be `undefined`.
 */
export function returnsPromise(checker: ts.TypeChecker, expr: ts.Expression): boolean {
  try {
    const declared = ts.isCallExpression(expr) && !ts.isOptionalChain(expr) ? declaredVerdict(checker, expr, (t) => isThenable(checker, t)) : undefined;
    return declared ?? isThenable(checker, checker.getTypeAtLocation(expr));
  } catch {
    return false;
  }
}
