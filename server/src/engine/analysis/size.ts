/**
 * Data-size reasoning: is a collection (or a loop bound) fixed by the code, or does it grow with data
 * (request input, query results, parameters)? Anything not provably fixed counts as data-sized.
 */
import { ts } from 'ts-morph';
import { calleeName, receiverOf, skipOuter } from '../ast';
import { unalias } from '../resolve';
import { textMatches } from './patterns';

const MAX_DEPTH = 4;

/**
 * `smallCollections` patterns per program (keyed by its checker, so two workspaces never share them).
 * Set once per analysis by the pipeline.
 */
const smallHints = new WeakMap<ts.TypeChecker, readonly string[]>();

/** Declares the collections the user knows are small for the program behind `checker`. */
export function setSmallCollections(checker: ts.TypeChecker, patterns: readonly string[]): void {
  smallHints.set(checker, patterns);
}

function isHintedSmall(checker: ts.TypeChecker, e: ts.Expression): boolean {
  const patterns = smallHints.get(checker);
  if (!patterns?.length) return false;
  const text = e.getText().replace(/\s+/g, '');
  return patterns.some((p) => textMatches(text, p));
}

function isNumericConst(e: ts.Expression): boolean {
  const x = skipOuter(e);
  if (ts.isNumericLiteral(x)) return true;
  if (ts.isPrefixUnaryExpression(x) && ts.isNumericLiteral(x.operand)) return true;
  return false;
}

const MUTATORS = new Set(['push', 'unshift', 'splice', 'fill', 'set', 'add']);

/**
 * Names grown somewhere in a scope, computed once per scope node: `isGrown` is asked for every const a loop bound
 * or scanned collection refers to, and walking the whole enclosing scope each time was quadratic in its size.
 */
const grownInScope = new WeakMap<ts.Node, ReadonlySet<string>>();

function grownNames(scope: ts.Node): ReadonlySet<string> {
  let names = grownInScope.get(scope);
  if (names) return names;
  const found = new Set<string>();
  const visit = (n: ts.Node): void => {
    if (ts.isPropertyAccessExpression(n) && ts.isIdentifier(n.expression)) {
      const parent = n.parent;
      if (MUTATORS.has(n.name.text) && ts.isCallExpression(parent) && parent.expression === n) found.add(n.expression.text);
      if (n.name.text === 'length' && ts.isBinaryExpression(parent) && parent.left === n) found.add(n.expression.text);
    }
    if (ts.isElementAccessExpression(n) && ts.isIdentifier(n.expression) && ts.isBinaryExpression(n.parent) && n.parent.left === n) found.add(n.expression.text);
    ts.forEachChild(n, visit);
  };
  visit(scope);
  names = found;
  grownInScope.set(scope, names);
  return names;
}

/** True when a variable is grown anywhere in its scope: `xs.push(…)`, `xs[i] = …`, `xs.length = …`. */
function isGrown(decl: ts.VariableDeclaration): boolean {
  if (!ts.isIdentifier(decl.name)) return true;
  let scope: ts.Node = decl;
  while (scope.parent && !ts.isBlock(scope) && !ts.isSourceFile(scope) && !ts.isFunctionLike(scope)) scope = scope.parent;
  return grownNames(scope).has(decl.name.text);
}

/** The const declaration an identifier refers to, if it has an initializer and is never grown. */
function constInitializer(checker: ts.TypeChecker, id: ts.Identifier): ts.Expression | undefined {
  try {
    const sym = unalias(checker, checker.getSymbolAtLocation(id));
    const d = sym?.valueDeclaration;
    if (d && ts.isVariableDeclaration(d) && d.initializer && ts.getCombinedNodeFlags(d) & ts.NodeFlags.Const && !isGrown(d)) return d.initializer;
    if (d && ts.isEnumMember(d)) return d.initializer;
  } catch {
    return undefined;
  }
  return undefined;
}

