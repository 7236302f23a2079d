/**
 * The server's state and behaviour behind the LSP wiring: open documents → engine overlays → debounced,
 * cancellable analyses → published diagnostics; per-document findings for fix-all; code actions; audit.
 * Every engine call is guarded: a failure is logged on the connection and answered with empty results.
 */
import { ErrorCodes, MarkupKind, ResponseError, type CancellationToken, type CodeAction, type CodeActionParams, type Connection, type Hover, type TextDocumentPositionParams, type TextDocuments } from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { AuditWorkspaceParams, AuditWorkspaceResult, ExportAuditParams, ExportAuditResult } from '../../shared/protocol';
import { renderAuditExport, runAudit, type AuditedRoot } from './audit';
import { AuditRunner, AuditWorkerError, type AuditRunnerOptions } from './auditRunner';
import { CONFIG_FILES } from './configFile';
import { FIX_ALL_KIND, REWRITE_KIND, fixAllAction, isRequested, loopRefactors, quickFixes, type ActionDocument } from './codeActions';
import { Debouncer } from './debounce';
import { toDiagnostic } from './diagnostics';
import { handlerAt, handlerHover } from './hover';
import { foreground, type AnalysisStep } from './engine/steps';
import { CancelledError, type AnalysisResult, type Finding } from './engine/types';
import { groupByFile } from './report/order';
import { SettingsCache } from './settings';
import { pathToUri, uriToPath } from './uri';
import { Workspaces, type WorkspaceEntry, type WorkspaceFactory } from './workspaces';

export interface SessionOptions {
  /** Creates engine workspaces (tests pass a double); default the engine's `Workspace`. */
  createWorkspace?: WorkspaceFactory;
  /** Longest quiet period before analysing an edit that interrupts a pending or running analysis, in milliseconds (default 150; see ./debounce.ts). */
  debounceMs?: number;
  /**
   * Options of the worker thread the audit runs in (./auditRunner.ts). With a `createWorkspace` double the
   * audit runs in-process on the double instead, as tests of the server's logic need.
   */
  auditWorker?: AuditRunnerOptions;
}

/** What the client said it supports, from `initialize`. */
export interface ClientSupport {
  configuration: boolean;
  versionedEdits: boolean;
}

const LANGUAGES = new Set(['typescript', 'typescriptreact', 'javascript', 'javascriptreact']);
const SCRIPT = /\.(c|m)?[jt]sx?$/i;
const PROJECT_FILE = /(^|\/)(tsconfig|jsconfig)[^/]*\.json$|(^|\/)package\.json$/;
/** The config file names (package.json may hold the `looplens` key). */
const CONFIG_FILE_NAMES = new Set<string>(CONFIG_FILES);

/** An analysis of a root, with the versions of its open documents (by URI) it was computed for. */
interface VersionedResult {
  result: AnalysisResult;
  versions: Map<string, number>;
}

export class Session {
  readonly workspaces: Workspaces;
  readonly support: ClientSupport = { configuration: false, versionedEdits: false };
  private readonly settings: SettingsCache;
  private readonly debouncer: Debouncer;
  /** Findings of each open document, for the version they were computed for. Evicted on close. */
  private readonly states = new Map<string, { version: number; findings: Finding[] }>();
  /** URIs of files not open in the editor that the audit published diagnostics for. */
  private auditUris = new Set<string>();
  /** What the last completed audit found, per root: what `looplens/exportAudit` renders. */
  private lastAudit: AuditedRoot[] = [];
  /**
   * The last analysis of each root (by entry key) with the versions of its open documents when it ran, for
   * the hover. Evicted when the root's last open document closes.
   */
  private readonly results = new Map<string, VersionedResult>();
  /**
   * The last audit of each root, for the hover like {@link results}. Kept apart: the audit ran in the worker, so
   * it says nothing about whether this thread has loaded the root (what `analyzeOpen` asks `results`).
   */
  private readonly auditResults = new Map<string, VersionedResult>();
  /**
   * The first look at each root's open documents (by entry key) while the root loads, with their versions, for
   * the hover until the full analysis is in {@link results}.
   */
  private readonly firstLooks = new Map<string, VersionedResult>();
  /**
   * Per root (entry key), the hold an edit puts on background work (the folder's load) until its diagnostics are
   * published: see `foreground` in ./engine/steps.ts.
   */
  private readonly holds = new Map<string, () => void>();
  /** Runs the audit's analyses in a worker thread; undefined with a test double (the audit then runs in-process). */
  private readonly auditRunner: AuditRunner | undefined;

