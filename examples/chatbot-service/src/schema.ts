import { defineRepository, f } from '@chatcore/core';

/**
 * People who talk to the bot. The chatbot demo's users, plus an email that
 * is encrypted at rest and still found by equality (a blind index).
 *
 * @example
 * ```ts
 * const ada = await db.users.create({ name: 'Ada', handle: 'ada', email: 'ada@example.com' });
 * ```
 */
export const users = defineRepository('users', {
  id: f.id(),
  name: f.string({ max: 200 }),
  handle: f.string({ max: 50 }).unique(),
  email: f.string({ max: 320 }).optional().sensitive({ searchable: true }),
  conversationCount: f.integer({ min: 0 }).default(0),
  createdAt: f.timestamp().createdAt(),
  updatedAt: f.timestamp().updatedAt(),
  version: f.version(),
});

/**
 * A thread between one user and the bot.
 *
 * @example
 * ```ts
 * const c = await db.conversations.create({ userId: ada.id, title: 'Planning' });
 * ```
 */
export const conversations = defineRepository('conversations', {
  id: f.id(),
  userId: f.string().indexed(),
  title: f.string({ max: 200 }),
  status: f.enum(['open', 'closed']).default('open'),
  messageCount: f.integer({ min: 0 }).default(0),
  createdAt: f.timestamp().createdAt(),
  updatedAt: f.timestamp().updatedAt(),
  version: f.version(),
});

/**
 * One turn of a conversation, paged by `(sentAt, id)`.
 *
 * @example
 * ```ts
 * await db.messages.create({ conversationId: c.id, role: 'user', body: 'Hello', sentAt: new Date() });
 * ```
 */
export const messages = defineRepository(
  'messages',
  {
    id: f.id(),
    conversationId: f.string(),
    role: f.enum(['user', 'assistant', 'system']),
    body: f.text({ max: 32_000 }),
    tokens: f.integer({ min: 0 }).default(0),
    sentAt: f.timestamp(),
    meta: f.json<{ model?: string; latencyMs?: number }>().optional(),
    createdAt: f.timestamp().createdAt(),
  },
  { indexes: [['conversationId', 'sentAt']] },
);

/**
 * The repositories of the service.
 *
 * @example
 * ```ts
 * const db = await openDatabase('chatcore.yaml'); // typed: db.users, db.conversations, db.messages
 * ```
 */
export const repositories = { users, conversations, messages };
