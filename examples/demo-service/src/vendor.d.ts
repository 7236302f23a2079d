// The slice of express and p-limit this demo uses, declared here so the demo type-checks (and LoopLens can
// analyse it) without `npm install`. Ambient declarations take precedence over installed packages, so the
// demo behaves the same with or without node_modules.

declare module 'express' {
  export interface Request {
    params: Record<string, string>;
    query: Record<string, string | undefined>;
    body: unknown;
  }
  export interface Response {
    status(code: number): Response;
    sendStatus(code: number): Response;
    json(body: unknown): Response;
    send(body: string): Response;
    type(contentType: string): Response;
  }
  export type NextFunction = (err?: unknown) => void;
  export type RequestHandler = (req: Request, res: Response, next: NextFunction) => unknown;
  export interface Router {
    get(path: string, ...handlers: RequestHandler[]): Router;
    post(path: string, ...handlers: RequestHandler[]): Router;
    put(path: string, ...handlers: RequestHandler[]): Router;
    delete(path: string, ...handlers: RequestHandler[]): Router;
    use(pathOrHandler: string | RequestHandler, ...handlers: (RequestHandler | Router)[]): Router;
  }
  export interface Application extends Router {
    listen(port: number, callback?: () => void): unknown;
  }
  interface Express {
    (): Application;
    Router(): Router;
    json(options?: { limit?: string }): RequestHandler;
    text(options?: { limit?: string; type?: string }): RequestHandler;
  }
  const express: Express;
  export function Router(): Router;
  export default express;
}

declare module 'p-limit' {
  export type LimitFunction = <T>(fn: () => Promise<T>) => Promise<T>;
  export default function pLimit(concurrency: number): LimitFunction;
}