  constructor(
    private readonly connection: Connection,
    private readonly documents: TextDocuments<TextDocument>,
    options: SessionOptions = {},
  ) {
    this.workspaces = new Workspaces(options.createWorkspace);
    this.auditRunner = options.createWorkspace
      ? undefined
      : new AuditRunner({ ...options.auditWorker, log: (message) => connection.console.log(message) });
    this.settings = new SettingsCache(connection, () => this.support.configuration);
    this.debouncer = new Debouncer((key, token) => this.analyzeOpen(key, token), options.debounceMs ?? 150, (key, err) =>
      this.logError(`analysis of ${key}`, err),
    );
  }

  /** An open document's text changed (or it was opened): update the overlay and schedule its analysis. */
  changed(doc: TextDocument): void {
    const file = this.analysable(doc);
    if (!file) return;
    this.guard('updating an overlay', () => this.workspaces.setOverlay(file, doc.getText()));
    const key = this.workspaces.entryFor(file).key;
    // Entered before the last edit's hold is left: without a break, holds stop the load 250 ms at most.
    const last = this.holds.get(key);
    this.holds.set(key, foreground.enter());
    last?.();
    this.debouncer.schedule(key);
  }

  /** A document closed: forget its state and overlay, clear its diagnostics, re-check the others. */
  closed(doc: TextDocument): void {
    this.states.delete(doc.uri);
    const file = this.analysable(doc);
    if (!file) return;
    this.guard('clearing an overlay', () => this.workspaces.setOverlay(file, undefined));
    void this.connection.sendDiagnostics({ uri: doc.uri, diagnostics: [] });
    const entry = this.workspaces.entryFor(file);
    if (this.openIn(entry).length > 0) this.debouncer.schedule(entry.key);
    else {
      this.holds.get(entry.key)?.();
      this.holds.delete(entry.key);
      this.results.delete(entry.key);
      this.auditResults.delete(entry.key);
      this.firstLooks.delete(entry.key);
    }
    this.workspaces.pruneLoose(this.openIn().map((o) => o.file));
  }

  /** Settings changed: forget cached settings, then re-analyse every open document. */
  configurationChanged(): void {
    this.settings.clear();
    this.refreshAll();
  }

  /**
   * Watched files changed: reload the projects whose tsconfig/jsconfig/package.json changed, and re-read the
   * settings when a config file (or a package.json, which may hold the `looplens` key) changed. Source files
   * created or deleted on disk (the client sends no content changes for them) update the loaded programs in
   * place, and the audit worker's copy of their root is dropped.
   */
  watchedFilesChanged(uris: readonly string[]): void {
    let reload = false;
    const sources: string[] = [];
    for (const uri of uris) {
      const file = uriToPath(uri);
      if (!file) continue;
      if (SCRIPT.test(file)) {
        sources.push(file);
        continue;
      }
      if (PROJECT_FILE.test(file)) this.auditRunner?.reload(this.workspaces.reloadFor(file).root);
      const config = CONFIG_FILE_NAMES.has(file.slice(file.lastIndexOf('/') + 1));
      if (config) this.settings.clear();
      reload ||= config || PROJECT_FILE.test(file);
    }
    if (sources.length > 0) {
      let entries: WorkspaceEntry[] = [];
      this.guard('updating created or deleted files', () => {
        entries = this.workspaces.filesCreatedOrDeleted(sources);
      });
      for (const entry of entries) this.auditRunner?.reload(entry.root);
      reload = true;
    }
    if (reload) this.refreshAll();
  }

  /** Schedules an analysis of every root with open documents. */
  refreshAll(): void {
    const keys = new Set(this.openIn().map((o) => this.workspaces.entryFor(o.file).key));
    for (const key of keys) this.debouncer.schedule(key);
  }