/** `slice(0, 20)`, `slice(i, i + 25)`, `slice(-5)`: slices whose length is a constant. */
function isConstantSlice(call: ts.CallExpression): boolean {
  const [a, b] = call.arguments;
  if (!a) return false;
  if (!b) return ts.isPrefixUnaryExpression(skipOuter(a)) && isNumericConst(a);
  if (isNumericConst(a) && isNumericConst(b)) return true;
  const end = skipOuter(b);
  if (ts.isBinaryExpression(end) && end.operatorToken.kind === ts.SyntaxKind.PlusToken) {
    const startText = skipOuter(a).getText();
    return (isNumericConst(end.right) && skipOuter(end.left).getText() === startText) || (isNumericConst(end.left) && skipOuter(end.right).getText() === startText);
  }
  return false;
}

const PAGE_KEYS = /^(?:limit|take|pageSize|perPage|per_page|first|last|top|max|maxResults|MaxKeys|Limit|count)$/;

/**
 * True when a value is one page of a query: the call (or a call in its chain) is given a constant page size,
 * `db.find({ take: 50 })`, `Model.find().limit(50)`, `list({ Limit: 100 })`.
 */
function isPagedQuery(init: ts.Expression): boolean {
  let e: ts.Expression = skipOuter(init);
  if (ts.isAwaitExpression(e)) e = skipOuter(e.expression);
  for (let depth = 0; ts.isCallExpression(e) && depth < 6; depth++) {
    const name = calleeName(e);
    if (name && PAGE_KEYS.test(name) && e.arguments[0] && isNumericConst(e.arguments[0])) return true;
    for (const a of e.arguments) {
      const obj = skipOuter(a);
      if (ts.isObjectLiteralExpression(obj) && obj.properties.some((p) => ts.isPropertyAssignment(p) && PAGE_KEYS.test(p.name.getText()) && isNumericConst(p.initializer))) return true;
    }
    const recv = receiverOf(e);
    if (!recv) break;
    e = skipOuter(recv);
  }
  return false;
}

/**
 * True when the enclosing function rejects large input before using it: an earlier
 * `if (x.length > N) return …/throw …` (or `>=`), so past that point `x` has at most N elements.
 */
function isLengthGuarded(e: ts.Expression): boolean {
  const text = e.getText();
  let fnBody: ts.Node | undefined;
  for (let p: ts.Node | undefined = e.parent; p; p = p.parent) {
    if (ts.isFunctionLike(p) && 'body' in p && p.body) {
      fnBody = p.body as ts.Node;
      break;
    }
  }
  if (!fnBody || !ts.isBlock(fnBody)) return false;
  const exits = (s: ts.Statement): boolean =>
    ts.isReturnStatement(s) || ts.isThrowStatement(s) || (ts.isBlock(s) && s.statements.some((x) => ts.isReturnStatement(x) || ts.isThrowStatement(x)));
  const guards = (c: ts.Expression): boolean => {
    const x = skipOuter(c);
    if (ts.isBinaryExpression(x)) {
      const k = x.operatorToken.kind;
      if (k === ts.SyntaxKind.BarBarToken) return guards(x.left) || guards(x.right);
      const isLen = (y: ts.Expression) => ts.isPropertyAccessExpression(skipOuter(y)) && (skipOuter(y) as ts.PropertyAccessExpression).name.text === 'length' && (skipOuter(y) as ts.PropertyAccessExpression).expression.getText() === text;
      if ((k === ts.SyntaxKind.GreaterThanToken || k === ts.SyntaxKind.GreaterThanEqualsToken) && isLen(x.left) && isNumericConst(x.right)) return true;
      if ((k === ts.SyntaxKind.LessThanToken || k === ts.SyntaxKind.LessThanEqualsToken) && isLen(x.right) && isNumericConst(x.left)) return true;
    }
    return false;
  };
  const start = e.getStart();
  return fnBody.statements.some((s) => s.getEnd() < start && ts.isIfStatement(s) && guards(s.expression) && exits(s.thenStatement));
}

/**
 * True when an expression's size (array length, string length, number of keys, or a numeric bound) is fixed by
 * the code: literals, tuples, consts initialised with those, constant slices, `Object.keys` of a literal object.
 */
