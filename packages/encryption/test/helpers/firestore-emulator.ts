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
 * The Firestore emulator on FIRESTORE_EMULATOR_HOST when one answers, else
 * one started on a free port (stopped by `stop`). Without the binary: skip
 * the file, or fail under CHATCORE_REQUIRE_SERVICES=1.
 */
export async function startEmulator(): Promise<{ host: string; stop: () => void }> {
  const env = process.env.FIRESTORE_EMULATOR_HOST;
  if (env) {
    const i = env.lastIndexOf(':');
    if (await isReachable(env.slice(0, i), Number(env.slice(i + 1)), 500)) return { host: env, stop: () => {} };
  }
  if (!existsSync(BIN)) {
    await requireService('firestore');
    throw new Error(`The Firestore emulator binary is missing at ${BIN}.`);
  }
  const port = await freePort();
  const child: ChildProcess = spawn(BIN, ['start', '--host=127.0.0.1', `--port=${port}`], { detached: true, stdio: 'ignore' });
  const deadline = Date.now() + 60_000;
  while (!(await isReachable('127.0.0.1', port, 500))) {
    if (Date.now() > deadline || child.exitCode !== null) {
      try { process.kill(-child.pid!, 'SIGKILL'); } catch { /* gone */ }
      throw new Error(`The Firestore emulator did not start on port ${port} within 60 s.`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  const host = `127.0.0.1:${port}`;
  process.env.FIRESTORE_EMULATOR_HOST = host;
  return { host, stop: () => { try { process.kill(-child.pid!, 'SIGTERM'); } catch { /* gone */ } } };
}

/** Every document of the given collections, as the emulator's REST API returns them (raw stored values). */
export async function firestoreDump(host: string, projectId: string, collections: readonly string[]): Promise<string> {
  const parts: string[] = [];
  for (const c of collections) {
    let pageToken = '';
    do {
      const url = `http://${host}/v1/projects/${projectId}/databases/(default)/documents/${c}?pageSize=300${pageToken ? `&pageToken=${encodeURIComponent(pageToken)}` : ''}`;
      const res = await fetch(url, { headers: { Authorization: 'Bearer owner' } });
      const body = await res.text();
      parts.push(body);
      pageToken = (JSON.parse(body) as { nextPageToken?: string }).nextPageToken ?? '';
    } while (pageToken);
  }
  return parts.join('\n');
}
