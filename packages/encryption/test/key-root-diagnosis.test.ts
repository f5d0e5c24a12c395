import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDatabase } from '@chatcore/core';
import { pglite } from '@chatcore/pglite';
import { encryption, type EncryptionPlugin, type KeyOption } from '../src/index.js';
import { messages, users } from './helpers/schemas.js';

// The first key listed roots the blind indexes and row authenticators. When none matches, the diagnosis says what
// the scan can tell: the order changed (the first key decrypts values of its own), or its order or its material.

const dirs: string[] = [];
const K1 = randomBytes(32).toString('base64');
const K2 = randomBytes(32).toString('base64');
const OTHER = randomBytes(32).toString('base64');

async function withKeys<T>(dir: string, keys: KeyOption[], fn: (db: ReturnType<typeof open>) => Promise<T>): Promise<T> {
  const db = open(dir, keys);
  await db.connect();
  try {
    return await fn(db);
  } finally {
    await db.close();
  }
}

function open(dir: string, keys: KeyOption[]) {
  return createDatabase({ driver: pglite({ dataDir: dir }), repositories: { users, messages }, plugins: [encryption({ keys })], schemaMode: 'apply' });
}

function fresh(): string {
  const dir = mkdtempSync(join(tmpdir(), 'chatcore-enc-root-'));
  dirs.push(dir);
  return dir;
}

const user = (i: number) => ({ name: `u${i}`, email: `u${i}@example.com`, ssn: `00${i}` }) as never;

test('every value under a later key, the first key with other material: the diagnosis names both possible causes, not only the order', async () => {
  const dir = fresh();
  await withKeys(dir, [{ id: 'k1', key: K1 }, { id: 'k2', key: K2, active: true }], (db) => db.users.createMany([1, 2, 3].map(user)));
  await withKeys(dir, [{ id: 'k1', key: OTHER }, { id: 'k2', key: K2, active: true }], async (db) => {
    const check = await db.plugin<EncryptionPlugin>('encryption')!.checkKeys();
    assert.ok(check.keysMismatch);
    assert.is(check.diagnosis, 'The configured keys do not match the stored data: no row authenticator or blind index matches the first key listed, k1, which roots them: the key order changed (list the original first key first again) or k1 is configured with other material than the rows were written with.');
  });
});

test('the first key decrypts values of its own: the order changed', async () => {
  const dir = fresh();
  await withKeys(dir, [{ id: 'k1', key: K1, active: true }], (db) => db.users.createMany([1, 2].map(user)));
  await withKeys(dir, [{ id: 'k1', key: K1 }, { id: 'k2', key: K2, active: true }], (db) => db.users.createMany([3, 4].map(user)));
  await withKeys(dir, [{ id: 'k2', key: K2, active: true }, { id: 'k1', key: K1 }], async (db) => {
    const check = await db.plugin<EncryptionPlugin>('encryption')!.checkKeys();
    assert.ok(check.keysMismatch);
    assert.match(check.diagnosis!, /^The configured keys do not match the stored data: no row authenticator or blind index matches: key order changed \(the first key listed, now k2, decrypts its own values but does not root the stored blind indexes and row authenticators; list the original first key first again\)\.$/);
  });
});

test.after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
test.run();
