/**
 * Installs what the real-editor tests need, once per machine, and says where it is:
 * - Debian's `chromium`, `ripgrep` and `libkrb5-dev` (apt-get, as root; `apt-get update` only when one is missing);
 * - code-server 4.100.3 (VS Code 1.100.3 workbench + Node extension host) in a cache folder outside the repo,
 *   keyed by version, with `@vscode/ripgrep`'s download cache seeded from Debian's `rg` (GitHub is unreachable).
 * See ../shared/recipes/real-editor.md for why each step is there.
 *
 * Run by hand: `node --import tsx test/e2e/setup.ts` prints the paths (or the reason it cannot set up).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync, copyFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const CODE_SERVER_VERSION = '4.100.3';
/** The `@vscode/ripgrep` release code-server 4.100.3 depends on, and the asset its postinstall looks for. */
const RIPGREP_PKG_VERSION = '1.15.11';
const RIPGREP_ASSET = 'ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz';

export const CHROMIUM = '/usr/bin/chromium';

/** Where code-server is cached: `$LOOPLENS_E2E_CACHE`, else `~/.cache/looplens-e2e`. */
export function cacheRoot(): string {
  return process.env.LOOPLENS_E2E_CACHE ?? join(homedir(), '.cache', 'looplens-e2e');
}

export interface Prereqs {
  chromium: string;
  /** code-server's `out/node/entry.js`, started with this Node. */
  codeServerEntry: string;
}

export type SetupResult = { ok: true; prereqs: Prereqs } | { ok: false; reason: string };

function log(msg: string): void {
  process.stderr.write(`[e2e-setup] ${msg}\n`);
}

function run(cmd: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): void {
  const started = Date.now();
  const r = spawnSync(cmd, args, { cwd: opts.cwd, env: opts.env ?? process.env, encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.status !== 0) {
    const out = `${r.stdout ?? ''}\n${r.stderr ?? ''}`.trim().split('\n').slice(-30).join('\n');
    throw new Error(`${cmd} ${args.join(' ')} failed (${r.error?.message ?? `exit ${r.status}`}):\n${out}`);
  }
  log(`${cmd} ${args.slice(0, 3).join(' ')} … done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

function onPath(bin: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${bin}`], { stdio: 'ignore' }).status === 0;
}

/** Debian packages: which are missing, judged by the file each one brings. */
function missingDebs(needCodeServerBuild: boolean): string[] {
  const missing: string[] = [];
  if (!existsSync(CHROMIUM)) missing.push('chromium');
  if (!onPath('rg')) missing.push('ripgrep');
  if (needCodeServerBuild && !existsSync('/usr/include/gssapi/gssapi.h')) missing.push('libkrb5-dev');
  return missing;
}

