// The chatbot service: reads its stack from CHATCORE_CONFIG (default
// chatcore.yaml), listens on PORT (default 8080), serves /metrics only on
// METRICS_PORT (bound to METRICS_HOST, default 127.0.0.1; unset: /metrics is
// served nowhere), and on SIGTERM or SIGINT drains (CHATCORE_DRAIN_MS,
// default 25s), closes both listeners and exits 0. A PORT, METRICS_PORT,
// METRICS_HOST or CHATCORE_DRAIN_MS it cannot use stops it at once with exit
// code 2; a port it cannot bind, exit code 1. Logs are JSON lines on stdout.
import type { Server } from 'node:http';
import { resolve } from 'node:path';
import { createService, type ChatbotService, type Log } from './service.js';
import { openDatabase } from './stack.js';
import { readSettings, SettingsError, type ServiceSettings } from './settings.js';

const log: Log = (level, msg, fields = {}) => {
  process.stdout.write(JSON.stringify({ time: new Date().toISOString(), level, msg, ...fields }) + '\n');
};

let settings: ServiceSettings;
try {
  settings = readSettings(process.env);
} catch (error) {
  // Refused before anything starts: a mistyped PORT or CHATCORE_DRAIN_MS is not quietly replaced.
  log('error', 'bad environment', { problems: error instanceof SettingsError ? error.problems : [String(error)] });
  process.exit(2);
}
const configPath = resolve(settings.configPath);
const { port, host, drainMs, metrics } = settings;

let db;
let service: ChatbotService;
try {
  db = await openDatabase(configPath);
  await db.connect();
  service = createService(db, { log, drainMs, serveMetrics: metrics !== undefined });
} catch (error) {
  // ConfigError lists every problem with its YAML path and line, and never a secret.
  log('error', 'start-up failed', { config: configPath, error: error instanceof Error ? error.message : String(error) });
  await db?.close().catch(() => undefined);
  process.exit(1);
}

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    void service.shutdown(signal).then((code) => process.exit(code));
  });
}

try {
  // The metrics listener first: once the public port answers, everything is up.
  const metricsPort = service.metricsServer && metrics ? await listen(service.metricsServer, metrics.port, metrics.host, 'METRICS_PORT') : undefined;
  const publicPort = await listen(service.server, port, host, 'PORT');
  if (metricsPort === undefined) log('info', 'metrics not served', { hint: 'set METRICS_PORT (and METRICS_HOST) to serve /metrics on a listener of its own' });
  log('info', 'listening', { port: publicPort, ...(metrics ? { metricsPort, metricsHost: metrics.host } : {}), config: configPath, pid: process.pid });
} catch (error) {
  const { variable, message } = error as Error & { variable: string };
  log('error', 'cannot listen', { variable, error: message });
  await service.shutdown('cannot listen');
  process.exit(1);
}

/** Listen, resolving with the bound port; a failure (EADDRINUSE, EADDRNOTAVAIL) rejects naming `variable`. */
function listen(server: Server, port: number, host: string, variable: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const failed = (error: Error) => reject(Object.assign(error, { variable }));
    server.once('error', failed);
    server.listen(port, host, () => {
      server.off('error', failed);
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : port);
    });
  });
}
