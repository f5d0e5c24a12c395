import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createDatabase, IntegrityError, KeyError, type SecurityEvent } from '@chatcore/core';
import { memoryDriver } from '@chatcore/core/driver';
import { encryption, Keyring, localKeyProvider, type EncryptionPlugin } from '../src/index.js';
import { ValueCipher } from '../src/crypto/value-cipher.js';
import { encodeValue } from '../src/crypto/plaintext-codec.js';
import { KEY_A, KEY_B, highEntropy } from './helpers/keys.js';
import { users, messages } from './helpers/schemas.js';

const events: SecurityEvent[] = [];
const driver = memoryDriver();
const db = createDatabase({
  driver,
  repositories: { users, messages },
  plugins: [
    { name: 'recorder', onSecurityEvent: (e: SecurityEvent) => void events.push(e) },
    encryption({ keys: [{ id: 'k1', key: KEY_A }] }),
  ],
});
await db.connect();
const schema = (n: string) => db.schemas.get(n)!;
const setRaw = (n: string, id: string, set: Record<string, unknown>) => driver.update(schema(n), { ids: [id] }, { set, increment: {} }, {});
const getRaw = async (n: string, id: string) => (await driver.getByIds(schema(n), [id], {}))[0]!;

async function expectError<E>(cls: new (...a: never[]) => E, run: () => Promise<unknown>, what: string): Promise<E> {
  try {
    await run();
  } catch (e) {
    assert.instance(e, cls, what);
    return e as E;
  }
  assert.unreachable(`${what}: no error`);
  throw new Error('unreachable');
}

test('a ciphertext swapped between two rows fails with IntegrityError and a security event', async () => {
  const secretA = highEntropy();
  const a = await db.users.create({ name: 'a', email: `${highEntropy()}@a.io`, ssn: secretA });
  const b = await db.users.create({ name: 'b', email: `${highEntropy()}@b.io`, ssn: highEntropy() });
  await setRaw('users', b.id, { ssn: (await getRaw('users', a.id)).ssn });
  const before = events.length;
  const err = await expectError(IntegrityError, () => db.users.get(b.id), 'row swap');
  assert.not.match(err.message, secretA);
  assert.match(err.message, /users\.ssn/);
  assert.match(err.message, /k1/);
  await new Promise((r) => setTimeout(r, 10));
  const event = events.slice(before).find((e) => e.type === 'integrity_failure');
  assert.ok(event, 'security event reported');
  assert.equal(event!.ids, [b.id]);
  assert.is(event!.repository, 'users');
  assert.not.match(JSON.stringify(event), secretA);
});

test('a ciphertext moved to another field of the same row fails with IntegrityError', async () => {
  const u = await db.users.create({ name: 'c', email: `${highEntropy()}@c.io`, ssn: highEntropy() });
  await setRaw('users', u.id, { phone: (await getRaw('users', u.id)).ssn });
  await expectError(IntegrityError, () => db.users.get(u.id), 'field swap');
});

test('a sealed envelope copied to another record fails with IntegrityError', async () => {
  const m1 = await db.messages.create({ conversationId: 'c', role: 'user', body: highEntropy() });
  const m2 = await db.messages.create({ conversationId: 'c', role: 'user', body: highEntropy() });
  await setRaw('messages', m2.id, { sealed: (await getRaw('messages', m1.id)).sealed });
  await expectError(IntegrityError, () => db.messages.get(m2.id), 'envelope swap');
});

test('flipping any single byte of a stored ciphertext makes the read fail, never return data', async () => {
  const u = await db.users.create({ name: 'flip', email: `${highEntropy()}@f.io`, ssn: highEntropy() });
  const original = (await getRaw('users', u.id)).ssn as string;
  const bytes = Buffer.from(original, 'base64url');
  const keyIdBytes = new Set([2, 3, 4]); // the key id length and 'k1'
  for (let i = 0; i < bytes.length; i++) {
    for (const mask of [0x01, 0x80, 0xff]) {
      const t = Buffer.from(bytes);
      t[i]! ^= mask;
      await setRaw('users', u.id, { ssn: t.toString('base64url') });
      try {
        await db.users.get(u.id);
        assert.unreachable(`byte ${i} mask ${mask} accepted`);
      } catch (e) {
        // A flip in the key id (or its length) that spells another valid id reads as that missing key: KeyError, still no data.
        const ok = e instanceof IntegrityError || (keyIdBytes.has(i) && e instanceof KeyError);
        assert.ok(ok, `byte ${i} mask ${mask}: ${(e as Error).name}`);
        if (mask === 0xff) assert.instance(e, IntegrityError, `byte ${i} mask 0xff`);
      }
    }
  }
  await setRaw('users', u.id, { ssn: original.slice(0, -2) });
  await expectError(IntegrityError, () => db.users.get(u.id), 'truncated');
  await setRaw('users', u.id, { ssn: original });
  assert.is((await db.users.get(u.id))!.ssn, u.ssn);
});

test('a value written under a key id the keyring lacks fails with KeyError naming the id, not key material', async () => {
  const other = await Keyring.load({ keys: [{ id: 'k-missing', key: KEY_B }] }, localKeyProvider());
  const u = await db.users.create({ name: 'k', email: `${highEntropy()}@k.io` });
  const foreign = new ValueCipher(other, 'users', 'ssn').seal(encodeValue('x', 'string'), u.id);
  await setRaw('users', u.id, { ssn: foreign });
  const before = events.length;
  const err = await expectError(KeyError, () => db.users.get(u.id), 'missing key');
  assert.match(err.message, /k-missing/);
  await new Promise((r) => setTimeout(r, 10));
  const event = events.slice(before).find((e) => e.type === 'key_missing');
  assert.ok(event, 'a key_missing security event');
  assert.equal(event!.ids, [u.id]);
  assert.is(err.info.keyId, 'k-missing');
  assert.not.match(err.message, KEY_B);
  assert.not.match(JSON.stringify(err.info), KEY_B);
});

test('the wrong key under the right key id fails with IntegrityError', async () => {
  const wrong = await Keyring.load({ keys: [{ id: 'k1', key: KEY_B }] }, localKeyProvider());
  const u = await db.users.create({ name: 'w', email: `${highEntropy()}@w.io` });
  await setRaw('users', u.id, { ssn: new ValueCipher(wrong, 'users', 'ssn').seal(encodeValue('x', 'string'), u.id) });
  await expectError(IntegrityError, () => db.users.get(u.id), 'wrong key');
});

test('verify decrypts every stored value and lists the tampered and key-less ones, without their values', async () => {
  const enc = db.plugin<EncryptionPlugin>('encryption')!;
  const result = await enc.verify({ repository: 'users' });
  assert.ok(result.values > 10);
  // What the tests above left tampered: the swapped row (ssn), the moved field (phone), the wrong key (ssn)
  // and the missing key id (ssn); the flipped value was restored.
  assert.equal(
    result.findings.map((f) => [f.field, f.problem]).sort(),
    [['phone', 'integrity'], ['ssn', 'integrity'], ['ssn', 'integrity'], ['ssn', 'key_missing']],
  );
  assert.is(result.failed, 4);
  assert.ok(result.findings.some((f) => f.keyId === 'k-missing'));
  const messages = await enc.verify({ repository: 'messages' });
  assert.is(messages.failed, 1, 'the envelope copied to another record');
  assert.is(messages.findings[0]!.field, 'sealed');
});

test.after(async () => {
  await db.close();
});
test.run();
