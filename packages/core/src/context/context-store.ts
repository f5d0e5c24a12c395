import { AsyncLocalStorage } from 'node:async_hooks';
import type { CallerContext } from './operation-context.js';

/**
 * What the async context carries between calls: trace id, actor, tenant.
 *
 * @example
 * ```ts
 * const ctx: AmbientContext | undefined = ambientContext();
 * ```
 */
export interface AmbientContext extends CallerContext {}

/**
 * The AsyncLocalStorage that carries trace id, actor and tenant across awaits,
 * so that every operation inside `db.withContext()` inherits them.
 *
 * @example
 * ```ts
 * contextStore.run({ traceId: 't-1' }, () => contextStore.getStore()?.traceId); // 't-1'
 * ```
 */
export const contextStore = new AsyncLocalStorage<AmbientContext>();

/**
 * Merge the caller's context into the ambient one for the duration of `fn`.
 *
 * @example
 * ```ts
 * await runWithContext({ actor: 'user:1' }, () => db.users.get(id));
 * ```
 */
export function runWithContext<T>(context: CallerContext, fn: () => T): T {
  const parent = contextStore.getStore();
  return contextStore.run({ ...parent, ...stripUndefined(context) }, fn);
}

function stripUndefined(c: CallerContext): CallerContext {
  const out: { traceId?: string; actor?: string; tenant?: string } = {};
  if (c.traceId !== undefined) out.traceId = c.traceId;
  if (c.actor !== undefined) out.actor = c.actor;
  if (c.tenant !== undefined) out.tenant = c.tenant;
  return out;
}

/**
 * The ambient caller context (set by `db.withContext` or `runWithContext`), or
 * undefined outside one. Read-only: for drivers and plugins that key state by
 * the calling request or actor (e.g. read-your-writes routing).
 *
 * @example
 * ```ts
 * const actor = ambientContext()?.actor;
 * ```
 */
export function ambientContext(): AmbientContext | undefined {
  return contextStore.getStore();
}
