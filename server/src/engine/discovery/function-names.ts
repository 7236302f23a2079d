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
 * exports. A superset: a name here may still name something else.
 */
export class FunctionNameScan {
  readonly names = new Set<string>();

  visit(n: ts.Node): void {
    if (isFunctionWithBody(n)) {
      if (ts.isConstructorDeclaration(n)) this.names.add('constructor');
      else this.add(n.name);
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
    if (name && (ts.isIdentifier(name) || ts.isStringLiteralLike(name) || ts.isPrivateIdentifier(name) || ts.isNumericLiteral(name))) this.names.add(name.text);
  }
}
