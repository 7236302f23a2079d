/**
 * `.gitignore` rules for the files a project loads: generated and vendored code the team keeps out of git
 * (build output, caches, copied bundles) is not theirs to fix. Rules are read with the kept library `ignore`
 * (the matcher ESLint uses, https://github.com/kaelzhang/node-ignore) from every `.gitignore` at or below the
 * root and in the folders above it up to the repository's top (the folder holding `.git`); each file's
 * rules apply to paths relative to its own folder, as git applies them
 * (https://git-scm.com/docs/gitignore#_pattern_format). A rule in a deeper file cannot re-include what a
 * shallower one ignored (git's `!` across files is not modelled). A `.gitignore` above the root that ignores the
 * root itself is passed over, and so are unreadable ones.
 */
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import ignore, { type Ignore } from 'ignore';
import { globSync } from 'tinyglobby';

/** One `.gitignore`: its folder (absolute, forward slashes) and its rules. */
interface IgnoreFile {
  dir: string;
  rules: Ignore;
}

function read(dir: string): IgnoreFile | undefined {
  try {
    const text = fs.readFileSync(nodePath.join(dir, '.gitignore'), 'utf8');
    return { dir, rules: ignore().add(text) };
  } catch {
    return undefined;
  }
}

/** The `.gitignore` files that apply under `root`: those above it up to the repository top, and those below. */
function ignoreFiles(root: string): IgnoreFile[] {
  const out: IgnoreFile[] = [];
  // Up from the root to the repository top; not past it, and not at all when the root is the top.
  for (let d = root; !fs.existsSync(nodePath.join(d, '.git')) && d !== nodePath.dirname(d); ) {
    d = nodePath.dirname(d);
    const f = fs.existsSync(nodePath.join(d, '.gitignore')) ? read(d.replace(/\\/g, '/')) : undefined;
    // A folder someone chose to analyse is analysed even when a .gitignore above ignores it (a scratch copy,
    // a test's temp project): that file's rules are passed over.
    if (f && !f.rules.ignores(`${nodePath.posix.relative(f.dir, root)}/`)) out.push(f);
  }
  const below = globSync('**/.gitignore', { cwd: root, absolute: true, dot: true, ignore: ['**/node_modules/**', '**/.git/**'], followSymbolicLinks: false });
  for (const file of below) {
    const f = read(nodePath.dirname(file).replace(/\\/g, '/'));
    if (f) out.push(f);
  }
  return out;
}

/**
 * A predicate telling whether an absolute file path under `root` is ignored by a `.gitignore` (see the module
 * doc for which files count). Never throws.
 */
export function gitignored(root: string): (file: string) => boolean {
  const files = ignoreFiles(root.replace(/\\/g, '/'));
  if (files.length === 0) return () => false;
  return (file) => {
    const f = file.replace(/\\/g, '/');
    return files.some(({ dir, rules }) => {
      if (!f.startsWith(dir + '/')) return false;
      return rules.ignores(f.slice(dir.length + 1));
    });
  };
}
