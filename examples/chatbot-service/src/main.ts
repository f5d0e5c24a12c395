// The chatbot service: reads its stack from CHATCORE_CONFIG (default
// chatcore.yaml), listens on PORT (default 8080), and on SIGTERM or SIGINT
// drains (CHATCORE_DRAIN_MS, default 25s) and exits 0. A PORT or
// CHATCORE_DRAIN_MS it cannot use stops it at once with exit code 2. Logs
// are JSON lines on stdout.
import { resolve } from 'node:path';
import { createService, type Log } from './service.js';
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
const { port, host, drainMs } = settings;

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
