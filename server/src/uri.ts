/** Converting between LSP document URIs and the absolute, forward-slash paths the engine uses. */
import { fileURLToPath, pathToFileURL } from 'node:url';

/** The absolute forward-slash path of a `file:` URI; undefined for other schemes or malformed URIs. */
export function uriToPath(uri: string): string | undefined {
  if (!uri.startsWith('file:')) return undefined;
  try {
    return fileURLToPath(uri).replace(/\\/g, '/');
  } catch {
    return undefined;
  }
}

/** The `file:` URI of an absolute path. */
export function pathToUri(path: string): string {
  return pathToFileURL(path).href;
}
