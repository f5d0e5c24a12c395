// Bulk filters, negation, call options and the by-id helpers.
// Each @ts-expect-error line has a twin right below it that compiles.
import { db } from './schema.js';

export async function options(ids: string[], signal: AbortSignal): Promise<void> {
  // @ts-expect-error not takes a filter of the same repository
  await db.users.count({ not: { titel: 'x' } });
  await db.users.count({ not: { name: 'x' } });
  // @ts-expect-error deleteMany filters are checked like find filters
  await db.messages.deleteMany({ conversationId: { gt: 5 } });
  await db.messages.deleteMany({ conversationId: { gt: 'c5' } });
  // @ts-expect-error updateMany's patch is checked like update's
  await db.messages.updateMany({ role: 'user' }, { role: 'robot' });
  await db.messages.updateMany({ role: 'user' }, { role: 'system' });
  // @ts-expect-error exists takes a filter, not a query
  await db.users.exists({ where: { name: 'x' } });
  await db.users.exists({ name: 'x' });
  // @ts-expect-error and takes a list of filters
  await db.users.find({ where: { and: { name: 'x' } } });
  await db.users.find({ where: { and: [{ name: 'x' }, { age: { gte: 18 } }] } });

  // @ts-expect-error getMany takes string ids
  await db.users.getMany([1, 2]);
  await db.users.getMany(ids);
  // @ts-expect-error timeout is ms or a duration string
  await db.users.get('id', { timeout: true });
  await db.users.get('id', { timeout: '500ms', signal });
  // @ts-expect-error expectedVersion is a number
  await db.users.delete('id', { expectedVersion: '3' });
  await db.users.delete('id', { expectedVersion: 3 });
  // @ts-expect-error upsert's update patch cannot touch managed fields
  await db.users.upsert({ name: 'A', email: 'a@example.com', password: 'p' }, { conflict: ['email'], update: { createdAt: new Date() } });
  await db.users.upsert({ name: 'A', email: 'a@example.com', password: 'p' }, { conflict: ['email'], update: { name: 'A' } });
  // @ts-expect-error a cursor is the opaque string of a previous page
  await db.messages.findPage({ limit: 10, after: { id: 'x' } });
  await db.messages.findPage({ limit: 10, after: null });
  // @ts-expect-error the cache hint is false or { ttl }
  await db.users.get('id', { cache: true });
  await db.users.get('id', { cache: { ttl: '10s' } });
}
