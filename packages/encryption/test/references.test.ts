import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { randomBytes } from 'node:crypto';
import { createDatabase, defineRepository, f, ForeignKeyError, type Driver } from '@chatcore/core';
import { memoryDriver } from '@chatcore/core/driver';
import { pglite } from '@chatcore/pglite';
import { encryption } from '../src/index.js';

// A parent deleted by a filter on its encrypted (searchable) field: the
// cascade must find the parents the blind-index lookup matched, on a
// backend where core cascades (memory) and one with FOREIGN KEYs (PGlite).
for (const [name, driver] of [['memory', () => memoryDriver()], ['pglite', () => pglite()]] as Array<[string, () => Driver]>) {
  test(`${name}: deleteMany by an encrypted field cascades to exactly the matched parents' records`, async () => {
    const chats = defineRepository('chats', { id: f.id(), title: f.string().sensitive({ searchable: true }) });
    const lines = defineRepository('lines', { id: f.id(), chatId: f.string().references('chats', { onDelete: 'cascade' }), body: f.text().sensitive() });
    const db = createDatabase({ driver: driver(), repositories: { lines, chats }, plugins: [encryption({ rootKey: randomBytes(32).toString('base64') })] });
    await db.connect();
    try {
      const doomed = await db.chats.create({ title: 'private plans' });
      const kept = await db.chats.create({ title: 'public notes' });
      await db.lines.createMany([{ chatId: doomed.id, body: 'one' }, { chatId: doomed.id, body: 'two' }, { chatId: kept.id, body: 'three' }]);
      try {
        await db.lines.create({ chatId: 'no-such-chat', body: 'four' });
        assert.unreachable('a missing chat should be refused');
      } catch (error) {
        assert.instance(error, ForeignKeyError);
      }
      assert.is(await db.chats.deleteMany({ title: 'private plans' }), 1);
      assert.equal((await db.lines.find({})).map((l) => l.body), ['three']);
      assert.ok(await db.chats.get(kept.id));
    } finally {
      await db.close();
    }
  });
}

test.run();
