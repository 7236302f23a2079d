/**
 * `looplens init`: writes a starter `.looplensrc.json` holding the settings a team tunes first — the
 * concurrency defaults, include/exclude and the severity of each rule family — at their default values, taken
 * from the config file's JSON schema (schemas/looplensrc.schema.json, itself built from package.json), so the
 * starter never drifts from what the CLI and the editor accept.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import schema from '../../../schemas/looplensrc.schema.json';
import { RULES } from '../engine/rules/registry';
import { toSlash } from '../report/paths';
import { CONFIG_FILES, CONFIG_NAME } from './config';
import { UsageError } from './errors';
import { writeOutput } from './output';

/** The file `init` writes (the first name the config search tries). */
export const INIT_FILE = CONFIG_FILES[0];

/** Top-level keys of the starter, in this order. */
const STARTER_KEYS = ['concurrency', 'include', 'exclude', 'severity'] as const;

type SchemaNode = { default?: unknown; properties?: Record<string, SchemaNode> };

/** A schema node's default; for an object without one, the defaults of its properties. */
function defaultOf(node: SchemaNode): unknown {
  if (node.default !== undefined) return node.default;
  if (!node.properties) return undefined;
  return Object.fromEntries(Object.entries(node.properties).flatMap(([k, v]) => (defaultOf(v) === undefined ? [] : [[k, defaultOf(v)]])));
}

/**
 * Severity per family, written out so it can be tuned: a family whose rules share a default severity gets
 * that; otherwise each of its rules gets its own (a family value would override the rules' defaults).
 */
function starterSeverity(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const family of [...new Set(RULES.map((r) => r.family))]) {
    const rules = RULES.filter((r) => r.family === family);
    const levels = new Set(rules.map((r) => r.defaultSeverity));
    if (levels.size === 1) out[family] = [...levels][0]!;
    else for (const r of rules) out[r.id] = r.defaultSeverity;
  }
  return out;
}

/**
 * The `$schema` to write for a config in `folder`: the schema shipped with this CLI as a relative path when it
 * lies inside `folder` (LoopLens installed in the project's node_modules), else the schema's public `$id`.
 *
 * @param schemaFile the shipped schema's absolute path, or `undefined` when it was not found
 */
export function schemaReference(folder: string, schemaFile: string | undefined): string {
  if (schemaFile !== undefined) {
    const rel = toSlash(relative(folder, schemaFile));
    if (!rel.startsWith('../') && rel !== '..') return `./${rel}`;
  }
  return schema.$id;
}

/** The schema file next to this CLI: `<package>/schemas/looplensrc.schema.json` above dist/ or server/src/cli/. */
function shippedSchema(): string | undefined {
  for (let d = __dirname; d !== dirname(d); d = dirname(d)) {
    const file = join(d, 'schemas', 'looplensrc.schema.json');
    if (existsSync(file)) return file;
  }
  return undefined;
}

/** The starter config's text for a config in `folder` (absolute): pretty JSON with a trailing newline. */
export function starterConfig(folder: string, schemaFile = shippedSchema()): string {
  const props = schema.properties as unknown as Record<string, SchemaNode>;
  const config: Record<string, unknown> = { $schema: schemaReference(folder, schemaFile) };
  for (const key of STARTER_KEYS) config[key] = key === 'severity' ? starterSeverity() : defaultOf(props[key]!);
  return JSON.stringify(config, null, 2) + '\n';
}

/** What `init` did: the file written, and other config files in that folder that it now shadows. */
export interface InitResult {
  file: string;
  shadowed: string[];
}

/**
 * Writes the starter config to `<folder>/.looplensrc.json` (folder absolute; created if missing). Throws
 * {@link UsageError} when the file exists and `force` is false, or when it cannot be written.
 */
export function init(folder: string, force: boolean, shown: string): InitResult {
  const file = resolve(folder, INIT_FILE);
  const shownFile = toSlash(join(shown, INIT_FILE));
  if (existsSync(file) && !force) throw new UsageError(`${shownFile} already exists (use --force to overwrite it)`);
  writeOutput(file, shownFile, starterConfig(folder));
  const shadowed = CONFIG_FILES.slice(1).filter((name) => {
    const other = join(folder, name);
    if (!existsSync(other)) return false;
    if (name !== 'package.json') return true;
    try {
      return CONFIG_NAME in (JSON.parse(readFileSync(other, 'utf8')) as object);
    } catch {
      return false;
    }
  });
  return { file, shadowed };
}
