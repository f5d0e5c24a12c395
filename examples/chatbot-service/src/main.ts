// The chatbot service: reads its stack from CHATCORE_CONFIG (default
// chatcore.yaml), listens on PORT (default 8080), and on SIGTERM or SIGINT
// drains and exits 0. Logs are JSON lines on stdout.
import { resolve } from 'node:path';
import { createService, type Log } from './service.js';
import { openDatabase } from './stack.js';

const log: Log = (level, msg, fields = {}) => {
  process.stdout.write(JSON.stringify({ time: new Date().toISOString(), level, msg, ...fields }) + '\n');
};

const configPath = resolve(process.env.CHATCORE_CONFIG ?? 'chatcore.yaml');
const port = Number(process.env.PORT ?? 8080);
const host = process.env.HOST ?? '0.0.0.0';
const drainMs = Number(process.env.CHATCORE_DRAIN_MS ?? 25_000);

let db;
try {
  db = await openDatabase(configPath);
  await db.connect();
} catch (error) {
  // ConfigError lists every problem with its YAML path and line, and never a secret.
  log('error', 'start-up failed', { config: configPath, error: error instanceof Error ? error.message : String(error) });
  await db?.close().catch(() => undefined);
  process.exit(1);
}

const service = createService(db, { log, drainMs });
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    void service.shutdown(signal).then((code) => process.exit(code));
  });
}
service.server.listen(port, host, () => {
  const address = service.server.address();
  log('info', 'listening', { port: typeof address === 'object' && address ? address.port : port, config: configPath, pid: process.pid });
});
