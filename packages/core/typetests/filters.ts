// Filters: field names, value types, operators per field type, `in` lists.
// Each @ts-expect-error line has a twin right below it that compiles.
import { db } from './schema.js';

export async function filters(since: Date): Promise<void> {
  // --- field names
  // @ts-expect-error 'nmae' is not a field of users
  await db.users.find({ where: { nmae: 'Ada' } });
  await db.users.find({ where: { name: 'Ada' } });
  // @ts-expect-error 'conversation' is not a field of messages (conversationId is)
  await db.messages.count({ conversation: 'c1' });
  await db.messages.count({ conversationId: 'c1' });
  // @ts-expect-error misspelled field inside or
  await db.users.find({ where: { or: [{ name: 'a' }, { agee: 3 }] } });
  await db.users.find({ where: { or: [{ name: 'a' }, { age: 3 }] } });

  // --- value types
  // @ts-expect-error age is an integer, not a string
  await db.users.find({ where: { age: '36' } });
  await db.users.find({ where: { age: 36 } });
  // @ts-expect-error createdAt compares with a Date, not a string
  await db.messages.find({ where: { createdAt: { gte: '2026-01-01' } } });
  await db.messages.find({ where: { createdAt: { gte: since } } });
  // @ts-expect-error role is an enum: 'robot' is not one of its values
  await db.messages.find({ where: { role: 'robot' } });
  await db.messages.find({ where: { role: 'assistant' } });
  // @ts-expect-error sequence is a bigint: a number literal is not
  await db.messages.find({ where: { sequence: { gt: 10 } } });
  await db.messages.find({ where: { sequence: { gt: 10n } } });
  // @ts-expect-error name is required: null is not a value it can have
  await db.users.find({ where: { name: null } });
  await db.users.find({ where: { age: null } });

  // --- null only where a field can be null (optional fields)
  // @ts-expect-error name is required: eq null could never match
  await db.users.find({ where: { name: { eq: null } } });
  await db.users.find({ where: { age: { eq: null } } });
  // @ts-expect-error ne null on a required field
  await db.users.count({ role: { ne: null } });
  await db.users.count({ age: { ne: null } });
  // @ts-expect-error isNull on a required field
  await db.users.find({ where: { createdAt: { isNull: false } } });
  await db.users.find({ where: { age: { isNull: false } } });
  // @ts-expect-error isNull on a required array (tags has a default, so it is never null)
  await db.messages.find({ where: { tags: { isNull: true } } });
  await db.messages.find({ where: { meta: { isNull: true } } });
  // @ts-expect-error isNull on a required encrypted field (email is searchable, not optional)
  await db.users.find({ where: { email: { isNull: true } } });
  await db.users.find({ where: { ssn: { isNull: true } } });
  // @ts-expect-error isNull on a required field inside not
  await db.users.find({ where: { not: { name: { isNull: true } } } });
  await db.users.find({ where: { not: { age: { isNull: true } } } });

  // --- operators for the field type
  // @ts-expect-error startsWith applies to strings, not to an integer
  await db.users.find({ where: { age: { startsWith: '3' } } });
  await db.users.find({ where: { name: { startsWith: 'A' } } });
  // @ts-expect-error gt does not apply to a boolean
  await db.users.find({ where: { active: { gt: false } } });
  await db.users.find({ where: { active: { eq: true } } });
  // @ts-expect-error a range on an encrypted (searchable) field: only eq/in through the blind index
  await db.users.find({ where: { email: { gt: 'a@example.com' } } });
  await db.users.find({ where: { email: { eq: 'a@example.com' } } });
  // @ts-expect-error startsWith on an encrypted field
  await db.users.find({ where: { email: { startsWith: 'ada' } } });
  await db.users.find({ where: { email: { in: ['a@example.com', 'b@example.com'] } } });
  // @ts-expect-error an encrypted field without a blind index cannot be compared at all
  await db.users.find({ where: { ssn: '123-45-6789' } });
  await db.users.find({ where: { ssn: { isNull: true } } });
  // @ts-expect-error an encrypted text field: no range either
  await db.messages.find({ where: { body: { lt: 'm' } } });
  await db.users.find({ where: { ssn: { isNull: false } } });
  // @ts-expect-error eq of a value on an encrypted field without a blind index
  await db.users.find({ where: { ssn: { eq: '123-45-6789' } } });
  await db.users.find({ where: { ssn: { eq: null } } });
  // @ts-expect-error a value under not on an encrypted field without a blind index
  await db.users.count({ not: { ssn: '123-45-6789' } });
  await db.users.count({ not: { ssn: null } });
  // @ts-expect-error an array field compares by its items, not as a whole
  await db.messages.find({ where: { tags: ['a'] } });
  await db.users.find({ where: { ssn: null } });
  // @ts-expect-error null on a required array (tags has a default, so it is never null)
  await db.messages.find({ where: { tags: null } });
  await db.messages.find({ where: { meta: null } });
  // @ts-expect-error a secret (hashed) field cannot be filtered on
  await db.users.find({ where: { password: 'hunter2' } });
  await db.users.find({ where: { name: 'hunter2' } });
  // @ts-expect-error json fields only support isNull
  await db.messages.find({ where: { meta: { eq: { model: 'x' } } } });
  await db.messages.find({ where: { meta: { isNull: true } } });

  // --- not around an encrypted field: a null check only (a negated lookup is ne / notIn on the blind index)
  // @ts-expect-error not around eq on an encrypted field
  await db.users.find({ where: { not: { email: 'a@example.com' } } });
  await db.users.find({ where: { not: { name: 'a@example.com' } } });
  // @ts-expect-error not around an explicit eq on an encrypted field
  await db.users.count({ not: { phone: { eq: '555-0100' } } });
  await db.users.count({ not: { phone: null } });
  // @ts-expect-error not around in on an encrypted field
  await db.users.find({ where: { not: { email: { in: ['a@example.com'] } } } });
  await db.users.find({ where: { not: { role: { in: ['admin'] } } } });
  // @ts-expect-error not around in, inside or
  await db.users.find({ where: { or: [{ age: 3 }, { not: { phone: { in: ['555-0100'] } } }] } });
  await db.users.find({ where: { or: [{ age: 3 }, { not: { phone: { isNull: true } } }] } });
  // @ts-expect-error an or under not is negated too
  await db.users.updateMany({ not: { or: [{ name: 'a' }, { email: 'a@example.com' }] } }, { active: false });
  await db.users.updateMany({ not: { or: [{ name: 'a' }, { phone: null }] } }, { active: false });
  // @ts-expect-error and under not
  await db.users.deleteMany({ not: { and: [{ phone: '555-0100' }] } });
  await db.users.deleteMany({ not: { and: [{ phone: { isNull: false } }] } });
  // @ts-expect-error a not under two nots is negated again
  await db.users.exists({ not: { not: { not: { email: 'a@example.com' } } } });
  await db.users.exists({ not: { not: { email: 'a@example.com' } } });
  // @ts-expect-error ne stays refused under not
  await db.users.find({ where: { not: { email: { ne: 'a@example.com' } } } });
  await db.users.find({ where: { email: { in: ['a@example.com'] }, not: { name: { in: ['Ada'] } } } });

  // --- in / notIn lists
  // @ts-expect-error a string in an integer `in` list
  await db.users.find({ where: { age: { in: [30, 'forty'] } } });
  await db.users.find({ where: { age: { in: [30, 40] } } });
  // @ts-expect-error an enum `notIn` list with a value outside the enum
  await db.users.find({ where: { role: { notIn: ['admin', 'owner'] } } });
  await db.users.find({ where: { role: { notIn: ['admin'] } } });
  // @ts-expect-error `in` takes a list, not a single value
  await db.conversations.find({ where: { userId: { in: 'u1' } } });
  await db.conversations.find({ where: { userId: { in: ['u1'] } } });

  // --- substring, case-insensitive and array operators
  // @ts-expect-error contains applies to strings, not to an integer
  await db.users.find({ where: { age: { contains: '3' } } });
  await db.users.find({ where: { name: { contains: 'da' } } });
  // @ts-expect-error endsWith takes a string
  await db.users.find({ where: { name: { endsWith: 3 } } });
  await db.users.find({ where: { name: { endsWith: 'a' } } });
  // @ts-expect-error contains on an encrypted (searchable) field
  await db.users.find({ where: { email: { contains: 'example' } } });
  await db.users.find({ where: { email: 'ada@example.com' } });
  // @ts-expect-error mode: 'insensitive' on an encrypted field
  await db.users.find({ where: { email: { eq: 'ADA@example.com', mode: 'insensitive' } } });
  await db.users.find({ where: { name: { eq: 'ADA', mode: 'insensitive' } } });
  // @ts-expect-error mode: 'insensitive' with a range: it applies to eq/startsWith/contains/endsWith only
  await db.users.find({ where: { name: { gt: 'a', mode: 'insensitive' } } });
  await db.users.find({ where: { name: { startsWith: 'a', mode: 'insensitive' } } });
  // @ts-expect-error mode on an enum field
  await db.users.find({ where: { role: { eq: 'admin', mode: 'insensitive' } } });
  await db.users.find({ where: { role: { eq: 'admin' } } });
  // @ts-expect-error an unknown mode
  await db.conversations.find({ where: { title: { contains: 'x', mode: 'loud' } } });
  await db.conversations.find({ where: { title: { contains: 'x', mode: 'default' } } });
  // @ts-expect-error has takes an element of the array (tags holds strings)
  await db.messages.find({ where: { tags: { has: 3 } } });
  await db.messages.find({ where: { tags: { has: 'billing' } } });
  // @ts-expect-error hasSome takes a list
  await db.messages.find({ where: { tags: { hasSome: 'billing' } } });
  await db.messages.find({ where: { tags: { hasSome: ['billing', 'refund'] } } });
  // @ts-expect-error an array field cannot be compared with eq (use has / hasEvery)
  await db.messages.find({ where: { tags: ['billing'] } });
  await db.messages.find({ where: { tags: { hasEvery: ['billing'] } } });
  // @ts-expect-error has on a string field (it is for arrays)
  await db.users.find({ where: { name: { has: 'a' } } });
  await db.users.find({ where: { name: { contains: 'a' } } });

  // --- enums are ordered by their strings (code points), as on every backend
  // @ts-expect-error an enum range takes one of the enum's values
  await db.messages.find({ where: { role: { gte: 'operator' } } });
  await db.messages.find({ where: { role: { gte: 'system' } } });
  // @ts-expect-error booleans have no range operators
  await db.users.count({ active: { gt: false } });
  await db.users.count({ role: { lt: 'member' } });

  // --- distinct
  // @ts-expect-error distinct on an encrypted field
  await db.users.find({ distinct: ['email'] });
  await db.users.find({ distinct: ['role'] });
  // @ts-expect-error distinct on a json field
  await db.messages.find({ distinct: ['meta'] });
  await db.messages.find({ distinct: ['conversationId'], orderBy: { createdAt: 'desc' } });
  // @ts-expect-error findPage pages with cursors, which distinct cannot use
  await db.messages.findPage({ distinct: ['conversationId'] });
  await db.messages.find({ distinct: ['conversationId'], limit: 20, offset: 20 });
}
