import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { AbortedError, createDatabase, defineRepository, f, TimeoutError, TransactionError, UniqueViolationError } from '@chatcore/core';
import { memoryDriver, type DriverSession } from '@chatcore/core/driver';

const items = defineRepository('items', { id: f.id(), name: f.string().unique(), n: f.integer() });
const schema = items.schema;
const row = (id: string, n = 0) => ({ id, name: id, n });
const all = async (s: DriverSession) => (await s.query(schema, { orderBy: [{ field: 'id', direction: 'asc' }] }, {})).map((r) => `${r.id}:${r.n}`);
const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

test('writes in a transaction are invisible outside until commit', async () => {
  const d = memoryDriver();
  let seenOutside: string[] = [];
  await d.transaction(async (tx) => {
    await tx.insert(schema, [row('a')], {});
    assert.equal(await all(tx), ['a:0']);
    seenOutside = await all(d);
  }, {});
  assert.equal(seenOutside, []);
  assert.equal(await all(d), ['a:0']);
});

test('a throwing transaction leaves no trace', async () => {
  const d = memoryDriver();
  await d.insert(schema, [row('a', 1)], {});
  await d.transaction(async (tx) => {
    await tx.update(schema, { ids: ['a'] }, { set: {}, increment: { n: 1 } }, {});
    await tx.insert(schema, [row('b')], {});
    await tx.delete(schema, { ids: ['a'] }, {});
    throw new Error('boom');
  }, {}).catch(() => undefined);
  assert.equal(await all(d), ['a:1']);
});

test('a nested transaction is a savepoint: its rollback keeps the outer writes', async () => {
  const d = memoryDriver();
  await d.transaction(async (tx) => {
    await tx.insert(schema, [row('outer')], {});
    await tx.transaction(async (inner) => {
      await inner.insert(schema, [row('inner')], {});
      throw new Error('inner');
    }, {}).catch(() => undefined);
    await tx.transaction(async (inner) => {
      await inner.insert(schema, [row('kept')], {});
    }, {});
  }, {});
  assert.equal(await all(d), ['kept:0', 'outer:0']);
});

test('concurrent transactions are serialized: read-modify-write loses no update', async () => {
  const d = memoryDriver();
  await d.insert(schema, [row('c', 0)], {});
  await Promise.all(Array.from({ length: 10 }, () => d.transaction(async (tx) => {
    const [cur] = await tx.getByIds(schema, ['c'], {});
    await tick();
    await tx.update(schema, { ids: ['c'] }, { set: { n: (cur!.n as number) + 1 }, increment: {} }, {});
  }, {})));
  assert.equal(await all(d), ['c:10']);
});

test('the second of two concurrent transactions starts after the first commits', async () => {
  const d = memoryDriver();
  const order: string[] = [];
  await Promise.all(['x', 'y'].map((name) => d.transaction(async (tx) => {
    order.push(`${name} start`);
    await tick();
    await tx.insert(schema, [row(name)], {});
    order.push(`${name} end`);
  }, {})));
  assert.equal(order, ['x start', 'x end', 'y start', 'y end']);
});

test('a commit that clashes with a unique value written outside the transaction raises UniqueViolationError and applies nothing', async () => {
  const d = memoryDriver();
  try {
    await d.transaction(async (tx) => {
      await tx.insert(schema, [{ id: 'in-tx', name: 'same', n: 0 }, row('other')], {});
      await d.insert(schema, [{ id: 'outside', name: 'same', n: 0 }], {});
    }, {});
    assert.unreachable('commit should fail');
  } catch (error) {
    assert.instance(error, UniqueViolationError);
  }
  assert.equal(await all(d), ['outside:0']);
});

test('a transaction handle used after its transaction ended raises TransactionError', async () => {
  const d = memoryDriver();
  let leaked: DriverSession | undefined;
  await d.transaction(async (tx) => {
    leaked = tx;
  }, {});
  try {
    await leaked!.insert(schema, [row('late')], {});
    assert.unreachable('should refuse');
  } catch (error) {
    assert.instance(error, TransactionError);
  }
  assert.equal(await all(d), []);
});

test('a top-level transaction started inside another one\'s callback runs beside it instead of waiting forever', async () => {
  const d = memoryDriver();
  await d.transaction(async (outer) => {
    await outer.insert(schema, [row('outer')], {});
    await d.transaction(async (other) => {
      await other.insert(schema, [row('other')], {});
      assert.equal(await all(other), ['other:0'], 'the other transaction does not see uncommitted outer writes');
    }, {});
    assert.equal(await all(d), ['other:0'], 'the other transaction committed on its own');
  }, {});
  assert.equal(await all(d), ['other:0', 'outer:0']);
});

test('a transaction whose signal fired while it ran is rolled back, not committed', async () => {
  const d = memoryDriver();
  const ac = new AbortController();
  const outcome = await d.transaction(async (tx) => {
    await tx.insert(schema, [row('late')], {});
    ac.abort();
  }, { signal: ac.signal }).catch((error: unknown) => error);
  assert.instance(outcome, AbortedError);
  assert.equal(await all(d), []);
});

test('a transaction that times out in createDatabase leaves no trace', async () => {
  const db = createDatabase({ driver: memoryDriver(), repositories: { items } });
  await db.connect();
  const outcome = await db.transaction(async (tx) => {
    await tx.items.create({ name: 'slow', n: 1 });
    await new Promise((resolve) => setTimeout(resolve, 50));
  }, { timeout: 10 }).catch((error: unknown) => error);
  assert.instance(outcome, TimeoutError);
  await new Promise((resolve) => setTimeout(resolve, 80));
  assert.is(await db.items.count({}), 0);
  await db.close();
});

test.run();
