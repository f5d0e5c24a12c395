import { IntegrityError } from '@chatcore/core';
import type { DriverSession } from '@chatcore/core/driver';
import type { StoredRow } from '@chatcore/core/plugin';
import type { AuditCheckpoint, AuditEventBody, SealedAuditEvent } from '../events/audit-event.js';
import { UNCHAINED, outboxEventBody, type OutboxSchemas } from './outbox-schema.js';

/**
 * Reads the outbox as a trail source for `verifyAuditTrail`: chained rows in
 * `seq` order (as sealed events), and the checkpoints. Unchained rows (just
 * committed, not sealed yet) are counted by `pending()`, not verified. A
 * linked row whose `batch` mark was cleared is yielded with that mark
 * (`outboxBatch`), so the verifier reports it as modified. A linked row whose
 * event is not JSON (its text was changed) is yielded as its link's
 * `stream` and `seq` with an `unreadable` reason naming the row, and no
 * hash, so the verifier reports it as malformed.
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
      const byId = await this.rowsOf(links.map((l) => l.id as string));
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

  /**
   * The events rows of these ids. A backend that keeps the event as JSON text
   * (Firestore) fails the whole read on a row whose text is not JSON (an
   * IntegrityError caused by the SyntaxError): then row by row, and such a
   * row is its SyntaxError.
   */
  private async rowsOf(ids: readonly string[]): Promise<Map<string, StoredRow | SyntaxError>> {
    const read = async (some: readonly string[]) => (await this.session.getByIds(this.schemas.events, some, {})).map((r) => [r.id as string, r] as const);
    try {
      return new Map(await read(ids));
    } catch (error) {
      if (!notJson(error)) throw error;
    }
    const out = new Map<string, StoredRow | SyntaxError>();
    for (const id of ids) {
      try {
        for (const [k, r] of await read([id])) out.set(k, r);
      } catch (error) {
        const cause = notJson(error);
        if (!cause) throw error;
        out.set(id, cause);
      }
    }
    return out;
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

/** The SyntaxError of an event that is not JSON: thrown by JSON.parse, or the cause of the driver's IntegrityError. */
function notJson(error: unknown): SyntaxError | undefined {
  if (error instanceof SyntaxError) return error;
  return error instanceof IntegrityError && error.cause instanceof SyntaxError ? error.cause : undefined;
}

/** The event body of a row, or the SyntaxError of one whose event is not JSON (read so by the driver, or parsed here). */
function bodyOf(row: StoredRow | SyntaxError): AuditEventBody | SyntaxError {
  if (row instanceof SyntaxError) return row;
  try {
    return outboxEventBody(row);
  } catch (error) {
    if (error instanceof SyntaxError) return error;
    throw error;
  }
}

function toEvent(row: StoredRow | SyntaxError, link: StoredRow): SealedAuditEvent {
  const body = bodyOf(row);
  if (body instanceof SyntaxError) {
    // No hash: the verifier reports it as malformed, with this reason, at its link's seq.
    // Not the error's message: V8 quotes part of the text in some of them.
    const at = /position (\d+)/.exec(body.message);
    const unreadable = `outbox row ${String(link.id)} (seq ${String(link.seq)}) holds an event that is not JSON${at ? ` (at position ${at[1]})` : ''}: its content was changed`;
    return { stream: link.stream, seq: link.seq, unreadable } as unknown as SealedAuditEvent;
  }
  const event = { ...body, stream: link.stream, seq: link.seq, prevHash: link.prevHash, hash: link.hash } as SealedAuditEvent;
  // A linked row is marked with its batch (1 or more); a mark cleared after chaining is a
  // change to the row: the event carries it, so it no longer matches its hash.
  const batch = (row as StoredRow).batch as number | null | undefined;
  return typeof batch === 'number' && batch >= 1 ? event : ({ ...event, outboxBatch: batch ?? null } as SealedAuditEvent);
}
