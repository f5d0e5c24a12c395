import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { cache } from '../src/index.js';
import { instrument, openDb } from './helpers/fixtures.js';

test('a second get of the same id is served without a driver read', async () => {
  const ins = instrument();
  const c = cache({ namespace: 'basic' });
  const db = await openDb([c], ins.driver);
  const u = await db.users.create({ name: 'Ada', age: 36 });
  const a = await db.users.get(u.id);
  const b = await db.users.get(u.id);
  assert.equal(a, b);
  assert.is(ins.reads.getByIds, 1);
  assert.is(c.stats().total.local.hits, 1);
  await db.close();
});

test.run();
