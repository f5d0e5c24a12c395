import { ConflictError, createDatabase, type Driver } from '@chatcore/core';
import { repositories } from './schema.js';

/** What the demo did, for the summary and for tests. */
export interface DemoSummary {
  backend: string;
  users: number;
  conversations: number;
  messages: number;
  pages: number;
  pagedMessages: number;
  pagingInOrder: boolean;
  committedTransaction: boolean;
  rolledBackLeftNoTrace: boolean;
  conflictCaught: boolean;
  finalVersion: number;
  elapsedMs: number;
}

/**
 * The chatbot scenario: users, a conversation, a burst of messages, cursor
 * paging, a transaction, a rollback and an optimistic-locking conflict.
 */
export async function runDemo(driver: Driver, backend: string, suffix = ''): Promise<DemoSummary> {
  const started = performance.now();
  const db = createDatabase({ driver, repositories });
  await db.connect();
  try {
    const [ada, grace] = await db.users.createMany([
      { name: 'Ada Lovelace', handle: `ada${suffix}` },
      { name: 'Grace Hopper', handle: `grace${suffix}` },
    ]);

    // One conversation, opened atomically with the user's counter.
    const convo = await db.transaction(async (tx) => {
      const c = await tx.conversations.create({ userId: ada!.id, title: 'Planning the analytical engine' });
      await tx.users.update(ada!.id, { conversationCount: { increment: 1 } });
      return c;
    });

    // A burst of 120 messages, written as one batch.
    const t0 = Date.now();
    const turns = Array.from({ length: 120 }, (_, i) => ({
      conversationId: convo.id,
      role: (i % 2 === 0 ? 'user' : 'assistant') as 'user' | 'assistant',
      body: i % 2 === 0 ? `Question ${i / 2 + 1}: what about loops?` : `Answer ${(i + 1) / 2}: use the store and the mill.`,
      tokens: 10 + (i % 7),
      sentAt: new Date(t0 + Math.floor(i / 3) * 1000), // ties on purpose: three messages per second
      meta: i % 2 ? { model: 'demo-model', latencyMs: 120 + i } : undefined,
    }));
    await db.messages.createMany(turns);
    await db.conversations.update(convo.id, { messageCount: { increment: turns.length } });

    // Page through the conversation, newest first, 25 at a time.
    let pages = 0;
    const seen: Array<{ id: string; sentAt: Date }> = [];
    let cursor: string | null = null;
    do {
      const page: { items: Array<{ id: string; sentAt: Date }>; nextCursor: string | null } = await db.messages.findPage({
        where: { conversationId: convo.id },
        orderBy: { sentAt: 'desc' },
        limit: 25,
        after: cursor,
        select: ['sentAt'],
      });
      pages++;
      seen.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor);
    const inOrder = seen.every((m, i) => i === 0 || seen[i - 1]!.sentAt.getTime() > m.sentAt.getTime() || (seen[i - 1]!.sentAt.getTime() === m.sentAt.getTime() && seen[i - 1]!.id > m.id));
    const distinct = new Set(seen.map((m) => m.id)).size === turns.length;

    // A transaction that fails leaves nothing behind.
    const before = await db.conversations.count({ userId: grace!.id });
    await db
      .transaction(async (tx) => {
        await tx.conversations.create({ userId: grace!.id, title: 'Compilers' });
        throw new Error('the bot crashed mid-way');
      })
      .catch(() => undefined);
    const after = await db.conversations.count({ userId: grace!.id });

    // Two editors rename the conversation from the same version: one wins, one gets ConflictError.
    const current = (await db.conversations.get(convo.id))!;
    await db.conversations.update(convo.id, { title: 'Engine plans (v2)' }, { expectedVersion: current.version });
    let conflictCaught = false;
    try {
      await db.conversations.update(convo.id, { title: 'Engine plans (stale)' }, { expectedVersion: current.version });
    } catch (e) {
      conflictCaught = e instanceof ConflictError;
    }
    const final = (await db.conversations.get(convo.id))!;

    return {
      backend,
      users: await db.users.count({ handle: { in: [`ada${suffix}`, `grace${suffix}`] } }),
      conversations: await db.conversations.count({ userId: { in: [ada!.id, grace!.id] } }),
      messages: await db.messages.count({ conversationId: convo.id }),
      pages,
      pagedMessages: seen.length,
      pagingInOrder: inOrder && distinct,
      committedTransaction: (await db.users.get(ada!.id))!.conversationCount === 1,
      rolledBackLeftNoTrace: before === after,
      conflictCaught,
      finalVersion: final.version,
      elapsedMs: Math.round(performance.now() - started),
    };
  } finally {
    await db.close();
  }
}
