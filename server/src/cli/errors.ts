/**
 * An error that ends the CLI with exit code 2 and its message as the one-line reason on stderr: a bad flag,
 * a path that does not exist or cannot be read, a tsconfig that is missing.
 */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** The first line of an error's message (or of whatever was thrown), for one-line reports. */
export function oneLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split('\n', 1)[0]!.trim() || (error instanceof Error ? error.name : 'unknown error');
}
