import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { randomBytes } from 'node:crypto';
import { createDatabase } from '@chatcore/core';
import { pglite } from '@chatcore/pglite';
import { encryption, type EncryptionPlugin } from '../src/index.js';
import { users } from './helpers/schemas.js';

// Values that are no ciphertext at all in an encrypted column: a field marked
// sensitive() while it held plaintext. That is not a key problem, and the
// verification must not blame a key.

const K1 = randomBytes(32).toString('base64');

async function withStoredPlaintext(rows: 'all' | 'one', fn: (db: ReturnType<typeof open>['db'], enc: EncryptionPlugin) => Promise<void>): Promise<void> {
  const { db, enc } = open();
  await db.connect();
  try {
    const created = await db.users.createMany(Array.from({ length: 5 }, (_, i) => ({ name: `u${i}`, email: `u${i}@example.org`, ssn: `ssn-${i}` })));
    const exec = (sql: string) => (db.driver as unknown as { executor: { execute(q: { sql: string; parameters: unknown[] }): Promise<unknown> } }).executor.execute({ sql, parameters: [] });
    await exec(rows === 'all' ? `update users set ssn = 'plain-' || name` : `update users set ssn = 'plain' where id = '${created[0]!.id}'`);
    await fn(db, enc);
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

test('one value that is no ciphertext among good ones is an altered row, not a key or configuration problem', async () => {
  await withStoredPlaintext('one', async (db, enc) => {
    const full = await enc.verify();
    assert.equal([full.failed, full.keysMismatch], [1, false]);
    assert.equal(full.findings.map((f) => [f.field, f.problem]), [['ssn', 'not_ciphertext']]);
    assert.match(full.diagnosis!, /^1 stored value\(s\) or row\(s\) fail authentication while the others check/);
    assert.is((await db.health()).components.find((c) => c.name === 'encryption')!.status, 'up');
  });
});

test.run();
