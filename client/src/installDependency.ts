/**
 * `looplens.installDependency`: the client half of the server's "Install p-limit" code action. The server
 * never runs npm; this command opens a terminal in the package's folder and runs `npm install <packages>`
 * there, where the user sees it and can stop it. This file has no `vscode` import so tests can load it; the
 * terminal is opened in extension.ts.
 */
/** The command id the server's install action names. */
export const INSTALL_DEPENDENCY_COMMAND = 'looplens.installDependency';

/** npm's package-name rule (https://docs.npmjs.com/cli/v10/configuring-npm/package-json#name): also keeps shell syntax out. */
const NPM_NAME = /^(?:@[a-z0-9][a-z0-9._~-]*\/)?[a-z0-9][a-z0-9._~-]*$/;

/**
 * The folder and command line for the action's argument `{ cwd, packages }`, or undefined when the argument
 * is malformed (not an absolute folder, no packages, or a name npm would reject).
 */
export function installCommandLine(arg: unknown): { cwd: string; commandLine: string } | undefined {
  if (typeof arg !== 'object' || arg === null) return undefined;
  const { cwd, packages } = arg as { cwd?: unknown; packages?: unknown };
  if (typeof cwd !== 'string' || !/^(?:\/|[A-Za-z]:[\\/])/.test(cwd)) return undefined;
  if (!Array.isArray(packages) || packages.length === 0) return undefined;
  if (!packages.every((p): p is string => typeof p === 'string' && p.length <= 214 && NPM_NAME.test(p))) return undefined;
  return { cwd, commandLine: `npm install ${packages.join(' ')}` };
}
