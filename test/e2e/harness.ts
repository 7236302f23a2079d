/**
 * Drives LoopLens in a real VS Code workbench: code-server (VS Code 1.100 with a Node extension host) served
 * on 127.0.0.1, shown in Debian's headless Chromium through playwright-core. One {@link EditorSession} per
 * scenario: fresh user-data, XDG and TMPDIR folders, a fresh copy of the fixture workspace, its own
 * code-server process group and browser profile. Every step is screenshotted into
 * `test-output/e2e/<scenario>/`, and code-server's and the extension host's logs are copied there at the end.
 *
 * Waits are on what the page shows, with deadlines ({@link waitFor}); there are no bare sleeps.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cpSync, createWriteStream, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import type { Prereqs } from './setup';
import { USER_SETTINGS } from './userSettings';

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const FIXTURE = join(REPO, 'test', 'e2e', 'fixtures', 'workspace');
export const OUTPUT = join(REPO, 'test-output', 'e2e');

// ---------------------------------------------------------------------------------------------------------
// The page side: the repo's tsconfig has no DOM lib, so the few DOM members the snippets run in the page use
// are declared here (the snippets are serialized and run in Chromium).

export interface El {
  className: string;
  innerText: string;
  textContent: string | null;
  getAttribute(name: string): string | null;
  getBoundingClientRect(): { top: number; bottom: number };
  querySelector(selector: string): El | null;
  querySelectorAll(selector: string): ArrayLike<El> & Iterable<El>;
}


// ---------------------------------------------------------------------------------------------------------
// Waiting

export class Deadline extends Error {}

/** Thrown by a probe to stop waiting at once: the awaited thing can no longer happen. */
export class Fatal extends Error {}

/**
 * Polls `probe` until it returns something truthy, and returns that; throws after `timeoutMs` with `what` and
 * the last value seen (or the last error the probe threw).
 */
export async function waitFor<T>(
  what: string,
  probe: () => T | Promise<T>,
  { timeoutMs = 20_000, intervalMs = 150 }: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<NonNullable<T>> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v) return v as NonNullable<T>;
      last = v;
    } catch (err) {
      if (err instanceof Fatal) throw err;
      last = err instanceof Error ? err.message : err;
    }
    if (Date.now() >= end) {
      throw new Deadline(`timed out after ${timeoutMs} ms waiting for ${what}; last: ${JSON.stringify(last)?.slice(0, 800)}`);
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

async function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.once('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? res(addr.port) : rej(new Error('no port'))));
    });
  });
}

// ---------------------------------------------------------------------------------------------------------
// One real-editor run per machine at a time

const RUN_LOCK = join(tmpdir(), 'looplens-e2e-run.lock');

function lockHolder(): number | undefined {
  try {
    const pid = Number(readFileSync(join(RUN_LOCK, 'pid'), 'utf8'));
    if (!pid) return undefined;
    process.kill(pid, 0);
    return pid;
  } catch {
    return undefined;
  }
}

/**
 * Takes the machine-wide real-editor lock, waiting up to `timeoutMs` for another run (a teammate's
 * `npm test` in the same tree) to finish: two code-servers and two Chromiums on two cores make both runs slow
 * and flaky, and they would write the same test-output/e2e folders. Returns false when it could not.
 */
export async function acquireRunLock(timeoutMs: number): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    try {
      mkdirSync(RUN_LOCK);
      writeFileSync(join(RUN_LOCK, 'pid'), String(process.pid));
      return true;
    } catch {
      // Held: by a live process, or left by a dead one (then take it over).
      if (lockHolder() === undefined) {
        const st = statSync(RUN_LOCK, { throwIfNoEntry: false });
        // A lock just made by a run that has not written its pid yet is young: leave that one alone.
        if (st && Date.now() - st.mtimeMs > 5_000) rmSync(RUN_LOCK, { recursive: true, force: true });
      }
    }
    if (Date.now() >= end) return false;
    await new Promise((r) => setTimeout(r, 1_000));
  }
}

export function releaseRunLock(): void {
  if (lockHolder() === process.pid) rmSync(RUN_LOCK, { recursive: true, force: true });
}

// ---------------------------------------------------------------------------------------------------------
// Once per test file: the .vsix and the extensions folder it is installed into

