import { test } from 'uvu';
import * as assert from 'uvu/assert';
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { AbortedError, ConnectionError, createDatabase, defineRepository, f } from '@chatcore/core';
import { useFirestoreEmulator } from '../src/testing/index.js';
import { suffix, testDriver } from './helpers/emulator.js';

// A TCP proxy in front of the emulator that can drop the connection right
// after forwarding the next bytes the client sends (the commit reaches
// Firestore and is applied, but the client never hears back), or drop it
// after swallowing them (the commit was sent, and never reaches Firestore).
const emulator = await useFirestoreEmulator();
const [upHost, upPort] = emulator.host.split(':') as [string, string];
let dropNext = false;
let swallowNext = false;
const sockets = new Set<net.Socket>();
const proxy = net.createServer((client) => {
  const upstream = net.connect(Number(upPort), upHost);
  for (const s of [client, upstream]) {
    sockets.add(s);
    s.on('error', () => {});
    s.on('close', () => sockets.delete(s));
  }
  let muted = false;
  upstream.on('data', (chunk) => { if (!muted) client.write(chunk); });
  client.on('data', (chunk) => {
    if (swallowNext) {
      swallowNext = false;
      muted = true;
      setTimeout(() => { client.destroy(); upstream.destroy(); }, 300);
    }
    if (muted) return;
    upstream.write(chunk);
    if (!dropNext) return;
    dropNext = false;
    muted = true; // the answer never reaches the client
    // Long enough for the emulator to apply the commit before the client loses the connection.
    setTimeout(() => { client.destroy(); upstream.destroy(); }, 300);
  });
  client.on('close', () => upstream.destroy());
  upstream.on('close', () => client.destroy());
});
await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
const proxyHost = `127.0.0.1:${(proxy.address() as net.AddressInfo).port}`;

const counters = defineRepository('counters', { id: f.id(), n: f.integer() }, { table: `fate_${suffix()}` });
const direct = createDatabase({ driver: testDriver(emulator), repositories: { counters } });
const viaProxy = createDatabase({ driver: testDriver({ host: proxyHost, stop: async () => {} }, { projectId: (direct.driver as ReturnType<typeof testDriver>).options.projectId }), repositories: { counters } });
await direct.connect();
await viaProxy.connect();

test('a transaction whose commit was sent and then lost is not run again: one increment, and the error says the outcome is unknown', async () => {
  const c = await direct.counters.create({ n: 0 });
  let attempts = 0;
  const error = await viaProxy.transaction(async (tx) => {
    attempts++;
    const row = await tx.counters.get(c.id);
    await tx.counters.update(c.id, { n: row!.n + 1 });
    dropNext = true; // the next bytes out are the commit
  }).catch((e: unknown) => e);
  assert.instance(error, ConnectionError, String(error));
  assert.is((error as ConnectionError).info.outcome, 'unknown');
  assert.match((error as Error).message, /may or may not have been applied/);
  assert.is(attempts, 1, 'the SDK re-ran the transaction after a commit of unknown fate');
  await sleep(500);
  assert.is((await direct.counters.get(c.id))!.n, 1, 'applied exactly once');
});

test('a batched create whose commit was applied but whose answer was lost: one lookup finds it, and the create succeeds', async () => {
  dropNext = false;
  await viaProxy.counters.get('warm-up'); // a fresh connection through the proxy
  dropNext = true;
  const id = `fate-${suffix()}`;
  const created = await viaProxy.counters.create({ id, n: 7 });
  assert.is(created.id, id);
  assert.is(created.n, 7);
  await sleep(500);
  assert.is((await direct.counters.get(id))?.n, 7, 'the commit did reach Firestore');
});

test('createMany whose commit was applied but whose answer was lost succeeds, every record once', async () => {
  await viaProxy.counters.get('warm-up');
  dropNext = true;
  const ids = [1, 2, 3].map((i) => `many-${i}-${suffix()}`);
  const created = await viaProxy.counters.createMany(ids.map((id, i) => ({ id, n: i })));
  assert.equal(created.map((r) => r.id), ids);
  assert.equal((await direct.counters.getMany(ids)).map((r) => r.n).sort(), [0, 1, 2]);
});

test('a batched create whose commit was sent but never reached Firestore keeps the unknown-outcome error, and is not resent', async () => {
  await viaProxy.counters.get('warm-up');
  swallowNext = true;
  const id = `lost-${suffix()}`;
  const error = await viaProxy.counters.create({ id, n: 9 }).catch((e: unknown) => e);
  assert.instance(error, ConnectionError, `${String(error)} ${JSON.stringify((error as ConnectionError).info)}`);
  assert.is((error as ConnectionError).info.outcome, 'unknown');
  assert.is((error as ConnectionError).info.lookup, 'absent');
  assert.match((error as Error).message, /may or may not have been applied.*found none of the records/);
  await sleep(500);
  assert.is(await direct.counters.get(id), null, 'nothing was applied, and nothing was sent again');
});

test('a create whose signal fired before it was sent is never sent afterwards', async () => {
  const controller = new AbortController();
  controller.abort();
  const id = `never-${suffix()}`;
  const error = await viaProxy.counters.create({ id, n: 1 }, { signal: controller.signal }).catch((e: unknown) => e);
  assert.instance(error, AbortedError);
  await sleep(500);
  assert.is(await direct.counters.get(id), null);
});

test.after(async () => {
  await viaProxy.close();
  await direct.close();
  for (const s of sockets) s.destroy();
  await new Promise((resolve) => proxy.close(resolve));
  await emulator.stop();
});
test.run();
