import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createDatabase, IntegrityError } from '@chatcore/core';
import { pglite } from '@chatcore/pglite';
import { encryption } from '../src/index.js';
import { keyIdOf } from '../src/crypto/ciphertext-format.js';
import { KEY_A, highEntropy } from './helpers/keys.js';
import { scenarioRepos } from './helpers/plaintext-scenario.js';

const { people, chats } = scenarioRepos('tx');
const driver = pglite();
const db = createDatabase({ driver, repositories: { people, chats }, plugins: [encryption({ keys: [{ id: 'k1', key: KEY_A }] })] });
await db.connect();

test('encrypted writes inside a transaction commit together', async () => {
  const ids = await db.transaction(async (tx) => {
    const p = await tx.people.create({ name: 'tx', email: `${highEntropy()}@tx.io`, ssn: 'one' });
    await tx.people.update(p.id, { ssn: 'two' });
    const c = await tx.chats.create({ conversationId: 'tx', body: 'hello', author: 'ann' });
    await tx.chats.update(c.id, { body: 'hello again' });
    assert.is((await tx.people.findOne({ where: { email: p.email } }))!.ssn, 'two');
    return [p.id, c.id] as const;
  });
  assert.is((await db.people.get(ids[0]))!.ssn, 'two');
  assert.is((await db.chats.get(ids[1]))!.body, 'hello again');
});

test('a rolled-back transaction leaves no trace of encrypted per-record updates', async () => {
  const a = await db.people.create({ name: 'rb', email: `${highEntropy()}@rb.io`, ssn: 'keep-a' });
  const b = await db.people.create({ name: 'rb', email: `${highEntropy()}@rb.io`, ssn: 'keep-b' });
  const c = await db.chats.create({ conversationId: 'rb', body: 'keep-c', author: 'x' });
  try {
    await db.transaction(async (tx) => {
      assert.is(await tx.people.updateMany({ name: 'rb' }, { ssn: 'changed' }), 2);
      await tx.chats.update(c.id, { body: 'changed' });
      throw new Error('roll back');
    });
  } catch (e) {
    assert.is((e as Error).message, 'roll back');
  }
  assert.equal((await db.people.getMany([a.id, b.id])).map((r) => r.ssn), ['keep-a', 'keep-b']);
  assert.is((await db.chats.get(c.id))!.body, 'keep-c');
});

test('a ciphertext copied between rows inside SQL storage is detected on read', async () => {
  const a = await db.people.create({ name: 'sw', email: `${highEntropy()}@sw.io`, ssn: highEntropy() });
  const b = await db.people.create({ name: 'sw', email: `${highEntropy()}@sw.io`, ssn: highEntropy() });
  const table = db.schemas.get(people.schema.name)!.table;
  await driver.executor.execute({ sql: `update "${table}" set ssn = (select ssn from "${table}" where id = $1) where id = $2`, parameters: [a.id, b.id] });
  const stored = (await driver.executor.execute({ sql: `select ssn from "${table}" where id = $1`, parameters: [b.id] })).rows[0]!;
  assert.is(keyIdOf(stored.ssn), 'k1');
  try {
    await db.people.get(b.id);
    assert.unreachable();
  } catch (e) {
    assert.instance(e, IntegrityError);
  }
  assert.is((await db.people.get(a.id))!.ssn, a.ssn);
});

test.after(async () => {
  await db.close();
});
test.run();
