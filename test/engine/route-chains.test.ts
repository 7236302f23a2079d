// Route chains whose links return `this` (fluent builders such as @budibase/backend-core's EndpointGroup):
// the links are typed as their root is, from the methods' declared return types, without resolving each call
// against its arguments; links that return anything else are still typed (see discovery.test.ts: a router kept
// in a Map).
import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Project, ts } from 'ts-morph';
import { discoverFile } from '../../server/src/engine/discovery';
import { watchedChecker } from './checker-calls';

const BUILDER = `export type Handler = (ctx: { body?: unknown }) => Promise<void>;
export declare class EndpointGroup {
  get(url: string, ...fns: Handler[]): this;
  post(url: string, ...fns: Handler[]): this;
  use(fn: Handler): Map<string, Handler>;
}
`;

/** The handlers discovered in `/main.ts` (kind, label, line) and how many chain links the checker typed. */
function discover(files: Record<string, string>, main: string): { handlers: string[]; linksTyped: number } {
  const project = new Project({ useInMemoryFileSystem: true, compilerOptions: { strict: true, target: ts.ScriptTarget.ES2022, lib: ['lib.es2022.d.ts'], types: [] } });
  for (const [path, text] of Object.entries(files)) project.createSourceFile(path, text);
  const sf = project.createSourceFile('/main.ts', main).compilerNode;
  const checker = project.getProgram().compilerObject.getTypeChecker();
  let linksTyped = 0;
  const counting = watchedChecker(checker, (method, [node]) => {
    if (method === 'getTypeAtLocation' && ts.isCallExpression(node as ts.Node)) linksTyped++;
  });
  const { handlers } = discoverFile(sf, counting);
  return { handlers: handlers.map((h) => `${h.kind} ${h.label} :${sf.getLineAndCharacterOfPosition(h.registration.getStart()).line + 1}`), linksTyped };
}

const OWN_BUILDER = `export type Handler = (ctx: { body?: unknown }) => Promise<void>;
export class EndpointGroup {
  get(url: string, ...fns: Handler[]): this { return this; }
  post(url: string, ...fns: Handler[]): this { return this; }
}
`;
const PACKAGE = { '/node_modules/@acme/endpoints/index.d.ts': BUILDER, '/node_modules/@acme/endpoints/package.json': '{"name":"@acme/endpoints","types":"index.d.ts"}' };

const ROUTES = `const group = new EndpointGroup();
group
  .get('/a', async (ctx) => { ctx.body = 1; })
  .post('/b', async (ctx) => { ctx.body = 2; })
  .get('/c', async (ctx) => { ctx.body = 3; });
`;

describe('route chains of fluent builders', () => {
  it("a package's builder (not a router framework): no routes, and no link typed", () => {
    assert.deepEqual(discover(PACKAGE, `import { EndpointGroup } from '@acme/endpoints';\n${ROUTES}`), { handlers: [], linksTyped: 0 });
  });

  it("the project's own builder: routes by their paths, as before, and no link typed", () => {
    const files = { '/endpoints.ts': OWN_BUILDER };
    assert.deepEqual(discover(files, `import { EndpointGroup } from './endpoints';\n${ROUTES}`), {
      handlers: ['express GET /c :3', 'express POST /b :3', 'express GET /a :3'],
      linksTyped: 0,
    });
  });

  it("a chain on `super`: its links are the derived class's, so they are typed", () => {
    const main = `import { EndpointGroup } from '@acme/endpoints';\nclass Mine extends EndpointGroup {\n  setup() {\n    super.get('/a', async () => {}).post('/b', async () => {});\n  }\n}\n`;
    assert.deepEqual(discover(PACKAGE, main), { handlers: ['express POST /b :4'], linksTyped: 1 });
  });

  it('a link whose method returns something else is typed', () => {
    const main = `import { EndpointGroup } from '@acme/endpoints';\nconst group = new EndpointGroup();\ngroup.use(async () => {}).get('/m', async () => {});\n`;
    assert.deepEqual(discover(PACKAGE, main), { handlers: [], linksTyped: 1 });
  });
});
