import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { PGlite } from '@electric-sql/pglite';
import { createDatabase, defineRepository, f, ForeignKeyError } from '@chatcore/core';
import { memoryDriver, type Driver } from '@chatcore/core/driver';
import { pglite } from '@chatcore/pglite';
import { metrics } from '../src/index.js';
import { scrape, value } from './helpers/fixtures.js';

const chats = defineRepository('chats', { id: f.id(), title: f.string() });
const lines = defineRepository('lines', { id: f.id(), chatId: f.string().references('chats', { onDelete: 'cascade' }) });
const pins = defineRepository('pins', { id: f.id(), chatId: f.string().optional().references('chats', { onDelete: 'set null' }) });
const locks = defineRepository('locks', { id: f.id(), chatId: f.string().references('chats') });

const client = await PGlite.create();
test.after(() => client.close());

for (const [backend, driver] of [['memory', () => memoryDriver()], ['pglite', () => pglite({ client })]] as Array<[string, () => Driver]>) {
  test(`${backend}: a delete refused by restrict counts one call, whatever cascades ran before the refusal`, async () => {
    const m = metrics();
    const db = createDatabase({ driver: driver(), repositories: { chats, lines, pins, locks }, plugins: [m] });
    await db.connect();
    try {
      const chat = await db.chats.create({ title: 'c' });
      await db.lines.create({ chatId: chat.id });
      await db.pins.create({ chatId: chat.id });
      await db.locks.create({ chatId: chat.id });
      const error = await db.chats.delete(chat.id).catch((e: unknown) => e);
      assert.instance(error, ForeignKeyError);
      const { families } = await scrape(m.registry);
      const calls = (repository: string, operation: string) =>
        families.filter((x) => x.name === 'chatcore_operations_total').flatMap((x) => x.metrics)
          .filter((s) => s.labels?.repository === repository && s.labels?.operation === operation)
          .map((s) => `${s.labels?.outcome}:${s.value}`);
      assert.equal(calls('chats', 'delete'), ['FOREIGN_KEY:1'], 'the refused delete');
      // On SQL the cascade and the cleared reference ran, then rolled back with the refused delete.
      assert.equal(calls('lines', 'deleteMany'), [], 'no call of the cascade');
      assert.equal(calls('pins', 'updateMany'), [], 'no call of the cleared reference');
      assert.is(value(families, 'chatcore_operations_in_flight', { repository: 'lines', operation: 'deleteMany' }) ?? 0, 0, 'nothing left in flight');
    } finally {
      await db.close();
    }
  });
}

test.run();
