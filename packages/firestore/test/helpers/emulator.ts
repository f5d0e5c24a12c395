import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import net from 'node:net';
import { randomBytes } from 'node:crypto';
import { isReachable, requireService } from '@chatcore/core/testing';
import { firestore, type FirestoreDriver, type FirestoreOptions } from '../../src/index.js';

const BIN = process.env.FIRESTORE_EMULATOR_BIN ?? '/usr/lib/google-cloud-sdk/platform/cloud-firestore-emulator/cloud_firestore_emulator';
process.env.METADATA_SERVER_DETECTION ??= 'none';

/** A running emulator: reused when one already answers, else started here and stopped by `stop()`. */
export interface Emulator {
  readonly host: string;
  stop(): Promise<void>;
}

function split(hostPort: string): { host: string; port: number } {
  const i = hostPort.lastIndexOf(':');
  return { host: hostPort.slice(0, i), port: Number(hostPort.slice(i + 1)) };
}

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
 * Reuse the emulator on FIRESTORE_EMULATOR_HOST (or 127.0.0.1:8080), or start
 * one on a free port. Without the emulator binary this behaves like
 * requireService: skip the file, or fail under CHATCORE_REQUIRE_SERVICES=1.
 */
export async function useEmulator(): Promise<Emulator> {
  for (const candidate of [process.env.FIRESTORE_EMULATOR_HOST, '127.0.0.1:8080']) {
    if (!candidate) continue;
    const { host, port } = split(candidate);
    if (await isReachable(host, port, 500)) {
      process.env.FIRESTORE_EMULATOR_HOST = candidate;
      return { host: candidate, stop: async () => {} };
    }
  }
  if (!existsSync(BIN)) {
    // Nothing listens and nothing can be started: skip cleanly, or fail in CI.
    await requireService('firestore');
    throw new Error(`The Firestore emulator binary is missing at ${BIN}; install google-cloud-cli-firestore-emulator.`);
  }
  const port = await freePort();
  const hostPort = `127.0.0.1:${port}`;
  const child: ChildProcess = spawn(BIN, ['start', '--host=127.0.0.1', `--port=${port}`], { detached: true, stdio: 'ignore', env: { ...process.env } });
  const deadline = Date.now() + 60_000;
  while (!(await isReachable('127.0.0.1', port, 500))) {
    if (Date.now() > deadline || child.exitCode !== null) {
      try { process.kill(-child.pid!, 'SIGKILL'); } catch { /* already gone */ }
      throw new Error(`The Firestore emulator did not start on ${hostPort} within 60 s.`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  process.env.FIRESTORE_EMULATOR_HOST = hostPort;
  return {
    host: hostPort,
    stop: async () => {
      try { process.kill(-child.pid!, 'SIGTERM'); } catch { /* already gone */ }
    },
  };
}

/** A random suffix for collection and project names, so test files never share data. */
export function suffix(): string {
  return randomBytes(5).toString('hex');
}

/** A driver on the emulator, in a project of its own. */
export function testDriver(emulator: Emulator, options: Partial<FirestoreOptions> = {}): FirestoreDriver {
  return firestore({ projectId: `chatcore-test-${suffix()}`, emulatorHost: emulator.host, ...options });
}
