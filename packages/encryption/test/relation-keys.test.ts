import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ConfigError, createDatabase, defineRelations, defineRepository, f } from '@chatcore/core';
import { memoryDriver } from '@chatcore/core/driver';
import { encryption, type EncryptionOptions } from '../src/index.js';
import { KEY_A } from './helpers/keys.js';

// A relation key field the encryption plugin encrypts (sensitiveFields) or seals (record mode) is
// refused by createDatabase, as a key field declared sensitive() is: the database could not
// compare it, and every include of the relation would fail only once its parents were read.
const conversations = defineRepository('conversations', { id: f.id(), title: f.string() });
const messages = defineRepository('messages', { id: f.id(), conversationId: f.string().indexed(), n: f.integer() });
const tags = defineRepository('tags', { id: f.id(), label: f.string() });
const conversationTags = defineRepository('conversationTags', { id: f.id(), conversationId: f.string().indexed(), tagId: f.string().indexed() });
const repositories = { conversations, messages, tags, conversationTags };
const relations = defineRelations(repositories, {
  conversations: (r) => ({
    messages: r.many('messages', { field: 'conversationId' }),
    tags: r.many('tags', { through: 'conversationTags', field: 'conversationId', targetField: 'tagId' }),
  }),
  messages: (r) => ({ conversation: r.one('conversations', { field: 'conversationId' }) }),
});

function open(options: Omit<EncryptionOptions, 'keys'>) {
  return createDatabase({ driver: memoryDriver(), repositories, relations, plugins: [encryption({ keys: [{ id: 'k1', key: KEY_A }], ...options })] });
}

/** The relation paths createDatabase's ConfigError names for these options. */
function refused(options: Omit<EncryptionOptions, 'keys'>): string[] {
  try {
    open(options);
  } catch (e) {
    assert.instance(e, ConfigError);
    assert.match((e as Error).message, /cannot hold a key/);
    return ((e as ConfigError).info.problems as Array<{ path: string }>).map((p) => p.path).sort();
  }
  assert.unreachable('expected ConfigError from createDatabase');
  return [];
}

test('a key field in sensitiveFields is refused by createDatabase, searchable or not', () => {
  for (const entry of ['messages.conversationId', { field: 'messages.conversationId', searchable: true }]) {
    assert.equal(refused({ sensitiveFields: [entry] }), ['conversations.messages', 'messages.conversation'], JSON.stringify(entry));
  }
});

test('a join key field in sensitiveFields is refused by createDatabase', () => {
  assert.equal(refused({ sensitiveFields: ['conversationTags.tagId'] }), ['conversations.tags']);
  assert.equal(refused({ sensitiveFields: [{ field: 'conversationTags.conversationId', searchable: true }] }), ['conversations.tags']);
});

test('a key field sealed in record mode is refused by createDatabase; kept in clear it loads', async () => {
  assert.equal(refused({ repositories: { messages: { seal: true } } }), ['conversations.messages', 'messages.conversation']);
  assert.equal(refused({ repositories: { conversationTags: { seal: true, clear: ['conversationId'] } } }), ['conversations.tags']);
  const db = open({ sensitiveFields: ['messages.n'], repositories: { messages: { seal: true, clear: ['conversationId'] } } });
  await db.connect();
  try {
    await db.conversations.create({ id: 'c1', title: 'a' });
    await db.messages.createMany([{ id: 'm1', conversationId: 'c1', n: 1 }, { id: 'm2', conversationId: 'c1', n: 2 }]);
    const got = await db.conversations.get('c1', { include: { messages: { orderBy: { id: 'asc' } } } });
    assert.equal(got?.messages.map((m) => [m.id, m.n]), [['m1', 1], ['m2', 2]]);
  } finally {
    await db.close();
  }
});

test.run();
