// Packages the extension (or reuses a dist/looplens.vsix newer than everything it contains) and checks that
// only the allow-listed files ship, and that the manifest has what the Marketplace and VS Code need.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { zipEntries, zipRead, type ZipEntry } from './zip';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
/**
 * The extension's bundles: dist/server.js runs dist/server-main.js through the code cache, and the server starts
 * dist/auditWorker.js as its audit thread. The CLI bundles are for the npm package and must not ship in the .vsix.
 */
const BUNDLES = ['dist/client.js', 'dist/server.js', 'dist/server-main.js', 'dist/auditWorker.js'];
/** The config file's JSON schema, contributed through `jsonValidation`. */
const SCHEMA = 'schemas/looplensrc.schema.json';
/** What the .vsix may hold (paths inside its `extension/` folder); `syntaxes/` and `schemas/` may hold anything. */
const SHIPPED = [...BUNDLES, 'package.json', 'readme.md', 'changelog.md', 'LICENSE.txt', 'images/icon.png', SCHEMA];
const VSIX_METADATA = ['extension.vsixmanifest', '[Content_Types].xml'];
/** Fails the test even if someone widens the allow-list by mistake. */
const NEVER = [/(^|\/)dist\/cli(-main)?\.js$/, /\.map$/, /\.tsx?$/, /(^|\/)node_modules\//, /(^|\/)(test|src|server|client|shared|examples|bench|scripts)\//];
/** Node's typings ship on purpose (the engine resolves node: calls with them in projects without @types/node). */
const TYPINGS = /^dist\/types\/node_modules\/(@types\/node|undici-types)\/[^]*\.(d\.ts|json)$|^dist\/types\/node_modules\/(@types\/node|undici-types)\/(LICENSE|README\.md)$/;

/** Inputs of the package: a .vsix older than any of them is rebuilt. */
const INPUTS = [...BUNDLES, 'dist/types/node_modules/@types/node/package.json', 'package.json', 'README.md', 'LICENSE', 'CHANGELOG.md', 'images/icon.png', '.vscodeignore', SCHEMA];

/** Returns the path of a .vsix that reflects the current tree, packaging one into a temp folder if needed. */
/** The temp folder freshVsix packaged into, if it did: the only thing the suite may delete afterwards. */
let packagedInto: string | undefined;

function freshVsix(): string {
  if (BUNDLES.some((b) => !existsSync(join(ROOT, b)))) {
    execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: ROOT, stdio: 'inherit' });
  }
  const existing = join(ROOT, 'dist/looplens.vsix');
  const newestInput = Math.max(...INPUTS.map((f) => statSync(join(ROOT, f)).mtimeMs));
  if (existsSync(existing) && statSync(existing).mtimeMs >= newestInput) return existing;
  // A private output path: other test files may read dist/looplens.vsix while this one runs.
  packagedInto = mkdtempSync(join(tmpdir(), 'looplens-vsix-'));
  const out = join(packagedInto, 'looplens.vsix');
  const vsce = join(ROOT, 'node_modules/@vscode/vsce/vsce');
  execFileSync(process.execPath, [vsce, 'package', '--no-dependencies', '--out', out], { cwd: ROOT, stdio: 'pipe' });
  return out;
}

/** `major.minor.patch` of a version or of the lower bound of a `^`/`>=`/`~` range. */
function parseVersion(v: string): [number, number, number] {
  const m = /^(?:\^|~|>=)?\s*(\d+)\.(\d+)\.(\d+)/.exec(v.trim());
  assert.ok(m, `not a version: ${v}`);
  return [Number(m[1]), Number(m[2]), Number(m[3])];
}

function compareVersions(a: [number, number, number], b: [number, number, number]): number {
  return a[0] - b[0] || a[1] - b[1] || a[2] - b[2];
}

/** Whether `version` satisfies a caret range such as `^1.91.0` (same major, at least the lower bound). */
function satisfiesCaret(version: string, range: string): boolean {
  assert.ok(range.startsWith('^'), `engines.vscode should be a caret range, is ${range}`);
  const v = parseVersion(version);
  const min = parseVersion(range);
  return v[0] === min[0] && compareVersions(v, min) >= 0;
}

