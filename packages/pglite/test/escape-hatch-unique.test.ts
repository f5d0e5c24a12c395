import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { sql } from 'kysely';
import { createDatabase, defineRepository, f, UniqueViolationError } from '@chatcore/core';
import { pglite } from '../src/index.js';

// A duplicate key through the Kysely escape hatch names the repository and the
// fields, as the same violation through a repository call does, never the value.

const people = defineRepository('people', { id: f.id(), name: f.string(), handle: f.string().unique() });
const driver = pglite();
const db = createDatabase({ driver, repositories: { people } });
await db.connect();
const k = driver.kysely<{ people: typeof people }>();
const ada = await db.people.create({ name: 'Ada', handle: 'ada-handle-7f3c' });

async function violation(run: () => Promise<unknown>): Promise<UniqueViolationError> {
  const err = await run().then(() => undefined, (e: unknown) => e);
  assert.instance(err, UniqueViolationError, String(err));
  return err as UniqueViolationError;
}

test('a duplicate unique field names the repository and the field', async () => {
  const err = await violation(() => k.insertInto('people').values({ id: '01a24bd6-0000-7000-8000-000000000001', name: 'B', handle: ada.handle }).execute());
  assert.is(err.message, 'A people record with the same handle already exists. Use a different value, or upsert().');
  assert.equal(err.info.repository, 'people');
  assert.equal(err.info.fields, ['handle']);
  assert.not.match(err.message, ada.handle);
});

test('a duplicate id names the id, in raw SQL too', async () => {
  const err = await violation(() => sql`insert into people (id, name, handle) values (${ada.id}, 'C', 'other-handle')`.execute(k));
  assert.equal(err.info.fields, ['id']);
  assert.is(err.info.repository, 'people');
  assert.not.match(err.message, ada.id);
  assert.is(await db.people.count(), 1);
});

test.after(() => db.close());
test.run();
