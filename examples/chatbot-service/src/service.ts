import http, { type RequestListener, type Server } from 'node:http';
import { healthEndpoints } from '@chatcore/metrics';
import { apiRoutes } from './api-routes.js';
import { errorResponse } from './error-response.js';
import { sendJson } from './http-io.js';
import { metricsListener } from './metrics-listener.js';
import { router } from './router.js';
import type { ChatbotDatabase } from './stack.js';

/**
 * One line of the service log (JSON on stdout).
 *
 * @example
 * ```ts
 * const log: Log = (level, msg, fields) => console.log(JSON.stringify({ level, msg, ...fields }));
 * ```
 */
export type Log = (level: 'info' | 'warn' | 'error', msg: string, fields?: Record<string, unknown>) => void;

/**
 * The HTTP service and its shutdown.
 *
 * @example
 * ```ts
 * const service: ChatbotService = createService(db, { log });
 * service.server.listen(8080);
 * process.once('SIGTERM', () => void service.shutdown('SIGTERM').then((code) => process.exit(code)));
 * ```
 */
export interface ChatbotService {
  /** The public port's server: the API, `/healthz` and `/readyz`; never `/metrics`. */
  readonly server: Server;
  /** With `serveMetrics`, the server of `/metrics` alone: listen on it on another port (METRICS_PORT) than `server`. */
  readonly metricsServer: Server | undefined;
  /** Requests being answered now, on both servers. */
  inFlight(): number;
  /**
   * Stop accepting connections on both servers, let the requests in flight
   * finish (at most `drainMs`), then close the database (flushes the audit
   * trail, closes pools). Resolves with the exit code: 0 when every request
   * finished and the database closed cleanly, 1 otherwise. Later calls
   * return the same promise.
   */
  shutdown(reason: string): Promise<number>;
}

/**
 * Options of `createService`.
 *
 * @example
 * ```ts
 * const options: ServiceOptions = { log, drainMs: 25_000 };
 * ```
 */
export interface ServiceOptions {
  readonly log: Log;
  /** How long shutdown waits for requests in flight (default 25 s: under Kubernetes' 30 s grace period). */
  readonly drainMs?: number;
  /**
   * Make `metricsServer`, which serves `/metrics` and nothing else (default
   * false: `/metrics` is served nowhere). The database needs the `metrics`
   * section; without it `createService` throws a ConfigError.
   */
  readonly serveMetrics?: boolean;
}

/**
 * The chatbot API, `/healthz` and `/readyz` on one node:http server over a
 * connected database, and with `serveMetrics` a second server for
 * `/metrics`. `/readyz` answers the status only (`{"status":"up"}`), never
 * the health report's components. The public server answers 404 for
 * `/metrics`: the series name every repository, operation and error code,
 * and the pool and cache figures, which are for the operator's scraper
 * only.
 *
 * @example
 * ```ts
 * const db = await openDatabase('chatcore.yaml');
 * await db.connect();
 * const service = createService(db, { log, serveMetrics: true });
 * service.server.listen(8080);
 * service.metricsServer!.listen(9464, '127.0.0.1');
 * ```
 */
export function createService(db: ChatbotDatabase, options: ServiceOptions): ChatbotService {
  const { log } = options;
  const drainMs = options.drainMs ?? 25_000;
  // This is the public API port: readiness answers {"status": ...} only. The full report names hosts and ports
  // in connection errors, the audit stream and the active key id (db.health() has it for an operator's tools).
  const health = healthEndpoints(db, { details: false });
  const dispatch = router(apiRoutes(db));
  const active = new Set<http.ServerResponse>();
  let stopping: Promise<number> | undefined;
  let drained: (() => void) | undefined;

  // Both servers' requests count as in flight: a scrape under way when the drain starts gets its answer too.
  const tracked = (handler: RequestListener): RequestListener => (req, res) => {
    active.add(res);
    // While draining, each answer closes its connection, so keep-alive clients reconnect elsewhere.
    if (stopping) res.setHeader('connection', 'close');
    res.once('close', () => {
      active.delete(res);
      if (stopping && active.size === 0) drained?.();
    });
    handler(req, res);
  };
  const server = http.createServer(tracked((req, res) => health.handle(req, res, () => {
    dispatch(req, res).catch((error: unknown) => {
      const r = errorResponse(error);
      if (r.status >= 500) log('error', 'request failed', { method: req.method, path: req.url?.split('?')[0], code: r.body.error.code, error: describe(error) });
      if (res.headersSent) res.destroy();
      else sendJson(res, r.status, r.body);
    });
  })));
  const metricsServer = options.serveMetrics ? http.createServer(tracked(metricsListener(db))) : undefined;
  const servers = metricsServer ? [server, metricsServer] : [server];

  const shutdown = (reason: string): Promise<number> => {
    stopping ??= (async () => {
      let clean = true;
      // Both listeners stop accepting at once; a server that never listened calls back at once.
      const closed = Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
      for (const s of servers) s.closeIdleConnections();
      for (const res of active) if (!res.headersSent) res.setHeader('connection', 'close');
      log('info', 'shutting down', { reason, inFlight: active.size });
      if (active.size > 0) {
        const allDone = new Promise<void>((resolve) => (drained = resolve));
        let timer: NodeJS.Timeout | undefined;
        const timedOut = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), drainMs)));
        if (await Promise.race([allDone.then(() => false), timedOut])) {
          clean = false;
          log('warn', 'requests still in flight after the drain period; closing their connections', { inFlight: active.size, drainMs });
        }
        clearTimeout(timer);
      }
      for (const s of servers) s.closeAllConnections();
      await closed;
      try {
        await db.close();
      } catch (error) {
        clean = false;
        log('error', 'closing the database failed', { error: describe(error) });
      }
      log('info', 'stopped', { clean });
      return clean ? 0 : 1;
    })();
    return stopping;
  };

  return { server, metricsServer, inFlight: () => active.size, shutdown };
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