/** Width and height of a PNG, from its IHDR chunk. */
function pngSize(png: Buffer): { width: number; height: number } {
  assert.equal(png.toString('latin1', 1, 4), 'PNG', 'not a PNG');
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

describe('packaging', { timeout: 300_000 }, () => {
  let vsix = '';
  let zip = Buffer.alloc(0);
  let entries: ZipEntry[] = [];

  before(() => {
    vsix = freshVsix();
    zip = readFileSync(vsix);
    entries = zipEntries(zip);
  });

  after(() => {
    // Never dirname(vsix): when the repo itself lives under the temp folder (as in CI), that is dist/.
    if (packagedInto) rmSync(packagedInto, { recursive: true, force: true });
  });

  it('ships only the allow-listed files', (t) => {
    const unexpected: string[] = [];
    for (const { name } of entries) {
      if (VSIX_METADATA.includes(name)) continue;
      const path = name.replace(/^extension\//, '');
      if (name.startsWith('extension/') && TYPINGS.test(path)) continue;
      const allowed = name.startsWith('extension/') && (SHIPPED.includes(path) || path.startsWith('syntaxes/') || path.startsWith('schemas/'));
      if (!allowed || NEVER.some((re) => re.test(path))) unexpected.push(name);
    }
    assert.deepEqual(unexpected, [], `not on the allow-list: ${unexpected.join(', ')}`);
    const names = new Set(entries.map((e) => e.name));
    for (const f of SHIPPED) assert.ok(names.has(`extension/${f}`), `missing extension/${f}`);
    const unpacked = entries.reduce((n, e) => n + e.size, 0);
    const report = `${vsix}: ${(zip.length / 1024 / 1024).toFixed(2)} MB packed, ${(unpacked / 1024 / 1024).toFixed(2)} MB unpacked, ${entries.length} entries`;
    t.diagnostic(report);
    for (const e of [...entries].sort((a, b) => b.size - a.size)) t.diagnostic(`  ${e.name} ${(e.size / 1024).toFixed(1)} KB`);
  });

  it('the shipped package.json is the repository manifest', () => {
    const shipped = JSON.parse(zipRead(zip, entries.find((e) => e.name === 'extension/package.json')!).toString('utf8'));
    const root = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    assert.equal(shipped.name, root.name);
    assert.equal(shipped.version, root.version);
    assert.deepEqual(shipped.contributes, root.contributes);
    assert.equal(shipped.main, './dist/client.js');
  });

  it('the icon is a 128x128 PNG', () => {
    const icon = zipRead(zip, entries.find((e) => e.name === 'extension/images/icon.png')!);
    assert.deepEqual(pngSize(icon), { width: 128, height: 128 });
  });
});

describe('package.json marketplace fields', () => {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));

  it('has publisher, icon, categories, repository and license', () => {
    assert.ok(pkg.publisher, 'publisher');
    assert.equal(pkg.icon, 'images/icon.png');
    assert.ok(existsSync(join(ROOT, pkg.icon)), 'icon file');
    assert.ok(Array.isArray(pkg.categories) && pkg.categories.length > 0, 'categories');
    assert.match(pkg.repository?.url ?? '', /^https:\/\/github\.com\//, 'repository.url');
    assert.equal(pkg.license, 'MIT');
    assert.ok(existsSync(join(ROOT, 'LICENSE')), 'LICENSE file');
    assert.equal(pkg.main, './dist/client.js');
  });

  it('engines.vscode accepts the installed @types/vscode, which is not newer than the engine (vsce rule)', () => {
    const types = JSON.parse(readFileSync(join(ROOT, 'node_modules/@types/vscode/package.json'), 'utf8')).version as string;
    const engine = pkg.engines.vscode as string;
    assert.equal(engine, '^1.91.0');
    assert.ok(satisfiesCaret(types, engine), `@types/vscode ${types} does not satisfy engines.vscode ${engine}`);
    assert.ok(compareVersions(parseVersion(types), parseVersion(engine)) <= 0, `@types/vscode ${types} is newer than ${engine}`);
  });

  it('has activation events, commands and configuration', () => {
    assert.ok(pkg.activationEvents.length > 0, 'activationEvents');
    assert.ok(pkg.contributes.commands.length > 0, 'contributes.commands');
    assert.ok(Object.keys(pkg.contributes.configuration.properties).length > 0, 'contributes.configuration');
  });
});
