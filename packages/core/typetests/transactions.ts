// Transactions hand out the same typed repositories.
// Each @ts-expect-error line has a twin right below it that compiles.
import { db } from './schema.js';

export async function transactions(): Promise<void> {
  const id = await db.transaction(async (tx) => {
    const c = await tx.conversations.create({ userId: 'u1' });
    // @ts-expect-error 'conversation' is not a repository of this database
    await tx.conversation.create({ userId: 'u1' });
    await tx.messages.create({ conversationId: c.id, role: 'user', body: 'hi', sequence: 1n });
    // @ts-expect-error wrong field inside a transaction too
    await tx.messages.create({ conversationId: c.id, role: 'user', body: 'hi', sequence: 1n, version: 2 });
    await tx.conversations.update(c.id, { messageCount: { increment: 1 } }, { expectedVersion: c.version });
    await tx.transaction(async (inner) => {
      // @ts-expect-error nested scopes are typed as well
      await inner.users.find({ where: { nmae: 'x' } });
      await inner.users.find({ where: { name: 'x' } });
    });
    return c.id;
  }, { isolation: 'serializable', timeout: '5s' });
  const text: string = id;
  // @ts-expect-error the transaction's result keeps its type
  const wrong: number = await db.transaction(async () => 'text');
  const right: string = await db.transaction(async () => 'text');
  // @ts-expect-error isolation levels are a fixed list
  await db.transaction(async () => 1, { isolation: 'snapshot' });
  await db.transaction(async () => 1, { isolation: 'repeatable read' });
  void [text, wrong, right];
}
