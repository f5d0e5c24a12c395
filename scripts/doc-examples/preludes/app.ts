// What application examples take for granted: the chat schema used across the
// README and docs (users, conversations, messages), a database over it, a
// driver, and the values a request handler has at hand. No field is
// `sensitive`, so `createDatabase` accepts these repositories without an
// encryption plugin; examples about encryption declare their own fields.
export { readFileSync, writeFileSync } from 'node:fs';
import { defineRelations, defineRepository, f, type Database, type Driver, type RecordOf } from '@chatcore/core';

export const users = defineRepository('users', {
  id: f.id(),
  name: f.string({ max: 200 }),
  handle: f.string().unique().optional(),
  email: f.string().unique().optional(),
  password: f.string().secret().optional(),
  age: f.integer({ min: 0 }).optional(),
  createdAt: f.timestamp().createdAt(),
  version: f.version(),
});

export const conversations = defineRepository('conversations', {
  id: f.id(),
  userId: f.string().indexed(),
  title: f.string({ max: 200 }).optional(),
  status: f.enum(['open', 'closed']).default('open'),
  messageCount: f.integer({ min: 0 }).default(0),
  createdAt: f.timestamp().createdAt(),
  updatedAt: f.timestamp().updatedAt(),
  version: f.version(),
});

export const messages = defineRepository('messages', {
  id: f.id(),
  conversationId: f.string().indexed(),
  role: f.enum(['user', 'assistant', 'system']),
  body: f.text(),
  tokens: f.integer({ min: 0 }).default(0),
  meta: f.json<{ model?: string }>().optional(),
  sentAt: f.timestamp().optional(),
  createdAt: f.timestamp().createdAt(),
  version: f.version(),
});

export const repositories = { users, conversations, messages };
export type Repos = typeof repositories;
export const relations = defineRelations(repositories, {
  users: (r) => ({ conversations: r.many('conversations', { field: 'userId' }) }),
  conversations: (r) => ({ user: r.one('users', { field: 'userId' }), messages: r.many('messages', { field: 'conversationId' }) }),
  messages: (r) => ({ conversation: r.one('conversations', { field: 'conversationId' }) }),
});
export type User = RecordOf<typeof users>;
export type Conversation = RecordOf<typeof conversations>;
export type Message = RecordOf<typeof messages>;

export declare const db: Database<Repos, typeof relations>;
export declare const driver: Driver;
/** Record ids and values a handler would have. */
export declare const id: string;
export declare const userId: string;
export declare const conversationId: string;
export declare const conversation: Conversation;
export declare const since: Date;
export declare const cursor: string | undefined;
/** A root key for the encryption plugin (32 random bytes, base64). */
export declare const rootKey: string;
/** An incoming request, as a web framework hands it over. */
export declare const req: { readonly headers: Readonly<Record<string, string | undefined>>; readonly signal: AbortSignal };
