// Compiled by ../typings.test.ts: every line marked @ts-expect-error must be
// an error, and everything else must compile.
import { defineRepository, f } from '@chatcore/core';
import type { SqlDriver, SqlTablesOf } from '@chatcore/sql';

const chatMessages = defineRepository('chatMessages', {
  id: f.id(),
  conversationId: f.string(),
  body: f.text(),
  tokens: f.integer().optional(),
  size: f.bigint(),
  password: f.string().secret(),
  createdAt: f.timestamp().createdAt(),
});
type Repos = { messages: typeof chatMessages };

export async function escapeHatch(driver: SqlDriver) {
  const k = driver.kysely<Repos>();
  const rows = await k.selectFrom('chat_messages').select(['id', 'conversation_id', 'tokens', 'size', 'created_at']).execute();
  const when: Date = rows[0]!.created_at;
  const tokens: number | null = rows[0]!.tokens;
  const size: bigint = rows[0]!.size;
  // @ts-expect-error tokens is nullable
  const notNull: number = rows[0]!.tokens;
  // @ts-expect-error tables are named after the repository, in snake_case
  await k.selectFrom('chatMessages').selectAll().execute();
  // @ts-expect-error columns are snake_case
  await k.selectFrom('chat_messages').select(['conversationId']).execute();
  // @ts-expect-error secrets are not part of the readable row type
  await k.selectFrom('chat_messages').select(['password']).execute();
  await k.updateTable('chat_messages').set({ body: 'x' }).where('id', '=', 'm1').execute();
  // @ts-expect-error wrong value type for a column
  await k.updateTable('chat_messages').set({ body: 5 }).execute();
  return { when, tokens, size, notNull };
}

export type Check = SqlTablesOf<Repos>['chat_messages']['conversation_id'];
