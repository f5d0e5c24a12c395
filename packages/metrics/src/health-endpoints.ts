import type { IncomingMessage, ServerResponse } from 'node:http';
import type { HealthReport } from '@chatcore/core';
import { durationOption } from '@chatcore/core/plugin';
import type { Registry } from 'prom-client';
import { CachedRead, within } from './cached-read.js';
import type { MetricsPlugin } from './metrics-plugin.js';

/**
 * Options of `healthEndpoints()`.
 *
 * @example
 * ```ts
 * const options: HealthEndpointsOptions = { metrics: m, cacheMs: 500, paths: { readiness: '/ready' } };
 * ```
 */
export interface HealthEndpointsOptions {
  /** Serve `/metrics` from this plugin's registry (or any prom-client registry); without it `/metrics` is not served. */
  readonly metrics?: MetricsPlugin | Registry;
  /** Paths (defaults `/healthz`, `/readyz`, `/metrics`). */
  readonly paths?: { readonly liveness?: string; readonly readiness?: string; readonly metrics?: string };
  /** How long one `db.health()` answers readiness probes, in ms (default 1000, at most 2000). */
  readonly cacheMs?: number;
  /** How long readiness waits for `db.health()` before answering 503, in ms (default 1000). */
  readonly timeoutMs?: number;
  /** Put the component list of the health report in the readiness body (default true). */
  readonly details?: boolean;
}

/**
 * One answer of the endpoints, framework-neutral.
 *
 * @example
 * ```ts
 * const r: HealthResponse | undefined = await endpoints.respond('/readyz');
 * if (r) console.log(r.status, r.body);
 * ```
 */
export interface HealthResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/**
 * The reply methods the Fastify route uses (Fastify's `FastifyReply` has them).
 *
 * @example
 * ```ts
 * const send = (reply: FastifyReplyLike) => reply.code(200).header('content-type', 'text/plain').send('ok');
 * ```
 */
export interface FastifyReplyLike {
  code(status: number): FastifyReplyLike;
  header(name: string, value: string): FastifyReplyLike;
  send(body: string): unknown;
}

/**
 * The part of a Fastify instance the plugin uses.
 *
 * @example
 * ```ts
 * const routes: string[] = [];
 * const fake: FastifyLike = { get: (path) => { routes.push(path); } };
 * ```
 */
export interface FastifyLike {
  get(path: string, handler: (request: unknown, reply: FastifyReplyLike) => Promise<unknown>): unknown;
}

/**
 * The three endpoints in the shapes the common servers want.
 *
 * @example
 * ```ts
 * const endpoints: HealthEndpoints = healthEndpoints(db, { metrics: m });
 * http.createServer(endpoints.handle).listen(9464);
 * ```
 */
export interface HealthEndpoints {
  /**
   * A node:http request listener and Express middleware: answers the three
   * paths (GET and HEAD); any other path gets `next()` under Express, 404
   * under node:http.
   */
  readonly handle: (req: IncomingMessage, res: ServerResponse, next?: (error?: unknown) => void) => void;
  /** A Fastify plugin registering the three GET routes: `await app.register(endpoints.fastify)`. */
  readonly fastify: (instance: FastifyLike, options?: unknown) => Promise<void>;
  /** The answer for a path (undefined for a path it does not serve), for any other framework. */
  respond(path: string): Promise<HealthResponse | undefined>;
}

const JSON_TYPE = 'application/json; charset=utf-8';
const NO_STORE = 'no-store';

/**
 * Liveness, readiness and Prometheus endpoints for a database:
 *
 * - `/healthz`: 200 while the process answers (never touches the database);
 * - `/readyz`: `db.health()`, 503 when it is `down` (a required component
 *   such as the primary is down), 200 when `up` or `degraded`, the report
 *   as JSON in the body. One health check serves every probe for `cacheMs`
 *   (1 s), so a probe storm does not hammer the database;
 * - `/metrics`: the registry in Prometheus text format.
 *
 * @example
 * ```ts
 * const endpoints = healthEndpoints(db, { metrics: m });
 * http.createServer(endpoints.handle).listen(9464);     // node:http
 * app.use(endpoints.handle);                             // Express
 * await fastifyApp.register(endpoints.fastify);          // Fastify
 * ```
 */
export function healthEndpoints(db: { health(): Promise<HealthReport> }, options: HealthEndpointsOptions = {}): HealthEndpoints {
  // At most 2 s: readiness must follow the database closely.
  const cacheMs = durationOption(options.cacheMs, 'healthEndpoints.cacheMs', { min: 0, max: 2000 }) ?? 1000;
  const timeoutMs = durationOption(options.timeoutMs, 'healthEndpoints.timeoutMs', { min: 1 }) ?? 1000;
  const registry = options.metrics && 'registry' in options.metrics ? options.metrics.registry : options.metrics;
  const paths = { liveness: '/healthz', readiness: '/readyz', metrics: '/metrics', ...options.paths };
  const details = options.details ?? true;

  const health = new CachedRead<HealthReport>(
    () =>
      within(
        db.health().catch((e: unknown): HealthReport => ({ status: 'down', components: [{ name: 'health', status: 'down', error: e instanceof Error ? e.message : String(e) }] })),
        timeoutMs,
        (): HealthReport => ({ status: 'down', components: [{ name: 'health', status: 'down', error: `no health report within ${timeoutMs} ms` }] }),
      ),
    cacheMs,
  );

  const routes = new Map<string, () => Promise<HealthResponse>>([
    [paths.liveness, async () => ({ status: 200, headers: { 'content-type': JSON_TYPE, 'cache-control': NO_STORE }, body: '{"status":"up"}' })],
    [paths.readiness, async () => {
      const report = await health.get();
      const body = details ? report : { status: report.status };
      return { status: report.status === 'down' ? 503 : 200, headers: { 'content-type': JSON_TYPE, 'cache-control': NO_STORE }, body: JSON.stringify(body) };
    }],
  ]);
  if (registry) {
    routes.set(paths.metrics, async () => ({ status: 200, headers: { 'content-type': registry.contentType, 'cache-control': NO_STORE }, body: await registry.metrics() }));
  }

  const respond = async (path: string) => {
    const route = routes.get(path);
    return route ? route() : undefined;
  };

  const handle: HealthEndpoints['handle'] = (req, res, next) => {
    const route = routes.get(pathOf(req.url));
    if (!route) {
      if (next) next();
      else write(res, { status: 404, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: 'not found\n' }, false);
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      write(res, { status: 405, headers: { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' }, body: 'method not allowed\n' }, false);
      return;
    }
    route().then(
      (r) => write(res, r, req.method === 'HEAD'),
      (error: unknown) => {
        if (next) next(error);
        else write(res, { status: 500, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: 'internal error\n' }, false);
      },
    );
  };

  const fastify: HealthEndpoints['fastify'] = async (instance) => {
    for (const [path, route] of routes) {
      instance.get(path, async (_request, reply) => {
        const r = await route();
        reply.code(r.status);
        for (const [name, value] of Object.entries(r.headers)) reply.header(name, value);
        return reply.send(r.body);
      });
    }
  };

  return { handle, fastify, respond };
}

function pathOf(url: string | undefined): string {
  const raw = url ?? '/';
  const q = raw.indexOf('?');
  return q === -1 ? raw : raw.slice(0, q);
}

function write(res: ServerResponse, r: HealthResponse, headOnly: boolean): void {
  res.writeHead(r.status, { ...r.headers, 'content-length': Buffer.byteLength(r.body) });
  res.end(headOnly ? undefined : r.body);
}
