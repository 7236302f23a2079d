/**
 * The concurrency limit a fan-out fix should use, from the resource the fanned-out work reaches, and the
 * project facts the fix needs to emit code that compiles and runs (module system, installed limiter packages).
 *
 * Sizes, tightest first when the work reaches several resources:
 * - libuv thread pool (async fs, crypto.pbkdf2/scrypt/randomBytes…, zlib, dns.lookup): `UV_THREADPOOL_SIZE`,
 *   default 4 (https://docs.libuv.org/en/v1.x/threadpool.html, https://nodejs.org/api/cli.html#uv_threadpool_sizesize),
 *   or the value the project sets statically (`process.env.UV_THREADPOOL_SIZE = '8'` in source, `UV_THREADPOOL_SIZE=8`
 *   in package.json scripts or `.env`), else the `looplens.concurrency.threadpool` setting when changed from 4;
 * - a database pool the calls go through: pg `new Pool({ max })` (default 10, https://node-postgres.com/apis/pool),
 *   mysql2 `createPool({ connectionLimit })` (default 10, https://sidorares.github.io/node-mysql2/docs#using-connection-pools),
 *   knex `pool: { max }` (default 10, https://knexjs.org/guide/#pool), Prisma `connection_limit` in a literal URL
 *   (https://www.prisma.io/docs/orm/prisma-client/setup-and-configuration/databases-connections/connection-pool);
 * - HTTP through an `http.Agent`/`https.Agent` with `maxSockets` (https://nodejs.org/api/http.html#new-agentoptions);
 * - otherwise the `looplens.concurrency.io` setting.
 */
import * as nodePath from 'node:path';
import { ts } from 'ts-morph';
import { calleeName, isFunctionWithBody, normalizePath, rangeOf, skipOuter } from '../ast';
import { checkerOf } from '../bind';
import type { EngineSettings } from '../settings';
import { describeDeclaration, resolveFunctionValue, unalias, type CalleeInfo } from '../resolve';
import type { DetectEnv } from '../rules/rule';
import type { FixData, ModuleSystem } from '../types';
import { Summaries, THREADPOOL_CRYPTO } from './summary';

/** A concurrency limit and why: `{ limit: 4, reason: 'libuv threadpool: UV_THREADPOOL_SIZE default 4' }`. */
export interface SizedLimit {
  limit: number;
  reason: string;
}

/** libuv's default thread-pool size (https://docs.libuv.org/en/v1.x/threadpool.html). */
const DEFAULT_THREADPOOL: SizedLimit = { limit: 4, reason: 'libuv threadpool: UV_THREADPOOL_SIZE default 4' };

/** The limiter packages the fixes may add. */
export const LIMIT_PACKAGES = ['p-limit', 'p-map'] as const;

/** What the fixes need to know about the package a file belongs to. */
export interface FileFacts {
  moduleSystem: ModuleSystem;
  /** False when the compiler rewrites `import()` into `require()` (TypeScript `module: commonjs`). */
  dynamicImport: boolean;
  /** Of {@link LIMIT_PACKAGES}, those the nearest package.json does not list (empty without a package.json). */
  missingDeps: string[];
  /** Folder of the nearest package.json (absolute, forward slashes), where `npm install` should run. */
  packageDir?: string;
}

interface PackageInfo {
  dir: string;
  type?: string;
  deps: Set<string>;
  scripts: string[];
}

/** Reads project files (package.json, .env) once each; never throws on unreadable or malformed files. */
export class ProjectFacts {
  private readonly packages = new Map<string, PackageInfo | null>();
  private readonly threadpool = new Map<string, SizedLimit | null>();

  /**
   * @param files the program's source files (scanned for `process.env.UV_THREADPOOL_SIZE = …`).
   * @param options the program's compiler options (module kind decides how TypeScript emits imports).
   * @param readFile reads a file's text, undefined when missing.
   */
  constructor(
    private readonly files: readonly ts.SourceFile[],
    private readonly options: ts.CompilerOptions,
    private readonly readFile: (path: string) => string | undefined = (p) => ts.sys.readFile(p),
  ) {}

