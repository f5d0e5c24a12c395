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

test('a new key listed first: the read fails and the IntegrityError names the key order as a cause', async () => {
  const e = await readError([{ id: 'k2', key: K2, active: true }, { id: 'k1', key: K1 }]);
  assert.instance(e, IntegrityError);
  assert.match((e as Error).message, /does not match its row authenticator/);
  assert.match((e as Error).message, /or the key that roots row authenticators changed \(the first key in encryption\.keys, or blind_index\.key\)/);
});

test('other material under the key id: the IntegrityError names that key\'s configuration as a cause', async () => {
  const e = await readError([{ id: 'k1', key: OTHER }]);
  assert.instance(e, IntegrityError);
  assert.match((e as Error).message, /failed authentication: it was altered or copied from another record or field \(restore it from a backup\), or key k1 is configured with other material than it was written with/);
});

test.after(() => rmSync(dir, { recursive: true, force: true }));
test.run();
