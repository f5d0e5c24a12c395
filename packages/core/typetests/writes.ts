// Inserts and patches: managed fields, value types, increments.
// Each @ts-expect-error line has a twin right below it that compiles.
import { defineRepository, f, type Database, type VersionedOptions } from '@chatcore/core';
import { db } from './schema.js';

export async function writes(id: string): Promise<void> {
  // --- inserts
  // @ts-expect-error version is managed by chatcore: not part of an insert
  await db.users.create({ name: 'Ada', email: 'ada@example.com', password: 'pw', version: 1 });
  await db.users.create({ name: 'Ada', email: 'ada@example.com', password: 'pw' });
  // @ts-expect-error createdAt is managed: not part of an insert
  await db.conversations.create({ userId: 'u1', createdAt: new Date() });
  await db.conversations.create({ userId: 'u1', title: 'Hello' });
  // @ts-expect-error updatedAt is managed: not part of an insert
  await db.users.createMany([{ name: 'Ada', email: 'a@example.com', password: 'pw', updatedAt: new Date() }]);
  await db.users.createMany([{ name: 'Ada', email: 'a@example.com', password: 'pw', id: 'custom-id' }]);
  // @ts-expect-error a required field (email) is missing
  await db.users.create({ name: 'Ada', password: 'pw' });
  await db.users.create({ name: 'Ada', password: 'pw', email: 'ada@example.com', age: null });
  // @ts-expect-error wrong value type: age is an integer
  await db.users.create({ name: 'Ada', email: 'a@example.com', password: 'pw', age: '36' });
  await db.users.create({ name: 'Ada', email: 'a@example.com', password: 'pw', age: 36 });
  // @ts-expect-error unknown field on insert
  await db.messages.create({ conversationId: 'c', role: 'user', body: 'hi', sequence: 1n, color: 'red' });
  await db.messages.create({ conversationId: 'c', role: 'user', body: 'hi', sequence: 1n, tags: ['a'] });
  // @ts-expect-error array elements must match the item type
  await db.messages.create({ conversationId: 'c', role: 'user', body: 'hi', sequence: 1n, tags: [1, 2] });
  await db.messages.create({ conversationId: 'c', role: 'user', body: 'hi', sequence: 1n, meta: { model: 'm' } });

  // --- patches
  // @ts-expect-error id cannot be patched
  await db.users.update(id, { id: 'other' });
  await db.users.update(id, { name: 'Ada L.' });
  // @ts-expect-error version is managed: use expectedVersion for optimistic locking
  await db.users.update(id, { version: 3 });
  await db.users.update(id, { name: 'Ada L.' }, { expectedVersion: 3 });
  // @ts-expect-error pages has no f.version(): expectedVersion has nothing to compare (a ValidationError)
  await pagesDb.pages.update(id, { title: 'y' }, { expectedVersion: 1 });
  await pagesDb.pages.update(id, { title: 'y' }, { actor: 'user:1' });
  // @ts-expect-error nor on delete by id
  await pagesDb.pages.delete(id, { expectedVersion: 1 });
  await db.users.delete(id, { expectedVersion: 1 });
  // @ts-expect-error nor when the options are typed apart
  await pagesDb.pages.delete(id, guard);
  await db.conversations.delete(id, guard);
  // @ts-expect-error createdAt is managed
  await db.users.updateMany({ active: false }, { createdAt: new Date() });
  await db.users.updateMany({ active: false }, { active: true });
  // @ts-expect-error a required field cannot be set to null
  await db.users.update(id, { name: null });
  await db.users.update(id, { age: null });
  // @ts-expect-error wrong value type in a patch
  await db.conversations.update(id, { archived: 'yes' });
  await db.conversations.update(id, { archived: true });

  // --- increments only on numeric fields
  // @ts-expect-error increment on a string field
  await db.conversations.update(id, { title: { increment: 1 } });
  await db.conversations.update(id, { messageCount: { increment: 1 } });
  // @ts-expect-error increment on a boolean
  await db.conversations.updateMany({ userId: 'u1' }, { archived: { increment: 1 } });
  await db.conversations.updateMany({ userId: 'u1' }, { messageCount: { increment: -1 } });
  // @ts-expect-error increment of a bigint takes a bigint
  await db.messages.update(id, { sequence: { increment: 1 } });
  await db.messages.update(id, { sequence: { increment: 1n } });
  // @ts-expect-error increment of the managed version field
  await db.messages.update(id, { version: { increment: 1 } });
  await db.messages.update(id, { tokens: { increment: 10 }, cost: { increment: 0.5 } });
  // @ts-expect-error an encrypted number: the database cannot add to a ciphertext (a ValidationError)
  await acctDb.accounts.update(id, { balance: { increment: 1 } });
  await acctDb.accounts.update(id, { balance: 11, visits: { increment: 1 } });
  // @ts-expect-error nor to one with a blind index, in updateMany
  await acctDb.accounts.updateMany({ visits: { gt: 1 } }, { credits: { increment: 1n } });
  await acctDb.accounts.updateMany({ visits: { gt: 1 } }, { credits: 2n });

  // --- upsert conflict keys are field names
  // @ts-expect-error 'mail' is not a field
  await db.users.upsert({ name: 'Ada', email: 'a@example.com', password: 'pw' }, { conflict: ['mail'] });
  await db.users.upsert({ name: 'Ada', email: 'a@example.com', password: 'pw' }, { conflict: ['email'], update: { name: 'Ada' } });

  // @ts-expect-error name is no unique key: upsert cannot find a record by it
  await db.users.upsert({ name: 'Ada', email: 'a@example.com', password: 'pw' }, { conflict: ['name'], update: { age: 36 } });
  await db.users.upsert({ name: 'Ada', email: 'a@example.com', password: 'pw' }, { conflict: ['email'], update: { age: 36 } });
  // @ts-expect-error one field of a composite unique key is not a key
  await pagesDb.pages.upsert({ tenant: 't', slug: 's', title: 'x' }, { conflict: ['slug'] });
  await pagesDb.pages.upsert({ tenant: 't', slug: 's', title: 'x' }, { conflict: ['slug', 'tenant'] });
  // @ts-expect-error a composite key names each of its fields once
  await pagesDb.pages.upsert({ tenant: 't', slug: 's', title: 'x' }, { conflict: ['tenant', 'tenant'] });
  await pagesDb.pages.upsert({ tenant: 't', slug: 's', title: 'x' }, { conflict: ['tenant', 'slug'] });
  // @ts-expect-error conflict on the id is ['id'] alone
  await pagesDb.pages.upsert({ tenant: 't', slug: 's', title: 'x' }, { conflict: ['id', 'slug'] });
  await pagesDb.pages.upsert({ id, tenant: 't', slug: 's', title: 'x' }, { conflict: ['id'] });

  // --- secrets: a hash is bound to its record's id, so only writes by id set one
  // @ts-expect-error updateMany cannot set a secret: use update(id, ...)
  await db.users.updateMany({ role: 'admin' }, { password: 'pw2' });
  await db.users.updateMany({ role: 'admin' }, { name: 'Admin', active: false });
  // @ts-expect-error by a unique key, the default update would write the input's secret to a record known by key only
  await db.users.upsert({ name: 'Ada', email: 'a@example.com', password: 'pw' }, { conflict: ['email'] });
  await db.users.upsert({ name: 'Ada', email: 'a@example.com', password: 'pw' }, { conflict: ['email'], update: {} });
  // @ts-expect-error by a unique key, update cannot set a secret
  await db.users.upsert({ name: 'Ada', email: 'a@example.com', password: 'pw' }, { conflict: ['email'], update: { password: 'pw' } });
  await db.users.upsert({ name: 'Ada', email: 'a@example.com', password: 'pw' }, { conflict: ['id'], update: { password: 'pw' } });
  // @ts-expect-error unknown field in the update of an upsert by key
  await pagesDb.pages.upsert({ tenant: 't', slug: 's', title: 'x' }, { conflict: ['tenant', 'slug'], update: { title: 'y', nope: 1 } });
  await pagesDb.pages.upsert({ tenant: 't', slug: 's', title: 'x' }, { conflict: ['tenant', 'slug'] });
}

const pages = defineRepository('pages', { id: f.id(), tenant: f.string(), slug: f.string(), title: f.string() }, { unique: [['tenant', 'slug']] });
declare const pagesDb: Database<{ pages: typeof pages }>;
declare const guard: VersionedOptions;
const accounts = defineRepository('accounts', { id: f.id(), balance: f.integer().sensitive(), credits: f.bigint().optional().sensitive({ searchable: true }), visits: f.integer().default(0) });
declare const acctDb: Database<{ accounts: typeof accounts }>;
