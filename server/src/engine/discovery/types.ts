import type { ts } from 'ts-morph';
import type { FunctionNode } from '../ast';
import type { HandlerKind } from '../types';

/** A handler found in the syntax, before classification. */
export interface DiscoveredHandler {
  kind: HandlerKind;
  /** `POST /export`, `Worker "digest"`, `socket 'data'`, `setInterval`, `Lambda handler`. */
  label: string;
  /** The node whose position is the registration (`app.post(` call, `@Get()` decorator, exported name). */
  registration: ts.Node;
  /** The function that runs; undefined when it could not be resolved to a body in the project. */
  fn?: FunctionNode;
  /** For routes: the router or app object they are registered on, so mount prefixes can be added. */
  router?: ts.Symbol;
}

/** `app.use('/api', router)`: a router mounted under a path on another router or app. */
export interface Mount {
  path: string;
  /** The mounted router. */
  target: ts.Symbol;
  /** The router or app it is mounted on (for prefixes of prefixes). */
  parent?: ts.Symbol;
  /** The factory whose returns gave the router (`app.use('/api', makeRouter())`): the mount depends on its body. */
  via?: FunctionNode;
}

/** What each discovery module gets: the checker and the file being scanned. */
export interface DiscoveryContext {
  checker: ts.TypeChecker;
  sf: ts.SourceFile;
  /** Router mounts seen so far (filled by the routes module). */
  mounts: Mount[];
  /** User patterns of calls that register handlers (`handlerCalls` setting). */
  handlerCalls: readonly string[];
}

/** A discovery module: looks at one node and returns the handlers it registers (usually none). */
export type Discoverer = (node: ts.Node, ctx: DiscoveryContext) => DiscoveredHandler[] | undefined;
