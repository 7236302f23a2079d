// Installs the corpus's node_modules once per lockfile and reuses them (the corpus only needs them for types).
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Makes `<projectDir>/node_modules` a symlink to a cached `npm ci --ignore-scripts` install keyed by the hash
 * of `<projectDir>/package-lock.json`, under `os.tmpdir()/looplens-corpus-deps-<hash>`. The first call per
 * lockfile installs into a staging folder and renames it into place, so an interrupted install is never
 * reused. Returns the cache folder. Throws when `npm ci` fails (stderr's last lines in the message).
 */
export function linkCachedDeps(projectDir: string, timeoutMs = 10 * 60_000): string {
  const lock = readFileSync(join(projectDir, 'package-lock.json'));
  const hash = createHash('sha256').update(lock).digest('hex').slice(0, 16);
  const cache = join(tmpdir(), `looplens-corpus-deps-${hash}`);
  if (!existsSync(join(cache, '.complete'))) {
    const staging = mkdtempSync(`${cache}.staging-`);
    for (const f of ['package.json', 'package-lock.json']) copyFileSync(join(projectDir, f), join(staging, f));
    const npm = spawnSync('npm', ['ci', '--ignore-scripts', '--no-audit', '--no-fund'], {
      cwd: staging,
      encoding: 'utf8',
      timeout: timeoutMs,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    if (npm.status !== 0) {
      rmSync(staging, { recursive: true, force: true });
      const tail = `${npm.stderr ?? ''}${npm.error?.message ?? ''}`.trim().split('\n').slice(-5).join('\n');
      throw new Error(`npm ci for the corpus failed (exit ${npm.status}):\n${tail}`);
    }
    writeFileSync(join(staging, '.complete'), new Date().toISOString());
    rmSync(cache, { recursive: true, force: true });
    try {
      renameSync(staging, cache);
    } catch {
      // another run finished first; use its install
      rmSync(staging, { recursive: true, force: true });
    }
  }
  mkdirSync(projectDir, { recursive: true });
  rmSync(join(projectDir, 'node_modules'), { recursive: true, force: true });
  symlinkSync(join(cache, 'node_modules'), join(projectDir, 'node_modules'), 'dir');
  return cache;
}
