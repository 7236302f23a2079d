// Meta test, after typescript-eslint's docs.test: every rule has a page whose slug is its id and whose file
// name is the rule's file name, every page has the required sections and matches the rule's metadata, and
// no page is left without a rule.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { glob } from 'tinyglobby';
import { RULES } from '../../server/src/engine/rules/all';
import type { RuleMeta } from '../../server/src/engine/rules/registry';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const RULES_DIR = join(ROOT, 'server/src/engine/rules');
const DOCS_DIR = join(ROOT, 'docs/rules');

/** The `## ` sections every rule page has, in this order. */
const REQUIRED_SECTIONS = ['What it does', 'Why it is bad', 'Incorrect code', 'Correct code', 'Options', 'Quick fixes'];

/** Splits a Markdown page into its `## ` sections (heading → body), ignoring headings inside code fences. */
function sections(markdown: string): Map<string, string> {
  const out = new Map<string, string>();
  let current: string | undefined;
  let inFence = false;
  for (const line of markdown.split('\n')) {
    if (line.startsWith('```')) inFence = !inFence;
    const heading = !inFence && /^## (.+)$/.exec(line);
    if (heading) {
      current = heading[1]!.trim();
      out.set(current, '');
    } else if (current !== undefined) {
      out.set(current, out.get(current)! + line + '\n');
    }
  }
  return out;
}

function docPath(rule: RuleMeta): string {
  return join(DOCS_DIR, `${rule.id}.md`);
}

describe('rule docs', () => {
  it('there are rules to document', () => {
    assert.ok(RULES.length > 0);
  });

  for (const rule of RULES) {
    describe(rule.id, () => {
      const [family, kind] = rule.id.split('/');

      it('id is family/kind, and the rule file is rules/<family>/<kind>.ts', () => {
        assert.equal(rule.id.split('/').length, 2, 'id must be family/kind');
        assert.equal(family, rule.family);
        assert.ok(existsSync(join(RULES_DIR, family!, `${kind}.ts`)), `missing server/src/engine/rules/${rule.id}.ts`);
      });

      it('has docs/rules/<family>/<kind>.md whose title is the id', () => {
        assert.ok(existsSync(docPath(rule)), `missing docs/rules/${rule.id}.md`);
        const title = readFileSync(docPath(rule), 'utf8').split('\n')[0];
        assert.equal(title, `# ${rule.id}`);
      });

      it('quotes the description, default severity and fix ids from the rule metadata', () => {
        const text = readFileSync(docPath(rule), 'utf8');
        assert.ok(text.includes(`> ${rule.description}\n`), 'the page must quote meta.description as "> …"');
        assert.ok(text.includes(`Default severity: \`${rule.defaultSeverity}\``), 'the page must state the default severity');
        const fixes = sections(text).get('Quick fixes') ?? '';
        for (const fixId of rule.fixIds) assert.ok(fixes.includes(`\`${fixId}\``), `Quick fixes must describe ${fixId}`);
      });

      it('has every required section, in order, each with content', () => {
        const found = [...sections(readFileSync(docPath(rule), 'utf8'))];
        const names = found.map(([name]) => name).filter((name) => REQUIRED_SECTIONS.includes(name));
        assert.deepEqual(names, REQUIRED_SECTIONS);
        for (const [name, body] of found) assert.ok(body.trim().length > 0, `section "${name}" is empty`);
      });

      it('cites a source for why it is bad, and shows code both ways', () => {
        const s = sections(readFileSync(docPath(rule), 'utf8'));
        assert.match(s.get('Why it is bad') ?? '', /\]\(https:\/\/[^)]+\)/, 'Why it is bad needs at least one link to its source');
        assert.match(s.get('Incorrect code') ?? '', /```ts\n/, 'Incorrect code needs a ts code block');
        assert.match(s.get('Correct code') ?? '', /```ts\n/, 'Correct code needs a ts code block');
      });
    });
  }

  it('every rule file under server/src/engine/rules/<family>/ is registered in RULES', async () => {
    const files = await glob(['*/*.ts'], { cwd: RULES_DIR });
    const ids = new Set(RULES.map((r) => r.id));
    for (const file of files) assert.ok(ids.has(file.replace(/\.ts$/, '')), `${file} is not in rules/all.ts`);
  });

  it('every page under docs/rules belongs to a rule (no orphans)', async () => {
    const pages = await glob(['**/*'], { cwd: DOCS_DIR });
    const ids = new Set(RULES.map((r) => r.id));
    for (const page of pages) {
      assert.ok(page.endsWith('.md'), `docs/rules/${page} is not a Markdown page`);
      const id = page.replace(/\.md$/, '');
      assert.ok(ids.has(id), `docs/rules/${page} documents no rule (rule ids: ${[...ids].join(', ')})`);
      assert.equal(basename(page, '.md'), id.split('/')[1]);
    }
  });

  it('the README rules table links every rule page with its default severity', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    for (const rule of RULES) {
      assert.ok(readme.includes(`| [\`${rule.id}\`](docs/rules/${rule.id}.md) | \`${rule.defaultSeverity}\` |`), `README.md has no rules-table row for ${rule.id}`);
    }
  });

  it('relative links between rule pages resolve', async () => {
    for (const page of await glob(['**/*.md'], { cwd: DOCS_DIR })) {
      const text = readFileSync(join(DOCS_DIR, page), 'utf8');
      for (const [, target] of text.matchAll(/\]\((\.{1,2}\/[^)#]+)/g)) {
        const resolved = join(DOCS_DIR, dirname(page), target!);
        assert.ok(existsSync(resolved), `docs/rules/${page} links to ${relative(ROOT, resolved)}, which does not exist`);
      }
    }
  });
});
