/**
 * What the client does when the language server's connection fails or the server exits: restart it, at most
 * {@link MAX_RESTARTS} times within {@link RESTART_WINDOW_MS}, then stop restarting and tell the user why. The
 * same policy as vscode-languageclient's default handler (5 starts in 3 minutes), with the reason in the
 * message. Imports only types, so it runs without VS Code (unit tests).
 */
import type { CloseAction, CloseHandlerResult, ErrorAction, ErrorHandler, ErrorHandlerResult, Message } from 'vscode-languageclient';

/** Restarts allowed within the window before giving up (vscode-languageclient's default allows 4). */
export const MAX_RESTARTS = 4;
/** The window restarts are counted in (milliseconds), as in vscode-languageclient's default handler. */
export const RESTART_WINDOW_MS = 3 * 60_000;
/** Connection errors in a row tolerated before shutting the connection down (the library's default too). */
const MAX_CONNECTION_ERRORS = 3;

// The enums' values, without importing vscode-languageclient at run time (it requires `vscode`).
const CONTINUE = 1 as ErrorAction;
const SHUTDOWN = 2 as ErrorAction;
const DO_NOT_RESTART = 1 as CloseAction;
const RESTART = 2 as CloseAction;

export interface ErrorHandlerOptions {
  /** Milliseconds since some fixed point; default `Date.now`. */
  now?: () => number;
  /** Called with each reason the connection failed, for the output channel. */
  log?: (message: string) => void;
}

/**
 * Creates the error handler for the LoopLens language client. `closed()` answers Restart until the server has
 * died {@link MAX_RESTARTS} + 1 times within {@link RESTART_WINDOW_MS}; then DoNotRestart with a message naming
 * how often it died and the last connection error seen, which the client shows to the user.
 */
export function createErrorHandler(options: ErrorHandlerOptions = {}): ErrorHandler {
  const now = options.now ?? Date.now;
  const closes: number[] = [];
  let lastError: string | undefined;
  return {
    error(error: Error, _message: Message | undefined, count: number | undefined): ErrorHandlerResult {
      lastError = error.message;
      options.log?.(`LoopLens: connection to the server failed: ${error.message}`);
      return { action: (count ?? 1) <= MAX_CONNECTION_ERRORS ? CONTINUE : SHUTDOWN, handled: true };
    },
    closed(): CloseHandlerResult {
      const t = now();
      closes.push(t);
      while (closes.length > 0 && t - closes[0]! > RESTART_WINDOW_MS) closes.shift();
      if (closes.length <= MAX_RESTARTS) {
        options.log?.(`LoopLens: the server stopped unexpectedly; restarting it (${closes.length} of ${MAX_RESTARTS} restarts allowed in ${RESTART_WINDOW_MS / 60_000} minutes)`);
        return { action: RESTART, handled: true };
      }
      const why = lastError ? ` The last connection error was: ${lastError}.` : '';
      return {
        action: DO_NOT_RESTART,
        message: `The LoopLens server stopped ${closes.length} times in the last ${RESTART_WINDOW_MS / 60_000} minutes and will not be restarted.${why} See "LoopLens: Show Output" for its log; reload the window to start it again.`,
      };
    },
  };
}
