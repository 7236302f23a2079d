/**
 * One engine `Workspace` per workspace folder, and one per directory for files outside every folder.
 * Workspaces are created lazily (loading a project is costly) and the settings last applied to each are
 * remembered so unchanged settings do not invalidate the engine's caches.
 */
import { dirname } from 'node:path/posix';
import { Workspace, type WorkspaceOptions } from './engine/workspace';
import type { EngineSettings } from './engine/settings';
import { isInside } from './engine/ast';
import { pathToUri, uriToPath } from './uri';

/**
 * What the server needs from an engine workspace (the real `Workspace`, or a test double). Without
 * `analyzeAsync` analyses run `analyze` in one go (no progress steps, no cancellation midway); without
 * `firstLook` the first diagnostics of a root wait for its full analysis.
 */
export type WorkspaceLike = Pick<Workspace, 'setOverlay' | 'updateSettings' | 'analyze'> & Partial<Pick<Workspace, 'analyzeAsync' | 'loopSizing' | 'firstLook' | 'isLoaded' | 'filesCreatedOrDeleted'>>;

/** Creates the engine workspace for a root; may throw (then that root is not analysed). */
export type WorkspaceFactory = (options: WorkspaceOptions) => WorkspaceLike;

/** A root the server analyses. */
export interface WorkspaceEntry {
  /** Stable key: the root path, prefixed `loose:` for directories of files outside every folder. */
  key: string;
  /** Absolute forward-slash path. */
  root: string;
  /** Scope URI for settings: the folder's URI. */
  scopeUri: string;
  /** True for a directory of files outside every workspace folder. */
  loose: boolean;
}

export class Workspaces {
  private readonly folders = new Map<string, WorkspaceEntry>();
  private readonly loose = new Map<string, WorkspaceEntry>();
  private readonly engines = new Map<string, { ws: WorkspaceLike; settings?: string }>();
  /** Unsaved text per file, re-applied when a workspace is (re)created. */
  private readonly overlays = new Map<string, string>();

  constructor(private readonly create: WorkspaceFactory = (o) => new Workspace(o)) {}

  /** Adds a workspace folder by URI; non-`file:` folders are ignored. */
  addFolder(uri: string): void {
    const root = uriToPath(uri);
    if (!root || this.folders.has(root)) return;
    this.folders.set(root, { key: root, root, scopeUri: uri, loose: false });
    // Files that were loose because they had no folder now belong to this one.
    for (const [key, entry] of this.loose) if (isInside(entry.root, root)) this.drop(key, this.loose);
  }

  /** Removes a workspace folder and its engine workspace. */
  removeFolder(uri: string): void {
    const root = uriToPath(uri);
    if (root) this.drop(root, this.folders);
  }

  /** The workspace folders, then the loose directories. */
  all(): WorkspaceEntry[] {
    return [...this.folders.values(), ...this.loose.values()];
  }

  /** Only the workspace folders. */
  folderEntries(): WorkspaceEntry[] {
    return [...this.folders.values()];
  }

  /** The entry owning an absolute file path: the deepest folder containing it, else its directory. */
  entryFor(file: string): WorkspaceEntry {
    let best: WorkspaceEntry | undefined;
    for (const entry of this.folders.values()) {
      if (isInside(file, entry.root) && (!best || entry.root.length > best.root.length)) best = entry;
    }
    if (best) return best;
    const dir = dirname(file);
    const key = `loose:${dir}`;
    let entry = this.loose.get(key);
    if (!entry) {
      entry = { key, root: dir, scopeUri: pathToUri(dir), loose: true };
      this.loose.set(key, entry);
    }
    return entry;
  }

  /** The entry with this key, if still present. */
  byKey(key: string): WorkspaceEntry | undefined {
    return this.folders.get(key) ?? this.loose.get(key);
  }

  /**
   * The engine workspace of an entry with `settings` applied, created on first use with the overlays of its
   * files. Throws what the factory throws.
   */
  engine(entry: WorkspaceEntry, settings: EngineSettings): WorkspaceLike {
    let slot = this.engines.get(entry.key);
    if (!slot) {
      const ws = this.create({ root: entry.root, settings });
      for (const [file, text] of this.overlays) if (this.entryFor(file) === entry) ws.setOverlay(file, text);
      slot = { ws, settings: JSON.stringify(settings) };
      this.engines.set(entry.key, slot);
    }
    const key = JSON.stringify(settings);
    if (slot.settings !== key) {
      slot.ws.updateSettings(settings);
      slot.settings = key;
    }
    return slot.ws;
  }

  /** Whether the entry's engine workspace exists and has its programs loaded (never creates one). */
  isLoaded(entry: WorkspaceEntry): boolean {
    return this.engines.get(entry.key)?.ws.isLoaded?.() === true;
  }

  /** The unsaved text of the entry's files: [absolute path, text] pairs (what the audit worker applies). */
  overlaysOf(entry: WorkspaceEntry): [string, string][] {
    return [...this.overlays].filter(([file]) => this.entryFor(file) === entry);
  }

  /** Sets (text) or clears (undefined) the unsaved text of a file, in its workspace if created. */
  setOverlay(file: string, text: string | undefined): void {
    if (text === undefined) this.overlays.delete(file);
    else this.overlays.set(file, text);
    this.engines.get(this.entryFor(file).key)?.ws.setOverlay(file, text);
  }

  /**
   * Source files created or deleted on disk (absolute paths): each existing engine workspace updates its
   * programs (Workspace.filesCreatedOrDeleted). Returns the entries concerned.
   */
  filesCreatedOrDeleted(files: readonly string[]): WorkspaceEntry[] {
    const byEntry = new Map<WorkspaceEntry, string[]>();
    for (const file of files) {
      const entry = this.entryFor(file);
      const those = byEntry.get(entry);
      if (those) those.push(file);
      else byEntry.set(entry, [file]);
    }
    for (const [entry, those] of byEntry) this.engines.get(entry.key)?.ws.filesCreatedOrDeleted?.(those);
    return [...byEntry.keys()];
  }

  /** Drops the engine workspace of the entry containing `file` so the next use reloads the project. */
  reloadFor(file: string): WorkspaceEntry {
    const entry = this.entryFor(file);
    this.engines.delete(entry.key);
    return entry;
  }

  /** Drops loose directories that no longer hold any of `openFiles`. */
  pruneLoose(openFiles: readonly string[]): void {
    for (const [key, entry] of this.loose) {
      if (!openFiles.some((f) => this.entryFor(f) === entry)) this.drop(key, this.loose);
    }
  }

  private drop(key: string, from: Map<string, WorkspaceEntry>): void {
    from.delete(key);
    this.engines.delete(key);
  }
}
