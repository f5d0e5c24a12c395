import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import net from 'node:net';
import { isReachable, requireService } from '@chatcore/core/testing';

const BIN = process.env.FIRESTORE_EMULATOR_BIN ?? '/usr/lib/google-cloud-sdk/platform/cloud-firestore-emulator/cloud_firestore_emulator';
process.env.METADATA_SERVER_DETECTION ??= 'none';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

/**
 * The Firestore emulator for a test file: the one on FIRESTORE_EMULATOR_HOST
 * when it answers, else one started here (stopped by `stop`). Without the
 * binary the file is skipped, or fails under CHATCORE_REQUIRE_SERVICES=1.
 */
export async function startEmulator(): Promise<{ host: string; stop(): void }> {
  const existing = process.env.FIRESTORE_EMULATOR_HOST;
  if (existing) {
    const i = existing.lastIndexOf(':');
    if (await isReachable(existing.slice(0, i), Number(existing.slice(i + 1)), 500)) return { host: existing, stop() {} };
  }
  if (!existsSync(BIN)) {
    await requireService('firestore');
    throw new Error(`The Firestore emulator binary is missing at ${BIN}.`);
  }
  const port = await freePort();
  const child: ChildProcess = spawn(BIN, ['start', '--host=127.0.0.1', `--port=${port}`], { detached: true, stdio: 'ignore' });
  const deadline = Date.now() + 90_000;
  while (!(await isReachable('127.0.0.1', port, 500))) {
    if (Date.now() > deadline || child.exitCode !== null) {
      try { process.kill(-child.pid!, 'SIGKILL'); } catch { /* gone */ }
      throw new Error(`The Firestore emulator did not start on port ${port}.`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  const host = `127.0.0.1:${port}`;
  process.env.FIRESTORE_EMULATOR_HOST = host;
  return { host, stop() { try { process.kill(-child.pid!, 'SIGTERM'); } catch { /* gone */ } } };
}
