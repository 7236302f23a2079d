/**
 * The property names under which a project function can be passed by reference (`xs.map(service.score)`,
 * `emitter.on('x', this.onMessage)`, `p.then(ns.handle)`). Asking the checker what a property access refers
 * to checks the type of its receiver, which in generic-heavy code costs a great deal: on `@trpc/server`, 56
 * property-access arguments took 1.0 s of a 5 s audit, and one of them named a project function. A name that
 * no project declaration can give a function needs no question.
 */
import { ts } from 'ts-morph';
import { walk } from '../ast';
import { FunctionNameScan } from '../discovery/function-names';

/** What a file's declarations name (see FunctionNameScan). */
type FileNames = Pick<FunctionNameScan, 'names' | 'computed'>;

/** Files scanned here (project sources outside the discovered files), kept across programs: an edit replaces only its file. */
const scanned = new WeakMap<ts.SourceFile, FileNames>();

function scan(sf: ts.SourceFile): FileNames {
  let names = scanned.get(sf);
  if (!names) {
    const s = new FunctionNameScan();
    walk(sf, (n) => s.visit(n));
    names = s;
    scanned.set(sf, names);
  }
  return names;
}

/** The function names of a program's project sources (not declaration files, not `node_modules`), gathered on first use. */
export class FunctionNames {
  private names?: Set<string>;
  /** Some project function has a computed, non-literal name: every name may be one. */
  private anyName = false;

  /**
   * @param discovered the names discovery collected in a file, undefined for a file it did not walk (an import
   * from outside the analysed paths), which is scanned here.
   */
  constructor(
    private readonly program: ts.Program,
    private readonly discovered: (sf: ts.SourceFile) => FileNames | undefined,
  ) {}

  /** Whether a project declaration can give a function the property name `name`. */
  has(name: string): boolean {
    if (!this.names) {
      this.names = new Set();
      for (const sf of this.program.getSourceFiles()) {
        if (sf.isDeclarationFile || sf.fileName.includes('/node_modules/')) continue;
        const file = this.discovered(sf) ?? scan(sf);
        for (const n of file.names) this.names.add(n);
        if (file.computed) this.anyName = true;
      }
    }
    return this.anyName || this.names.has(name);
  }
}
