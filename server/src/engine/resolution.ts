/**
 * Module and type-reference resolution shared by every program a ts-morph project builds. Left to itself, each
 * `ts.createProgram` (one per edit in the editor) starts with an empty resolution cache: it resolves every import
 * again and, under `node16`/`nodenext`, looks up the `package.json` scope of each of the program's files (about
 * 4,000 declaration files on `@budibase/server`, ~95 ms per edit). Here one `ts.ModuleResolutionCache` (with its
 * package.json cache) and one type-reference cache live as long as the project's set of files: the workspace
 * forgets them whenever a file is added or removed ({@link forgetResolutions}), since a cached failure or
 * success may then be wrong.
 */
import { ts, type Project, type ResolutionHostFactory } from 'ts-morph';

interface Caches {
  modules: ts.ModuleResolutionCache;
  types: ts.TypeReferenceDirectiveResolutionCache;
}

/** Each project's forget function, set by the factory when ts-morph creates the project's hosts. */
const forgetters = new WeakMap<Project, () => void>();
/** Makes each project's resolver for {@link preResolver}; set with its forget function. */
const resolvers = new WeakMap<Project, () => PreResolver | undefined>();

/** Resolves an import or a type reference of a file as the project's programs do (same host, same caches). */
export interface PreResolver {
  /** `mode`: the import's resolution mode (`ts.getModeForUsageLocation`), as the program passes it. */
  module(name: string, containingFile: string, mode: ts.ResolutionMode): ts.ResolvedModuleFull | undefined;
  typeReference(name: string, containingFile: string, mode: ts.ResolutionMode): ts.ResolvedTypeReferenceDirective | undefined;
}

/**
 * A ts-morph `resolutionHost` factory backed by caches that outlive each program, and a function that links it to
 * its project once constructed (for {@link forgetResolutions}, which also calls `alsoForget`: the project's
 * cache of which paths exist). One factory per Project.
 */
export function cachedResolution(): { factory: ResolutionHostFactory; attach(project: Project, alsoForget?: () => void): void } {
  let caches: Caches | undefined;
  let options: ts.CompilerOptions | undefined;
  let optionsKey = '';
  let host: ts.ModuleResolutionHost | undefined;
  const forget = () => {
    caches = undefined;
  };
  const current = (compilerOptions: ts.CompilerOptions): Caches => {
    // Each program gets a copy of the project's options; they change only while the project is set up
    // (createProject), and new options mean new caches.
    if (options !== compilerOptions) {
      options = compilerOptions;
      const key = JSON.stringify(compilerOptions);
      if (key !== optionsKey) caches = undefined;
      optionsKey = key;
    }
    if (!caches) {
      const cwd = host?.getCurrentDirectory?.() ?? process.cwd();
      const canonical = (s: string) => s;
      const modules = ts.createModuleResolutionCache(cwd, canonical, compilerOptions);
      caches = { modules, types: ts.createTypeReferenceDirectiveResolutionCache(cwd, canonical, compilerOptions, modules.getPackageJsonInfoCache()) };
    }
    return caches;
  };
  /**
   * Lets the compiler host hand the cache to `ts.createProgram`, which then reuses its package.json cache for
   * each file's module format. ts-morph builds its host without `getModuleResolutionCache`; the host is only
   * reachable as `this` of a resolution call, so the program after the first one benefits.
   */
  const lend = (self: unknown, compilerOptions: ts.CompilerOptions) => {
    if (self && typeof self === 'object' && 'getSourceFile' in self) {
      (self as ts.CompilerHost).getModuleResolutionCache = () => current(compilerOptions).modules;
    }
  };
  /** One import or type reference, resolved with the caches of `opts` (the programs' and the preload's way). */
  const resolver = (resolutionHost: ts.ModuleResolutionHost, opts: ts.CompilerOptions, redirectedReference?: ts.ResolvedProjectReference): PreResolver => ({
    module: (name, containingFile, mode) => ts.resolveModuleName(name, containingFile, opts, resolutionHost, current(opts).modules, redirectedReference, mode).resolvedModule,
    typeReference: (name, containingFile, mode) =>
      ts.resolveTypeReferenceDirective(name, containingFile, opts, resolutionHost, redirectedReference, current(opts).types, mode).resolvedTypeReferenceDirective,
  });
  const factory: ResolutionHostFactory = (moduleResolutionHost, getCompilerOptions) => {
    host = moduleResolutionHost;
    return {
      // Read by ts.createProgram from its compiler host: the bundles' ts-morph passes it on (scripts/build.mjs).
      getModuleResolutionCache: () => current(getCompilerOptions()).modules,
      resolveModuleNames(this: unknown, moduleNames, containingFile, _reused, redirectedReference, compilerOptions, containingSourceFile) {
        const opts = compilerOptions ?? getCompilerOptions();
        lend(this, opts);
        const { module } = resolver(moduleResolutionHost, opts, redirectedReference);
        return moduleNames.map((name) => module(name, containingFile, containingSourceFile ? modeOf(containingSourceFile, name, opts) : undefined));
      },
      resolveTypeReferenceDirectives(this: unknown, names, containingFile, redirectedReference, compilerOptions, containingFileMode) {
        const opts = compilerOptions ?? getCompilerOptions();
        lend(this, opts);
        const { typeReference } = resolver(moduleResolutionHost, opts, redirectedReference);
        return names.map((ref) =>
          typeof ref === 'string'
            ? typeReference(ref, containingFile, containingFileMode)
            : typeReference(ref.fileName.toLowerCase(), containingFile, ref.resolutionMode ?? containingFileMode),
        );
      },
    };
  };
  return {
    factory,
    attach: (project, alsoForget) => {
      forgetters.set(project, () => {
        forget();
        alsoForget?.();
      });
      // The project's options as they are now: one object, so `current` finds its caches without comparing.
      resolvers.set(project, () => (host ? resolver(host, project.compilerOptions.get()) : undefined));
    },
  };
}

/**
 * A resolver for a project made with {@link cachedResolution}'s factory, with the project's current options;
 * undefined for other projects, or before ts-morph made the project's hosts.
 */
export function preResolver(project: Project): PreResolver | undefined {
  return resolvers.get(project)?.();
}

/** Forgets `project`'s cached resolutions (after a file was added to it or removed from it); a no-op for other projects. */
export function forgetResolutions(project: Project): void {
  forgetters.get(project)?.();
}

/**
 * The resolution mode (`import` or `require`) of the specifier `name` in `file`, as `ts.createProgram` computes it
 * for its own resolutions: from the first import or module augmentation with that text.
 */
function modeOf(file: ts.SourceFile, name: string, options: ts.CompilerOptions): ts.ResolutionMode {
  // Both lists are set by the program on every file it processes, but are not in the public typings.
  const { imports = [], moduleAugmentations = [] } = file as ts.SourceFile & { imports?: readonly ts.StringLiteralLike[]; moduleAugmentations?: readonly ts.Node[] };
  for (const literal of imports) if (literal.text === name) return ts.getModeForUsageLocation(file, literal, options);
  for (const augmentation of moduleAugmentations) {
    if (ts.isStringLiteralLike(augmentation) && augmentation.text === name) return ts.getModeForUsageLocation(file, augmentation, options);
  }
  return undefined;
}
