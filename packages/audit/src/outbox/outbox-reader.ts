import type { DriverSession, StoredRow } from '@chatcore/core';
import type { AuditCheckpoint, SealedAuditEvent } from '../events/audit-event.js';
import type { OutboxSchemas } from './outbox-schema.js';

/**
 * Reads the outbox as a trail source for `verifyAuditTrail`: chained rows in
 * `seq` order (as sealed events), and the checkpoints. Unchained rows (just
 * committed, not sealed yet) are counted by `pending()`, not verified.
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
      const rows = await this.session.query(this.schemas.events, {
        where: { kind: 'isNull', field: 'seq', isNull: false },
        orderBy: [{ field: 'seq', direction: 'asc' }, { field: 'id', direction: 'asc' }],
        limit: this.pageSize,
        after,
      }, {});
      for (const row of rows) yield toEvent(row);
      if (rows.length < this.pageSize) return;
      const last = rows[rows.length - 1]!;
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
    return this.session.count(this.schemas.events, { kind: 'isNull', field: 'seq', isNull: true }, {});
  }

  /** Every row, chained or not, as stored (for tests and exports). */
  rows(): Promise<StoredRow[]> {
    return this.session.query(this.schemas.events, { orderBy: [{ field: 'id', direction: 'asc' }] }, {});
  }
}

function toEvent(row: StoredRow): SealedAuditEvent {
  const body = (typeof row.event === 'string' ? JSON.parse(row.event) : row.event) as Record<string, unknown>;
  return { ...body, stream: row.stream, seq: row.seq, prevHash: row.prevHash, hash: row.hash } as SealedAuditEvent;
}
