import * as assert from 'uvu/assert';
import type { Harness } from './harness.js';
import { rejectsWith, same } from './harness.js';
import { accountsRepository } from './fixtures.js';
import { upsertSpy } from './upsert-spy.js';

/**
 * Unique constraints on id, a field and a composite key: a violation raises
 * UniqueViolationError and leaves the data unchanged; nulls never conflict.
 *
 * @example
 * ```ts
 * registerUniqueTests(harness);
 * ```
 */
export function registerUniqueTests(h: Harness): void {
  const repos = { accounts: accountsRepository(h.table('unique')) };
  const spy = upsertSpy();
  h.group('unique constraints', repos, (test) => {
    const snapshot = (db: { accounts: { find(q: object): Promise<unknown[]> } }) => db.accounts.find({ orderBy: { id: 'asc' } });

    test('a duplicate unique field raises UniqueViolationError and writes nothing', async ({ db }) => {
      await db.accounts.create({ email: `a-${h.runId}@x.test`, tenant: 't1', name: 'a' });
      const before = await snapshot(db);
      await rejectsWith(() => db.accounts.create({ email: `a-${h.runId}@x.test`, tenant: 't2', name: 'dup' }), 'UNIQUE_VIOLATION', 'duplicate email');
      same(await snapshot(db), before, 'data unchanged');
    });

    test('a duplicate id raises UniqueViolationError and keeps the first record', async ({ db }) => {
      const id = `dup-${h.runId}`;
      await db.accounts.create({ id, tenant: 't1', name: 'first' });
      await rejectsWith(() => db.accounts.create({ id, tenant: 't1', name: 'second' }), 'UNIQUE_VIOLATION', 'duplicate id');
      assert.is((await db.accounts.get(id))?.name, 'first');
    });

    test('a composite unique key conflicts only when every part matches', async ({ db }) => {
      await db.accounts.create({ tenant: 'ta', slug: 'home', name: 'x' });
      await db.accounts.create({ tenant: 'tb', slug: 'home', name: 'y' });
      await db.accounts.create({ tenant: 'ta', slug: 'about', name: 'z' });
      const before = await snapshot(db);
      await rejectsWith(() => db.accounts.create({ tenant: 'ta', slug: 'home', name: 'dup' }), 'UNIQUE_VIOLATION', 'composite duplicate');
      same(await snapshot(db), before, 'data unchanged');
    });

    test('nulls never conflict, in single and composite keys', async ({ db }) => {
      const made = await db.accounts.createMany([
        { tenant: 'tn', name: 'n1' }, { tenant: 'tn', name: 'n2' }, { email: null, tenant: 'tn', slug: null, name: 'n3' },
      ]);
      assert.is(made.length, 3);
      assert.is(await db.accounts.count({ tenant: 'tn', email: null, slug: null }), 3);
    });

    test('createMany with one duplicate raises UniqueViolationError and writes none of the batch', async ({ db }) => {
      await db.accounts.create({ email: `m-${h.runId}@x.test`, tenant: 't1', name: 'm' });
      const before = await snapshot(db);
      await rejectsWith(() => db.accounts.createMany([
        { email: `m1-${h.runId}@x.test`, tenant: 't1', name: 'ok1' },
        { email: `m-${h.runId}@x.test`, tenant: 't1', name: 'dup' },
        { email: `m2-${h.runId}@x.test`, tenant: 't1', name: 'ok2' },
      ]), 'UNIQUE_VIOLATION', 'batch with a duplicate');
      same(await snapshot(db), before, 'no record of the batch was written');
      await rejectsWith(() => db.accounts.createMany([
        { email: `same-${h.runId}@x.test`, tenant: 't1', name: 'one' },
        { email: `same-${h.runId}@x.test`, tenant: 't1', name: 'two' },
      ]), 'UNIQUE_VIOLATION', 'duplicate inside the batch');
      same(await snapshot(db), before, 'no record of the self-conflicting batch was written');
    });

    test('an update to a taken value raises UniqueViolationError and leaves the record unchanged', async ({ db }) => {
      await db.accounts.create({ email: `u1-${h.runId}@x.test`, tenant: 't1', name: 'u1' });
      const u2 = await db.accounts.create({ email: `u2-${h.runId}@x.test`, tenant: 't1', name: 'u2' });
      const before = await snapshot(db);
      await rejectsWith(() => db.accounts.update(u2.id, { email: `u1-${h.runId}@x.test`, name: 'changed' }), 'UNIQUE_VIOLATION', 'update to a taken email');
      same(await snapshot(db), before, 'data unchanged');
      const ok = await db.accounts.update(u2.id, { email: `u3-${h.runId}@x.test` });
      assert.is(ok.email, `u3-${h.runId}@x.test`);
    });

    test('updateMany giving two records the same unique value raises UniqueViolationError and changes neither', async ({ db }) => {
      await db.accounts.createMany([{ tenant: 'tm', slug: 's1', name: 'a' }, { tenant: 'tm', slug: 's2', name: 'b' }]);
      const before = await snapshot(db);
      await rejectsWith(() => db.accounts.updateMany({ tenant: 'tm' }, { slug: 'same' }), 'UNIQUE_VIOLATION', 'updateMany collision');
      same(await snapshot(db), before, 'data unchanged');
    });

    test('an upsert inserting a record whose unique field is taken raises UniqueViolationError and writes nothing', async ({ db }) => {
      const email = `ui-${h.runId}@x.test`;
      await db.accounts.create({ email, tenant: 't1', name: 'owner' });
      const before = await snapshot(db);
      await rejectsWith(() => db.accounts.upsert({ id: `ui-new-${h.runId}`, email, tenant: 't1', name: 'dup' }), 'UNIQUE_VIOLATION', 'upsert insert with a taken email');
      same(await snapshot(db), before, 'data unchanged');
      assert.is(await db.accounts.get(`ui-new-${h.runId}`), null);
    });

    test('an upsert updating a unique field to another record\'s value raises UniqueViolationError and changes nothing', async ({ db }) => {
      const taken = `uu1-${h.runId}@x.test`;
      await db.accounts.create({ email: taken, tenant: 't1', name: 'owner' });
      const mover = await db.accounts.create({ email: `uu2-${h.runId}@x.test`, tenant: 't1', name: 'mover' });
      const before = await snapshot(db);
      await rejectsWith(() => db.accounts.upsert({ id: mover.id, email: taken, tenant: 't1', name: 'moved' }), 'UNIQUE_VIOLATION', 'upsert update to a taken email');
      same(await snapshot(db), before, 'data unchanged after the implicit update');
      await rejectsWith(() => db.accounts.upsert({ id: mover.id, tenant: 't1', name: 'x' }, { update: { email: taken } }), 'UNIQUE_VIOLATION', 'upsert with an explicit update to a taken email');
      same(await snapshot(db), before, 'data unchanged after the explicit update');
    });

    if (h.capabilities.upsertOnUniqueFields) {
      test('upsert on a unique field updates the record that has it', async ({ db }) => {
        const email = `ups-${h.runId}@x.test`;
        spy.take();
        const first = await db.accounts.upsert({ email, tenant: 't1', name: 'first' }, { conflict: ['email'] });
        const second = await db.accounts.upsert({ email, tenant: 't1', name: 'second' }, { conflict: ['email'], update: { name: 'second', visits: { increment: 1 } } });
        assert.equal(spy.take(), [true, false], 'created: the insert, then the update');
        assert.is(second.id, first.id);
        assert.is(second.name, 'second');
        assert.is(second.visits, 1);
        assert.is(second.version, 2);
        assert.is(await db.accounts.count({ email }), 1);
      });

      test('upsert on a composite unique key inserts a new combination and updates an existing one', async ({ db }) => {
        spy.take();
        const a = await db.accounts.upsert({ tenant: 'tu', slug: 'k', name: 'a' }, { conflict: ['tenant', 'slug'] });
        const b = await db.accounts.upsert({ tenant: 'tu', slug: 'k2', name: 'b' }, { conflict: ['tenant', 'slug'] });
        const a2 = await db.accounts.upsert({ tenant: 'tu', slug: 'k', name: 'a2' }, { conflict: ['tenant', 'slug'] });
        assert.equal(spy.take(), [true, true, false], 'created: two inserts, then the update');
        assert.is.not(a.id, b.id);
        assert.is(a2.id, a.id);
        assert.is(a2.name, 'a2');
        assert.is(await db.accounts.count({ tenant: 'tu' }), 2);
      });
    } else {
      test('upsert on a non-id key is refused with UnsupportedQueryError (upsertOnUniqueFields: false)', async ({ db }) => {
        await rejectsWith(() => db.accounts.upsert({ email: `nu-${h.runId}@x.test`, tenant: 't', name: 'n' }, { conflict: ['email'] }), 'UNSUPPORTED_QUERY', 'upsert on email');
      });
    }
  }, [spy.plugin]);
}
