/**
 * Handler discovery and bound classification on a small service per framework (real framework types from the
 * dev dependencies): each handler's kind, label, registration line and bound class.
 */
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { before, describe, it } from 'node:test';
import { Workspace, type AnalysisResult } from '../../server/src/engine';

const ROOT = path.resolve(__dirname, 'fixtures/frameworks');
let result: AnalysisResult;

function handlersIn(file: string): string[] {
  return result.handlers
    .filter((h) => path.relative(ROOT, h.registration.file) === file)
    .map((h) => `${h.kind} ${h.label} :${h.registration.range.start.line + 1} ${h.bound}`);
}

describe('handler discovery', () => {
  before(() => {
    result = new Workspace({ root: ROOT }).analyze();
  });

  it('Express: routes on app and routers (with the mount prefix), bound classes', () => {
    assert.deepEqual(handlersIn('src/express-app.ts'), ['express GET /api/orders :7 io', 'express POST /keys :10 cpu']);
  });
  it('route chains (typed from their root), a router kept in a Map, a cast receiver, wrapped handlers', () => {
    assert.deepEqual(handlersIn('src/chains.ts'), [
      'koa POST /chained/b :16 io',
      'koa GET /chained/a :16 io',
      'express PUT /items :25 io',
      'express GET /items :25 io',
      'express GET /from-map :39 io',
      'hono GET /cast :44 io',
    ]);
  });
  it('Fastify: verbs, route({ handler }) and hooks', () => {
    assert.deepEqual(handlersIn('src/fastify-app.ts'), ['fastify GET /orders/:id :5 io', 'fastify POST /orders :6 io', 'fastify hook onRequest :7 none']);
  });
  it('Koa: @koa/router routes and app.use middleware', () => {
    assert.deepEqual(handlersIn('src/koa-app.ts'), ['koa GET /orders :7 io', 'koa middleware :10 io', 'koa GET /admin/stats :18 io']);
  });
  it('NestJS: controller methods with their full paths', () => {
    assert.deepEqual(handlersIn('src/nest.controller.ts'), ['nestjs GET /orders/:id :6 io', 'nestjs POST /orders/bulk :11 io']);
  });
  it('Hono', () => {
    assert.deepEqual(handlersIn('src/hono-app.ts'), ['hono GET /orders :5 io']);
  });
  it('Next.js route handlers named by their folder', () => {
    assert.deepEqual(handlersIn('src/app/api/orders/route.ts'), ['nextjs GET /api/orders :3 io']);
  });
  it('AWS Lambda', () => {
    assert.deepEqual(handlersIn('src/lambda.ts'), ['lambda Lambda handler :3 io']);
  });
  it('http createServer and EventEmitter listeners', () => {
    assert.deepEqual(handlersIn('src/http-server.ts'), ["listener bus 'order' :5 none", 'http-server http server request :6 none']);
  });
  it('BullMQ workers and timers', () => {
    assert.deepEqual(handlersIn('src/queue.worker.ts'), ['bullmq Worker "orders" :4 io', 'timer setInterval 1000 :5 none']);
  });
  it('reports the fan-out in the Nest controller and the sync hash in Express', () => {
    const got = result.findings.map((f) => `${f.ruleId} ${path.relative(ROOT, f.location.file)}:${f.location.range.start.line + 1}`);
    assert.deepEqual(got, [
      'mixed-bound/cpu-beside-io src/express-app.ts:10',
      'blocking-cpu/sync-call src/express-app.ts:11',
      'unbounded-fanout/promise-all src/nest.controller.ts:13',
    ]);
  });
});
