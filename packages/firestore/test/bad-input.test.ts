import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ConfigError, createDatabase, defineRepository, f, ValidationError, type Plugin } from '@chatcore/core';
import { type RepositorySchema } from '@chatcore/core/driver';
import { useFirestoreEmulator } from '../src/testing/index.js';
import { testDriver, suffix } from './helpers/emulator.js';

const emulator = await useFirestoreEmulator();
const driver = testDriver(emulator);
const table = `bad_${suffix()}`;
const docs = defineRepository('docs', { id: f.id(), title: f.string(), body: f.text().optional(), blob: f.bytes({ max: 4 * 1024 * 1024 }).optional() }, { table });
const db = createDatabase({ driver, repositories: { docs } });
await db.connect();
const stored = async (name = table) => (await driver.firestore.collection(name).get()).size;

async function rejects(fn: () => Promise<unknown>, type: new (...a: never[]) => Error, what: string): Promise<Error> {
  try {
    await fn();
  } catch (e) {
    assert.instance(e, type, what);
    return e as Error;
  }
  assert.unreachable(`${what}: expected ${type.name}`);
  throw new Error('unreachable');
}

/** A storage schema as a plugin could hand it to the driver, with one bad field name. */
function schemaWithField(name: string): RepositorySchema {
  const base = docs.schema;
  const meta = base.fields.title!;
  return { ...base, table, fields: { ...base.fields, [name]: meta } };
}

test('field names with "/", ".", backticks or the __name__ form reach no document (ValidationError)', async () => {
  for (const name of ['a/b', 'a.b', '`a`', '__name__', '__x__', 'a b']) {
    const schema = schemaWithField(name);
    const e = await rejects(() => driver.insert(schema, [{ id: `f-${suffix()}`, title: 't', body: null, blob: null, [name]: 'v' }], {}), ValidationError, name);
    assert.match(e.message, /Firestore field names/);
    await rejects(() => driver.query(schema, { orderBy: [{ field: 'id', direction: 'asc' }] }, {}), ValidationError, `${name} in a query`);
  }
  assert.is(await stored(), 0);
});

test('such names are refused when a repository is declared, and unknown fields in filters and patches are refused', async () => {
  for (const name of ['a/b', 'a.b', '`a`', '__name__']) {
    assert.throws(() => defineRepository('x', { id: f.id(), [name]: f.string() }), (e: unknown) => e instanceof ConfigError);
  }
  await rejects(() => db.docs.find({ where: { 'title.x': 'a' } as never }), ValidationError, 'dotted filter field');
  await rejects(() => db.docs.find({ where: { __name__: 'a' } as never }), ValidationError, 'reserved filter field');
  await rejects(() => db.docs.create({ title: 't', 'a/b': 1 } as never), ValidationError, 'unknown field on create');
  assert.is(await stored(), 0);
});

test('a collection name with "/" or the __x__ form is refused', async () => {
  for (const bad of ['a/b', '__x__', 'a.b']) {
    await rejects(() => driver.insert({ ...docs.schema, table: bad }, [{ id: 'x', title: 't', body: null, blob: null }], {}), ValidationError, bad);
  }
});

test('a collection name a plugin gives a storage schema is checked too: defineRepository never saw it', async () => {
  const renamer: Plugin = { name: 'renamer', extendSchema: (list) => list.map((s) => ({ ...s, table: `${table}/x/y` })) };
  const renamed = createDatabase({ driver, repositories: { docs }, plugins: [renamer] });
  const e = await rejects(() => renamed.docs.create({ title: 't' }), ValidationError, 'a table with "/" from extendSchema');
  assert.match(e.message, /collection names must be letters, digits and _/);
  assert.is(await stored(), 0);
  assert.is((await driver.firestore.collection(`${table}/x/y`).get()).size, 0);
});

test('ids with "/", ".", "..", the __x__ form or over 1,500 bytes get ValidationError and nothing is written', async () => {
  for (const id of ['a/b', '.', '..', '__id__', '/', 'é'.repeat(800)]) {
    await rejects(() => driver.insert(docs.schema, [{ id, title: 't', body: null, blob: null }], {}), ValidationError, `driver insert ${JSON.stringify(id.slice(0, 10))}`);
  }
  for (const id of ['a/b', '.', '..', '__id__']) {
    const e = await rejects(() => db.docs.create({ id, title: 't' }), ValidationError, `create ${id}`);
    assert.is(e.message.split('nothing was written').length, 2, `the message says once that nothing was written: ${e.message}`);
    assert.match(e.message, / \(docs on Firestore\)/);
    await rejects(() => db.docs.createMany([{ title: 'fine' }, { id, title: 't' }]), ValidationError, `createMany ${id}`);
    assert.is(await db.docs.get(id), null, 'reads of an impossible id find nothing');
  }
  assert.is(await stored(), 0);
});

test('a document over 1 MiB gets ValidationError before any write, alone or in a batch', async () => {
  const big = 'x'.repeat(1_100_000);
  await rejects(() => db.docs.create({ title: 't', body: big }), ValidationError, 'create');
  await rejects(() => db.docs.createMany([{ title: 'a' }, { title: 'b', blob: new Uint8Array(1_050_000) }]), ValidationError, 'createMany');
  assert.is(await stored(), 0);
  const ok = await db.docs.create({ title: 'small' });
  await rejects(() => db.docs.update(ok.id, { body: big }), ValidationError, 'update');
  assert.is((await db.docs.get(ok.id))!.body, null, 'the record is unchanged');
  await db.docs.delete(ok.id);
});

test('injection attempts in values are stored as plain data', async () => {
  const evil = ["'; DROP TABLE x; --", '../../etc', '__name__', 'a/b/c', '`x`', '${env}'];
  for (const title of evil) {
    const r = await db.docs.create({ title });
    assert.is((await db.docs.findOne({ where: { title } }))!.id, r.id);
  }
  assert.is(await stored(), evil.length);
  await db.docs.deleteMany({});
});

test.after(async () => {
  await db.close();
  await emulator.stop();
});
test.run();