function ensureDebs(needCodeServerBuild: boolean): string | undefined {
  const missing = missingDebs(needCodeServerBuild);
  if (missing.length === 0) return undefined;
  if (process.getuid?.() !== 0) return `not root and missing Debian packages: ${missing.join(' ')}`;
  if (!onPath('apt-get')) return `no apt-get to install ${missing.join(' ')}`;
  log(`installing ${missing.join(' ')} with apt-get`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  run('apt-get', ['update', '-qq'], { env });
  run('apt-get', ['install', '-y', '-qq', ...missing], { env });
  const still = missingDebs(needCodeServerBuild);
  return still.length ? `apt-get did not bring ${still.join(' ')}` : undefined;
}

function codeServerDir(): string {
  return join(cacheRoot(), `code-server-${CODE_SERVER_VERSION}`);
}

function codeServerEntry(dir = codeServerDir()): string {
  return join(dir, 'node_modules', 'code-server', 'out', 'node', 'entry.js');
}

/** A finished install has its entry point, the VS Code part its postinstall adds, and our marker. */
function codeServerReady(dir = codeServerDir()): boolean {
  return (
    existsSync(join(dir, '.complete')) &&
    existsSync(codeServerEntry(dir)) &&
    existsSync(join(dir, 'node_modules', 'code-server', 'lib', 'vscode', 'node_modules', '@vscode', 'ripgrep', 'bin', 'rg'))
  );
}

/**
 * Installs code-server into a staging folder and renames it into place, so a killed install never looks
 * finished. About a minute and 300 MB.
 */
function installCodeServer(): void {
  const final = codeServerDir();
  const staging = `${final}.staging-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  const tmp = join(staging, 'tmp');
  const rgCache = join(tmp, `vscode-ripgrep-cache-${RIPGREP_PKG_VERSION}`);
  mkdirSync(rgCache, { recursive: true });
  writeFileSync(join(staging, 'package.json'), JSON.stringify({ private: true, name: 'looplens-e2e-code-server' }));
  // @vscode/ripgrep's postinstall fetches rg from GitHub unless this tarball (rg at its top) is in its cache.
  const rgStage = join(staging, 'rg-stage');
  mkdirSync(rgStage);
  const rg = spawnSync('sh', ['-c', 'command -v rg'], { encoding: 'utf8' }).stdout.trim();
  copyFileSync(rg, join(rgStage, 'rg'));
  run('tar', ['-czf', join(rgCache, RIPGREP_ASSET), '-C', rgStage, 'rg']);
  log(`installing code-server@${CODE_SERVER_VERSION} into ${final} (about a minute)`);
  run('npm', ['install', '--no-audit', '--no-fund', '--no-save', `code-server@${CODE_SERVER_VERSION}`], {
    cwd: staging,
    env: {
      ...process.env,
      TMPDIR: tmp,
      // its postinstall refuses to run as root without this; node-pty's postinstall runs `npx node-gyp`.
      npm_config_unsafe_perm: 'true',
      npm_config_yes: 'true',
    },
  });
  rmSync(tmp, { recursive: true, force: true });
  rmSync(rgStage, { recursive: true, force: true });
  writeFileSync(join(staging, '.complete'), `${new Date().toISOString()}\n`);
  if (!codeServerReady(staging)) throw new Error(`code-server install in ${staging} is incomplete`);
  rmSync(final, { recursive: true, force: true });
  renameSync(staging, final);
}

/**
 * Runs `fn` holding `flock` on a file in the cache folder, so two test runs on one machine do not install
 * code-server at once (the second waits, then finds it installed).
 */
function withCacheLock<T>(fn: () => T): T {
  mkdirSync(cacheRoot(), { recursive: true });
  const lock = join(cacheRoot(), '.install.lock');
  // flock(1) holds the lock for a child that re-runs this file with --install.
  const r = spawnSync('flock', ['-w', '600', lock, process.execPath, '--import', 'tsx', fileURLToPath(import.meta.url), '--install'], {
    stdio: ['ignore', 'inherit', 'inherit'],
    env: process.env,
  });
  if (r.error && (r.error as NodeJS.ErrnoException).code === 'ENOENT') return fn(); // no flock(1): install unlocked
  if (r.status !== 0) throw new Error(`code-server install failed (exit ${r.status}); see the output above`);
  return undefined as T;
}

/** Installs what is missing; returns where things are, or why the real-editor tests must be skipped. */
export function ensurePrereqs(): SetupResult {
  const needBuild = !codeServerReady();
  const debs = ensureDebs(needBuild);
  if (debs) return { ok: false, reason: debs };
  if (needBuild) withCacheLock(() => installCodeServer());
  if (!codeServerReady()) return { ok: false, reason: `code-server is not installed in ${codeServerDir()}` };
  return { ok: true, prereqs: { chromium: CHROMIUM, codeServerEntry: codeServerEntry() } };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  if (process.argv[2] === '--install') {
    // Under the lock (see withCacheLock): another run may have finished the install while we waited.
    if (!codeServerReady()) installCodeServer();
  } else {
    const r = ensurePrereqs();
    console.log(JSON.stringify(r, null, 2));
    process.exitCode = r.ok ? 0 : 1;
  }
}
