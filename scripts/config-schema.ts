// Builds schemas/looplensrc.schema.json (the CLI config file's JSON schema, contributed to VS Code through
// `jsonValidation`) from package.json's `contributes.configuration`, so the config file and the editor
// settings describe each key once. `npm run schema` rewrites the file; test/package/config-schema.test.ts
// fails when it is out of date.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const SCHEMA_PATH = join(ROOT, 'schemas', 'looplensrc.schema.json');
/** Editor-only settings, not part of the config file. */
const EDITOR_ONLY = new Set(['looplens.trace.server']);

type Schema = { [key: string]: unknown; properties?: Record<string, Schema> };

/** The config file's schema, from a parsed package.json. */
export function configSchema(pkg: { contributes: { configuration: { properties: Record<string, Schema> } } }): Schema {
  const properties: Record<string, Schema> = {
    $schema: { type: 'string', description: 'The JSON schema of this file.' },
  };
  for (const [name, setting] of Object.entries(pkg.contributes.configuration.properties)) {
    if (EDITOR_ONLY.has(name)) continue;
    const { scope: _scope, ...schema } = setting;
    const path = name.replace(/^looplens\./, '').split('.');
    let target = properties;
    for (const key of path.slice(0, -1)) {
      target[key] ??= { type: 'object', additionalProperties: false, properties: {} };
      target = target[key].properties!;
    }
    target[path.at(-1)!] = schema;
  }
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    $id: 'https://raw.githubusercontent.com/looplens/looplens/main/schemas/looplensrc.schema.json',
    title: 'LoopLens configuration',
    markdownDescription:
      'Settings for the `looplens` CLI, in `.looplensrc.json`, `.looplensrc`, `looplens.config.json` or the `looplens` key of package.json. The same keys as the `looplens.*` editor settings. [Docs](https://github.com/looplens/looplens/blob/main/docs/configuration.md)',
    type: 'object',
    additionalProperties: false,
    properties,
  };
}

/** The file's text: two-space JSON with a final newline. */
export function schemaText(pkg: Parameters<typeof configSchema>[0]): string {
  return JSON.stringify(configSchema(pkg), null, 2) + '\n';
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeFileSync(SCHEMA_PATH, schemaText(JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'))));
  console.log(`wrote ${SCHEMA_PATH}`);
}
