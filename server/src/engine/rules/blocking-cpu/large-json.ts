/**
 * blocking-cpu/large-json
 *
 * What it does: reports `JSON.parse` and `JSON.stringify` of values whose size grows with data: a value whose
 * type holds a collection (an array, Map or Set, at most three properties deep), or, for `JSON.parse` with no
 * declared result type, a string read whole from a request body. Small, fixed-shape values (a cookie, one
 * event, one message) are silent, and so are records with only an index signature.
 *
 * Why it is bad: both are synchronous and O(size); a multi-megabyte body or result set holds the event loop for
 * tens to hundreds of milliseconds (Node.js, "Don't Block the Event Loop", section "Blocking the Event Loop:
 * JSON DOS"; https://nodejs.org/en/learn/asynchronous-work/dont-block-the-event-loop). Cap the body size,
 * stream the JSON, or move the work to a worker pool.
 */
import { ts } from 'ts-morph';
import { calleeName, locationOf, skipOuter } from '../../ast';
import { originOf, type OriginEnv } from '../../analysis/provenance';
import { unalias } from '../../resolve';
import type { RuleMeta } from '../registry';
import type { Rule } from '../rule';

export const meta: RuleMeta = {
  id: 'blocking-cpu/large-json',
  family: 'blocking-cpu',
  description: 'JSON.parse or JSON.stringify of a request- or result-sized value runs on the event loop.',
  defaultSeverity: 'warning',
  fixIds: ['looplens.worker-offload', 'looplens.disable-next-line'],
};

const MAX_DEPTH = 3;
const MAX_PROPS = 40;
const BODY_READ = /^(?:read(?:Body|All|Stream|Json|Text)?|getRawBody|rawBody|text|buffer|arrayBuffer|toString|json|body)$/i;

/** A collection found inside a type, as a path for the message (`samples[]`), or undefined. */
export function collectionIn(checker: ts.TypeChecker, type: ts.Type, depth = 0, seen = new Set<ts.Type>()): string | undefined {
  if (depth > MAX_DEPTH || seen.has(type)) return undefined;
  seen.add(type);
  if (type.isUnion() || type.isIntersection()) {
    // A member that is itself a collection first: the checker orders members by when their types were
    // created, which depends on what was asked before, and the message should not.
    for (const t of type.types) {
      const c = ownCollection(checker, t);
      if (c) return c;
    }
    for (const t of type.types) {
      const c = collectionIn(checker, t, depth, seen);
      if (c) return c;
    }
    return undefined;
  }
  const own = ownCollection(checker, type);
  if (own || checker.isTupleType(type)) return own;
  if (!(type.flags & ts.TypeFlags.Object)) return undefined;
  const props = type.getProperties();
  if (props.length > MAX_PROPS) return undefined;
  for (const p of props) {
    const decl = p.valueDeclaration ?? p.declarations?.[0];
    if (decl && (ts.isMethodDeclaration(decl) || ts.isMethodSignature(decl))) continue;
    let pt: ts.Type;
    try {
      pt = checker.getTypeOfSymbol(p);
    } catch {
      continue;
    }
    if (pt.getCallSignatures().length > 0) continue;
    const c = collectionIn(checker, pt, depth + 1, seen);
    if (c) return `${p.getName()}${c.startsWith('[') ? c : '.' + c}`;
  }
  return undefined;
}

/** `[]` for an array type, the name of a Map, Set or read-only collection type, else undefined. */
function ownCollection(checker: ts.TypeChecker, type: ts.Type): string | undefined {
  if (checker.isArrayType(type)) return '[]';
  const name = type.getSymbol()?.getName();
  return name === 'Map' || name === 'Set' || name === 'ReadonlyArray' || name === 'ReadonlyMap' || name === 'ReadonlySet' ? name : undefined;
}

/** The type `JSON.parse`'s result is given: `as T`, `<T>`, or the annotated variable it initialises. */
function declaredResultType(checker: ts.TypeChecker, call: ts.CallExpression): ts.Type | undefined {
  let p: ts.Node = call.parent;
  while (ts.isParenthesizedExpression(p)) p = p.parent;
  if (ts.isAsExpression(p) || ts.isTypeAssertionExpression(p) || ts.isSatisfiesExpression(p)) return checker.getTypeFromTypeNode(p.type);
  if (ts.isVariableDeclaration(p) && p.type) return checker.getTypeFromTypeNode(p.type);
  return undefined;
}

/** True when a string was read whole from a request body: `await readBody(req)`, `await request.text()`. */
function isWholeBody(checker: ts.TypeChecker, expr: ts.Expression, depth = 0): boolean {
  const e = skipOuter(expr);
  if (depth > 3) return false;
  if (ts.isAwaitExpression(e)) return isWholeBody(checker, e.expression, depth + 1);
  if (ts.isCallExpression(e)) {
    const name = calleeName(e);
    return !!name && BODY_READ.test(name) && (name !== 'toString' || /concat/.test(e.expression.getText()));
  }
  if (ts.isIdentifier(e)) {
    const sym = unalias(checker, checker.getSymbolAtLocation(e));
    const d = sym?.valueDeclaration;
    if (d && ts.isVariableDeclaration(d) && d.initializer) return isWholeBody(checker, d.initializer, depth + 1);
  }
  return false;
}

/** True for a handler's raw body as a property: `req.body`, `ctx.request.rawBody`, `event.body` (request input, see provenance.ts). */
function isRequestBody(env: OriginEnv, expr: ts.Expression): boolean {
  const e = skipOuter(expr);
  return ts.isPropertyAccessExpression(e) && (e.name.text === 'body' || e.name.text === 'rawBody') && originOf(env, e).kind === 'request';
}

export const rule: Rule = {
  meta,
  messages: {
    parse: '`JSON.parse` of {what} runs synchronously on the event loop in {handler}; a large input holds every other request until it finishes. Cap the body size, stream-parse it, or parse in a worker pool.',
    stringify: '`JSON.stringify` of {what} runs synchronously on the event loop in {handler}; its time grows with the data and no other request is served meanwhile. Paginate, stream the output, or serialise in a worker pool.',
  },
  detect(node, env) {
    if (!ts.isCallExpression(node) || !ts.isPropertyAccessExpression(node.expression)) return undefined;
    const target = node.expression.expression;
    if (!ts.isIdentifier(target) || target.text !== 'JSON') return undefined;
    const method = node.expression.name.text;
    const arg = node.arguments[0];
    if (!arg || (method !== 'parse' && method !== 'stringify')) return undefined;
    let what: string | undefined;
    try {
      if (method === 'stringify') {
        const c = collectionIn(env.checker, env.checker.getTypeAtLocation(arg));
        if (c) what = `\`${skipOuter(arg).getText().slice(0, 40)}\` (holds \`${c}\`)`;
      } else {
        const declared = declaredResultType(env.checker, node);
        const c = declared && collectionIn(env.checker, declared);
        if (c) what = `a value typed to hold \`${c}\``;
        else if (!declared && (isWholeBody(env.checker, arg) || isRequestBody(env, arg))) what = 'a whole request body';
      }
    } catch {
      return undefined;
    }
    if (!what) return undefined;
    return {
      ruleId: meta.id,
      family: 'blocking-cpu',
      node,
      location: locationOf(node, env.sf),
      messageId: method,
      data: { what },
      fix: { kind: 'none' },
      reason: `JSON.${method} of ${what}`,
    };
  },
};
