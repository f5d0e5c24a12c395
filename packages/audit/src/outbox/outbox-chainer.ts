import { createHash } from 'node:crypto';
import { ConfigError } from '@chatcore/core';
import { type DriverCapabilities, type DriverSession } from '@chatcore/core/driver';
import { type StoredRow } from '@chatcore/core/plugin';
import { HashChain } from '../chain/hash-chain.js';
import { GENESIS_HASH } from '../events/audit-event.js';
import { SET_ASIDE, UNCHAINED, outboxEventBody, type OutboxSchemas } from './outbox-schema.js';
import { orderedId } from './ordered-id.js';

/** A UUID derived from a name, so every process finds the same head row. */
function nameId(name: string): string {
  const h = createHash('sha256').update(name).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

class HeadBusy extends Error {}

/**
 * Chains committed outbox rows. Rows are inserted unchained (seq null) in
 * each operation's own transaction, because concurrent transactions cannot
 * share a chain head without serializing every write; after commit, the
 * chainer takes the head row with an optimistic lock (so one chainer at a
 * time, across processes), seals the oldest unchained rows in id order,
 * inserts their links (seq, prevHash, hash) in one statement, marks the rows
 * with one update and moves the head. Every `checkpointEvery` events it inserts a checkpoint.
 * With no unchained row it writes nothing, so connecting and closing a
 * process that only reads leaves the outbox tables unchanged; the head row
 * is created by the first chaining (a chain starts at seq 1 either way).
 * An unmarked row that already has a link (its mark was cleared after it
 * was chained) is not chained again: it is marked `SET_ASIDE` and reported
 * through `onSetAside`, and the outbox reader hands it to the verifier as
 * modified.
 *
 * @example
 * ```ts
 * const chainer = new OutboxChainer(host.session, schemas, { stream: 'outbox:audit_events', batch: 500, checkpointEvery: 1000 });
 * await chainer.chainAll();
 * ```
 */
export class OutboxChainer {
  private readonly headId: string;
  private running: Promise<number> | undefined;
  private again = false;
  private setAside: string[] = [];

  constructor(
    private readonly session: DriverSession,
    private readonly schemas: OutboxSchemas,
    private readonly options: {
      readonly stream: string;
      readonly batch: number;
      readonly checkpointEvery: number;
      /** Called after a chaining transaction that found rows already linked but unmarked (their ids). */
      readonly onSetAside?: ((ids: readonly string[]) => void) | undefined;
    },
  ) {
    this.headId = nameId(`chatcore-audit-head:${options.stream}`);
  }

  /** Chain every committed unchained row (several transactions if needed); returns how many were chained. */
  async chainAll(): Promise<number> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      let total = 0;
      try {
        for (let busy = 0; ;) {
          this.again = false;
          let n: number;
          try {
            n = await this.chainBatch();
          } catch (e) {
            this.setAside = [];
            if (!(e instanceof HeadBusy) || ++busy > 50) throw e;
            await new Promise((r) => setTimeout(r, 5 + Math.random() * 20));
            continue;
          }
          total += n;
          this.reportSetAside();
          if (n < this.options.batch && !this.again) return total;
        }
      } finally {
        this.running = undefined;
      }
    })();
    return this.running;
  }

  private async chainBatch(): Promise<number> {
    const { events, head: headSchema, checkpoints } = this.schemas;
    return this.session.transaction(async (tx) => {
      // Nothing to chain: no write at all. A process that only reads (a health check, a read-only
      // command) leaves the tables as they were; the head row is made by the first chaining.
      // The rows are read again under the head's lock below: this read only decides whether to take it.
      if ((await tx.query(events, { where: UNCHAINED, orderBy: [{ field: 'id', direction: 'asc' }], limit: 1, select: ['id'] }, {})).length === 0) return 0;
      let head = (await tx.getByIds(headSchema, [this.headId], {}))[0];
      if (!head) {
        head = { id: this.headId, seq: 0, hash: GENESIS_HASH, lock: 0, time: new Date() };
        await tx.insert(headSchema, [head], {});
      }
      const lock = head.lock as number;
      const locked = await tx.update(headSchema, { ids: [this.headId], where: { kind: 'cmp', field: 'lock', op: 'eq', value: lock } }, { set: {}, increment: { lock: 1 } }, {});
      if (locked.length === 0) throw new HeadBusy('another chainer moved the head');
      const rows = await tx.query(events, {
        where: UNCHAINED,
        orderBy: [{ field: 'id', direction: 'asc' }],
        limit: this.options.batch,
        select: ['id', 'event'],
      }, {});
      if (rows.length === 0) return 0;
      // A row already linked was chained before and its mark cleared since (tampering):
      // linking it again would fail on the link's id forever. Set it aside; the reader reports it.
      const linked = new Set((await tx.getByIds(this.schemas.links, rows.map((r) => r.id as string), {})).map((l) => l.id as string));
      const fresh = linked.size ? rows.filter((r) => !linked.has(r.id as string)) : rows;
      if (linked.size) {
        await tx.update(events, { ids: [...linked] }, { set: { batch: SET_ASIDE }, increment: {} }, {});
        this.setAside.push(...linked);
      }
      if (fresh.length === 0) return rows.length;
      const chain = new HashChain(this.options.stream, { seq: head.seq as number, hash: head.hash as string });
      const due: StoredRow[] = [];
      const links: StoredRow[] = [];
      for (const row of fresh) {
        const sealed = chain.seal(outboxEventBody(row));
        links.push({ id: row.id, stream: this.options.stream, seq: sealed.seq, prevHash: sealed.prevHash, hash: sealed.hash });
        if (sealed.seq % this.options.checkpointEvery === 0) due.push(checkpointRow(this.options.stream, sealed.seq, sealed.hash));
      }
      // One statement for the links and one to mark the rows, whatever the batch size.
      await tx.insert(this.schemas.links, links, {});
      await tx.update(events, { ids: fresh.map((r) => r.id as string) }, { set: { batch: (head.seq as number) + 1 }, increment: {} }, {});
      await tx.update(headSchema, { ids: [this.headId] }, { set: { seq: chain.seq, hash: chain.hash, time: new Date() }, increment: {} }, {});
      if (due.length) await tx.insert(checkpoints, due, {});
      return rows.length;
    }, {});
  }

  private reportSetAside(): void {
    if (this.setAside.length === 0) return;
    const ids = this.setAside;
    this.setAside = [];
    this.options.onSetAside?.(ids);
  }

  /** Write a checkpoint at the current head (at close, so the tail is covered). */
  async checkpointHead(): Promise<void> {
    const head = (await this.session.getByIds(this.schemas.head, [this.headId], {}))[0];
    if (!head || (head.seq as number) === 0) return;
    const last = await this.session.query(this.schemas.checkpoints, {
      where: { kind: 'cmp', field: 'stream', op: 'eq', value: this.options.stream },
      orderBy: [{ field: 'seq', direction: 'desc' }, { field: 'id', direction: 'asc' }],
      limit: 1,
    }, {});
    if ((last[0]?.seq as number | undefined) === head.seq) return;
    await this.session.insert(this.schemas.checkpoints, [checkpointRow(this.options.stream, head.seq as number, head.hash as string)], {});
  }
}

