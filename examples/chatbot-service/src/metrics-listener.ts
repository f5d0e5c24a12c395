import type { RequestListener } from 'node:http';
import { ConfigError } from '@chatcore/core';
import { healthEndpoints, type MetricsPlugin } from '@chatcore/metrics';
import { sendJson } from './http-io.js';
import type { ChatbotDatabase } from './stack.js';

/**
 * The request listener of the metrics port: `/metrics` (GET and HEAD) in
 * Prometheus text format from the `metrics` section's registry, and a 404
 * for every other path. It serves neither the API nor the probes: those
 * stay on the public port, where the kubelet and the Dockerfile's
 * HEALTHCHECK ask for them. A database without the `metrics` section is a
 * ConfigError naming the fix, so METRICS_PORT set with nothing to serve
 * stops the start-up instead of opening an empty listener.
 *
 * @example
 * ```ts
 * http.createServer(metricsListener(db)).listen(9464, '127.0.0.1');
 * ```
 */
export function metricsListener(db: ChatbotDatabase): RequestListener {
  const plugin = db.plugin<MetricsPlugin>('metrics');
  if (!plugin) {
    throw new ConfigError('METRICS_PORT is set, but the configuration has no `metrics` section: add one (`metrics:` with `prefix: chatbot_`) or unset METRICS_PORT.');
  }
  const endpoints = healthEndpoints(db, { metrics: plugin, details: false });
  return (req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/metrics') endpoints.handle(req, res);
    else sendJson(res, 404, { error: { code: 'ROUTE_NOT_FOUND', message: `No route ${path} on the metrics port: it serves /metrics only.` } });
  };
}
