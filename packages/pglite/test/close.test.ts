import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ConnectionError, createDatabase, defineRepository, f } from '@chatcore/core';
import { pglite } from '../src/index.js';

const users = defineRepository('users', { id: f.id(), name: f.string(), version: f.version() });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function open() {
  const db = createDatabase({ driver: pglite({}), repositories: { users } });
  await db.connect();
  return db;
}

test('a transaction running when the database is closed fails saying the database was closed, not that a server is down', async () => {
  const db = await open();
  let inside!: () => void;
  const started = new Promise<void>((r) => { inside = r; });
  const outcome = db.transaction(async (tx) => {
    await tx.users.create({ name: 'first' });
    inside();
    await sleep(200);
    await tx.users.create({ name: 'second' });
  }).then(() => undefined, (err: unknown) => err);
  await started;
  await db.close();
  const err = await outcome;
  assert.instance(err, ConnectionError, String(err));
  assert.match((err as Error).message, /database was closed/);
  assert.not.match((err as Error).message, /server is up|may be retried/);
});

test.run();
