import { defineRepository, f } from '@chatcore/core';

/** Users with searchable, plain-sensitive and secret fields. */
export const users = defineRepository('users', {
  id: f.id(),
  name: f.string({ max: 200 }),
  email: f.string({ max: 320 }).unique().sensitive({ searchable: true, normalize: { caseFold: true, trim: true } }),
  ssn: f.string().optional().sensitive(),
  phone: f.string().optional().sensitive({ searchable: true }),
  password: f.string().secret().optional(),
  age: f.integer().optional(),
  createdAt: f.timestamp().createdAt(),
  updatedAt: f.timestamp().updatedAt(),
  version: f.version(),
});

/** Every logical type as a sensitive field, to prove the typed plaintext encoding round-trips. */
export const vault = defineRepository('vault', {
  id: f.id(),
  label: f.string(),
  s: f.string().optional().sensitive(),
  t: f.text().optional().sensitive(),
  i: f.integer().optional().sensitive({ searchable: true }),
  n: f.number().optional().sensitive(),
  big: f.bigint().optional().sensitive(),
  flag: f.boolean().optional().sensitive(),
  at: f.timestamp().optional().sensitive(),
  raw: f.bytes().optional().sensitive(),
  doc: f.json<{ a: number; b: string[] }>().optional().sensitive(),
  tags: f.array(f.string()).optional().sensitive(),
  when: f.array(f.timestamp()).optional().sensitive(),
  kind: f.enum(['a', 'b']).optional().sensitive({ searchable: true }),
  version: f.version(),
});

/** Messages sealed whole, with the conversation id in clear. */
export const messages = defineRepository('messages', {
  id: f.id(),
  conversationId: f.string().indexed(),
  role: f.enum(['user', 'assistant', 'system']),
  body: f.text(),
  tokens: f.integer().default(0),
  author: f.string().optional().sensitive({ searchable: true }),
  createdAt: f.timestamp().createdAt(),
  version: f.version(),
}, { plugins: { encryption: { seal: true, clear: ['conversationId'] } } });

/** A repository whose `apiKey` is encrypted only because configuration names it. */
export const accounts = defineRepository('accounts', {
  id: f.id(),
  owner: f.string(),
  apiKey: f.string().optional(),
  score: f.integer().default(0),
  pin: f.string().secret().optional(),
  version: f.version(),
});
