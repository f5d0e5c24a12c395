// The schema the type tests use: a realistic chatbot model.
import { defineRepository, f, type Database } from '@chatcore/core';

export const users = defineRepository('users', {
  id: f.id(),
  name: f.string({ max: 200 }),
  email: f.string().unique().sensitive({ searchable: true }),
  ssn: f.string().optional().sensitive(),
  phone: f.string().optional().sensitive({ searchable: true }),
  password: f.string().secret(),
  age: f.integer({ min: 0 }).optional(),
  active: f.boolean().default(true),
  role: f.enum(['admin', 'member']).default('member'),
  createdAt: f.timestamp().createdAt(),
  updatedAt: f.timestamp().updatedAt(),
  version: f.version(),
});

export const conversations = defineRepository('conversations', {
  id: f.id(),
  userId: f.string().indexed(),
  title: f.string({ max: 200 }).optional(),
  messageCount: f.integer({ min: 0 }).default(0),
  archived: f.boolean().default(false),
  createdAt: f.timestamp().createdAt(),
  version: f.version(),
});

export const messages = defineRepository('messages', {
  id: f.id(),
  conversationId: f.string().indexed(),
  role: f.enum(['user', 'assistant', 'system']),
  body: f.text().sensitive(),
  tokens: f.integer({ min: 0 }).default(0),
  cost: f.number().optional(),
  sequence: f.bigint(),
  tags: f.array(f.string()).default(() => []),
  meta: f.json<{ model?: string }>().optional(),
  createdAt: f.timestamp().createdAt(),
  version: f.version(),
});

export type Repos = { users: typeof users; conversations: typeof conversations; messages: typeof messages };
export declare const db: Database<Repos>;
