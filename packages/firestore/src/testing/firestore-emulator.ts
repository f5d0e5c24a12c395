import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { closedPort, isReachable, parseTarget, requireService } from '@chatcore/core/testing';

const DEFAULT_BIN = '/usr/lib/google-cloud-sdk/platform/cloud-firestore-emulator/cloud_firestore_emulator';

/**
 * A running Firestore emulator: reused, or started by this process and stopped by `stop()`.
 *
 * @example
 * ```ts
 * const emulator: FirestoreEmulator = await useFirestoreEmulator();
 * console.log(emulator.host); // also in FIRESTORE_EMULATOR_HOST
 * test.after(() => emulator.stop());
 * ```
 */
export interface FirestoreEmulator {
  /** `host:port`, also set as FIRESTORE_EMULATOR_HOST. */
  readonly host: string;
  stop(): Promise<void>;
}

/**
 * Google's Firestore emulator for a test file: the one on
 * FIRESTORE_EMULATOR_HOST (or 127.0.0.1:8080) when it answers, else one
 * started on a free port below the kernel's ephemeral range. Without the
 * emulator binary this behaves like
 * `requireService('firestore')`: the file is skipped, or fails under
 * CHATCORE_REQUIRE_SERVICES=1.
 *
 * @example
 * ```ts
 * const emulator = await useFirestoreEmulator();
 * test.after(() => emulator.stop());
 * ```
 */
export async function useFirestoreEmulator(): Promise<FirestoreEmulator> {
  process.env.METADATA_SERVER_DETECTION ??= 'none';
  for (const candidate of [process.env.FIRESTORE_EMULATOR_HOST, '127.0.0.1:8080']) {
    const target = parseTarget(candidate);
    if (target && (await isReachable(target.host, target.port, 500))) {
      const host = `${target.host}:${target.port}`;
      process.env.FIRESTORE_EMULATOR_HOST = host;
      return { host, stop: async () => {} };
    }
  }
  const bin = process.env.FIRESTORE_EMULATOR_BIN ?? DEFAULT_BIN;
  if (!existsSync(bin)) {
    await requireService('firestore');
    throw new Error(`The Firestore emulator binary is missing at ${bin}; install google-cloud-cli-firestore-emulator (and Java 17).`);
  }
  // Not a port from freePort(): that one is given back, and in the seconds the emulator takes to bind it a
  // listen(0) of another test file can take it. No listen(0) lands below the ephemeral range.
  const port = await closedPort();
  const hostPort = `127.0.0.1:${port}`;
  const child: ChildProcess = spawn(bin, ['start', '--host=127.0.0.1', `--port=${port}`], { detached: true, stdio: 'ignore' });
  const kill = (signal: NodeJS.Signals) => {
    try { process.kill(-child.pid!, signal); } catch { /* already gone, or never started */ }
  };
  // A child that cannot be spawned or dies early ends the wait at once; the
  // 'error' listener stays so that a later error does not crash the tests.
  let failure: Error | undefined;
  const ended = new Promise<void>((resolve) => {
    child.on('error', (error) => {
      failure ??= new Error(`The Firestore emulator could not be started from ${bin}: ${error.message}`, { cause: error });
      resolve();
    });
    child.once('exit', (code, signal) => {
      failure ??= new Error(`The Firestore emulator exited before it answered on ${hostPort} (${signal ? `signal ${signal}` : `exit code ${code}`}). Run ${bin} start by hand to see why (it needs Java 17).`);
      resolve();
    });
  });
  const deadline = Date.now() + 90_000;
  while (!(await isReachable('127.0.0.1', port, 500))) {
    if (failure || Date.now() > deadline) {
      kill('SIGKILL');
      throw failure ?? new Error(`The Firestore emulator did not start on ${hostPort} within 90 s.`);
    }
    await Promise.race([ended, new Promise((r) => setTimeout(r, 250))]);
  }
  process.env.FIRESTORE_EMULATOR_HOST = hostPort;
  // The emulator belongs to this test process: it must not keep the process
  // alive once its tests are done, and it goes when the process goes, whether
  // or not the test called stop().
  const stop = () => kill('SIGTERM');
  child.unref();
  process.once('exit', stop);
  return {
    host: hostPort,
    stop: async () => {
      process.off('exit', stop);
      stop();
    },
  };
}
