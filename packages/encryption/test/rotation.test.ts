import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createDatabase } from '@chatcore/core';
import { memoryDriver } from '@chatcore/core/driver';
import { encryption } from '../src/index.js';
import { keyIdOf } from '../src/crypto/ciphertext-format.js';
import { envelopeCiphertext } from '../src/record/reseal.js';
import { rotationScenario } from './helpers/rotation-scenario.js';
import { KEY_A, KEY_B } from './helpers/keys.js';
import { messages } from './helpers/schemas.js';

test('rotation on memory: 10k rows re-encrypted under a live writer, then the old key retires', async () => {
  await rotationScenario(memoryDriver(), 'mem');
});

test('rotation of sealed records re-seals each envelope under the new key, keeping every field', async () => {
  const driver = memoryDriver();
  const enc = encryption({ keys: [{ id: 'kA', key: KEY_A }] });
  const db = createDatabase({ driver, repositories: { messages }, plugins: [enc] });
  await db.connect();
  const created = await db.messages.createMany(Array.from({ length: 300 }, (_, i) => ({ conversationId: `c${i % 3}`, role: 'user' as const, body: `body ${i}`, tokens: i, author: `author ${i % 7}` })));
  await enc.addKey({ id: 'kB', key: KEY_B }, { activate: true });
  const events: unknown[] = [];
  enc.events.on('progress', (p) => events.push(p));
  const result = await enc.reencrypt({ repository: 'messages', batchSize: 64, concurrency: 3 });
  assert.ok(result.done);
  assert.is(result.rewritten, 300);
  assert.is(events.length, 6);
  const stored = await driver.query(db.schemas.get('messages')!, { orderBy: [{ field: 'id', direction: 'asc' }] }, {});
  assert.ok(stored.every((r) => keyIdOf(envelopeCiphertext(r.sealed)) === 'kB'));
  await enc.retireKey('kA');
  const back = await db.messages.getMany(created.map((m) => m.id));
  assert.equal(back, created);
  assert.is((await db.messages.find({ where: { author: 'author 3' } })).length, created.filter((m) => m.author === 'author 3').length);
  const again = await enc.reencrypt({ repository: 'messages' });
  assert.is(again.rewritten, 0);
  await db.close();
});

test.run();
