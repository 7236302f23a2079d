/**
 * AWS Lambda handlers: `export const handler = …`, `export async function handler`, and CommonJS
 * `exports.handler = …` / `module.exports.handler = …`.
 */
import { ts } from 'ts-morph';
import { resolveFunctionValue } from '../resolve';
import type { Discoverer } from './types';

function isExported(node: ts.Node): boolean {
  return ts.canHaveModifiers(node) && (ts.getModifiers(node) ?? []).some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
}

export const discoverLambda: Discoverer = (node, ctx) => {
  if (ts.isFunctionDeclaration(node) && node.name?.text === 'handler' && node.body && isExported(node)) {
    return [{ kind: 'lambda', label: 'Lambda handler', registration: node.name, fn: node }];
  }
  if (ts.isVariableStatement(node) && isExported(node)) {
    for (const d of node.declarationList.declarations) {
      if (ts.isIdentifier(d.name) && d.name.text === 'handler' && d.initializer) {
        const fn = resolveFunctionValue(ctx.checker, d.initializer);
        if (fn) return [{ kind: 'lambda', label: 'Lambda handler', registration: d.name, fn }];
      }
    }
  }
  if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.EqualsToken && ts.isPropertyAccessExpression(node.left)) {
    const left = node.left;
    const target = left.expression.getText(ctx.sf);
    if (left.name.text === 'handler' && (target === 'exports' || target === 'module.exports')) {
      const fn = resolveFunctionValue(ctx.checker, node.right);
      if (fn) return [{ kind: 'lambda', label: 'Lambda handler', registration: left, fn }];
    }
  }
  return undefined;
};
