// A type checker whose method calls a test can count (how often the engine asks it something costly).
import type { ts } from 'ts-morph';

/** `checker`, with each method call passed to `onCall` (method name and arguments) before it runs. */
export function watchedChecker(checker: ts.TypeChecker, onCall: (method: string, args: unknown[]) => void): ts.TypeChecker {
  return new Proxy(checker, {
    get: (target, key) => {
      const value = Reflect.get(target, key) as unknown;
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        onCall(String(key), args);
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
}
