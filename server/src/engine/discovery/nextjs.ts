/**
 * Next.js route handlers: functions named after HTTP methods exported from `route.ts`/`route.js` files (App
 * Router), and the default export of files under `pages/api/` (Pages Router).
 */
import { ts } from 'ts-morph';
import { isFunctionWithBody, skipOuter } from '../ast';
import type { DiscoveredHandler, Discoverer } from './types';

const METHODS = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS']);
const ROUTE_FILE = /\/route\.(?:ts|js|mjs|tsx|jsx)$/;
const PAGES_API = /\/pages\/api\/(.+)\.(?:ts|js|mjs|tsx|jsx)$/;

function isExported(node: ts.Node): boolean {
  return ts.canHaveModifiers(node) && (ts.getModifiers(node) ?? []).some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
}

/** The route path a Next.js file serves, from its folder under `app/` (or `pages/api/`). */
function routePath(fileName: string): string {
  const app = /\/app(\/.*)?\/route\.\w+$/.exec(fileName);
  if (app) return app[1] ?? '/';
  const pages = PAGES_API.exec(fileName);
  if (pages) return '/api/' + pages[1]!.replace(/\/index$/, '');
  return '/';
}

export const discoverNext: Discoverer = (node, ctx) => {
  const file = ctx.sf.fileName;
  if (ROUTE_FILE.test(file)) {
    if (ts.isFunctionDeclaration(node) && node.name && METHODS.has(node.name.text) && isExported(node) && node.body) {
      return [{ kind: 'nextjs', label: `${node.name.text} ${routePath(file)}`, registration: node.name, fn: node }];
    }
    if (ts.isVariableStatement(node) && isExported(node)) {
      const out: DiscoveredHandler[] = [];
      for (const d of node.declarationList.declarations) {
        if (ts.isIdentifier(d.name) && METHODS.has(d.name.text) && d.initializer && isFunctionWithBody(skipOuter(d.initializer))) {
          out.push({ kind: 'nextjs', label: `${d.name.text} ${routePath(file)}`, registration: d.name, fn: skipOuter(d.initializer) as never });
        }
      }
      return out;
    }
  }
  if (PAGES_API.test(file)) {
    if (ts.isFunctionDeclaration(node) && node.body && isExported(node) && (ts.getModifiers(node) ?? []).some((m) => m.kind === ts.SyntaxKind.DefaultKeyword)) {
      return [{ kind: 'nextjs', label: `API ${routePath(file)}`, registration: node.name ?? node, fn: node }];
    }
    if (ts.isExportAssignment(node) && !node.isExportEquals && isFunctionWithBody(skipOuter(node.expression))) {
      return [{ kind: 'nextjs', label: `API ${routePath(file)}`, registration: node, fn: skipOuter(node.expression) as never }];
    }
  }
  return undefined;
};
