#!/usr/bin/env node
// Real-input bench: runs `looplens audit --format json` on the TypeScript sources that two published
// Node.js server packages ship, and prints file count, findings per family, wall time and peak RSS.
//
//   npm run bench:real                      # both packages
//   node bench/real-packages.mjs trpc       # only packages whose name contains "trpc"
//
// Everything downloaded lives in .bench-cache/ (git-ignored) and is reused: tarballs by version, extracted
// packages with their node_modules once installed. Their code is never committed.
// Exits 1 when the CLI crashes, exits 2 (usage or fatal error) or times out on any package.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { glob } from 'tinyglobby';

const REPO = join(dirname(fileURLToPath(import.meta.url)), '..');
const CACHE = join(REPO, '.bench-cache');
const CLI = join(REPO, 'dist', 'cli.js');
const FAMILIES = ['blocking-cpu', 'unbounded-fanout', 'mixed-bound'];
const PACKAGES = ['@budibase/server', '@trpc/server'];
/** How many older versions to try when the newest ships no src/*.ts. */
const MAX_VERSION_TRIES = 8;
const AUDIT_TIMEOUT_MS = 30 * 60_000;
const INSTALL_TIMEOUT_MS = 30 * 60_000;

/** Runs a command; returns {status, stdout, stderr, signal, ms}. Never throws for a non-zero exit. */
function sh(cmd, args, options = {}) {
  const t0 = performance.now();
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 256 << 20, ...options });
  return { status: r.status, signal: r.signal, stdout: r.stdout ?? '', stderr: `${r.stderr ?? ''}${r.error ? r.error.message : ''}`, ms: performance.now() - t0 };
}

const tail = (text, n = 5) => text.trim().split('\n').slice(-n).join('\n');
/** npm's error code (`ERESOLVE`, `E404` …) from its stderr, else its last line. */
const npmError = (stderr) => /npm error code (\S+)/.exec(stderr)?.[1] ?? tail(stderr, 1);

/** Path of GNU time, installing Debian's `time` package when missing and running as root; else undefined. */
function gnuTime() {
  if (existsSync('/usr/bin/time')) return '/usr/bin/time';
  if (process.getuid?.() !== 0) return undefined;
  console.log('installing /usr/bin/time (Debian package "time") to measure peak RSS…');
  let r = sh('apt-get', ['install', '-y', '-qq', 'time']);
  if (r.status !== 0) {
    sh('apt-get', ['update', '-qq']);
    r = sh('apt-get', ['install', '-y', '-qq', 'time']);
  }
  return existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;
}

/** Whether a tarball holds TypeScript sources (not declarations) under package/src/. */
function shipsTsSources(tarball) {
  const r = sh('tar', ['-tzf', tarball]);
  if (r.status !== 0) throw new Error(`cannot list ${tarball}: ${tail(r.stderr, 2)}`);
  return r.stdout.split('\n').some((f) => /^package\/src\/.+\.tsx?$/.test(f) && !f.endsWith('.d.ts'));
}

