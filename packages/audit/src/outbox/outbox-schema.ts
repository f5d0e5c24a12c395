import { defineRepository, f } from '@chatcore/core';
import { type Condition, type PluginHost, type RepositorySchema, type StoredRow } from '@chatcore/core/plugin';
import type { ResolvedOutboxOptions } from '../audit-options.js';
import type { AuditEventBody } from '../events/audit-event.js';
import { orderedId } from './ordered-id.js';

/**
 * The plugin-owned storage schemas of the outbox.
 *
 * @example
 * ```ts
 * await session.insert(schemas.events, [row], {});
 * ```
 */
export interface OutboxSchemas {
  /** One row per audit event; `batch` is null until the row is chained. */
  readonly events: RepositorySchema;
  /** One row per chained event (same id): `seq`, `prevHash`, `hash`, written in one statement per batch. */
  readonly links: RepositorySchema;
  /** One row per chain: its head (`seq`, `hash`) and an optimistic `lock` counter. */
  readonly head: RepositorySchema;
  /** Insert-only checkpoints (`seq`, `hash`) of the outbox chain. */
  readonly checkpoints: RepositorySchema;
}

/**
 * Build the outbox schemas, owned by the plugin `owner`.
 *
 * @example
 * ```ts
 * const s = outboxSchemas('audit', { table: 'audit_events', linkTable: 'audit_links', headTable: 'audit_chain', checkpointTable: 'audit_checkpoints', chainBatch: 500, chainDelayMs: 20 });
 * ```
 */
export function outboxSchemas(owner: string, options: ResolvedOutboxOptions): OutboxSchemas {
  const events = defineRepository(options.table, {
    id: f.id(),
    batch: f.integer().optional().indexed(),
    time: f.timestamp(),
    event: f.json(),
  }, { table: options.table });
  const links = defineRepository(options.linkTable, {
    id: f.id(),
    stream: f.string({ max: 200 }),
    seq: f.integer().indexed(),
    prevHash: f.string({ max: 64 }),
    hash: f.string({ max: 64 }),
  }, { table: options.linkTable });
  const head = defineRepository(options.headTable, {
    id: f.id({ generate: 'uuidv4' }),
    seq: f.integer(),
    hash: f.string({ max: 64 }),
    lock: f.integer(),
    time: f.timestamp(),
  }, { table: options.headTable });
  const checkpoints = defineRepository(options.checkpointTable, {
    id: f.id(),
    stream: f.string({ max: 200 }),
    seq: f.integer(),
    hash: f.string({ max: 64 }),
    time: f.timestamp(),
  }, { table: options.checkpointTable });
  const own = (s: RepositorySchema): RepositorySchema => Object.freeze({ ...s, ownedBy: owner });
  return { events: own(events.schema), links: own(links.schema), head: own(head.schema), checkpoints: own(checkpoints.schema) };
}

/**
 * The outbox schemas as the database stores them (after every extendSchema).
 *
 * @example
 * ```ts
 * const stored = storedSchemas(host, schemas);
 * ```
 */
export function storedSchemas(h: PluginHost, s: OutboxSchemas): OutboxSchemas {
  return { events: h.schema(s.events.name), links: h.schema(s.links.name), head: h.schema(s.head.name), checkpoints: h.schema(s.checkpoints.name) };
}

/**
 * A new row of the outbox events table for one event: unchained (`batch`
 * null) until the chainer seals it, in the order of the ids (orderedId).
 *
 * @example
 * ```ts
 * await session.insert(schemas.events, [outboxEventRow(body)], {});
 * ```
 */
export function outboxEventRow(body: AuditEventBody): StoredRow {
  return { id: orderedId(), batch: null, time: new Date(), event: body };
}

/**
 * The event an outbox events row holds, whichever way the backend returned
 * its JSON column (parsed, or as text).
 *
 * @example
 * ```ts
 * const body = outboxEventBody(row); // { v: 1, type: 'operation', ... }
 * ```
 */
export function outboxEventBody(row: StoredRow): AuditEventBody {
  return (typeof row.event === 'string' ? JSON.parse(row.event) : row.event) as AuditEventBody;
}

/**
 * The filter of the outbox events rows not chained yet (committed, not
 * sealed): `batch` is null until the chainer marks them.
 *
 * @example
 * ```ts
 * await session.count(schemas.events, UNCHAINED, {});
 * ```
 */
export const UNCHAINED: Condition = Object.freeze({ kind: 'isNull', field: 'batch', isNull: true });

/**
 * The `batch` mark of a row the chainer found unmarked although it has a
 * link (its mark was cleared after it was chained): real batches start at 1.
 * The row is not chained again; the outbox reader reports it as modified.
 *
 * @example
 * ```ts
 * const suspicious = await session.count(schemas.events, { kind: 'cmp', field: 'batch', op: 'eq', value: SET_ASIDE }, {});
 * ```
 */
export const SET_ASIDE = 0;