  /** Quick fixes for the request's diagnostics, and fix-all when asked for by kind. Never throws. */
  async codeActions(params: CodeActionParams): Promise<CodeAction[]> {
    try {
      const doc = this.documents.get(params.textDocument.uri);
      const file = doc && this.analysable(doc);
      if (!doc || !file) return [];
      const entry = this.workspaces.entryFor(file);
      const settings = await this.settings.get(entry.scopeUri);
      const target: ActionDocument = { uri: doc.uri, file, version: doc.version, text: doc.getText(), versionedEdits: this.support.versionedEdits };
      const only = params.context.only;
      const actions = isRequested(only, 'quickfix') ? quickFixes(target, params.context.diagnostics, settings) : [];
      if (isRequested(only, REWRITE_KIND)) {
        const sized = this.workspaces.engine(entry, settings).loopSizing?.(file, doc.offsetAt(params.range.start));
        actions.push(...loopRefactors(target, params.range, sized ?? { limit: settings.concurrencyIo, reason: 'looplens.concurrency.io setting' }));
      }
      if (only && isRequested(only, FIX_ALL_KIND)) {
        await this.debouncer.flush(entry.key);
        const state = this.states.get(doc.uri);
        const current = this.documents.get(doc.uri);
        if (state && current && state.version === current.version && current.version === doc.version) {
          const all = fixAllAction(target, state.findings, settings);
          if (all) actions.push(all);
        }
      }
      return actions;
    } catch (err) {
      this.logError('code actions', err);
      return [];
    }
  }

  /**
   * The hover on a handler's registration or the first line of its body, from the last analysis of the
   * document's root (its first look while the root loads): never analyses. Null when there is no analysis yet,
   * the document changed since (its ranges would be stale), or no handler is there. Never throws.
   */
  hover(params: TextDocumentPositionParams): Hover | null {
    try {
      const doc = this.documents.get(params.textDocument.uri);
      const file = doc && this.analysable(doc);
      if (!doc || !file) return null;
      const entry = this.workspaces.entryFor(file);
      const last = [this.results.get(entry.key), this.auditResults.get(entry.key), this.firstLooks.get(entry.key)].find((r) => r?.versions.get(doc.uri) === doc.version);
      if (!last) return null;
      const target = handlerAt(last.result.handlers, file, params.position);
      if (!target) return null;
      return {
        contents: { kind: MarkupKind.Markdown, value: handlerHover(target.handler, entry.root) },
        ...(target.range ? { range: target.range } : {}),
      };
    } catch (err) {
      this.logError('hover', err);
      return null;
    }
  }

  /** `looplens/auditWorkspace`. */
  audit(params: AuditWorkspaceParams | undefined, token: CancellationToken): Promise<AuditWorkspaceResult> {
    return runAudit(
      {
        connection: this.connection,
        entries: () => {
          const folders = this.workspaces.folderEntries();
          return folders.length ? folders : this.workspaces.all();
        },
        // A root this thread has loaded and analysed once (for the editor) is audited here: that reuses the
        // program and the analysis caches, in slices that see Cancel within one slice. A root with no program yet,
        // or whose load and first analysis (which no token stops) are under way, goes to the worker, which Cancel
        // ends by terminating the thread. On budibase with a file open the worker took 100.8 s and 3.3 GiB, this 3.2 s.
        analyze: (entry, t, onStep) =>
          this.auditRunner && !this.workspaces.isLoaded(entry) ? this.auditInWorker(this.auditRunner, entry, t, onStep) : this.analyzeEntry(entry, undefined, t, onStep),
        publish: (result, published) => this.publishResult(result, published),
        finish: (published) => {
          for (const uri of this.auditUris) if (!published.has(uri)) void this.connection.sendDiagnostics({ uri, diagnostics: [] });
          this.auditUris = new Set([...published].filter((uri) => !this.documents.get(uri)));
        },
      },
      params,
      token,
      (roots) => {
        this.lastAudit = roots;
      },
    );
  }

