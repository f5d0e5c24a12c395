import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { randomBytes } from 'node:crypto';
import { createDatabase, IntegrityError } from '@chatcore/core';
import { memoryDriver } from '@chatcore/core/driver';
import { pglite } from '@chatcore/pglite';
import { encryption, type EncryptionPlugin } from '../src/index.js';
import { users } from './helpers/schemas.js';

// Values that are no ciphertext at all in an encrypted column: a field marked
// sensitive() while it held plaintext. That is not a key problem, and the
// verification must not blame a key.

const K1 = randomBytes(32).toString('base64');

async function withStoredPlaintext(rows: 'all' | 'one', fn: (db: ReturnType<typeof open>['db'], enc: EncryptionPlugin, firstId: string) => Promise<void>): Promise<void> {
  const { db, enc } = open();
  await db.connect();
  try {
    const created = await db.users.createMany(Array.from({ length: 5 }, (_, i) => ({ name: `u${i}`, email: `u${i}@example.org`, ssn: `ssn-${i}` })));
    const exec = (sql: string) => (db.driver as unknown as { executor: { execute(q: { sql: string; parameters: unknown[] }): Promise<unknown> } }).executor.execute({ sql, parameters: [] });
    await exec(rows === 'all' ? `update users set ssn = 'plain-' || name` : `update users set ssn = 'plain' where id = '${created[0]!.id}'`);
    await fn(db, enc, created[0]!.id);
  } finally {
    await db.close();
  }
}

function open() {
  const db = createDatabase({ driver: pglite(), repositories: { users }, plugins: [encryption({ keys: [{ id: 'k1', key: K1 }] })], schemaMode: 'apply' });
  return { db, enc: db.plugin<EncryptionPlugin>('encryption')! };
}

test('a field whose every value is plaintext: verify names the field, not a key; health is down with that diagnosis', async () => {
  await withStoredPlaintext('all', async (db, enc) => {
    const full = await enc.verify();
    assert.equal([full.scanned, full.values, full.failed, full.keysMismatch], [5, 10, 5, true]);
    assert.is(full.diagnosis, 'Fields marked encrypted hold values that were never encrypted: users.ssn (none of its 5 value(s) is a chatcore ciphertext). They were stored before the field was marked sensitive: declare it as it was and encrypt it through a new field (see "Encrypting an existing field" in docs/encryption.md).');
    assert.not.match(full.diagnosis!, /key id/);
    assert.equal(new Set(full.findings.map((f) => `${f.field}:${f.problem}:${f.keyId}`)), new Set(['ssn:not_ciphertext:undefined']));
    const health = (await db.health()).components.find((c) => c.name === 'encryption')!;
    assert.is(health.status, 'down');
    assert.is(health.error, (await enc.checkKeys()).diagnosis);
  });
});

test('one value that is no ciphertext among good ones is said to be no ciphertext, not an altered value or a key problem', async () => {
  await withStoredPlaintext('one', async (db, enc) => {
    const full = await enc.verify();
    assert.equal([full.failed, full.keysMismatch], [1, false]);
    assert.equal(full.findings.map((f) => [f.field, f.problem]), [['ssn', 'not_ciphertext']]);
    assert.is(full.diagnosis, NOT_CIPHERTEXT(1));
    assert.not.match(full.diagnosis!, /fail authentication|key id/);
    assert.is((await db.health()).components.find((c) => c.name === 'encryption')!.status, 'up');
  });
});

test('reencrypt meeting a value that is no ciphertext names the field and the record, and leaves the value as it was', async () => {
  await withStoredPlaintext('one', async (db, enc, id) => {
    const error = await enc.reencrypt({ repository: 'users' }).then(() => undefined, (e: unknown) => e);
    assert.instance(error, IntegrityError);
    const e = error as IntegrityError;
    assert.match(e.message, `users.ssn (record ${id}) is not a chatcore ciphertext`);
    assert.match(e.message, /keys verify/);
    assert.not.match(e.message, /plain/);
    assert.equal(e.info, { repository: 'users', field: 'ssn', id, reason: 'not_ciphertext' });
    const exec = (db.driver as unknown as { executor: { execute(q: { sql: string; parameters: unknown[] }): Promise<{ rows: Array<{ ssn: string }> }> } }).executor;
    assert.is((await exec.execute({ sql: 'select ssn from users where id = $1', parameters: [id] })).rows[0]!.ssn, 'plain');
  });
});

const NOT_CIPHERTEXT = (n: number) => `${n} stored value(s) are not a chatcore ciphertext at all: plaintext or other data written into an encrypted field outside chatcore (by hand, or by an old bug), not an altered ciphertext and not a key problem. Reads of those rows fail: restore those values from a backup.`;

type Db = ReturnType<typeof open>['db'];

/** Raw access to the stored ssn of a user, below the plugin: SQL on PGlite, the driver itself for the memory driver. */
const backends = {
  pglite: () => {
    const driver = pglite();
    const exec = (sql: string, parameters: unknown[]) => driver.executor.execute({ sql, parameters });
    return {
      driver,
      read: async (_db: Db, id: string) => (await exec('select ssn from users where id = $1', [id])).rows[0]!.ssn as string,
      write: async (_db: Db, id: string, ssn: string) => void (await exec('update users set ssn = $1 where id = $2', [ssn, id])),
    };
  },
  memory: () => {
    const driver = memoryDriver();
    return {
      driver,
      read: async (db: Db, id: string) => (await driver.getByIds(db.schemas.get('users')!, [id], {}))[0]!.ssn as string,
      write: async (db: Db, id: string, ssn: string) => void (await driver.update(db.schemas.get('users')!, { ids: [id] }, { set: { ssn }, increment: {} }, {})),
    };
  },
};

for (const [backend, make] of Object.entries(backends)) {
  test(`${backend}: verify tells a plaintext value in an encrypted column from a tampered ciphertext`, async () => {
    const raw = make();
    const db = createDatabase({ driver: raw.driver, repositories: { users }, plugins: [encryption({ keys: [{ id: 'k1', key: K1 }] })], schemaMode: 'apply' });
    const enc = db.plugin<EncryptionPlugin>('encryption')!;
    await db.connect();
    try {
      const [plain, tampered] = await db.users.createMany(Array.from({ length: 4 }, (_, i) => ({ name: `u${i}`, email: `u${i}@example.org`, ssn: `ssn-${i}` })));
      await raw.write(db, plain!.id, '123-45-6789');
      // One byte of the encrypted body flipped: still a well-formed ciphertext under k1.
      const bytes = Buffer.from(await raw.read(db, tampered!.id), 'base64url');
      bytes[bytes.length - 1]! ^= 0x01;
      await raw.write(db, tampered!.id, bytes.toString('base64url'));
      const full = await enc.verify();
      assert.equal([full.scanned, full.failed, full.keysMismatch], [4, 2, false]);
      const byId = new Map(full.findings.map((f) => [f.id, [f.field, f.problem, f.keyId]]));
      assert.equal(byId.get(plain!.id), ['ssn', 'not_ciphertext', undefined]);
      assert.equal(byId.get(tampered!.id), ['ssn', 'integrity', 'k1']);
      assert.is(full.diagnosis, `1 stored value(s) or row(s) fail authentication while the others check: they were altered or copied from elsewhere; restore them from a backup. ${NOT_CIPHERTEXT(1)}`);
    } finally {
      await db.close();
    }
  });
}

test.run();
