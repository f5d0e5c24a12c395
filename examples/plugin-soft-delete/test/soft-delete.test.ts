import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ConfigError, createDatabase, defineRepository, f, NotFoundError, ValidationError } from '@chatcore/core';
import { memoryDriver } from '@chatcore/core/driver';
import { softDelete } from '../src/index.js';

// The plugin alone, on the in-memory reference driver: what each repository
// method does with deleted records.

const notes = defineRepository('notes', {
  id: f.id(),
  title: f.string({ max: 100 }),
  tag: f.string().optional(),
  password: f.string().secret().optional(),
  deletedAt: f.timestamp().optional(),
  createdAt: f.timestamp().createdAt(),
  updatedAt: f.timestamp().updatedAt(),
  version: f.version(),
});
const labels = defineRepository('labels', { id: f.id(), name: f.string() });

const sd = softDelete();
const db = createDatabase({ driver: memoryDriver(), repositories: { notes, labels }, plugins: [sd] });
await db.connect();

async function errorOf(call: Promise<unknown>): Promise<unknown> {
  try {
    await call;
  } catch (e) {
    return e;
  }
  return undefined;
}

test('delete sets deletedAt (and updatedAt, version) instead of removing; every read leaves the record out', async () => {
  const [a, b] = await db.notes.createMany([{ title: 'a', tag: 't' }, { title: 'b', tag: 't' }]);
  assert.is(await db.notes.delete(a!.id), true);
  assert.is(await db.notes.get(a!.id), null);
  assert.equal((await db.notes.getMany([a!.id, b!.id])).map((n) => n.id), [b!.id]);
  assert.equal((await db.notes.find({ where: { tag: 't' } })).map((n) => n.id), [b!.id]);
  assert.is(await db.notes.findOne({ where: { title: 'a' } }), null);
  assert.is(await db.notes.count({ tag: 't' }), 1);
  assert.is(await db.notes.exists({ title: 'a' }), false);
  assert.equal((await db.notes.findPage({ where: { tag: 't' } })).items.map((n) => n.id), [b!.id]);
  const seen: string[] = [];
  for await (const n of db.notes.iterate({ where: { tag: 't' } })) seen.push(n.id);
  assert.equal(seen, [b!.id]);
  const stored = await sd.includingDeleted(() => db.notes.get(a!.id));
  assert.instance(stored!.deletedAt, Date);
  assert.is(stored!.version, a!.version + 1);
  assert.ok(stored!.updatedAt.getTime() >= a!.updatedAt.getTime());
});

test('deleting a deleted record deletes nothing: false, and deleteMany counts only live records', async () => {
  const [a, b, c] = await db.notes.createMany([{ title: 'm', tag: 'many' }, { title: 'm', tag: 'many' }, { title: 'm', tag: 'many' }]);
  await db.notes.delete(a!.id);
  assert.is(await db.notes.delete(a!.id), false);
  assert.is(await db.notes.deleteMany({ tag: 'many' }), 2);
  assert.is(await db.notes.deleteMany({ tag: 'many' }), 0);
  const all = await sd.includingDeleted(() => db.notes.find({ where: { tag: 'many' } }));
  assert.equal(all.map((n) => n.id).sort(), [a!.id, b!.id, c!.id].sort());
  assert.ok(all.every((n) => n.deletedAt instanceof Date));
});

test('updates do not reach deleted records: update raises NotFoundError, updateMany skips them, data unchanged', async () => {
  const [a, b] = await db.notes.createMany([{ title: 'u', tag: 'upd' }, { title: 'u', tag: 'upd' }]);
  await db.notes.delete(a!.id);
  const before = await sd.includingDeleted(() => db.notes.get(a!.id));
  assert.instance(await errorOf(db.notes.update(a!.id, { title: 'changed' })), NotFoundError);
  assert.is(await db.notes.updateMany({ tag: 'upd' }, { title: 'changed' }), 1);
  assert.equal(await sd.includingDeleted(() => db.notes.get(a!.id)), before);
  assert.is((await db.notes.get(b!.id))!.title, 'changed');
});