function checkpointRow(stream: string, seq: number, hash: string): StoredRow {
  return { id: orderedId(), stream, seq, hash, time: new Date() };
}

/** Writes to the head row per chaining transaction, at most: created on first use, locked, moved (Firestore sends them as one document write). */
const HEAD_WRITES = 3;

/**
 * Writes one chaining transaction of `rows` rows makes: the head row, a link
 * and a mark (the event row's update) per row, and a checkpoint for every
 * `checkpointEvery`-th seq, at most ceil(rows / checkpointEvery) of them
 * among `rows` consecutive seqs. The outbox tables have no unique fields, so
 * Firestore adds no lock documents.
 *
 * @example
 * ```ts
 * chainWrites(10, 1000); // 3 + 20 + 1 = 24
 * ```
 */
export function chainWrites(rows: number, checkpointEvery: number): number {
  return HEAD_WRITES + 2 * rows + Math.ceil(rows / checkpointEvery);
}

/**
 * Rows per chaining transaction: `wanted`, or fewer when the backend's
 * atomic batch (Firestore: `maxBatchOps`, 500) cannot take the writes
 * (`chainWrites`). `maxInList` does not apply: the rows are targeted by id,
 * which Firestore reads with getAll and SQL with `id = any($1)`, not with an
 * `in` list. ConfigError when even one row does not fit.
 *
 * @example
 * ```ts
 * chainBatchFor(500, 1000, host.capabilities); // 248 on Firestore, 500 on SQL
 * ```
 */
export function chainBatchFor(wanted: number, checkpointEvery: number, caps: DriverCapabilities): number {
  const max = caps.maxAtomicBatch;
  if (max === undefined) return wanted;
  // chainWrites(n) <= max  <=>  2n + ceil(n/every) <= max - HEAD_WRITES  <=>  n <= (max - HEAD_WRITES) * every / (2 * every + 1).
  const n = Math.min(wanted, Math.floor(((max - HEAD_WRITES) * checkpointEvery) / (2 * checkpointEvery + 1)));
  if (n < 1) {
    throw new ConfigError(`audit: chaining one outbox row takes ${chainWrites(1, checkpointEvery)} writes, more than the driver's atomic batch (${max}); raise the driver's batch limit (Firestore: maxBatchOps).`);
  }
  return n;
}