  /** `looplens/exportAudit`: the last audit in the requested format. Throws a response error before any audit. */
  exportAudit(params: ExportAuditParams): ExportAuditResult {
    return renderAuditExport(this.lastAudit, params);
  }

  /** Stops pending and running analyses, and the audit worker. */
  dispose(): void {
    for (const leave of this.holds.values()) leave();
    this.holds.clear();
    this.debouncer.dispose();
    this.auditRunner?.dispose();
  }

  /** The debounced job: analyse the open documents of one root and publish their diagnostics. */
  private async analyzeOpen(key: string, token: CancellationToken): Promise<void> {
    // The hold the latest edit took when it arrived (see changed): left once the first look's answer is written
    // (the protocol library writes in a turn of its own), before the full analysis, which may wait for the load
    // that the hold stops.
    const hold = this.holds.get(key);
    this.holds.delete(key);
    const entry = this.workspaces.byKey(key);
    const open = entry ? this.openIn(entry) : [];
    if (!entry || open.length === 0) return hold?.();
    const files = open.map((o) => o.file);
    let written: Promise<unknown> = Promise.resolve();
    try {
      // Until the root's first full analysis ends, the open files' diagnostics come from a quick look at them and
      // their importers (edits made meanwhile too); then the full analysis publishes again.
      if (!this.results.has(entry.key)) {
        const versions = new Map(open.map((o) => [o.doc.uri, o.version]));
        const look = await this.firstLook(entry, files, token);
        if (look) this.firstLooks.set(entry.key, { result: look, versions });
        written = this.publishOpen(open, look, token);
      }
    } finally {
      if (hold) void written.finally(hold);
    }
    void this.publishOpen(open, await this.analyzeEntry(entry, files, token), token);
  }

  /** Publishes a result's findings for the open documents it was computed for (not those edited since); resolves when written. */
  private publishOpen(open: { doc: TextDocument; file: string; version: number }[], result: AnalysisResult | undefined, token: CancellationToken): Promise<unknown> {
    if (!result || token.isCancellationRequested) return Promise.resolve();
    const byFile = groupByFile(result.findings);
    const written: Promise<void>[] = [];
    for (const { doc, file, version } of open) {
      if (this.documents.get(doc.uri)?.version !== version) continue; // a newer analysis is scheduled
      const findings = byFile.get(file) ?? [];
      this.states.set(doc.uri, { version, findings });
      written.push(this.publish(doc.uri, version, findings));
    }
    return Promise.allSettled(written);
  }

  /** The engine's first look at open files until their root's first analysis ends (see Workspace.firstLook); undefined when it has none. */
  private async firstLook(entry: WorkspaceEntry, files: string[], token: CancellationToken): Promise<AnalysisResult | undefined> {
    const settings = await this.settings.get(entry.scopeUri);
    if (token.isCancellationRequested) return undefined;
    try {
      return this.workspaces.engine(entry, settings).firstLook?.(files);
    } catch (err) {
      this.logError(`first analysis of ${entry.root}`, err);
      return undefined;
    }
  }

  /**
   * Reads the root's settings and runs the engine on `paths` (default: the whole root), in time slices so that
   * cancellation (a newer edit, the audit's cancel) and the audit's progress (`onStep`) get through while it
   * works. Undefined when cancelled or when the engine fails (logged).
   */
  private async analyzeEntry(
    entry: WorkspaceEntry,
    paths: string[] | undefined,
    token: CancellationToken,
    onStep?: (step: AnalysisStep) => void,
  ): Promise<AnalysisResult | undefined> {
    const settings = await this.settings.get(entry.scopeUri);
    if (token.isCancellationRequested) return undefined;
    const versions = new Map(this.openIn(entry).map((o) => [o.doc.uri, o.version]));
    try {
      const engine = this.workspaces.engine(entry, settings);
      // Sliced, so that a newer edit (which cancels the token) stops this analysis between two files or handlers
      // (the root's load and first analysis excepted: they run to their end, see Workspace.analyzeAsync).
      const result = engine.analyzeAsync ? await engine.analyzeAsync({ paths, token, ...(onStep ? { onStep } : {}) }) : engine.analyze({ paths, token });
      this.results.set(entry.key, { result, versions });
      this.firstLooks.delete(entry.key);
      return result;
    } catch (err) {
      if (!(err instanceof CancelledError)) this.logError(`analysis of ${entry.root}`, err);
      return undefined;
    }
  }