test('includingDeleted: a restored record is visible again; a delete inside it removes the record for good', async () => {
  const a = await db.notes.create({ title: 'r' });
  await db.notes.delete(a.id);
  await sd.includingDeleted(() => db.notes.update(a.id, { deletedAt: null }));
  assert.is((await db.notes.get(a.id))!.deletedAt, null);
  await sd.includingDeleted(() => db.notes.delete(a.id));
  assert.is(await sd.includingDeleted(() => db.notes.get(a.id)), null);
});

test('an upsert that meets a deleted record brings it back', async () => {
  const a = await db.notes.create({ title: 'up' });
  await db.notes.delete(a.id);
  const back = await db.notes.upsert({ id: a.id, title: 'up again' });
  assert.is(back.deletedAt, null);
  assert.is((await db.notes.get(a.id))!.title, 'up again');
});

test('a projected read (verifySecret) does not see a deleted record either', async () => {
  const a = await db.notes.create({ title: 's', password: 'correct horse' });
  assert.is(await db.notes.verifySecret(a.id, 'password', 'correct horse'), true);
  await db.notes.delete(a.id);
  assert.is(await db.notes.verifySecret(a.id, 'password', 'correct horse'), false);
});

test('a delete in a rolled-back transaction deletes nothing, and only committed deletes are counted', async () => {
  const a = await db.notes.create({ title: 'tx' });
  const before = sd.stats();
  const failure = await errorOf(db.transaction(async (tx) => {
    await tx.notes.delete(a.id);
    assert.is(await tx.notes.get(a.id), null);
    throw new Error('abandon');
  }));
  assert.is((failure as Error).message, 'abandon');
  assert.is((await db.notes.get(a.id))!.title, 'tx');
  await db.transaction(async (tx) => { await tx.notes.delete(a.id); });
  const after = sd.stats();
  assert.is(after.rolledBack - before.rolledBack, 1);
  assert.is(after.softDeleted - before.softDeleted, 1);
  assert.ok(after.hidden > before.hidden);
});

test('records are created live: a deleted one is refused, except inside includingDeleted (an import)', async () => {
  const refused = await errorOf(db.notes.create({ title: 'born deleted', tag: 'import', deletedAt: new Date() }));
  assert.instance(refused, ValidationError);
  assert.equal((refused as ValidationError).issues.map((i) => i.path), ['deletedAt']);
  assert.is(await sd.includingDeleted(() => db.notes.count({ tag: 'import' })), 0);
  const imported = await sd.includingDeleted(() => db.notes.create({ title: 'imported', tag: 'import', deletedAt: new Date(0) }));
  assert.is(await db.notes.get(imported.id), null);
  assert.is(await sd.includingDeleted(() => db.notes.count({ tag: 'import' })), 1);
});

test('repositories without the field are left alone: delete removes the record', async () => {
  const l = await db.labels.create({ name: 'x' });
  assert.is(await db.labels.delete(l.id), true);
  assert.is(await sd.includingDeleted(() => db.labels.get(l.id)), null);
});

test('health reports the plugin with its field and repositories', async () => {
  const report = await db.health();
  const mine = report.components.find((c) => c.name === 'soft-delete');
  assert.equal(mine, { name: 'soft-delete', status: 'up', details: { field: 'deletedAt', repositories: ['notes'] } });
});

test('createDatabase refuses a listed repository without an optional timestamp field, naming the fix', () => {
  assert.throws(
    () => createDatabase({ driver: memoryDriver(), repositories: { labels }, plugins: [softDelete({ repositories: ['labels'] })] }),
    (e: unknown) => e instanceof ConfigError && /add deletedAt: f\.timestamp\(\)\.optional\(\)/.test(e.message),
  );
  assert.throws(
    () => createDatabase({ driver: memoryDriver(), repositories: { labels }, plugins: [softDelete({ repositories: ['lables'] })] }),
    (e: unknown) => e instanceof ConfigError && /no repository named lables/.test(e.message),
  );
});

test.after(() => db.close());
test.run();
