import { defineRepository, f } from '@chatcore/core';

/** People who talk to the bot. */
export const users = defineRepository('users', {
  id: f.id(),
  name: f.string({ max: 200 }),
  handle: f.string({ max: 50 }).unique(),
  conversationCount: f.integer({ min: 0 }).default(0),
  createdAt: f.timestamp().createdAt(),
  updatedAt: f.timestamp().updatedAt(),
  version: f.version(),
});

/** A thread between one user and the bot. */
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

/** One turn of a conversation. */
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

/** The repositories of the chatbot. */
export const repositories = { users, conversations, messages };
