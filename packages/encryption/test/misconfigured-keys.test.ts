import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDatabase, IntegrityError } from '@chatcore/core';
import { pglite } from '@chatcore/pglite';
import { encryption, type EncryptionPlugin, type KeyOption } from '../src/index.js';
import { messages, users } from './helpers/schemas.js';

// Keys that do not match the stored data: a new key listed first (the first
// key roots the blind indexes and row authenticators), or other material
// under a key id the data was written with.

const dir = mkdtempSync(join(tmpdir(), 'chatcore-enc-misconfigured-'));
const K1 = randomBytes(32).toString('base64');
const K2 = randomBytes(32).toString('base64');
const OTHER = randomBytes(32).toString('base64');
let ada = '';

function open(keys: KeyOption[]) {
  const db = createDatabase({ driver: pglite({ dataDir: dir }), repositories: { users, messages }, plugins: [encryption({ keys })], schemaMode: 'apply' });
  return { db, enc: db.plugin<EncryptionPlugin>('encryption')! };
}

async function withKeys<T>(keys: KeyOption[], fn: (o: ReturnType<typeof open>) => Promise<T>): Promise<T> {
  const o = open(keys);
  await o.db.connect();
  try {
    return await fn(o);
  } finally {
    await o.db.close();
  }
}

async function readError(keys: KeyOption[]): Promise<unknown> {
  return withKeys(keys, ({ db }) => db.users.get(ada).then(() => undefined, (e: unknown) => e));
}

test.before(async () => {
  await withKeys([{ id: 'k1', key: K1 }], async ({ db }) => {
    const rows = await db.users.createMany(Array.from({ length: 8 }, (_, i) => ({ name: `u${i}`, email: `u${i}@example.org`, ssn: `ssn-${i}` })));
    ada = rows[0]!.id;
    await db.messages.createMany(Array.from({ length: 3 }, (_, i) => ({ conversationId: 'c1', role: 'user' as const, body: `hello ${i}` })));
  });
});

test('a new key listed first: values still open under their own key ids, lookups by blind index find nothing', async () => {
  // The first key roots the blind indexes; the values are bound to their row, not to that root.
  await withKeys([{ id: 'k2', key: K2, active: true }, { id: 'k1', key: K1 }], async ({ db }) => {
    assert.is((await db.users.get(ada))?.ssn, 'ssn-0');
    assert.is(await db.users.findOne({ where: { email: 'u0@example.org' } }), null);
  });
});

test('other material under the key id: the IntegrityError names that key\'s configuration as a cause', async () => {
  const e = await readError([{ id: 'k1', key: OTHER }]);
  assert.instance(e, IntegrityError);
  assert.match((e as Error).message, /of users does not match its row authenticator: the value of users\.\w+ \(key k1\) was altered, copied from another record or field, or written back from an earlier state of the record \(restore it from a backup\), or key k1 is configured with other material than it was written with/);
});

test('the right keys: checkKeys reads a sample and finds nothing; health is up', async () => {
  await withKeys([{ id: 'k1', key: K1 }, { id: 'k2', key: K2, active: true }], async ({ db, enc }) => {
    const check = await enc.checkKeys();
    assert.equal([check.failed, check.keysMismatch, check.diagnosis], [0, false, undefined]);
    assert.is(check.scanned, 6 + 3); // the first 3 users and 3 of the newest, the 3 messages
    const health = (await db.health()).components.find((c) => c.name === 'encryption')!;
    assert.is(health.status, 'up');
    assert.is(health.details?.keyCheck, 'ok');
  });
});

test('a new key listed first: checkKeys and health say the key order changed', async () => {
  await withKeys([{ id: 'k2', key: K2, active: true }, { id: 'k1', key: K1 }], async ({ db, enc }) => {
    const check = await enc.checkKeys();
    assert.ok(check.keysMismatch);
    assert.match(check.diagnosis!, /^The configured keys do not match the stored data: no row authenticator or blind index matches the first key listed, k2, which roots them: the key order changed \(list the original first key first again\) or k2 is configured with other material/);
    const health = (await db.health()).components.find((c) => c.name === 'encryption')!;
    assert.is(health.status, 'down');
    assert.is(health.error, check.diagnosis);
    const full = await enc.verify();
    // The 8 users' blind indexes; the messages (no searchable value, bound rows) do not depend on the first key.
    assert.equal([full.scanned, full.failed, full.keysMismatch], [11, 8, true]);
  });
});

test('other material under the key id: checkKeys and health name the key id', async () => {
  await withKeys([{ id: 'k1', key: OTHER }], async ({ db, enc }) => {
    const check = await enc.checkKeys({ rowsPerRepository: 1 });
    assert.is(check.scanned, 1 + 1 + 1 + 1);
    assert.ok(check.keysMismatch);
    assert.match(check.diagnosis!, /^The configured keys do not match the stored data: wrong material for key id k1 \(none of its \d+ value\(s\) decrypt\)\.$/);
    assert.is((await db.health()).components.find((c) => c.name === 'encryption')!.status, 'down');
  });
});

test('one altered row among good ones is not a key problem: health stays up, verify says restore it', async () => {
  await withKeys([{ id: 'k1', key: K1 }], async ({ db, enc }) => {
    const [a, b] = await db.users.find({ limit: 2, orderBy: { id: 'asc' } });
    const exec = (sql: string) => (db.driver as unknown as { executor: { execute(q: { sql: string; parameters: unknown[] }): Promise<unknown> } }).executor.execute({ sql, parameters: [] });
    await exec(`update users set ssn = (select ssn from users where id = '${b!.id}') where id = '${a!.id}'`);
    const full = await enc.verify();
    assert.equal([full.failed, full.keysMismatch], [1, false]);
    assert.match(full.diagnosis!, /1 stored value\(s\) or row\(s\) fail authentication while the others check/);
    assert.is((await db.health()).components.find((c) => c.name === 'encryption')!.status, 'up');
  });
});

test.after(() => rmSync(dir, { recursive: true, force: true }));
test.run();
