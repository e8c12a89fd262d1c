/**
 * The yardstick: a bare Fastify app (logger off) serving fixed bytes on the given routes — the
 * same bytes and headers mock-entra serves, captured by the runner.
 *
 *   node bench/.build/servers/bare-fastify.js <port> <routes.json>
 */
import { readFileSync } from 'node:fs';
import Fastify from 'fastify';

interface Route {
  path: string;
  headers: Record<string, string>;
  body: string;
}

const port = Number(process.argv[2]);
const routes = JSON.parse(readFileSync(process.argv[3]!, 'utf8')) as Route[];
const app = Fastify({ logger: false });
for (const r of routes) app.get(r.path, (_request, reply) => reply.headers(r.headers).send(r.body));
await app.listen({ host: '127.0.0.1', port });
