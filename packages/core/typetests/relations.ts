// Relations and include: declarations are checked where written, include
// is checked exactly at every level, and results carry only what was included.
// Each @ts-expect-error line has a twin right below it that compiles.
import { createDatabase, defineRelations, defineRepository, f, type Database } from '@chatcore/core';
import { memoryDriver } from '@chatcore/core/testing';
import { users, conversations, messages } from './schema.js';

const tags = defineRepository('tags', { id: f.id(), label: f.string() });
const conversationTags = defineRepository('conversationTags', { id: f.id(), conversationId: f.string(), tagId: f.string() });
const repos = { users, conversations, messages, tags, conversationTags };

export const relations = defineRelations(repos, {
  users: (r) => ({ conversations: r.many('conversations', { field: 'userId' }) }),
  conversations: (r) => ({
    user: r.one('users', { field: 'userId' }),
    messages: r.many('messages', { field: 'conversationId' }),
    tags: r.many('tags', { through: 'conversationTags', field: 'conversationId', targetField: 'tagId' }),
  }),
  messages: (r) => ({ conversation: r.one('conversations', { field: 'conversationId' }) }),
});

export function declarations(): void {
  // @ts-expect-error a relation named like a field of its repository (conversations.title)
  defineRelations(repos, { conversations: (r) => ({ title: r.one('users', { field: 'userId' }) }) });
  defineRelations(repos, { conversations: (r) => ({ author: r.one('users', { field: 'userId' }) }) });
  // @ts-expect-error a relation named constructor (a reserved word)
  defineRelations(repos, { users: (r) => ({ constructor: r.many('conversations', { field: 'userId' }) }) });
  defineRelations(repos, { users: (r) => ({ chats: r.many('conversations', { field: 'userId' }) }) });
  defineRelations(repos, {
    // @ts-expect-error a target that is not a repository
    conversations: (r) => ({ user: r.one('people', { field: 'userId' }) }),
  });
  defineRelations(repos, { conversations: (r) => ({ user: r.one('users', { field: 'userId' }) }) });
  defineRelations(repos, {
    // @ts-expect-error the key field must be a field of the declaring repository (conversations has no conversationId)
    conversations: (r) => ({ user: r.one('users', { field: 'conversationId' }) }),
  });
  defineRelations(repos, { messages: (r) => ({ conversation: r.one('conversations', { field: 'conversationId' }) }) });
  defineRelations(repos, {
    // @ts-expect-error a key field must be a string (tokens is an integer)
    conversations: (r) => ({ messages: r.many('messages', { field: 'tokens' }) }),
  });
  defineRelations(repos, { conversations: (r) => ({ messages: r.many('messages', { field: 'conversationId' }) }) });
  defineRelations(repos, {
    // @ts-expect-error an encrypted field cannot hold a key
    conversations: (r) => ({ user: r.one('users', { targetField: 'email' }) }),
  });
  defineRelations(repos, { users: (r) => ({ latest: r.one('conversations', { targetField: 'userId' }) }) });
  // @ts-expect-error an f.text() field cannot hold a key (createDatabase takes f.string() fields and the id)
  defineRelations(withNotes, { notes: (r) => ({ author: r.one('users', { field: 'authorText' }) }) });
  defineRelations(withNotes, { notes: (r) => ({ author: r.one('users', { field: 'authorId' }) }) });
  // @ts-expect-error an enum field cannot hold a key either
  defineRelations(withNotes, { users: (r) => ({ notes: r.many('notes', { field: 'kind' }) }) });
  defineRelations(withNotes, { users: (r) => ({ notes: r.many('notes', { field: 'authorId' }) }) });
  // @ts-expect-error nor the key fields of a join repository
  defineRelations(withNotes, { notes: (r) => ({ tags: r.many('tags', { through: 'notes', field: 'authorText', targetField: 'authorId' }) }) });
  defineRelations(withNotes, { notes: (r) => ({ self: r.one('notes', { targetField: 'id' }) }) });
}

const notes = defineRepository('notes', { id: f.id(), authorId: f.string(), authorText: f.text(), kind: f.enum(['a', 'b']) });
const withNotes = { ...repos, notes };

