// Reads: sort keys, projections, secrets never in results, nullability.
// Each @ts-expect-error line has a twin right below it that compiles.
import type { Direction, OrderByItemOf } from '@chatcore/core';
import { db, users } from './schema.js';

export async function reads(id: string): Promise<void> {
  // --- sort keys
  // @ts-expect-error 'newest' is not a field
  await db.messages.find({ orderBy: { newest: 'desc' } });
  await db.messages.find({ orderBy: { createdAt: 'desc' } });
  // @ts-expect-error an encrypted field cannot be a sort key (its order would leak)
  await db.users.find({ orderBy: { email: 'asc' } });
  await db.users.find({ orderBy: { name: 'asc' } });
  // @ts-expect-error a secret cannot be a sort key
  await db.users.find({ orderBy: [{ password: 'asc' }] });
  await db.users.find({ orderBy: [{ age: 'asc' }, { name: 'desc' }] });
  // @ts-expect-error a list item holds one key: two would sort in key order, which a list is there to avoid
  await db.users.find({ orderBy: [{ age: 'asc', name: 'desc' }] });
  await db.users.find({ orderBy: { age: 'asc', name: 'desc' } });
  // @ts-expect-error a second key in a later item too
  await db.messages.findPage({ orderBy: [{ role: 'asc' }, { tokens: 'desc', createdAt: 'asc' }] });
  await db.messages.findPage({ orderBy: [{ role: 'asc' }, { tokens: 'desc' }, { createdAt: 'asc' }] });
  // @ts-expect-error one key per item, however it is typed
  const twoKeys: OrderByItemOf<typeof users> = { name: 'asc', id: 'desc' };
  const oneKey: OrderByItemOf<typeof users> = { name: 'asc' };
  const direction: Direction = id ? 'asc' : 'desc';
  await db.messages.find({ orderBy: [{ createdAt: direction }, { id: direction }] });
  // @ts-expect-error json cannot be a sort key
  await db.messages.find({ orderBy: { meta: 'asc' } });
  await db.messages.find({ orderBy: { tokens: 'asc' } });
  // @ts-expect-error direction is asc or desc
  await db.messages.find({ orderBy: { createdAt: 'descending' } });
  await db.messages.find({ orderBy: { createdAt: 'asc' } });
  void [twoKeys, oneKey];

  // --- secrets are never returned
  const user = await db.users.get(id);
  if (!user) return;
  // @ts-expect-error password is a secret: reads never return it
  void user.password;
  void user.name;
  // @ts-expect-error a secret cannot be selected
  await db.users.find({ select: ['password'] });
  await db.users.find({ select: ['name'] });
  // @ts-expect-error verifySecret names a secret field, not a readable one
  await db.users.verifySecret(id, 'name', 'candidate');
  await db.users.verifySecret(id, 'password', 'candidate');

  // --- projections return only the selected fields (and id)
  const slim = await db.users.find({ select: ['name', 'age'] });
  // @ts-expect-error email was not selected
  void slim[0]?.email;
  void [slim[0]?.id, slim[0]?.name, slim[0]?.age];
  const one = await db.messages.findOne({ where: { conversationId: 'c' }, select: ['role'] });
  // @ts-expect-error body was not selected
  void one?.body;
  void one?.role;
  const page = await db.conversations.findPage({ select: ['title'], limit: 10 });
  // @ts-expect-error messageCount was not selected
  void page.items[0]?.messageCount;
  void page.items[0]?.title;
  // @ts-expect-error 'titel' is not a field to select
  await db.conversations.find({ select: ['titel'] });
  await db.conversations.find({ select: ['title', 'messageCount'] });

  // --- nullability of results
  const maybe = await db.users.get(id);
  // @ts-expect-error get returns null for a missing record
  void maybe.name;
  void maybe?.name;
  // @ts-expect-error an optional field is nullable
  const age: number = user.age;
  const ageOrNull: number | null = user.age;
  // @ts-expect-error a required field is never null, and typed: name is a string
  const nameNum: number = user.name;
  const name: string = user.name;
  void [ageOrNull, name, age, nameNum];

  // --- iterate yields typed records
  for await (const m of db.messages.iterate({ where: { conversationId: 'c' }, select: ['tokens'] })) {
    // @ts-expect-error role was not selected
    void m.role;
    void m.tokens;
  }
}
