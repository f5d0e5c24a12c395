import { NotFoundError, ValidationError } from '@chatcore/core';
import { pick, readJson, sendJson } from './http-io.js';
import type { Route } from './router.js';
import type { ChatbotDatabase } from './stack.js';

/** Largest page a client may ask for. */
export const MAX_PAGE = 200;

/**
 * The JSON API over the chatbot schema:
 *
 * | route | does |
 * | --- | --- |
 * | `POST /users` `{ name, handle, email? }` | create a user (201) |
 * | `GET /users/:id` | one user |
 * | `GET /users/:id/conversations?limit&after` | the user's conversations, newest first, one page |
 * | `POST /conversations` `{ userId, title }` | open a conversation (201; counts it on the user, atomically) |
 * | `GET /conversations/:id` | one conversation |
 * | `PATCH /conversations/:id` `{ title?, status?, expectedVersion? }` | rename or close (409 on a stale version) |
 * | `POST /conversations/:id/messages` `{ role, body, tokens?, meta? }` | add a message (201) |
 * | `GET /conversations/:id/messages?limit&after&order` | one page of messages by `sentAt` (`order=asc`, default, or `desc`) |
 *
 * Pages are `{ items, nextCursor }`; pass `nextCursor` back as `after` until it is null.
 *
 * @example
 * ```ts
 * const dispatch = router(apiRoutes(db));
 * ```
 */
export function apiRoutes(db: ChatbotDatabase): Route[] {
  return [
    {
      method: 'POST', path: '/users', handler: async ({ req, res }) => {
        const input = pick(await readJson(req), ['name', 'handle', 'email']);
        sendJson(res, 201, await db.users.create(input as Parameters<typeof db.users.create>[0]));
      },
    },
    {
      method: 'GET', path: '/users/:id', handler: async ({ params, res }) => {
        sendJson(res, 200, await mustGet(db.users, 'users', params.id!));
      },
    },
    {
      method: 'GET', path: '/users/:id/conversations', handler: async ({ params, query, res }) => {
        await mustGet(db.users, 'users', params.id!);
        const { limit, after } = pageOf(query);
        sendJson(res, 200, await db.conversations.findPage({ where: { userId: params.id! }, orderBy: { createdAt: 'desc' }, limit, after }));
      },
    },
    {
      method: 'POST', path: '/conversations', handler: async ({ req, res }) => {
        const input = pick(await readJson(req), ['userId', 'title']);
        const created = await db.transaction(async (tx) => {
          // An unknown user makes the update raise NotFoundError, which rolls the create back.
          const c = await tx.conversations.create(input as Parameters<typeof tx.conversations.create>[0]);
          await tx.users.update(c.userId, { conversationCount: { increment: 1 } });
          return c;
        });
        sendJson(res, 201, created);
      },
    },
    {
      method: 'GET', path: '/conversations/:id', handler: async ({ params, res }) => {
        sendJson(res, 200, await mustGet(db.conversations, 'conversations', params.id!));
      },
    },
    {
      method: 'PATCH', path: '/conversations/:id', handler: async ({ req, params, res }) => {
        const { expectedVersion, ...patch } = pick(await readJson(req), ['title', 'status', 'expectedVersion']);
        if (expectedVersion !== undefined && !Number.isSafeInteger(expectedVersion)) {
          throw new ValidationError([{ path: 'expectedVersion', message: 'must be an integer' }], { context: 'request body' });
        }
        const options = expectedVersion === undefined ? {} : { expectedVersion: expectedVersion as number };
        sendJson(res, 200, await db.conversations.update(params.id!, patch as Parameters<typeof db.conversations.update>[1], options));
      },
    },
    {
      method: 'POST', path: '/conversations/:id/messages', handler: async ({ req, params, res }) => {
        const input = pick(await readJson(req), ['role', 'body', 'tokens', 'meta']);
        const conversationId = params.id!;
        const created = await db.transaction(async (tx) => {
          // An unknown conversation makes the update raise NotFoundError, which rolls the create back.
          const m = await tx.messages.create({ ...input, conversationId, sentAt: new Date() } as Parameters<typeof tx.messages.create>[0]);
          await tx.conversations.update(conversationId, { messageCount: { increment: 1 } });
          return m;
        });
        sendJson(res, 201, created);
      },
    },
    {
      method: 'GET', path: '/conversations/:id/messages', handler: async ({ params, query, res }) => {
        await mustGet(db.conversations, 'conversations', params.id!);
        const { limit, after } = pageOf(query);
        const order = query.get('order') ?? 'asc';
        if (order !== 'asc' && order !== 'desc') throw new ValidationError([{ path: 'order', message: 'must be asc or desc' }], { context: 'query string' });
        sendJson(res, 200, await db.messages.findPage({ where: { conversationId: params.id! }, orderBy: { sentAt: order }, limit, after }));
      },
    },
  ];
}

async function mustGet<T>(repo: { get(id: string): Promise<T | null> }, name: string, id: string): Promise<T> {
  const found = await repo.get(id);
  if (found === null) throw new NotFoundError(name, id);
  return found;
}

/** `limit` (1..MAX_PAGE, default 50) and `after` (a cursor from the previous page) from the query string. */
function pageOf(query: URLSearchParams): { limit: number; after: string | null } {
  const raw = query.get('limit');
  const limit = raw === null ? 50 : Number(raw);
  if (!Number.isSafeInteger(limit) || limit < 1 || limit > MAX_PAGE) {
    throw new ValidationError([{ path: 'limit', message: `must be an integer from 1 to ${MAX_PAGE}` }], { context: 'query string' });
  }
  return { limit, after: query.get('after') };
}
