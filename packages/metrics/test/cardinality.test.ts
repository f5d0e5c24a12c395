import { randomUUID } from 'node:crypto';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { PGlite } from '@electric-sql/pglite';
import { createDatabase, NotFoundError, ValidationError } from '@chatcore/core';
import { pglite } from '@chatcore/pglite';
import { metrics } from '../src/index.js';
import { scrape, seriesCount, users } from './helpers/fixtures.js';

const N = 10_000;
const client = await PGlite.create();
const m = metrics();
const db = createDatabase({ driver: pglite({ client }), repositories: { users }, plugins: [m] });
await db.connect();

/** One call of every kind and outcome the loop below makes, each with its own id or value. */
async function everyKind(i: string): Promise<void> {
  const u = await db.users.create({ name: `name-${i}`, handle: `handle-${i}`, age: 1 });
  await db.users.get(u.id);
  await db.users.find({ where: { name: `name-${i}` } });
  await db.users.update(u.id, { age: 2, name: `renamed-${i}` });
  await db.users.create({ name: `too-long-${i}`.padEnd(300, 'x'), handle: `h-${i}` }).then(() => assert.unreachable(), (e) => assert.instance(e, ValidationError));
  await db.users.update(randomUUID(), { name: `ghost-${i}` }).then(() => assert.unreachable(), (e) => assert.instance(e, NotFoundError));
}

test(`${N.toLocaleString('en-US')} distinct ids and values leave the number of series unchanged`, async () => {
  await everyKind('warm-up');
  await db.users.createMany([{ name: 'warm-up-bulk', handle: 'warm-up-bulk' }]);
  const before = await scrape(m.registry);
  const seen: string[] = [];
  const rows = await db.users.createMany(Array.from({ length: N }, (_, i) => ({ name: `bulk-name-${i}`, handle: `bulk-handle-${i}`, age: i })));
  for (let i = 0; i < N; i += 100) {
    await Promise.all(rows.slice(i, i + 100).map((r) => db.users.get(r.id)));
  }
  for (let i = 0; i < 500; i++) {
    await everyKind(String(i));
    seen.push(`name-${i}`, `handle-${i}`);
  }
  const after = await scrape(m.registry);
  assert.is(seriesCount(after.samples), seriesCount(before.samples), 'same number of samples');
  assert.is(after.text.split('\n').length, before.text.split('\n').length);
  for (const r of rows.filter((_, i) => i % 97 === 0)) assert.not.ok(after.text.includes(r.id), 'no id in the exposition');
  for (const v of seen.filter((_, i) => i % 13 === 0)) assert.not.ok(after.text.includes(v), 'no value in the exposition');
  const gets = after.families.find((f) => f.name === 'chatcore_operations_total')!.metrics.find((s) => s.labels?.operation === 'get');
  assert.is(Number(gets!.value), N + 501);
});

test.after(async () => {
  await db.close();
  await client.close();
});

test.run();
