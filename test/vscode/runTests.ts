/**
 * `npm run test:vscode`: runs test/vscode/suite (Mocha, the VS Code API) in a real VS Code through
 * @vscode/test-electron, with the repo as the extension under development and a fresh copy of the e2e fixture
 * workspace.
 *
 * VS Code comes from `VSCODE_TEST_EXECUTABLE` when set (a local install), else @vscode/test-electron downloads
 * it. When there is no local VS Code and the download host does not answer within 3 s, it prints one line
 * `SKIP: <reason>` and exits 0 (the node:test wrapper, electron.test.ts, reports that as a skip).
 * Exit codes: 0 passed or skipped, 1 failed.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { USER_SETTINGS } from '../e2e/userSettings';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const FIXTURE = join(REPO, 'test', 'e2e', 'fixtures', 'workspace');
const OUT = join(REPO, 'test-output', 'vscode');
/** Where @vscode/test-electron downloads VS Code from. */
const DOWNLOAD_HOST = 'update.code.visualstudio.com';

/** Whether `host` answers an HTTPS HEAD within `ms` (DNS failure, refusal and timeout all say no). */
export function reachable(host: string, ms = 3_000): Promise<string | undefined> {
  return new Promise((res) => {
    const req = request({ host, method: 'HEAD', path: '/', timeout: ms }, (r) => {
      r.resume();
      res(undefined);
    });
    req.on('timeout', () => req.destroy(new Error(`no answer in ${ms / 1000} s`)));
    req.on('error', (err: NodeJS.ErrnoException) => res(err.code ?? err.message));
    req.end();
  });
}

/** Bundles the suite (index + spec) for the extension host; bare imports stay external (repo node_modules). */
export async function buildSuite(): Promise<string> {
  const outdir = join(OUT, 'suite');
  rmSync(outdir, { recursive: true, force: true });
  await build({
    entryPoints: [join(REPO, 'test/vscode/suite/index.ts'), join(REPO, 'test/vscode/suite/editor.spec.ts')],
    outdir,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    packages: 'external',
    sourcemap: 'inline',
    logLevel: 'warning',
  });
  return join(outdir, 'index.js');
}

/** A fresh copy of the fixture workspace and user-data folder for one run. */
export function prepareRun(): { workspace: string; userDataDir: string; extensionsDir: string; root: string } {
  const root = mkdtempSync(join(tmpdir(), 'll-vsc-'));
  const workspace = join(root, 'ws');
  cpSync(FIXTURE, workspace, { recursive: true });
  const userDataDir = join(root, 'ud');
  mkdirSync(join(userDataDir, 'User'), { recursive: true });
  writeFileSync(join(userDataDir, 'User', 'settings.json'), JSON.stringify(USER_SETTINGS, null, 2));
  const extensionsDir = join(root, 'ext');
  mkdirSync(extensionsDir);
  return { workspace, userDataDir, extensionsDir, root };
}

/** Electron needs a display on Linux: start Xvfb when there is none and it is installed. */
function ensureDisplay(): ChildProcess | undefined {
  if (process.platform !== 'linux' || process.env.DISPLAY) return undefined;
  if (spawnSync('sh', ['-c', 'command -v Xvfb'], { stdio: 'ignore' }).status !== 0) return undefined;
  const display = `:${90 + (process.pid % 9)}`;
  const xvfb = spawn('Xvfb', [display, '-screen', '0', '1280x1024x24', '-nolisten', 'tcp'], { stdio: 'ignore' });
  process.env.DISPLAY = display;
  return xvfb;
}

async function main(): Promise<number> {
  const executable = process.env.VSCODE_TEST_EXECUTABLE;
  if (executable && !existsSync(executable)) {
    console.log(`VSCODE_TEST_EXECUTABLE does not exist: ${executable}`);
    return 1;
  }
  if (!executable) {
    const why = await reachable(DOWNLOAD_HOST);
    if (why) {
      console.log(`SKIP: @vscode/test-electron cannot download VS Code here (${DOWNLOAD_HOST}: ${why}); set VSCODE_TEST_EXECUTABLE to a local VS Code to run it`);
      return 0;
    }
  }
  const b = spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: REPO, stdio: 'inherit' });
  if (b.status !== 0) return 1;
  const extensionTestsPath = await buildSuite();
  const run = prepareRun();
  const xvfb = ensureDisplay();
  const { runTests } = await import('@vscode/test-electron');
  try {
    await runTests({
      ...(executable ? { vscodeExecutablePath: executable } : {}),
      extensionDevelopmentPath: REPO,
      extensionTestsPath,
      extensionTestsEnv: { LOOPLENS_VSCODE_RESULTS: join(OUT, 'results.json') },
      launchArgs: [
        run.workspace,
        '--disable-extensions',
        '--disable-workspace-trust',
        '--skip-welcome',
        '--skip-release-notes',
        '--disable-gpu',
        '--user-data-dir', run.userDataDir,
        '--extensions-dir', run.extensionsDir,
      ],
    });
    console.log('VS Code API suite passed');
    rmSync(run.root, { recursive: true, force: true });
    return 0;
  } catch (err) {
    console.log(`VS Code API suite failed: ${err instanceof Error ? err.message : String(err)} (workspace kept in ${run.root})`);
    return 1;
  } finally {
    xvfb?.kill();
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().then(
    (code) => (process.exitCode = code),
    (err: unknown) => {
      console.error(err);
      process.exitCode = 1;
    },
  );
}