  /**
   * An audit's analysis of a whole root in the worker thread, with the root's settings and the unsaved text of
   * its open documents; kept for the hover like an editor analysis. Undefined when cancelled, or when the
   * analysis threw (logged; the audit goes on without the root). Throws an `InternalError` response error when
   * the worker died (logged), which fails the audit.
   */
  private async auditInWorker(
    runner: AuditRunner,
    entry: WorkspaceEntry,
    token: CancellationToken,
    onStep: (step: AnalysisStep) => void,
  ): Promise<AnalysisResult | undefined> {
    const settings = await this.settings.get(entry.scopeUri);
    if (token.isCancellationRequested) return undefined;
    const versions = new Map(this.openIn(entry).map((o) => [o.doc.uri, o.version]));
    try {
      const result = await runner.analyze({ root: entry.root, settings, overlays: this.workspaces.overlaysOf(entry) }, token, onStep);
      this.auditResults.set(entry.key, { result, versions });
      return result;
    } catch (err) {
      if (err instanceof CancelledError) return undefined;
      this.logError(`analysis of ${entry.root}`, err);
      if (err instanceof AuditWorkerError) throw new ResponseError(ErrorCodes.InternalError, `LoopLens audit of ${entry.root} failed: ${err.message}`);
      return undefined;
    }
  }

  /** Publishes an audit result for every analysed file that has findings, is open, or had audit findings. */
  private publishResult(result: AnalysisResult, published: Set<string>): void {
    const byFile = groupByFile(result.findings);
    for (const file of new Set([...result.files, ...byFile.keys()])) {
      const uri = this.uriOf(file);
      const doc = this.documents.get(uri);
      const findings = byFile.get(file) ?? [];
      if (!doc && findings.length === 0 && !this.auditUris.has(uri)) continue;
      if (doc) this.states.set(uri, { version: doc.version, findings });
      else published.add(uri);
      this.publish(uri, doc?.version ?? null, findings);
    }
  }

  /** Sends a document's diagnostics; resolves when written (never rejects: a closed connection is logged by the library). */
  private publish(uri: string, version: number | null, findings: readonly Finding[]): Promise<void> {
    const diagnostics = findings.map((f) => toDiagnostic(f, version, (file) => this.uriOf(file)));
    return this.connection.sendDiagnostics({ uri, ...(version === null ? {} : { version }), diagnostics }).catch(() => undefined);
  }

  /** The URI of a file: the open document's URI when open (keeps the client's spelling), else a file URI. */
  private uriOf(file: string): string {
    return this.openIn().find((o) => o.file === file)?.doc.uri ?? pathToUri(file);
  }

  /** The open, analysable documents (of one root, when given), with their paths and versions. */
  private openIn(entry?: WorkspaceEntry): { doc: TextDocument; file: string; version: number }[] {
    const out: { doc: TextDocument; file: string; version: number }[] = [];
    for (const doc of this.documents.all()) {
      const file = this.analysable(doc);
      if (file && (!entry || this.workspaces.entryFor(file) === entry)) out.push({ doc, file, version: doc.version });
    }
    return out;
  }

  /** The path of a `file:` TypeScript/JavaScript document, else undefined. */
  private analysable(doc: TextDocument): string | undefined {
    const file = uriToPath(doc.uri);
    return file && (LANGUAGES.has(doc.languageId) || SCRIPT.test(file)) ? file : undefined;
  }

  /** Runs `fn`, logging instead of throwing: a notification handler must never bring the server down. */
  private guard(what: string, fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.logError(what, err);
    }
  }

  private logError(what: string, err: unknown): void {
    const detail = err instanceof Error ? (err.stack ?? err.message) : String(err);
    this.connection.console.error(`LoopLens: ${what} failed: ${detail}`);
  }
}
