/**
 * The `looplens` settings the user set, for the server's `workspace/configuration` request. VS Code answers
 * that request with every setting, defaults included, so the server could not tell an untouched
 * `looplens.concurrency.io` (8) from one set to 8, and a config file's value would always lose. The client
 * middleware answers instead with only the values set in User, Workspace or Folder settings (from
 * `WorkspaceConfiguration.inspect`), and the server layers defaults < config file < these.
 * No `vscode` import, so it is unit-tested directly.
 */

/** What `WorkspaceConfiguration.inspect(key)` returns, as far as it matters here. */
export interface InspectedValue {
  globalValue?: unknown;
  workspaceValue?: unknown;
  workspaceFolderValue?: unknown;
}

/**
 * The explicitly set values of `keys` (section-relative, dotted: `concurrency.io`) as a nested object
 * (`{ concurrency: { io: 4 } }`). The most specific level wins (Folder over Workspace over User); object values
 * (`severity`) merge across levels as VS Code merges them, the more specific level's keys winning.
 */
export function explicitSettings(keys: readonly string[], inspect: (key: string) => InspectedValue | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of keys) {
    const i = inspect(key);
    if (!i) continue;
    const levels = [i.globalValue, i.workspaceValue, i.workspaceFolderValue].filter((v) => v !== undefined);
    if (levels.length === 0) continue;
    const value = levels.every(isRecord) ? Object.assign({}, ...levels) : levels.at(-1);
    const path = key.split('.');
    let target = out;
    for (const part of path.slice(0, -1)) target = (target[part] = isRecord(target[part]) ? target[part] : {}) as Record<string, unknown>;
    target[path.at(-1)!] = value;
  }
  return out;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