  /** The nearest package.json above `file`, parsed. */
  packageOf(file: string): PackageInfo | undefined {
    let dir = nodePath.posix.dirname(file);
    const visited: string[] = [];
    for (;;) {
      const known = this.packages.get(dir);
      if (known !== undefined) {
        for (const v of visited) this.packages.set(v, known);
        return known ?? undefined;
      }
      visited.push(dir);
      const text = dir.includes('/node_modules/') ? undefined : this.readFile(`${dir}/package.json`);
      const info = text === undefined ? undefined : parsePackage(dir, text);
      if (info) {
        for (const v of visited) this.packages.set(v, info);
        return info;
      }
      const parent = nodePath.posix.dirname(dir);
      if (parent === dir) {
        for (const v of visited) this.packages.set(v, null);
        return undefined;
      }
      dir = parent;
    }
  }

  /** Module system, `import()` support and missing limiter packages for `file` (absolute, forward slashes). */
  fileFacts(file: string, sf?: ts.SourceFile): FileFacts {
    const pkg = this.packageOf(file);
    const { moduleSystem, dynamicImport } = moduleSystemOf(file, pkg?.type, this.options, sf);
    const missingDeps = pkg ? LIMIT_PACKAGES.filter((p) => !pkg.deps.has(p)) : [];
    return { moduleSystem, dynamicImport, missingDeps, packageDir: pkg?.dir };
  }

  /** The thread-pool size the project sets for the package of `file`, or the libuv default 4. */
  threadpoolSize(file: string): SizedLimit {
    const pkg = this.packageOf(file);
    const key = pkg?.dir ?? '';
    let found = this.threadpool.get(key);
    if (found === undefined) {
      found = (pkg && (fromScripts(pkg) ?? fromDotEnv(pkg, this.readFile))) ?? fromSource(this.files, pkg?.dir) ?? null;
      this.threadpool.set(key, found);
    }
    return found ?? DEFAULT_THREADPOOL;
  }
}

function parsePackage(dir: string, text: string): PackageInfo | undefined {
  try {
    const json = JSON.parse(text) as Record<string, unknown>;
    if (typeof json !== 'object' || json === null) return undefined;
    const deps = new Set<string>();
    for (const key of ['dependencies', 'devDependencies', 'peerDependencies', 'optionalDependencies']) {
      const d = json[key];
      if (d && typeof d === 'object') for (const name of Object.keys(d)) deps.add(name);
    }
    const scripts = json.scripts && typeof json.scripts === 'object' ? Object.values(json.scripts).filter((s): s is string => typeof s === 'string') : [];
    return { dir, type: typeof json.type === 'string' ? json.type : undefined, deps, scripts };
  } catch {
    return undefined;
  }
}

