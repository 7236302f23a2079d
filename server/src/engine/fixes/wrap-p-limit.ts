/**
 * `looplens.wrap-p-limit`: bounds a fan-out by running each launched operation through a p-limit limiter.
 *
 *   items.map(async (x) => { … })   →  items.map((x) => limit(async () => { … }))
 *   items.map((x) => fetch(x))      →  items.map((x) => limit(() => fetch(x)))
 *   items.map(send)                 →  items.map((item) => limit(() => send(item)))
 *   pending.push(refresh(s))        →  pending.push(limit(() => refresh(s)))
 *
 * plus `import pLimit from 'p-limit'` after the last import and a module-level `const limit = pLimit(N)`,
 * both only when missing. A module-level limiter is shared by every request that reaches the code, so N
 * bounds the whole process's concurrency towards that dependency, not just one request's.
 */
import { ts } from 'ts-morph';
import type { CodeFix, Finding } from '../types';
import { dependencyNote, dependentIterations, fanoutShape, isEsmFile, isMissing, isPMapCall, limiterBaseName } from './fanout-shape';
import { defaultImportLine, headerEdit, importedName } from './imports';
import { EditBuilder, freeName, namesUsedIn, nodesAtRange, styleOf, type CodeStyle, type FixSource } from './source';

export const WRAP_P_LIMIT = 'looplens.wrap-p-limit';

const P_LIMIT = 'p-limit';
/** Array methods whose callback the fix may wrap when the callback is a function reference. */
const CALLBACK_METHODS = new Set(['map', 'forEach', 'flatMap']);

type Launch = ts.ArrowFunction | ts.FunctionExpression | ts.Expression;

/**
 * The wrap fix for a `limit-fanout` finding, or undefined when it does not apply: another fix kind, a
 * limit below 1, no supported expression exactly at `fix.launch`, a generator callback, a `forEach` callback
 * (its promises would still go unawaited: the rewrite fixes handle it), an operation that already runs
 * through a p-limit limiter, or a CommonJS file whose compiler turns `import()` into `require()` (p-limit ≥ 4
 * is ESM-only and cannot be required there).
 *
 * In an ES module: `import pLimit from 'p-limit'` and `const <resource>Limit = pLimit(N)`. In CommonJS: a
 * module-level async function `<resource>Limit(fn)` that imports p-limit with `import()` on first use and
 * keeps the one limiter. Preferred only in an ES module whose package.json lists p-limit (otherwise the
 * dependency-free chunked rewrite is, where it applies).
 */
export function wrapPLimitFix(finding: Finding, src: FixSource): CodeFix | undefined {
  const fix = finding.fix;
  if (fix.kind !== 'limit-fanout') return undefined;
  const n = Math.floor(fix.limit);
  if (!Number.isFinite(n) || n < 1) return undefined;
  const launch = pickLaunch(nodesAtRange(src, fix.launch));
  if (!launch || isForEachCallback(launch) || isPMapCall(src, launch)) return undefined;
  const esm = isEsmFile(src, fix);
  if (!esm && fix.dynamicImport === false) return undefined;

  const factory = importedName(src, [P_LIMIT], 'default');
  const limiters = limitersIn(src, factory ?? 'pLimit');
  if (isAlreadyLimited(launch, limiters)) return undefined;

  const taken = namesUsedIn(src.sf);
  const code = styleOf(src);
  const imports: string[] = [];
  const declarations: string[] = [];
  // A limiter must not be re-used by work it already limits: the inner call would wait for a slot the outer one holds.
  const base = limiterBaseName(fix.limitReason);
  let limitName = [...limiters.values()].find((l) => l.moduleLevel && l.arg === String(n) && resourceOfName(l.name) === base && !insideCallOf(launch, l.name))?.name;
  if (!limitName) {
    limitName = freeName(base, taken);
    taken.add(limitName);
    if (esm) {
      let factoryName = factory;
      if (!factoryName) {
        factoryName = freeName('pLimit', taken);
        taken.add(factoryName);
        imports.push(defaultImportLine('esm', code, factoryName, P_LIMIT));
      }
      declarations.push(`const ${limitName} = ${factoryName}(${n})${code.semi}`);
    } else {
      declarations.push(lazyLimiter(src, code, limitName, n, taken));
    }
  }

  const edits = new EditBuilder(src);
  if (!wrapLaunch(src, edits, launch, limitName)) return undefined;
  const header = headerEdit(src, code, imports, declarations);
  const how = esm ? 'p-limit' : 'p-limit, loaded with import() (CommonJS)';
  return {
    fixId: WRAP_P_LIMIT,
    title: `Limit to ${n} concurrent calls with ${how} (${fix.limitReason})${dependencyNote(fix, P_LIMIT)}`,
    edits: header ? [header, ...edits.build()] : edits.build(),
    // In CommonJS the dependency-free chunked rewrite is preferred where it applies: no import() at run time.
    isPreferred: !isMissing(fix, P_LIMIT) && (esm || !chunkable(launch)),
  };
}

