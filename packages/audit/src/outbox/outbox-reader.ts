import type { DriverSession } from '@chatcore/core/driver';
import type { StoredRow } from '@chatcore/core/plugin';
import type { AuditCheckpoint, SealedAuditEvent } from '../events/audit-event.js';
import { UNCHAINED, outboxEventBody, type OutboxSchemas } from './outbox-schema.js';

/**
 * Reads the outbox as a trail source for `verifyAuditTrail`: chained rows in
 * `seq` order (as sealed events), and the checkpoints. Unchained rows (just
 * committed, not sealed yet) are counted by `pending()`, not verified. A
 * linked row whose `batch` mark was cleared is yielded with that mark
 * (`outboxBatch`), so the verifier reports it as modified.
 *
 * @example
 * ```ts
 * const reader = db.plugin<AuditPlugin>('audit')!.outboxReader();
 * const report = await verifyAuditTrail(reader, await reader.checkpoints());
 * ```
 */
export class OutboxReader implements AsyncIterable<SealedAuditEvent> {
  constructor(
    private readonly session: DriverSession,
    private readonly schemas: OutboxSchemas,
    private readonly pageSize = 1000,
  ) {}

  async *[Symbol.asyncIterator](): AsyncIterator<SealedAuditEvent> {
    let after: unknown[] | undefined;
    for (;;) {
      const links = await this.session.query(this.schemas.links, {
        orderBy: [{ field: 'seq', direction: 'asc' }, { field: 'id', direction: 'asc' }],
        limit: this.pageSize,
        after,
      }, {});
      if (links.length === 0) return;
      const rows = await this.session.getByIds(this.schemas.events, links.map((l) => l.id as string), {});
      const byId = new Map(rows.map((r) => [r.id as string, r]));
      for (const link of links) {
        const row = byId.get(link.id as string);
        // A link whose row is gone yields nothing: the verifier sees the gap in seq.
        if (row) yield toEvent(row, link);
      }
      if (links.length < this.pageSize) return;
      const last = links[links.length - 1]!;
      after = [last.seq, last.id];
    }
  }

  /** Every checkpoint of the outbox chain, in seq order. */
  async checkpoints(): Promise<AuditCheckpoint[]> {
    const rows = await this.session.query(this.schemas.checkpoints, {
      orderBy: [{ field: 'seq', direction: 'asc' }, { field: 'id', direction: 'asc' }],
    }, {});
    return rows.map((r) => ({ stream: r.stream as string, seq: r.seq as number, hash: r.hash as string, time: (r.time as Date).toISOString() }));
  }

  /** Rows written but not chained yet. */
  pending(): Promise<number> {
    return this.session.count(this.schemas.events, UNCHAINED, {});
  }

  /** Every row, chained or not, as stored (for tests and exports). */
  rows(): Promise<StoredRow[]> {
    return this.session.query(this.schemas.events, { orderBy: [{ field: 'id', direction: 'asc' }] }, {});
  }
}

function toEvent(row: StoredRow, link: StoredRow): SealedAuditEvent {
  const event = { ...outboxEventBody(row), stream: link.stream, seq: link.seq, prevHash: link.prevHash, hash: link.hash } as SealedAuditEvent;
  // A linked row is marked with its batch (1 or more); a mark cleared after chaining is a
  // change to the row: the event carries it, so it no longer matches its hash.
  const batch = row.batch as number | null | undefined;
  return typeof batch === 'number' && batch >= 1 ? event : ({ ...event, outboxBatch: batch ?? null } as SealedAuditEvent);
}