export interface Installed {
  prereqs: Prereqs;
  vsix: string;
  /** Short run folder under os.tmpdir(): every session's folders go inside. */
  runRoot: string;
  extensionsDir: string;
}

function codeServerArgs(prereqs: Prereqs): string[] {
  return [prereqs.codeServerEntry];
}

function sessionEnv(root: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  // Never let a parent's VS Code or Node options leak into code-server and its extension host.
  for (const k of Object.keys(env)) if (/^(VSCODE_|ELECTRON_|NODE_OPTIONS$|NODE_TEST_CONTEXT$)/.test(k)) delete env[k];
  Object.assign(env, {
    XDG_CONFIG_HOME: join(root, 'xdg', 'config'),
    XDG_DATA_HOME: join(root, 'xdg', 'data'),
    XDG_CACHE_HOME: join(root, 'xdg', 'cache'),
    TMPDIR: join(root, 't'),
  });
  for (const k of ['XDG_CONFIG_HOME', 'XDG_DATA_HOME', 'XDG_CACHE_HOME', 'TMPDIR']) mkdirSync(env[k]!, { recursive: true });
  return env;
}

/** `npm run package` (build + vsce), then a copy of the .vsix in the run folder. */
export function packageVsix(runRoot: string): string {
  if (process.env.LOOPLENS_E2E_VSIX) return resolve(process.env.LOOPLENS_E2E_VSIX);
  const r = spawnSync('npm', ['run', 'package'], { cwd: REPO, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`npm run package failed:\n${(r.stdout + r.stderr).split('\n').slice(-40).join('\n')}`);
  const out = join(runRoot, 'looplens.vsix');
  cpSync(join(REPO, 'dist', 'looplens.vsix'), out);
  return out;
}

/** Packages the extension and installs it with `code-server --install-extension` into a fresh extensions folder. */
export function installExtension(prereqs: Prereqs): Installed {
  // Short: code-server's IPC socket paths live under TMPDIR and must stay under 108 characters.
  const runRoot = mkdtempSync(join(tmpdir(), 'll-e2e-'));
  const vsix = packageVsix(runRoot);
  const extensionsDir = join(runRoot, 'ext');
  const root = join(runRoot, 'install');
  const env = sessionEnv(root);
  const r = spawnSync(
    process.execPath,
    [...codeServerArgs(prereqs), '--user-data-dir', join(root, 'ud'), '--extensions-dir', extensionsDir, '--install-extension', vsix, '--force'],
    { env, encoding: 'utf8', timeout: 120_000 },
  );
  if (r.status !== 0) throw new Error(`code-server --install-extension failed (exit ${r.status}):\n${r.stdout}\n${r.stderr}`);
  if (!/successfully installed/i.test(r.stdout + r.stderr)) throw new Error(`unexpected --install-extension output:\n${r.stdout}\n${r.stderr}`);
  return { prereqs, vsix, runRoot, extensionsDir };
}

export function cleanupInstall(installed: Installed | undefined): void {
  if (installed && !process.env.LOOPLENS_E2E_KEEP) rmSync(installed.runRoot, { recursive: true, force: true });
}

// ---------------------------------------------------------------------------------------------------------
// One session per scenario

export interface ProblemRow {
  /** `error` | `warning` | `info` for markers, `file` for a file's group row, `related` for related information. */
  kind: 'error' | 'warning' | 'info' | 'file' | 'related' | 'unknown';
  /** The row's accessible label: message, position, source and code. */
  label: string;
  text: string;
  /** 1-based line and column from the label, for marker rows. */
  line?: number;
  column?: number;
}

export interface Squiggle {
  kind: 'error' | 'warning' | 'info' | 'hint';
  /** 1-based editor line the squiggle is drawn on. */
  line: number;
}

export interface SessionOptions {
  /**
   * Extra workbench URL parameters, given the session. `payload` (a JSON array of [key, value] pairs) carries
   * `extensionDevelopmentPath` / `extensionTestsPath` as `vscode-remote://` URIs (see {@link EditorSession.remote}).
   */
  query?: (s: EditorSession) => Record<string, string>;
  /** Extra environment for code-server and so its extension host. */
  env?: Record<string, string>;
  /**
   * The folder to open instead of a copy of the fixture workspace: `copy` puts a fresh copy in the session's
   * folder (for folders in the repository), otherwise it is opened where it is (large read-only trees).
   */
  folder?: { path: string; copy: boolean };
}

export class EditorSession {
  readonly dir: string;
  readonly workspace: string;
  readonly root: string;
  page!: Page;
  private context?: BrowserContext;
  private server?: ChildProcess;
  private serverExit?: Promise<void>;
  private step = 0;
  private readonly timings: { what: string; ms: number }[] = [];
  /** The `vscode-remote://host:port` authority of this session's files, once booted. */
  remote = '';
  private readonly userDataDir: string;
  private readonly codeServerLog: string;

  private constructor(
    readonly scenario: string,
    private readonly installed: Installed,
    root: string,
    private readonly folder?: SessionOptions['folder'],
  ) {
    this.root = root;
    this.dir = join(OUTPUT, scenario);
    rmSync(this.dir, { recursive: true, force: true });
    mkdirSync(this.dir, { recursive: true });
    this.workspace = folder && !folder.copy ? folder.path : join(root, 'ws');
    this.userDataDir = join(root, 'ud');
    this.codeServerLog = join(root, 'code-server.log');
  }

  /** Fresh folders, code-server on a free port, Chromium on `?folder=<fixture copy>`, workbench loaded. */
  static async start(scenario: string, installed: Installed, opts: SessionOptions = {}): Promise<EditorSession> {
    const root = mkdtempSync(join(installed.runRoot, 's-'));
    const s = new EditorSession(scenario, installed, root, opts.folder);
    const t0 = Date.now();
    try {
      await s.boot(opts);
      s.timings.push({ what: 'boot', ms: Date.now() - t0 });
    } catch (err) {
      await s.stop(true);
      throw err;
    }
    return s;
  }

  private async boot(opts: SessionOptions): Promise<void> {
    if (!this.folder) cpSync(FIXTURE, this.workspace, { recursive: true });
    else if (this.folder.copy) cpSync(this.folder.path, this.workspace, { recursive: true });
    mkdirSync(join(this.userDataDir, 'User'), { recursive: true });
    writeFileSync(join(this.userDataDir, 'User', 'settings.json'), JSON.stringify(USER_SETTINGS, null, 2));
    const env = { ...sessionEnv(this.root), ...opts.env };
    const port = await freePort();
    const log = createWriteStream(this.codeServerLog);
    const child = spawn(
      process.execPath,
      [
        ...codeServerArgs(this.installed.prereqs),
        '--bind-addr', `127.0.0.1:${port}`,
        '--auth', 'none',
        '--disable-telemetry',
        '--disable-update-check',
        '--disable-workspace-trust',
        '--disable-getting-started-override',
        '--disable-proxy',
        '--ignore-last-opened',
        '--user-data-dir', this.userDataDir,
        '--extensions-dir', this.installed.extensionsDir,
        this.workspace,
      ],
      { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    this.server = child;
    child.stdout!.pipe(log);
    child.stderr!.pipe(log);
    this.serverExit = new Promise((res) => child.once('exit', () => res()));
    let exited = false;
    void this.serverExit.then(() => (exited = true));
    const base = `http://127.0.0.1:${port}`;
    await waitFor(
      'code-server /healthz',
      async () => {
        if (exited) throw new Error(`code-server exited early; see ${this.codeServerLog}`);
        const r = await fetch(`${base}/healthz`).catch(() => undefined);
        return r?.status === 200;
      },
      { timeoutMs: 30_000 },
    );

    this.context = await chromium.launchPersistentContext(join(this.root, 'chrome'), {
      executablePath: this.installed.prereqs.chromium,
      headless: true,
      viewport: { width: 1440, height: 900 },
      env: { ...env, XDG_CONFIG_HOME: join(this.root, 'xdg', 'config') } as Record<string, string>,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    await this.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: base });
    this.page = this.context.pages()[0] ?? (await this.context.newPage());
    this.page.setDefaultTimeout(20_000);
    this.remote = `vscode-remote://127.0.0.1:${port}`;
    const query = new URLSearchParams({ folder: this.workspace, ...opts.query?.(this) });
    await this.page.goto(`${base}/?${query}`);
    await waitFor('the workbench and the explorer', () => this.page.locator('.explorer-folders-view .monaco-list-row').first().isVisible(), {
      timeoutMs: 45_000,
    });
  }

  /** Screenshot `NN-<name>.png` after `fn`, or `NN-<name>-FAILED.png` when it throws. */
  async stepShot<T>(name: string, fn: () => Promise<T>): Promise<T> {
    const n = String(++this.step).padStart(2, '0');
    const t0 = Date.now();
    try {
      const v = await fn();
      this.timings.push({ what: name, ms: Date.now() - t0 });
      await this.screenshot(`${n}-${name}`);
      return v;
    } catch (err) {
      this.timings.push({ what: `${name} (failed)`, ms: Date.now() - t0 });
      await this.screenshot(`${n}-${name}-FAILED`);
      throw err;
    }
  }

  async screenshot(name: string): Promise<string | undefined> {
    const file = join(this.dir, `${name}.png`);
    try {
      await this.page.screenshot({ path: file, timeout: 10_000 });
      return file;
    } catch {
      return undefined;
    }
  }

  /** Closes the browser, kills code-server's process group, copies the logs into the scenario's folder. */
  async stop(failed = false): Promise<void> {
    if (failed && this.page) await this.screenshot('zz-at-stop');
    await this.context?.close().catch(() => undefined);
    const child = this.server;
    if (child?.pid && child.exitCode === null && child.signalCode === null) {
      try {
        process.kill(-child.pid, 'SIGTERM');
      } catch {
        /* already gone */
      }
      const killed = await Promise.race([this.serverExit!.then(() => true), new Promise<false>((r) => setTimeout(() => r(false), 5_000).unref())]);
      if (!killed) {
        try {
          process.kill(-child.pid, 'SIGKILL');
        } catch {
          /* already gone */
        }
      }
    }
    this.copyLogs();
    const summary = this.timings.map((t) => `${t.what} ${(t.ms / 1000).toFixed(1)} s`).join(' · ');
    writeFileSync(join(this.dir, 'timings.json'), JSON.stringify(this.timings, null, 2));
    console.log(`# e2e ${this.scenario}: ${summary}`);
  }

  private copyLogs(): void {
    try {
      if (existsSync(this.codeServerLog)) cpSync(this.codeServerLog, join(this.dir, 'code-server.log'));
      const logs = join(this.userDataDir, 'logs');
      if (existsSync(logs)) cpSync(logs, join(this.dir, 'logs'), { recursive: true });
    } catch {
      /* best effort */
    }
  }

  // -------------------------------------------------------------------------------------------------------
  // Reading logs

  /** Text of every log file under the user-data `logs/` whose path matches `pattern` (extension host, outputs). */
  readLogs(pattern: RegExp): string {
    const out: string[] = [];
    const walk = (d: string): void => {
      if (!existsSync(d)) return;
      for (const e of readdirSync(d, { withFileTypes: true })) {
        const p = join(d, e.name);
        if (e.isDirectory()) walk(p);
        else if (pattern.test(p)) out.push(readFileSync(p, 'utf8'));
      }
    };
    walk(join(this.userDataDir, 'logs'));
    return out.join('\n');
  }

  /**
   * Why the LoopLens server is down for good, from its output channel (`LoopLens.log`), or undefined while it
   * runs or starts. Waits use it to fail at once instead of running into their deadline.
   */
  serverFailure(): string | undefined {
    const log = this.readLogs(/LoopLens\.log$/);
    const m = /^.*(?:server failed to start|will not be restarted|couldn't create connection to server).*$/im.exec(log);
    return m?.[0];
  }

  /** Throws {@link Fatal} when {@link serverFailure} says the server is down. */
  assertServerAlive(): void {
    const why = this.serverFailure();
    if (why) throw new Fatal(`the LoopLens server is down: ${why}\n(see ${this.dir}/logs/**/LoopLens.log)`);
  }

  // -------------------------------------------------------------------------------------------------------
  // Driving the workbench

  /** Ctrl+P, the file's name, Enter; resolves when its tab is active and the editor has focus. */
  async openFile(relPath: string): Promise<void> {
    const name = relPath.split('/').pop()!;
    await this.page.keyboard.press('Control+P');
    const input = this.page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible' });
    await input.fill(relPath);
    await waitFor(`quick open to list ${relPath}`, () =>
      this.page.locator('.quick-input-list .monaco-list-row', { hasText: name }).first().isVisible(),
    );
    await this.page.keyboard.press('Enter');
    await waitFor(`the editor tab of ${name}`, async () => {
      const title = await this.page.locator('.tabs-container .tab.active').first().getAttribute('aria-label');
      return title?.includes(name);
    });
    await this.page.locator('.editor-instance .monaco-editor .view-lines').first().waitFor({ state: 'visible' });
  }

  /** Ctrl+Shift+M: the Problems panel. */
  async openProblems(): Promise<void> {
    if (!(await this.page.locator('.markers-panel').isVisible().catch(() => false))) {
      await this.page.keyboard.press('Control+Shift+M');
    }
    await this.page.locator('.markers-panel').waitFor({ state: 'visible' });
  }

  /** The rendered rows of the Problems panel (it is a virtual list: keep the panel big enough). */
  async problemRows(): Promise<ProblemRow[]> {
    const raw = await this.page.$$eval('.markers-panel .monaco-list-row', (rows) =>
      rows.map((r) => ({
        label: r.getAttribute('aria-label') ?? '',
        // Tree depth: 1 = a file, 2 = a marker, 3 = a marker's related information.
        level: Number(r.getAttribute('aria-level') ?? 0),
        text: (r as unknown as El).innerText ?? r.textContent ?? '',
        icon: r.querySelector('.marker-icon')?.className ?? '',
      })),
    );
    return raw.map((r) => {
      const m = /\[Ln (\d+), Col (\d+)\]/.exec(r.text) ?? /at line (\d+) and character (\d+)/.exec(r.label);
      const kind: ProblemRow['kind'] =
        r.level === 1 ? 'file'
        : r.level !== 2 ? 'related'
        : /error/.test(r.icon) ? 'error'
        : /warning/.test(r.icon) ? 'warning'
        : /info/.test(r.icon) ? 'info'
        : 'unknown';
      return { kind, label: r.label, text: r.text.replace(/\s+/g, ' ').trim(), line: m ? Number(m[1]) : undefined, column: m ? Number(m[2]) : undefined };
    });
  }

  /** Marker rows whose label or text mentions `code` (a rule id). */
  async markersWithCode(code: string): Promise<ProblemRow[]> {
    return (await this.problemRows()).filter((r) => (r.kind === 'error' || r.kind === 'warning' || r.kind === 'info') && r.text.includes(code));
  }

  /** The squiggles drawn in the active editor, with the line numbers they sit on. */
  async squiggles(): Promise<Squiggle[]> {
    return this.page.evaluate(() => {
      const { document } = globalThis as unknown as { document: El };
      const editor = document.querySelector('.editor-instance .monaco-editor');
      if (!editor) return [];
      const numbers = [...editor.querySelectorAll('.margin-view-overlays .line-numbers')].map((el) => {
        const r = el.getBoundingClientRect();
        return { top: r.top, bottom: r.bottom, line: Number(el.innerText.trim()) };
      });
      const out: { kind: 'error' | 'warning' | 'info' | 'hint'; line: number }[] = [];
      for (const el of editor.querySelectorAll('.view-overlays [class*="squiggly-"]')) {
        const cls = el.className;
        const kind = /squiggly-error/.test(cls) ? 'error' : /squiggly-warning/.test(cls) ? 'warning' : /squiggly-info/.test(cls) ? 'info' : 'hint';
        const r = el.getBoundingClientRect();
        const mid = (r.top + r.bottom) / 2;
        const hit = numbers.find((n) => mid >= n.top && mid <= n.bottom);
        if (hit) out.push({ kind, line: hit.line });
      }
      return out;
    });
  }

  /** Ctrl+G `line:column` Enter: moves the cursor. */
  async goTo(line: number, column = 1): Promise<void> {
    await this.page.keyboard.press('Control+G');
    const input = this.page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible' });
    await input.fill(`:${line}:${column}`);
    await this.page.keyboard.press('Enter');
    await waitFor(`the cursor at ${line}:${column}`, async () => {
      const text = await this.page.locator('.statusbar-item[id="status.editor.selection"]').innerText().catch(() => '');
      return new RegExp(`Ln ${line}, Col ${column}\\b`).test(text);
    });
  }

  /**
   * F1, the command's title, Enter. Right after the workbench loads, the palette may not list an extension's
   * contributed commands yet (the extension host is still scanning), and an open palette never refreshes its
   * list: then close it and ask again, until `timeoutMs`.
   */
  async runCommand(title: string, timeoutMs = 30_000): Promise<void> {
    const input = this.page.locator('.quick-input-widget input');
    const end = Date.now() + timeoutMs;
    // F1 can go to a webview that holds the focus (the audit view: clicking its tab focuses its content), and
    // the palette can close again before it takes the text. Then open the quick input with a click on the title
    // bar's command center, which works wherever the focus is, or failing that give the focus to the workbench
    // (the active editor tab, as a user would click it) and press F1 again.
    const reopen = async (err: unknown): Promise<boolean> => {
      if (Date.now() >= end) throw err;
      const center = this.page.locator('.command-center .command-center-center');
      if ((await center.count()) > 0) {
        await center.first().click();
        return true;
      }
      const tab = this.page.locator('.tabs-container .tab.active');
      await ((await tab.count()) > 0 ? tab.first() : this.page.locator('.part.editor')).click();
      return false;
    };
    let open = false;
    for (;;) {
      if (!open) await this.page.keyboard.press('F1');
      open = false;
      try {
        await input.waitFor({ state: 'visible', timeout: 3_000 });
        await input.fill(`>${title}`, { timeout: 3_000 });
      } catch (err) {
        open = await reopen(err);
        continue;
      }
      try {
        await waitFor(`the command palette to offer "${title}"`, async () => {
          const first = await this.page.locator('.quick-input-list .monaco-list-row').first().getAttribute('aria-label');
          return first?.toLowerCase().includes(title.toLowerCase());
        }, { timeoutMs: Math.min(5_000, Math.max(500, end - Date.now())) });
        break;
      } catch (err) {
        if (Date.now() >= end) throw err;
        await this.page.keyboard.press('Escape');
        await input.waitFor({ state: 'hidden' });
      }
    }
    await this.page.keyboard.press('Enter');
  }

  /** Text of the status bar items. */
  async statusBar(): Promise<string> {
    return this.page.locator('.statusbar').innerText();
  }

  /** Starts recording every text the page shows in notifications and the status bar (see {@link seenTexts}). */
  async recordTexts(): Promise<void> {
    // A string, not a function: tsx (esbuild keepNames) would wrap named inner functions in a `__name` helper
    // that does not exist in the page.
    await this.page.evaluate(`(() => {
      const seen = (globalThis.__seen = []);
      const grab = () => {
        for (const sel of ['.notifications-toasts', '.notifications-center', '.statusbar', '.monaco-progress-container']) {
          for (const el of document.querySelectorAll(sel)) {
            const t = el.innerText;
            if (t && !seen.includes(t)) seen.push(t);
          }
        }
      };
      new MutationObserver(grab).observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true });
      grab();
    })()`);
  }

  async seenTexts(): Promise<string[]> {
    return this.page.evaluate(() => (globalThis as unknown as { __seen?: string[] }).__seen ?? []);
  }

  /** The file's current content on disk in the session's workspace copy. */
  readWorkspaceFile(relPath: string): string {
    return readFileSync(join(this.workspace, relPath), 'utf8');
  }

  writeWorkspaceFile(relPath: string, text: string): void {
    const p = join(this.workspace, relPath);
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, text);
  }
}

/**
 * Runs `body` in a fresh session and always stops it; on failure the last screen, code-server.log and the
 * extension host logs stay in `test-output/e2e/<scenario>/`.
 */
export async function withSession(
  scenario: string,
  installed: Installed,
  body: (s: EditorSession) => Promise<void>,
  opts: SessionOptions = {},
): Promise<void> {
  const s = await EditorSession.start(scenario, installed, opts);
  let failed = true;
  try {
    await body(s);
    failed = false;
  } finally {
    await s.stop(failed);
  }
}