const UV_SIZE_RE = /\bUV_THREADPOOL_SIZE\s*=\s*["']?(\d{1,4})\b/;

function sizeFrom(text: string | undefined, where: string): SizedLimit | undefined {
  const m = text ? UV_SIZE_RE.exec(text) : null;
  const n = m ? Number(m[1]) : NaN;
  return n >= 1 ? { limit: n, reason: `libuv threadpool: UV_THREADPOOL_SIZE=${n} in ${where}` } : undefined;
}

function fromScripts(pkg: PackageInfo): SizedLimit | undefined {
  for (const s of pkg.scripts) {
    const hit = sizeFrom(s, 'package.json scripts');
    if (hit) return hit;
  }
  return undefined;
}

function fromDotEnv(pkg: PackageInfo, readFile: (p: string) => string | undefined): SizedLimit | undefined {
  const text = readFile(`${pkg.dir}/.env`);
  const line = text?.split(/\r?\n/).find((l) => /^\s*(?:export\s+)?UV_THREADPOOL_SIZE\s*=/.test(l));
  return sizeFrom(line, '.env');
}

/** `process.env.UV_THREADPOOL_SIZE = '8'` (or `= 8`, `process.env['UV_THREADPOOL_SIZE']`) in a file under `dir`. */
function fromSource(files: readonly ts.SourceFile[], dir: string | undefined): SizedLimit | undefined {
  for (const sf of files) {
    if (!sf.text.includes('UV_THREADPOOL_SIZE')) continue;
    const file = normalizePath(sf.fileName);
    if (dir && !file.startsWith(`${dir}/`)) continue;
    let hit: SizedLimit | undefined;
    const visit = (n: ts.Node): void => {
      if (hit) return;
      if (ts.isBinaryExpression(n) && n.operatorToken.kind === ts.SyntaxKind.EqualsToken && isUvSizeTarget(n.left)) {
        const v = skipOuter(n.right);
        const text = ts.isStringLiteralLike(v) || ts.isNumericLiteral(v) ? v.text : undefined;
        const size = text !== undefined && /^\d{1,4}$/.test(text) ? Number(text) : 0;
        if (size >= 1) hit = { limit: size, reason: `libuv threadpool: UV_THREADPOOL_SIZE=${size} in ${nodePath.posix.basename(file)}` };
      }
      n.forEachChild(visit);
    };
    sf.forEachChild(visit);
    if (hit) return hit;
  }
  return undefined;
}

function isUvSizeTarget(e: ts.Expression): boolean {
  const t = skipOuter(e);
  const name = ts.isPropertyAccessExpression(t) ? t.name.text : ts.isElementAccessExpression(t) && ts.isStringLiteralLike(t.argumentExpression) ? t.argumentExpression.text : undefined;
  return name === 'UV_THREADPOOL_SIZE' && /^process\.env$/.test(skipOuter((t as ts.PropertyAccessExpression | ts.ElementAccessExpression).expression).getText());
}

/**
 * How Node runs `file` and how the compiler emits its imports:
 * `.mjs`/`.mts` are ESM, `.cjs`/`.cts` CommonJS; other JavaScript follows package.json `type` (files written
 * with `import`/`export` and no `type` count as ESM: a bundler or Node's syntax detection runs them);
 * other TypeScript follows `module`: `node16`/`nodenext` → package `type`, `commonjs` → CommonJS with `import()`
 * compiled to `require()` (so an ESM-only package cannot be loaded at all), ES/`preserve`/unset with an ES
 * target → ESM (https://www.typescriptlang.org/docs/handbook/modules/reference.html#the-module-compiler-option).
 */
export function moduleSystemOf(file: string, packageType: string | undefined, options: ts.CompilerOptions, sf?: ts.SourceFile): { moduleSystem: ModuleSystem; dynamicImport: boolean } {
  const esm = { moduleSystem: 'esm' as const, dynamicImport: true };
  const cjs = { moduleSystem: 'cjs' as const, dynamicImport: true };
  if (/\.m[jt]s$/i.test(file)) return esm;
  if (/\.c[jt]s$/i.test(file)) return cjs;
  const byPackage = packageType === 'module' ? esm : cjs;
  if (/\.jsx?$/i.test(file)) {
    if (packageType === 'module') return esm;
    if (packageType === undefined && sf && hasEsmSyntax(sf)) return esm;
    return cjs;
  }
  const mk = options.module;
  if (mk === undefined) {
    const target = options.target ?? ts.ScriptTarget.ES5;
    return target >= ts.ScriptTarget.ES2015 ? esm : { moduleSystem: 'cjs', dynamicImport: false };
  }
  if (mk === ts.ModuleKind.CommonJS) return { moduleSystem: 'cjs', dynamicImport: false };
  if (mk >= ts.ModuleKind.Node16 && mk <= ts.ModuleKind.NodeNext) return byPackage;
  if (mk === ts.ModuleKind.AMD || mk === ts.ModuleKind.UMD || mk === ts.ModuleKind.System) return { moduleSystem: 'cjs', dynamicImport: false };
  return esm;
}

function hasEsmSyntax(sf: ts.SourceFile): boolean {
  return sf.statements.some(
    (st) =>
      ts.isImportDeclaration(st) ||
      ts.isExportDeclaration(st) ||
      ts.isExportAssignment(st) ||
      (ts.canHaveModifiers(st) && (ts.getModifiers(st) ?? []).some((m) => m.kind === ts.SyntaxKind.ExportKeyword)),
  );
}

/** How many project functions deep the sizing follows calls from the launched work. */
const MAX_FOLLOW = 4;

/**
 * The limit for a fan-out whose launched work is `launch` (a callback, a function reference or a call): the
 * tightest resource bound among what it reaches (see module doc), else the `looplens.concurrency.io` setting.
 * Never throws.
 */
export function sizeLimit(env: DetectEnv, launch: ts.Node): SizedLimit {
  const fallback = { limit: env.settings.concurrencyIo, reason: 'looplens.concurrency.io setting' };
  const found: SizedLimit[] = [];
  const seen = new Set<ts.Node>();
  const visitFn = (root: ts.Node, depth: number): void => {
    if (seen.has(root) || depth > MAX_FOLLOW) return;
    seen.add(root);
    env.readsBody?.(root);
    const visit = (n: ts.Node): void => {
      if (ts.isCallExpression(n) || ts.isNewExpression(n)) {
        const callee = env.callee(n);
        if (callee?.body) visitFn(callee.body, depth + 1);
        else {
          const target = promisified(env.checker, n);
          const hit = target
            ? resourceOf(env, n, target.nodeModule, target.packageName, target.name)
            : resourceOf(env, n, callee?.nodeModule, callee?.packageName, callee?.name ?? calleeName(n) ?? '');
          if (hit) found.push(hit);
        }
        for (const a of n.arguments ?? []) {
          if (ts.isIdentifier(a) || ts.isPropertyAccessExpression(a)) {
            const f = resolveFunctionValue(env.checker, a);
            if (f) visitFn(f, depth + 1);
          }
        }
      }
      n.forEachChild(visit);
    };
    visit(root);
  };
  try {
    const e = ts.isExpression(launch) ? skipOuter(launch) : launch;
    const fn = ts.isIdentifier(e) || ts.isPropertyAccessExpression(e) ? resolveFunctionValue(env.checker, e) : undefined;
    visitFn(fn ?? e, 0);
  } catch {
    return fallback;
  }
  if (found.length === 0) return fallback;
  return found.reduce((a, b) => (b.limit < a.limit ? b : a));
}

const DB_PACKAGES = new Set(['pg', 'pg-pool', 'mysql2', 'mysql', 'knex', '@prisma/client']);

function resourceOf(env: DetectEnv, call: ts.CallExpression | ts.NewExpression, nodeModule: string | undefined, packageName: string | undefined, name: string): SizedLimit | undefined {
  if (!name.endsWith('Sync') && (nodeModule === 'fs' || nodeModule === 'zlib' || (nodeModule === 'dns' && name === 'lookup') || (nodeModule === 'crypto' && THREADPOOL_CRYPTO.has(name)))) {
    const file = normalizePath(call.getSourceFile().fileName);
    const project = env.project?.threadpoolSize(file);
    if (project && project.reason !== DEFAULT_THREADPOOL.reason) return project;
    const configured = env.settings.concurrencyThreadpool;
    return configured === DEFAULT_THREADPOOL.limit ? DEFAULT_THREADPOOL : { limit: configured, reason: 'looplens.concurrency.threadpool setting' };
  }
  if (packageName && DB_PACKAGES.has(packageName) && ts.isCallExpression(call)) return dbPoolOf(env.checker, call, packageName);
  return agentOf(env.checker, call);
}

/** The pool behind `pool.query(…)`, `db('t').where(…)`, `prisma.user.findMany(…)`: the root value's initializer. */
function dbPoolOf(checker: ts.TypeChecker, call: ts.CallExpression, packageName: string): SizedLimit | undefined {
  let root: ts.Expression = call.expression;
  for (;;) {
    root = skipOuter(root);
    if (ts.isPropertyAccessExpression(root) || ts.isElementAccessExpression(root)) root = root.expression;
    else if (ts.isCallExpression(root)) root = root.expression;
    else if (ts.isAwaitExpression(root)) root = root.expression;
    else break;
  }
  const init = initializerOf(checker, root);
  if (!init || (!ts.isNewExpression(init) && !ts.isCallExpression(init))) return undefined;
  const ctor = calleeName(init) ?? '';
  const opts = init.arguments?.[0] && skipOuter(init.arguments[0]);
  const config = opts && ts.isObjectLiteralExpression(opts) ? opts : undefined;
  if ((packageName === 'pg' || packageName === 'pg-pool') && ctor === 'Pool') {
    const max = numberProp(config, 'max');
    return { limit: max ?? 10, reason: max ? `pg Pool max ${max}` : 'pg Pool default max 10' };
  }
  if ((packageName === 'mysql2' || packageName === 'mysql') && (ctor === 'createPool' || ctor === 'createPoolCluster')) {
    const max = numberProp(config, 'connectionLimit');
    return { limit: max ?? 10, reason: max ? `${packageName} pool connectionLimit ${max}` : `${packageName} pool default connectionLimit 10` };
  }
  if (packageName === 'knex' && (ctor === 'knex' || ctor === 'Knex')) {
    const pool = config && propValue(config, 'pool');
    const max = numberProp(pool && ts.isObjectLiteralExpression(pool) ? pool : undefined, 'max');
    return { limit: max ?? 10, reason: max ? `knex pool max ${max}` : 'knex pool default max 10' };
  }
  if (packageName === '@prisma/client' && ctor === 'PrismaClient') {
    const m = /[?&]connection_limit=(\d+)/.exec(opts?.getText() ?? '');
    const n = m ? Number(m[1]) : 0;
    if (n >= 1) return { limit: n, reason: `prisma connection_limit ${n}` };
  }
  return undefined;
}

/** An `agent`/`httpAgent`/`httpsAgent` option whose value is `new Agent({ maxSockets: N })`. */
function agentOf(checker: ts.TypeChecker, call: ts.CallExpression | ts.NewExpression): SizedLimit | undefined {
  for (const a of call.arguments ?? []) {
    const o = skipOuter(a);
    if (!ts.isObjectLiteralExpression(o)) continue;
    for (const key of ['agent', 'httpAgent', 'httpsAgent']) {
      const v = propValue(o, key);
      const init = v && (ts.isNewExpression(skipOuter(v)) ? skipOuter(v) : initializerOf(checker, v));
      if (!init || !ts.isNewExpression(init) || calleeName(init) !== 'Agent') continue;
      const cfg = init.arguments?.[0] && skipOuter(init.arguments[0]);
      const max = numberProp(cfg && ts.isObjectLiteralExpression(cfg) ? cfg : undefined, 'maxSockets');
      if (max) return { limit: max, reason: `http Agent maxSockets ${max}` };
    }
  }
  return undefined;
}

/** For a call of `const hash = promisify(pbkdf2)`, what `pbkdf2` is (`{ name: 'pbkdf2', nodeModule: 'crypto' }`). */
function promisified(checker: ts.TypeChecker, call: ts.CallExpression | ts.NewExpression): CalleeInfo | undefined {
  const init = initializerOf(checker, call.expression);
  if (!init || !ts.isCallExpression(init) || calleeName(init) !== 'promisify' || !init.arguments[0]) return undefined;
  const arg = skipOuter(init.arguments[0]);
  const sym = unalias(checker, checker.getSymbolAtLocation(ts.isPropertyAccessExpression(arg) ? arg.name : arg));
  const decl = sym?.valueDeclaration ?? sym?.declarations?.[0];
  return decl ? describeDeclaration(decl) : undefined;
}

/** The initializer of the variable or property an expression names (through imports), parentheses removed. */
function initializerOf(checker: ts.TypeChecker, e: ts.Expression): ts.Expression | undefined {
  const x = skipOuter(e);
  const node = ts.isPropertyAccessExpression(x) ? x.name : x;
  if (!ts.isIdentifier(node)) return undefined;
  const sym = unalias(checker, checker.getSymbolAtLocation(node));
  for (const d of sym?.declarations ?? []) {
    if ((ts.isVariableDeclaration(d) || ts.isPropertyDeclaration(d) || ts.isPropertyAssignment(d)) && d.initializer && !isFunctionWithBody(d.initializer)) {
      return skipOuter(d.initializer);
    }
  }
  return undefined;
}

function propValue(o: ts.ObjectLiteralExpression, key: string): ts.Expression | undefined {
  for (const p of o.properties) {
    if (ts.isPropertyAssignment(p) && (ts.isIdentifier(p.name) || ts.isStringLiteral(p.name)) && p.name.text === key) return p.initializer;
    if (ts.isShorthandPropertyAssignment(p) && p.name.text === key) return p.name;
  }
  return undefined;
}

function numberProp(o: ts.ObjectLiteralExpression | undefined, key: string): number | undefined {
  const v = o && propValue(o, key);
  const x = v && skipOuter(v);
  if (!x || !ts.isNumericLiteral(x)) return undefined;
  const n = Number(x.text.replace(/_/g, ''));
  return Number.isInteger(n) && n >= 1 ? n : undefined;
}

/**
 * The `limit-fanout` fix data for a fan-out whose launched work is `launch`: the range of `at` (default
 * `launch`; the whole `pMap(…)` call for p-map without `concurrency`), the limit sized from `launch` and,
 * when the project is known, the file's module system and the limiter packages missing from package.json.
 */
export function limitFanoutData(env: DetectEnv, launch: ts.Node, at: ts.Node = launch): FixData {
  const { limit, reason } = sizeLimit(env, launch);
  const facts = env.project?.fileFacts(normalizePath(env.sf.fileName), env.sf);
  return {
    kind: 'limit-fanout',
    launch: rangeOf(env.sf, at.getStart(env.sf), at.getEnd()),
    limit,
    limitReason: reason,
    ...(facts ?? {}),
  };
}

/**
 * The limit and file facts for the loop refactor on the `for…of` statement innermost around `offset` (UTF-16
 * offset in `sf`), sized from what the loop body reaches like a fan-out's callback (see {@link sizeLimit});
 * undefined when no such loop is in a function. Never throws.
 */
export function loopSizing(program: ts.Program, sf: ts.SourceFile, offset: number, settings: EngineSettings): (SizedLimit & Partial<FileFacts>) | undefined {
  let loop: ts.ForOfStatement | undefined;
  const visit = (n: ts.Node): void => {
    if (n.getStart(sf) > offset || n.end < offset) return;
    if (ts.isForOfStatement(n)) loop = n;
    n.forEachChild(visit);
  };
  sf.forEachChild(visit);
  let fn: ts.Node | undefined = loop;
  while (fn && !isFunctionWithBody(fn)) fn = fn.parent;
  if (!loop || !fn) return undefined;
  try {
    const checker = checkerOf(program);
    const project = new ProjectFacts([sf], program.getCompilerOptions());
    const summaries = new Summaries(checker, [], settings, () => false, project);
    const env: DetectEnv = {
      checker,
      sf,
      fn: fn as DetectEnv['fn'],
      settings,
      callee: summaries.callee,
      linearWork: summaries.linearWork,
      isInline: summaries.isInline,
      isHandler: summaries.isHandler,
      project,
    };
    return { ...sizeLimit(env, loop.statement), ...project.fileFacts(normalizePath(sf.fileName), sf) };
  } catch {
    return undefined;
  }
}