/**
 * A CommonJS module's limiter: p-limit ≥ 4 is ESM-only (https://github.com/sindresorhus/p-limit/releases/tag/v4.0.0),
 * so it is loaded with `import()`, once, and every call goes through the same limiter.
 */
function lazyLimiter(src: FixSource, code: CodeStyle, name: string, n: number, taken: Set<string>): string {
  const ts_ = !/\.c?jsx?$/i.test(src.file);
  const holder = freeName(`${name}Ready`, taken);
  taken.add(holder);
  const load = freeName(`load${name[0]!.toUpperCase()}${name.slice(1)}`, taken);
  taken.add(load);
  const { eol, indent, semi } = code;
  const q = code.quote;
  return [
    `// p-limit is ESM-only: import() it once, on first use; one limiter for the whole process.`,
    `function ${load}() {`,
    `${indent}return import(${q}p-limit${q}).then((m) => m.default(${n}))${semi}`,
    `}`,
    ts_ ? `let ${holder}: ReturnType<typeof ${load}> | undefined${semi}` : `let ${holder}${semi}`,
    ts_ ? `async function ${name}<T>(fn: () => PromiseLike<T> | T): Promise<T> {` : `async function ${name}(fn) {`,
    `${indent}return (await (${holder} ??= ${load}()))(fn)${semi}`,
    `}`,
  ].join(eol);
}

/** The resource a limiter's name says it is for (see limiterBaseName); any other name counts as `limit`. */
function resourceOfName(name: string): string {
  return /^(threadpoolLimit|dbLimit|httpLimit)\d*$/.exec(name)?.[1] ?? 'limit';
}

/** True when the chunked rewrite applies to the same fan-out. */
function chunkable(launch: Launch): boolean {
  const shape = fanoutShape(launch);
  return !!shape && !dependentIterations(shape.cb);
}

/** True when `node` lies inside an argument of a call to `name(…)`. */
function insideCallOf(node: ts.Node, name: string): boolean {
  for (let p = node.parent; p; p = p.parent) {
    if (ts.isCallExpression(p) && ts.isIdentifier(p.expression) && p.expression.text === name && p.arguments.some((a) => a.pos <= node.pos && node.end <= a.end)) return true;
  }
  return false;
}

/** True for the callback of `xs.forEach(…)`. */
function isForEachCallback(node: ts.Node): boolean {
  const call = node.parent;
  return !!call && ts.isCallExpression(call) && call.arguments[0] === node && ts.isPropertyAccessExpression(call.expression) && call.expression.name.text === 'forEach';
}

/** The expression to wrap among the nodes spanning the launch range (outermost first). */
function pickLaunch(nodes: ts.Node[]): Launch | undefined {
  for (let node of nodes) {
    while (ts.isParenthesizedExpression(node)) node = node.expression;
    if (ts.isArrowFunction(node) || ts.isFunctionExpression(node)) return node;
    if (isCallbackArgument(node) && ts.isExpression(node)) return node;
    if (ts.isCallExpression(node) || ts.isNewExpression(node)) return node;
  }
  return undefined;
}

/** True for the first argument of `xs.map(…)`, `xs.forEach(…)`, `xs.flatMap(…)`. */
function isCallbackArgument(node: ts.Node): boolean {
  const call = node.parent;
  return (
    !!call &&
    ts.isCallExpression(call) &&
    call.arguments[0] === node &&
    ts.isPropertyAccessExpression(call.expression) &&
    CALLBACK_METHODS.has(call.expression.name.text)
  );
}

interface Limiter {
  name: string;
  /** The limit argument's source text, e.g. `8`. */
  arg: string;
  /** Declared with `const` at the top level of the file. */
  moduleLevel: boolean;
}