declare const db: Database<typeof repos, typeof relations extends { __relations?: infer Rel } ? Rel : never>;
const typed = createDatabase({ driver: memoryDriver(), repositories: repos, relations });

export async function includes(id: string): Promise<void> {
  // @ts-expect-error a relation that is not declared
  await typed.conversations.find({ include: { usr: true } });
  await typed.conversations.find({ include: { user: true } });
  // @ts-expect-error one undeclared relation next to a declared one
  await typed.conversations.find({ include: { user: true, replies: true } });
  await typed.conversations.find({ include: { user: true, messages: true } });
  // @ts-expect-error a field of the related repository that does not exist, in a nested where
  await typed.conversations.find({ include: { messages: { where: { role: 'user', author: 'x' } } } });
  await typed.conversations.find({ include: { messages: { where: { role: 'user' } } } });
  // @ts-expect-error not around eq on an encrypted field, in an include where
  await typed.conversations.find({ include: { user: { where: { not: { email: 'a@example.com' } } } } });
  await typed.conversations.find({ include: { user: { where: { not: { phone: null, name: 'Ada' } } } } });
  // @ts-expect-error not around in on an encrypted field, two levels down
  await typed.users.find({ include: { conversations: { include: { user: { where: { not: { phone: { in: ['555-0100'] } } } } } } } });
  await typed.users.find({ include: { conversations: { include: { messages: { where: { not: { role: 'user' } } } } } } });
  // @ts-expect-error a wrong value type in a nested where
  await typed.conversations.find({ include: { messages: { where: { tokens: 'many' } } } });
  await typed.conversations.find({ include: { messages: { where: { tokens: { gt: 10 } } } } });
  // @ts-expect-error an unknown operator next to a known one, in an include where
  await typed.conversations.find({ include: { messages: { where: { tokens: { gt: 10, lessThan: 50 } } } } });
  await typed.conversations.find({ include: { messages: { where: { tokens: { gt: 10, lt: 50 } } } } });
  // @ts-expect-error an operator of another field type (startsWith on an integer), inside and
  await typed.conversations.find({ include: { messages: { where: { and: [{ role: 'user' }, { tokens: { gt: 1, startsWith: '1' } }] } } } });
  await typed.conversations.find({ include: { messages: { where: { and: [{ role: 'user' }, { or: [{ tokens: { gt: 1 } }, { tags: { has: 'x' } }] }] } } } });
  // @ts-expect-error a range with mode: 'insensitive', under not, two levels down
  await typed.users.find({ include: { conversations: { include: { messages: { where: { not: { conversationId: { mode: 'insensitive', gt: 'c' } } } } } } } });
  await typed.users.find({ include: { conversations: { include: { messages: { where: { not: { conversationId: { mode: 'insensitive', startsWith: 'c' } } } } } } } });
  // @ts-expect-error in on an array field (has / hasSome test its items), on a one relation
  await typed.messages.find({ include: { conversation: { where: { title: { in: ['a'] } }, include: { messages: { where: { tags: { has: 'x', in: ['y'] } } } } } } });
  await typed.messages.find({ include: { conversation: { where: { title: { in: ['a'] } }, include: { messages: { where: { tags: { has: 'x', hasSome: ['y'] } } } } } } });
  // @ts-expect-error an empty select in an include selects nothing, as in find
  await typed.conversations.find({ include: { messages: { select: [] } } });
  await typed.conversations.find({ include: { messages: { select: ['role'] } } });
  // @ts-expect-error an empty select of a one relation
  await typed.messages.findOne({ include: { conversation: { select: [] } } });
  await typed.messages.findOne({ include: { conversation: { select: ['title', 'archived'] } } });
  // @ts-expect-error a negative per-parent limit
  await typed.conversations.find({ include: { messages: { limit: -1 } } });
  await typed.conversations.find({ include: { messages: { limit: 20 } } });
  // @ts-expect-error a negative limit next to an include
  await typed.conversations.findPage({ limit: -5, include: { user: true } });
  await typed.conversations.findPage({ limit: 5, include: { user: true } });
  // @ts-expect-error limit on a one relation (one record per parent)
  await typed.messages.find({ include: { conversation: { limit: 1 } } });
  await typed.messages.find({ include: { conversation: { where: { archived: false } } } });
  // @ts-expect-error a wrong field two levels down
  await typed.users.find({ include: { conversations: { include: { messages: { orderBy: { bodyy: 'asc' } } } } } });
  await typed.users.find({ include: { conversations: { include: { messages: { orderBy: { createdAt: 'asc' } } } } } });
  // @ts-expect-error one key per orderBy item at every include level
  await typed.users.find({ include: { conversations: { orderBy: [{ createdAt: 'desc', messageCount: 'asc' }] } } });
  await typed.users.find({ include: { conversations: { orderBy: [{ createdAt: 'desc' }, { messageCount: 'asc' }] } } });
  // @ts-expect-error two keys in an item two levels down
  await typed.users.find({ include: { conversations: { include: { messages: { orderBy: [{ tokens: 'desc', createdAt: 'asc' }] } } } } });
  await typed.users.find({ include: { conversations: { include: { messages: { orderBy: [{ tokens: 'desc' }, { createdAt: 'asc' }], limit: 5 } } } } });
  await typed.conversations.get('c1', { include: { tags: { orderBy: [{ label: 'asc' }] } } });
  // @ts-expect-error undefined does not skip a relation (a ValidationError): leave it out
  await typed.conversations.find({ include: { messages: undefined } });
  await typed.conversations.find({ include: {} });
  // @ts-expect-error nor a relation included only on a condition
  await typed.conversations.get(id, { include: { user: id ? true : undefined } });
  await typed.conversations.get(id, { include: id ? { user: true } : {} });
  // @ts-expect-error nor a nested one
  await typed.users.find({ include: { conversations: { include: { messages: undefined } } } });
  await typed.users.find({ include: { conversations: { include: { messages: true } } } });
  // @ts-expect-error a relation of another repository at the third level
  await typed.users.find({ include: { conversations: { include: { messages: { include: { tags: true } } } } } });
  await typed.users.find({ include: { conversations: { include: { messages: { include: { conversation: true } } } } } });

  const [c] = await typed.conversations.find({
    where: { archived: false },
    include: {
      user: { select: ['name'] },
      messages: { where: { role: 'user' }, orderBy: { createdAt: 'desc' }, limit: 20, include: { conversation: { select: ['title'] } } },
    },
  });
  if (!c) return;
  const name: string = c.user!.name;
  const body: string = c.messages[0]!.body;
  const title: string | null = c.messages[0]!.conversation!.title;
  // @ts-expect-error reading a relation that was not included
  void c.tags;
  void c.messages;
  // @ts-expect-error a field the nested select left out
  void c.user?.email;
  void c.user?.name;
  // @ts-expect-error a one relation may be null
  const strict: { name: string } = c.user;
  const maybe: { name: string } | null = c.user;
  // @ts-expect-error secrets are never in a result, included or not
  void (await typed.conversations.get(id, { include: { user: true } }))?.user?.password;
  void (await typed.conversations.get(id, { include: { user: true } }))?.user?.email;
  const page = await typed.conversations.findPage({ include: { tags: { orderBy: { label: 'asc' } } } });
  const label: string = page.items[0]!.tags[0]!.label;
  const one = await typed.messages.findOne({ include: { conversation: { include: { user: true } } } });
  const owner: string | undefined = one?.conversation?.user?.name;
  for await (const u of typed.users.iterate({ include: { conversations: { select: ['title'] } } })) void u.conversations[0]?.title;
  await db.users.find({ include: { conversations: true } });
  void [name, body, title, strict, maybe, label, owner];
}

/** A database with relations still goes where a plain one is expected (helpers, migrate). */
export function assignable(plain: (db: Database<typeof repos>) => void): void {
  plain(typed);
  // @ts-expect-error but a plain database has no include
  void db.users.find({ include: { conversations: true } }).then(() => (null as unknown as Database<typeof repos>).users.find({ include: { conversations: true } }));
  void db.users.find({ include: { conversations: true } });
}