export function isFixedSize(checker: ts.TypeChecker, expr: ts.Expression, depth = 0): boolean {
  if (depth > MAX_DEPTH) return false;
  const e = skipOuter(expr);
  if (isHintedSmall(checker, e)) return true;
  if (ts.isNumericLiteral(e) || ts.isStringLiteralLike(e) || ts.isObjectLiteralExpression(e)) return true;
  if (ts.isPrefixUnaryExpression(e)) return isFixedSize(checker, e.operand, depth + 1);
  if (ts.isArrayLiteralExpression(e)) {
    return e.elements.every((el) => !ts.isSpreadElement(el) || isFixedSize(checker, el.expression, depth + 1));
  }
  if (ts.isBinaryExpression(e)) return isFixedSize(checker, e.left, depth + 1) && isFixedSize(checker, e.right, depth + 1);
  if (ts.isIdentifier(e)) {
    const init = constInitializer(checker, e);
    if (init && (isFixedSize(checker, init, depth + 1) || isPagedQuery(init))) return true;
    return isTuple(checker, e) || isLengthGuarded(e);
  }
  if (ts.isPropertyAccessExpression(e)) {
    if (e.name.text === 'length') return isFixedSize(checker, e.expression, depth + 1);
    if (isLengthGuarded(e)) return true;
    // MAX_ITEMS.limit, Config.PAGE_SIZE: property of a const object literal.
    if (ts.isIdentifier(e.expression)) {
      const init = constInitializer(checker, e.expression);
      if (init && ts.isObjectLiteralExpression(skipOuter(init))) {
        const prop = (skipOuter(init) as ts.ObjectLiteralExpression).properties.find(
          (p): p is ts.PropertyAssignment => ts.isPropertyAssignment(p) && p.name.getText() === e.name.text,
        );
        if (prop) return isFixedSize(checker, prop.initializer, depth + 1);
      }
    }
    return isTuple(checker, e);
  }
  if (ts.isCallExpression(e)) {
    const name = calleeName(e);
    const recv = receiverOf(e);
    if (name === 'slice' && isConstantSlice(e)) return true;
    // An object's own keys are bounded by its shape: in service code that is a schema, a config or headers,
    // not rows. (Collections keyed by id are Maps, or are iterated through their values' source.)
    if ((name === 'keys' || name === 'values' || name === 'entries' || name === 'getOwnPropertyNames') && recv && ts.isIdentifier(recv) && recv.text === 'Object') return true;
    if (name === 'from' && recv && ts.isIdentifier(recv) && recv.text === 'Array' && e.arguments[0]) {
      const a = skipOuter(e.arguments[0]);
      if (ts.isObjectLiteralExpression(a)) {
        const len = a.properties.find((p): p is ts.PropertyAssignment => ts.isPropertyAssignment(p) && p.name.getText() === 'length');
        return !!len && isFixedSize(checker, len.initializer, depth + 1);
      }
      return isFixedSize(checker, a, depth + 1);
    }
    // Array methods that keep (or shrink) a fixed source: FIXED.map(…), FIXED.filter(…)
    if (recv && name && ['map', 'filter', 'slice', 'concat', 'flat', 'reverse', 'sort', 'toSorted'].includes(name) && isFixedSize(checker, recv, depth + 1)) return true;
    return isTuple(checker, e);
  }
  if (ts.isNewExpression(e) && ts.isIdentifier(e.expression) && e.expression.text === 'Array' && e.arguments?.[0]) return isFixedSize(checker, e.arguments[0], depth + 1);
  return isTuple(checker, e);
}

function isTuple(checker: ts.TypeChecker, e: ts.Expression): boolean {
  try {
    return checker.isTupleType(checker.getTypeAtLocation(e));
  } catch {
    return false;
  }
}

/** True when an expression's type is an array (not a tuple) — a collection a loop or fan-out can grow with. */
export function isArrayLike(checker: ts.TypeChecker, e: ts.Expression): boolean {
  try {
    const t = checker.getNonNullableType(checker.getTypeAtLocation(e));
    if (t.isUnion()) return t.types.some((x) => checker.isArrayType(x));
    if (checker.isArrayType(t)) return true;
    const name = t.getSymbol()?.getName();
    return name === 'ReadonlyArray' || name === 'Array';
  } catch {
    return false;
  }
}

/** What a data-sized expression depends on, for messages: `req.body.items`, `people`, `rows`. */
export function sizeSource(e: ts.Expression): string {
  const t = skipOuter(e).getText().replace(/\s+/g, ' ');
  return t.length > 40 ? t.slice(0, 39) + '…' : t;
}
