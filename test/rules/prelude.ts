/**
 * Declarations the rule tables share: a minimal router-style `app` (declared in the project, so discovery
 * treats it as a framework of unknown type and recognises routes by their path argument) and typed data
 * sources, so cases type-check without installing any framework.
 */
export const APP = `interface Req { body: { items: string[]; ids: string[]; text: string }; params: Record<string, string> }
interface Res { json(v: unknown): void; send(v: string): void }
declare const app: {
  get(path: string, ...h: ((req: Req, res: Res) => unknown)[]): void;
  post(path: string, ...h: ((req: Req, res: Res) => unknown)[]): void;
  listen(port: number): void;
};
interface Row { id: string; tags: string[]; email: string }
declare const db: { rows(): Promise<Row[]>; save(r: Row): Promise<void>; find(id: string): Promise<Row> };
`;

/** Number of lines APP takes, so tables can state lines relative to the code after it. */
export const APP_LINES = APP.split('\n').length - 1;