/** Downloads (once) the tarball of name@version into .bench-cache/tarballs; returns its path. */
function pack(name, version) {
  const dir = join(CACHE, 'tarballs');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${name.replace(/^@/, '').replace('/', '-')}-${version}.tgz`);
  if (existsSync(file)) return file;
  const r = sh('npm', ['pack', `${name}@${version}`, '--pack-destination', dir, '--silent']);
  if (r.status !== 0 || !existsSync(file)) throw new Error(`npm pack ${name}@${version} failed: ${tail(r.stderr)}`);
  return file;
}

/**
 * The newest version of `name` whose tarball ships src/*.ts, with its tarball and a note when it is not the
 * latest. Throws when none of the newest {@link MAX_VERSION_TRIES} versions does.
 */
function pickVersion(name) {
  const latest = sh('npm', ['view', name, 'version']).stdout.trim();
  if (!latest) throw new Error(`npm view ${name} version failed`);
  let candidates = [latest];
  const tried = [];
  for (let i = 0; i < candidates.length && tried.length < MAX_VERSION_TRIES; i++) {
    const version = candidates[i];
    const tarball = pack(name, version);
    if (shipsTsSources(tarball)) {
      const note = tried.length ? `no src/*.ts in ${tried.join(', ')} (latest is ${latest}); using ${version}, the newest that ships them` : '';
      return { version, tarball, note };
    }
    tried.push(version);
    if (i === 0) {
      const all = JSON.parse(sh('npm', ['view', name, 'versions', '--json']).stdout || '[]');
      candidates = [latest, ...all.filter((v) => !v.includes('-') && v !== latest).reverse()];
    }
  }
  throw new Error(`${name}: none of ${tried.join(', ')} ships src/*.ts`);
}

/**
 * Pins the package's siblings from its own scope that it declares as `*` (or `workspace:…`, or `latest`) to
 * `<=version`, in its dependencies and as overrides (so their own `*` siblings follow): monorepo packages
 * are released together, and the newest sibling may need deps this one never did. Rewrites
 * `<pkg>/package.json`; returns the names pinned.
 */
function pinSiblings(pkg, name, version) {
  const scope = name.startsWith('@') ? `${name.split('/')[0]}/` : undefined;
  if (!scope) return [];
  const file = join(pkg, 'package.json');
  const manifest = JSON.parse(readFileSync(file, 'utf8'));
  const pinned = [];
  for (const field of ['dependencies', 'devDependencies']) {
    for (const [dep, spec] of Object.entries(manifest[field] ?? {})) {
      if (!dep.startsWith(scope) || !(spec === '*' || spec === 'latest' || spec.startsWith('workspace:'))) continue;
      manifest[field][dep] = `<=${version}`;
      manifest.overrides = { ...manifest.overrides, [dep]: `<=${version}` };
      pinned.push(dep);
    }
  }
  if (pinned.length) writeFileSync(file, JSON.stringify(manifest, null, 2));
  return pinned;
}

/**
 * `npm install --ignore-scripts` in `pkg`, adapting to what this registry has: on ERESOLVE it retries with
 * `--legacy-peer-deps`; on ETARGET for a devDependency (a build tool pinned to a version the registry lacks)
 * it drops that devDependency and retries. Returns the total time (ms) and what was adapted; throws on any
 * other failure.
 */
function installDeps(pkg) {
  const args = ['install', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error'];
  const notes = [];
  let ms = 0;
  for (let attempt = 0; attempt < 10; attempt++) {
    const r = sh('npm', args, { cwd: pkg, timeout: INSTALL_TIMEOUT_MS });
    ms += r.ms;
    if (r.status === 0) return { ms, notes };
    const code = npmError(r.stderr);
    const missing = /No matching version found for (@?[^@\s]+)@/.exec(r.stderr)?.[1];
    const manifestFile = join(pkg, 'package.json');
    const manifest = JSON.parse(readFileSync(manifestFile, 'utf8'));
    if (code === 'ERESOLVE' && !args.includes('--legacy-peer-deps')) {
      args.push('--legacy-peer-deps');
      notes.push('npm install: ERESOLVE (peer dependency conflict); retried with --legacy-peer-deps');
    } else if (code === 'ETARGET' && missing && manifest.devDependencies?.[missing]) {
      notes.push(`npm install: devDependency ${missing}@${manifest.devDependencies[missing]} is not on the registry; dropped it`);
      delete manifest.devDependencies[missing];
      writeFileSync(manifestFile, JSON.stringify(manifest, null, 2));
    } else {
      throw new Error(`npm install in ${pkg} failed:\n${tail(r.stderr)}`);
    }
  }
  throw new Error(`npm install in ${pkg} still failing after 10 attempts`);
}

/** Extracts the tarball and installs its dependencies once; returns the package folder and install time. */
function prepare(name, version, tarball) {
  const dir = join(CACHE, `${name.replace(/^@/, '').replace('/', '-')}-${version}`);
  const pkg = join(dir, 'package');
  const marker = join(dir, '.installed.json');
  if (existsSync(marker)) return { pkg, ...JSON.parse(readFileSync(marker, 'utf8')), cached: true };
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const x = sh('tar', ['-xzf', tarball, '-C', dir]);
  if (x.status !== 0) throw new Error(`cannot extract ${tarball}: ${tail(x.stderr, 2)}`);
  const pinned = pinSiblings(pkg, name, version);
  const { ms, notes } = installDeps(pkg);
  if (pinned.length) notes.unshift(`pinned ${pinned.length} sibling packages declared "*" to <=${version}: ${pinned.join(', ')}`);
  writeFileSync(marker, JSON.stringify({ installMs: ms, notes, date: new Date().toISOString() }, null, 2));
  return { pkg, installMs: ms, notes, cached: false };
}

/** Parses GNU time -v output: peak RSS in MiB and elapsed wall seconds (undefined when absent). */
function parseTimeV(text) {
  const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(text);
  const wall = /Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (?:(\d+):)?(\d+):([\d.]+)/.exec(text);
  return {
    rssMiB: rss ? Number(rss[1]) / 1024 : undefined,
    wallS: wall ? Number(wall[1] ?? 0) * 3600 + Number(wall[2]) * 60 + Number(wall[3]) : undefined,
  };
}

/** Runs the audit on `<pkg>/src`; returns the measurements, or `{ failure }` when the CLI crashed or exited 2. */
function audit(pkg, time) {
  const out = join(pkg, '..', 'audit.json');
  const timeFile = join(pkg, '..', 'time.txt');
  const args = [CLI, 'audit', 'src', '--format', 'json'];
  const cmd = time ? [time, ['-v', '-o', timeFile, process.execPath, ...args]] : [process.execPath, args];
  rmSync(timeFile, { force: true });
  const r = sh(cmd[0], cmd[1], { cwd: pkg, timeout: AUDIT_TIMEOUT_MS });
  writeFileSync(out, r.stdout);
  const measured = time && existsSync(timeFile) ? parseTimeV(readFileSync(timeFile, 'utf8')) : {};
  const wallS = measured.wallS ?? r.ms / 1000;
  if (r.signal || r.status === null) return { failure: `killed by ${r.signal ?? 'timeout'} after ${wallS.toFixed(1)} s\n${tail(r.stderr)}`, wallS };
  if (r.status !== 0 && r.status !== 1) return { failure: `exit ${r.status}\n${tail(r.stderr)}`, wallS };
  let result;
  try {
    result = JSON.parse(r.stdout);
  } catch (e) {
    return { failure: `exit ${r.status} but stdout is not JSON (${e.message})`, wallS };
  }
  const perFamily = Object.fromEntries(FAMILIES.map((f) => [f, result.findings.filter((x) => x.family === f).length]));
  const perRule = {};
  for (const f of result.findings) perRule[f.ruleId] = (perRule[f.ruleId] ?? 0) + 1;
  return { exit: r.status, wallS, rssMiB: measured.rssMiB, analysed: result.files.length, handlers: result.handlers.length, skipped: result.skipped.length, perFamily, perRule, out };
}

async function main() {
  const filter = process.argv[2];
  const names = PACKAGES.filter((n) => !filter || n.includes(filter));
  if (names.length === 0) throw new Error(`no package matches "${filter}" (have ${PACKAGES.join(', ')})`);
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build first`);
  const time = gnuTime();
  if (!time) console.log('peak RSS: unknown (no /usr/bin/time and not root to install it)');
  mkdirSync(CACHE, { recursive: true });

  const rows = [];
  let failed = false;
  for (const name of names) {
    console.log(`\n== ${name}`);
    const { version, tarball, note } = pickVersion(name);
    if (note) console.log(`  ${note}`);
    const { pkg, installMs, notes, cached } = prepare(name, version, tarball);
    for (const n of notes) console.log(`  ${n}`);
    console.log(`  ${name}@${version} in ${pkg}; dependencies ${cached ? 'cached, ' : ''}installed in ${(installMs / 1000).toFixed(1)} s`);
    const sources = await glob(['src/**/*.{ts,tsx,mts,cts}'], { cwd: pkg, ignore: ['**/*.d.ts', '**/node_modules/**'] });
    const m = audit(pkg, time);
    const row = { package: `${name}@${version}`, srcFiles: sources.length, ...m };
    rows.push(row);
    if (m.failure) {
      failed = true;
      console.log(`  CRASH: ${m.failure}`);
      continue;
    }
    console.log(`  src TypeScript files: ${sources.length}; analysed by the engine: ${m.analysed}; skipped: ${m.skipped}; handlers: ${m.handlers}`);
    console.log(`  findings: ${FAMILIES.map((f) => `${f} ${m.perFamily[f]}`).join(', ')} (exit ${m.exit})`);
    if (Object.keys(m.perRule).length) console.log(`  by rule: ${Object.entries(m.perRule).map(([k, v]) => `${k} ${v}`).join(', ')}`);
    console.log(`  wall ${m.wallS.toFixed(1)} s, peak RSS ${m.rssMiB === undefined ? 'unknown' : `${m.rssMiB.toFixed(0)} MiB`}; JSON report: ${m.out}`);
  }
  writeFileSync(join(CACHE, 'real-packages.json'), JSON.stringify({ date: new Date().toISOString(), rows }, null, 2));
  console.log(`\n${rows.length - rows.filter((r) => r.failure).length} of ${rows.length} packages audited without a crash; results in .bench-cache/real-packages.json`);
  if (failed) process.exitCode = 1;
}

main().catch((e) => {
  console.error(`bench: ${e.message}`);
  process.exitCode = 1;
});
