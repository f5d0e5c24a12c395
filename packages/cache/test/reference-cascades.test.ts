import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createDatabase, defineRepository, f, type Driver } from '@chatcore/core';
import { memoryDriver } from '@chatcore/core/driver';
import { pglite } from '@chatcore/pglite';
import { cache } from '../src/index.js';
import { randomNamespace } from './helpers/fixtures.js';

// onDelete cascades and cleared references pass through the cache like any
// write (on SQL too, where the FOREIGN KEY would otherwise delete behind its
// back), so no cached read serves a record the cascade removed or changed.
for (const [name, driver] of [['memory', () => memoryDriver()], ['pglite', () => pglite()]] as Array<[string, () => Driver]>) {
  test(`${name}: cached gets and finds of cascaded and cleared records are invalidated`, async () => {
    const chats = defineRepository('chats', { id: f.id(), title: f.string() });
    const lines = defineRepository('lines', { id: f.id(), chatId: f.string().references('chats', { onDelete: 'cascade' }), body: f.text() });
    const pins = defineRepository('pins', { id: f.id(), chatId: f.string().optional().references('chats', { onDelete: 'set null' }) });
    const db = createDatabase({ driver: driver(), repositories: { lines, pins, chats }, plugins: [cache({ namespace: randomNamespace() })] });
    await db.connect();
    try {
      const chat = await db.chats.create({ title: 'a' });
      const line = await db.lines.create({ chatId: chat.id, body: 'hello' });
      const pin = await db.pins.create({ chatId: chat.id });
      // Fill the cache, twice so the second read is a hit.
      for (let i = 0; i < 2; i++) {
        assert.ok(await db.lines.get(line.id));
        assert.is((await db.lines.find({ where: { chatId: chat.id } })).length, 1);
        assert.is((await db.pins.get(pin.id))?.chatId, chat.id);
      }
      await db.chats.delete(chat.id);
      assert.is(await db.lines.get(line.id), null);
      assert.equal(await db.lines.find({ where: { chatId: chat.id } }), []);
      assert.is((await db.pins.get(pin.id))?.chatId, null);
    } finally {
      await db.close();
    }
  });
}

test.run();
