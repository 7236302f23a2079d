/**
 * The names a file's declarations can give a function value, collected during discovery's walk. The analysis
 * uses them to skip checker questions about property accesses that cannot name a project function
 * (../analysis/function-names.ts).
 */
import { ts } from 'ts-morph';
import { isFunctionWithBody, skipOuter } from '../ast';

/**
 * Collects, node by node, the names a file's declarations can give a function value: functions, methods and
 * accessors; variables, properties and property assignments initialised with a function or a call (a wrapper,
 * see ../resolve.ts#resolveFunctionValue); names re-exported by `export { a as b }`; `default` for default
 * exports. A superset: a name here may still name something else. A computed name that is neither a literal
 * nor a well-known symbol (`{ [KEY]: () => … }`) could be any name: `computed` says so.
 */
export class FunctionNameScan {
  readonly names = new Set<string>();
  /** A function-valued declaration has a computed name other than a literal. */
  computed = false;

  visit(n: ts.Node): void {
    if (isFunctionWithBody(n)) {
      if (!ts.isConstructorDeclaration(n)) this.add(n.name);
      if (ts.canHaveModifiers(n) && ts.getModifiers(n)?.some((m) => m.kind === ts.SyntaxKind.DefaultKeyword)) this.names.add('default');
    } else if ((ts.isVariableDeclaration(n) || ts.isPropertyDeclaration(n) || ts.isPropertyAssignment(n)) && n.initializer) {
      const init = skipOuter(n.initializer);
      if (isFunctionWithBody(init) || ts.isCallExpression(init)) this.add(n.name);
    } else if (ts.isExportSpecifier(n)) {
      this.add(n.name);
      this.add(n.propertyName);
    } else if (ts.isExportAssignment(n)) {
      this.names.add('default');
    }
  }

  private add(name: ts.Node | undefined): void {
    if (name && ts.isComputedPropertyName(name)) {
      const e = skipOuter(name.expression);
      if (ts.isStringLiteralLike(e) || ts.isNumericLiteral(e)) this.names.add(e.text);
      // `[Symbol.iterator]() {}` names a symbol, which no `x.name` can reach.
      else if (!(ts.isPropertyAccessExpression(e) && ts.isIdentifier(e.expression) && e.expression.text === 'Symbol')) this.computed = true;
    } else if (name && (ts.isIdentifier(name) || ts.isStringLiteralLike(name) || ts.isPrivateIdentifier(name) || ts.isNumericLiteral(name))) {
      this.names.add(name.text);
    }
  }
}
