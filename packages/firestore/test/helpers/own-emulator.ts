import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { defineRepository, f } from '@chatcore/core';
import { closedPort, isReachable, requireService } from '@chatcore/core/testing';
import { firestore } from '../../src/index.js';

const pings = defineRepository('pings', { id: f.id() }, { table: 'probe' });

const BIN = process.env.FIRESTORE_EMULATOR_BIN ?? '/usr/lib/google-cloud-sdk/platform/cloud-firestore-emulator/cloud_firestore_emulator';

/**
 * A Firestore emulator that belongs to one test file, on a free port (never
 * the shared one): the test kills, stops and restarts it. Its data lives in
 * memory, so a restart starts empty.
 */
export interface OwnEmulator {
  readonly host: string;
  readonly port: number;
  /** Send a signal to the emulator's process group (SIGKILL, SIGSTOP, SIGCONT). */
  signal(signal: NodeJS.Signals): void;
  /** Start it again on the same port; resolves when it accepts TCP connections. */
  start(): Promise<void>;
  /** Resolves with performance.now() when a fresh client gets an answer. */
  answering(timeoutMs?: number): Promise<number>;
  stop(): Promise<void>;
}

/**
 * Start an emulator of the test's own (skips, or fails under
 * CHATCORE_REQUIRE_SERVICES=1, when the binary is missing).
 */
export async function ownEmulator(): Promise<OwnEmulator> {
  process.env.METADATA_SERVER_DETECTION ??= 'none';
  if (!existsSync(BIN)) {
    await requireService('firestore');
    throw new Error(`The Firestore emulator binary is missing at ${BIN}.`);
  }
  // Below the ephemeral range: while the emulator is killed and before it is started again on the same port, no
  // listen(0) of a test file running at the same time can take the port (one from freePort() it could).
  const port = await closedPort();
  const host = `127.0.0.1:${port}`;
  let child: ChildProcess | undefined;
  const signal = (sig: NodeJS.Signals) => {
    try {
      if (child?.pid) process.kill(-child.pid, sig);
    } catch { /* already gone */ }
  };
  const start = async () => {
    child = spawn(BIN, ['start', '--host=127.0.0.1', `--port=${port}`], { detached: true, stdio: 'ignore' });
    child.on('error', () => {});
    child.unref();
    const deadline = Date.now() + 90_000;
    while (!(await isReachable('127.0.0.1', port, 300))) {
      if (Date.now() > deadline) throw new Error(`the emulator did not start on ${host} within 90 s`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  const kill = () => signal('SIGKILL');
  process.once('exit', kill);
  await start();
  const answering = async (timeoutMs = 60_000) => {
    // A fresh client without retries or breaker: the first moment the emulator answers, not a backoff later.
    const client = firestore({ projectId: 'probe', emulatorHost: host, retry: false, breaker: false, callTimeout: 1000 });
    const deadline = Date.now() + timeoutMs;
    try {
      for (;;) {
        try {
          await client.getByIds(pings.schema, ['ping'], {});
          return performance.now();
        } catch (error) {
          if (Date.now() > deadline) throw error;
          await new Promise((r) => setTimeout(r, 20));
        }
      }
    } finally {
      await client.close();
    }
  };
  await answering();
  return {
    host,
    port,
    signal,
    start,
    answering,
    stop: async () => {
      process.off('exit', kill);
      signal('SIGCONT');
      kill();
    },
  };
}