/** Variables initialised with `factory(…)` (the p-limit default import), anywhere in the file. */
function limitersIn(src: FixSource, factory: string): Map<string, Limiter> {
  const found = new Map<string, Limiter>();
  const visit = (node: ts.Node): void => {
    if (
      ts.isVariableDeclaration(node) &&
      ts.isIdentifier(node.name) &&
      node.initializer &&
      ts.isCallExpression(node.initializer) &&
      ts.isIdentifier(node.initializer.expression) &&
      node.initializer.expression.text === factory
    ) {
      const list = node.parent;
      const moduleLevel =
        ts.isVariableDeclarationList(list) &&
        (list.flags & ts.NodeFlags.Const) !== 0 &&
        ts.isVariableStatement(list.parent) &&
        ts.isSourceFile(list.parent.parent);
      found.set(node.name.text, { name: node.name.text, arg: node.initializer.arguments[0]?.getText(src.sf) ?? '', moduleLevel });
    }
    node.forEachChild(visit);
  };
  src.sf.forEachChild(visit);
  // CommonJS limiters this fix wrote: `function loadLimit() { return import('p-limit').then((m) => m.default(N)) }`
  // and `async function limit(fn) { … loadLimit() … }`.
  const loaders = new Map<string, string>();
  for (const st of src.sf.statements) {
    const m = ts.isFunctionDeclaration(st) && st.name && st.body ? /import\((['"])p-limit\1\)\.then\(\(m\) => m\.default\((\d+)\)\)/.exec(st.body.getText(src.sf)) : null;
    if (m) loaders.set((st as ts.FunctionDeclaration).name!.text, m[2]!);
  }
  for (const st of src.sf.statements) {
    if (!ts.isFunctionDeclaration(st) || !st.name || !st.body || loaders.has(st.name.text)) continue;
    const body = st.body.getText(src.sf);
    for (const [load, arg] of loaders) {
      if (new RegExp(`\\b${load}\\(\\)`).test(body)) found.set(st.name.text, { name: st.name.text, arg, moduleLevel: true });
    }
  }
  return found;
}

/**
 * True when the launched work already runs through a limiter: the callback's whole body is `limit(…)`, the
 * launch is itself `limit(…)`, or the launch is the whole body of a function handed to `limit(…)`.
 */
function isAlreadyLimited(launch: Launch, limiters: Map<string, Limiter>): boolean {
  const isLimiterCall = (n: ts.Node | undefined): n is ts.CallExpression =>
    !!n && ts.isCallExpression(n) && ts.isIdentifier(n.expression) && limiters.has(n.expression.text);
  if (ts.isArrowFunction(launch) || ts.isFunctionExpression(launch)) return isLimiterCall(wholeBody(launch));
  if (isLimiterCall(launch)) return true;
  let fn: ts.Node = launch;
  while (fn.parent && !ts.isArrowFunction(fn) && !ts.isFunctionExpression(fn)) fn = fn.parent;
  if (!ts.isArrowFunction(fn) && !ts.isFunctionExpression(fn)) return false;
  const call = fn.parent;
  return wholeBody(fn) === launch && isLimiterCall(call) && call.arguments.includes(fn);
}

/**
 * The single expression a function consists of: its concise body, or the expression of the only
 * statement of its block (`return e`, `e;`), with parentheses and `await` removed.
 */
function wholeBody(fn: ts.ArrowFunction | ts.FunctionExpression): ts.Node | undefined {
  let expr: ts.Node | undefined;
  if (!ts.isBlock(fn.body)) expr = fn.body;
  else if (fn.body.statements.length === 1) {
    const only = fn.body.statements[0];
    if (ts.isReturnStatement(only) || ts.isExpressionStatement(only)) expr = only.expression;
  }
  while (expr && (ts.isParenthesizedExpression(expr) || ts.isAwaitExpression(expr))) expr = expr.expression;
  return expr;
}

/** Adds the edits that route the launch through `limit`. False when the launch cannot be wrapped. */
function wrapLaunch(src: FixSource, edits: EditBuilder, launch: Launch, limit: string): boolean {
  const { sf, text } = src;
  if (ts.isArrowFunction(launch) || ts.isFunctionExpression(launch)) {
    if (ts.isFunctionExpression(launch) && launch.asteriskToken) return false;
    const asyncKw = (ts.getModifiers(launch) ?? []).find((m) => m.kind === ts.SyntaxKind.AsyncKeyword);
    const inner = `${limit}(${asyncKw ? 'async ' : ''}() => `;
    const bodyStart = launch.body.getStart(sf);
    if (ts.isFunctionExpression(launch) && !canBecomeArrow(launch)) {
      // Keep the function (its `this`, `arguments`, name or type parameters matter); limit its body.
      if (asyncKw) edits.replace(asyncKw.getStart(sf), skipSpaces(text, asyncKw.end), '');
      edits.insert(bodyStart, `{ return ${inner}`).insert(launch.body.end, `); }`);
      return true;
    }
    if (ts.isFunctionExpression(launch)) {
      // `async function (x): T { … }` → `(x): T => limit(async () => { … })`
      edits.replace(launch.getStart(sf), launch.parameters.pos - 1, '');
      edits.insert(bodyStart, `=> ${inner}`).insert(launch.body.end, ')');
      return true;
    }
    if (asyncKw) edits.replace(asyncKw.getStart(sf), skipSpaces(text, asyncKw.end), '');
    edits.insert(bodyStart, inner).insert(launch.body.end, ')');
    return true;
  }
  if (isCallbackArgument(launch)) {
    // A function reference (or an expression yielding a function): call it with the item inside limit.
    const ref = launch.getText(sf);
    const simple = ts.isIdentifier(launch) || ts.isPropertyAccessExpression(launch);
    const param = freeName('item', namesUsedIn(launch));
    edits.replace(launch.getStart(sf), launch.end, `(${param}) => ${limit}(() => ${simple ? ref : `(${ref})`}(${param}))`);
    return true;
  }
  // A call started in a loop: snapshot loop variables that change before p-limit runs the call later.
  const changing = namesChangedInLoop(launch);
  const start = launch.getStart(sf);
  if (changing.length === 0) edits.insert(start, `${limit}(() => `).insert(launch.end, ')');
  else edits.insert(start, `${limit}((${changing.join(', ')}) => `).insert(launch.end, `, ${changing.join(', ')})`);
  return true;
}

function skipSpaces(text: string, offset: number): number {
  while (offset < text.length && (text[offset] === ' ' || text[offset] === '\t')) offset++;
  return offset;
}

/** A function expression can become an arrow when nothing in it depends on being a `function`. */
function canBecomeArrow(fn: ts.FunctionExpression): boolean {
  if (fn.typeParameters || fn.asteriskToken) return false;
  let depends = false;
  const visit = (n: ts.Node): void => {
    if (depends) return;
    if (n.kind === ts.SyntaxKind.ThisKeyword || (ts.isIdentifier(n) && (n.text === 'arguments' || n.text === fn.name?.text))) {
      depends = true;
      return;
    }
    n.forEachChild(visit);
  };
  fn.body.forEachChild(visit);
  return !depends;
}

/**
 * Names the launch reads that the enclosing loops (up to the enclosing function) reassign or declare with
 * `var`: p-limit may start the call after the loop has moved on, so their values are passed as arguments
 * (`limit((i) => f(xs[i]), i)`) instead of read from the closure. `let`/`const` loop bindings are fresh per
 * iteration and need no snapshot.
 */
function namesChangedInLoop(launch: ts.Node): string[] {
  let outerLoop: ts.IterationStatement | undefined;
  for (let p = launch.parent; p && !ts.isFunctionLike(p); p = p.parent) {
    if (ts.isIterationStatement(p, false)) outerLoop = p;
  }
  if (!outerLoop) return [];
  const changed = new Set<string>();
  const perIteration = new Set<string>();
  const addBinding = (name: ts.BindingName, into: Set<string>): void => {
    if (ts.isIdentifier(name)) into.add(name.text);
    else for (const el of name.elements) if (!ts.isOmittedExpression(el)) addBinding(el.name, into);
  };
  const addTarget = (target: ts.Expression): void => {
    if (ts.isIdentifier(target)) changed.add(target.text);
    else if (ts.isArrayLiteralExpression(target)) target.elements.forEach(addTarget);
    else if (ts.isObjectLiteralExpression(target)) {
      for (const p of target.properties) {
        if (ts.isShorthandPropertyAssignment(p)) changed.add(p.name.text);
        else if (ts.isPropertyAssignment(p)) addTarget(p.initializer);
      }
    } else if (ts.isParenthesizedExpression(target)) addTarget(target.expression);
  };
  const visit = (n: ts.Node): void => {
    if (ts.isFunctionLike(n)) return;
    if (ts.isVariableDeclarationList(n)) {
      const blockScoped = (n.flags & (ts.NodeFlags.Let | ts.NodeFlags.Const)) !== 0;
      for (const d of n.declarations) addBinding(d.name, blockScoped ? perIteration : changed);
    } else if (ts.isBinaryExpression(n) && n.operatorToken.kind >= ts.SyntaxKind.FirstAssignment && n.operatorToken.kind <= ts.SyntaxKind.LastAssignment) {
      addTarget(n.left);
    } else if ((ts.isPrefixUnaryExpression(n) || ts.isPostfixUnaryExpression(n)) && (n.operator === ts.SyntaxKind.PlusPlusToken || n.operator === ts.SyntaxKind.MinusMinusToken)) {
      addTarget(n.operand);
    } else if ((ts.isForOfStatement(n) || ts.isForInStatement(n)) && !ts.isVariableDeclarationList(n.initializer)) {
      addTarget(n.initializer);
    }
    n.forEachChild(visit);
  };
  visit(outerLoop);
  const read = namesUsedIn(launch);
  return [...changed].filter((name) => read.has(name) && !perIteration.has(name)).sort();
}
