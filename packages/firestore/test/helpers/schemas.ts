import { defineRepository, f } from '@chatcore/core';
import { suffix } from './emulator.js';

/** Repositories with random table names, so files and runs never collide. */
export function testRepositories() {
  const s = suffix();
  const users = defineRepository('users', {
    id: f.id(),
    name: f.string({ max: 200 }),
    email: f.string().unique(),
    age: f.integer().optional(),
    score: f.number().optional(),
    balance: f.bigint().optional(),
    avatar: f.bytes().optional(),
    prefs: f.json<Record<string, unknown>>().optional(),
    tags: f.array(f.string()).optional(),
    active: f.boolean().default(true),
    createdAt: f.timestamp().createdAt(),
    updatedAt: f.timestamp().updatedAt(),
    version: f.version(),
  }, { table: `users_${s}` });
  const messages = defineRepository('messages', {
    id: f.id(),
    conversationId: f.string().indexed(),
    role: f.enum(['user', 'assistant', 'system']),
    body: f.text(),
    rank: f.integer(),
    createdAt: f.timestamp().createdAt(),
    version: f.version(),
  }, { table: `messages_${s}`, indexes: [['conversationId', 'createdAt']] });
  const counters = defineRepository('counters', {
    id: f.id(),
    value: f.integer({ min: 0, max: 1_000_000 }),
    version: f.version(),
  }, { table: `counters_${s}` });
  return { users, messages, counters };
}
