/**
 * `looplens.install-dependency`: a command-only action that installs the limiter package another fix of the
 * same finding imports, when the nearest package.json does not list it. The server never runs npm: the client
 * runs `npm install <pkg>` in a terminal in the package's folder (command `looplens.installDependency`).
 */
import type { CodeFix, Finding } from '../types';

export const INSTALL_DEPENDENCY = 'looplens.install-dependency';

/** The client command: arguments `[{ cwd: string (absolute folder), packages: string[] }]`. */
export const INSTALL_DEPENDENCY_COMMAND = 'looplens.installDependency';

/**
 * One install action per package of `used` (packages imported by the fixes offered for `finding`) that the
 * finding's project lacks; none without a known package folder.
 */
export function installDependencyFixes(finding: Finding, used: readonly string[]): CodeFix[] {
  const fix = finding.fix;
  if (fix.kind !== 'limit-fanout' || !fix.packageDir) return [];
  const missing = fix.missingDeps ?? [];
  return used
    .filter((pkg) => missing.includes(pkg))
    .map((pkg) => ({
      fixId: INSTALL_DEPENDENCY,
      title: `Install ${pkg} (npm install ${pkg})`,
      edits: [],
      isPreferred: false,
      command: { title: `npm install ${pkg}`, command: INSTALL_DEPENDENCY_COMMAND, arguments: [{ cwd: fix.packageDir, packages: [pkg] }] },
    }));
}
