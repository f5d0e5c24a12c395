import { createHash } from 'node:crypto';
import { canonicalJsonWith, PRESORTED } from './canonical-json.js';
import { GENESIS_HASH, type AuditEventBody, type SealedAuditEvent } from '../events/audit-event.js';

/** The chain members, in code-unit order. */
const CHAIN_KEYS = ['prevHash', 'seq', 'stream'] as const;

/**
 * The hash of one event: SHA-256 over the previous hash (hex) followed by the
 * canonical JSON of the event without its `hash` member.
 *
 * @example
 * ```ts
 * const ok = hashEvent(e.prevHash, withoutHash(e)) === e.hash;
 * ```
 */
export function hashEvent(prevHash: string, eventWithoutHash: Readonly<Record<string, unknown>>): string {
  return createHash('sha256').update(prevHash).update(canonicalJsonWith(eventWithoutHash, [], [])).digest('hex');
}

/**
 * The chain state of one writer stream: assigns `seq` and `prevHash`, and
 * computes `hash`. Not safe to share between concurrent writers; each
 * process (or outbox chainer) owns one.
 *
 * @example
 * ```ts
 * const chain = new HashChain('proc:host:42:abc');
 * const sealed = chain.seal({ v: 1, type: 'audit', time: new Date().toISOString(), action: 'stream_started' });
 * ```
 */
export class HashChain {
  private seqValue: number;
  private head: string;

  constructor(readonly stream: string, start: { seq: number; hash: string } = { seq: 0, hash: GENESIS_HASH }) {
    this.seqValue = start.seq;
    this.head = start.hash;
  }

  /** Sequence number of the last sealed event (0 before the first). */
  get seq(): number {
    return this.seqValue;
  }

  /** Hash of the last sealed event (GENESIS_HASH before the first). */
  get hash(): string {
    return this.head;
  }

  /** Seal one event: the next link of the chain. */
  seal(body: AuditEventBody): SealedAuditEvent {
    const unsealed = { ...body, stream: this.stream, seq: this.seqValue + 1, prevHash: this.head };
    const hash = hashEvent(this.head, unsealed);
    this.seqValue += 1;
    this.head = hash;
    return { ...unsealed, hash };
  }

  /**
   * Seal one event and return it as one JSON line (without newline): the
   * canonical JSON of the event with `hash` appended as its last member, so
   * the event is serialized once.
   */
  sealLine(body: AuditEventBody): string {
    let text: string;
    if ((body as { [PRESORTED]?: boolean })[PRESORTED]) {
      // Members are already in canonical order with slots for the chain fields: JSON.stringify writes canonical JSON.
      const slots = body as unknown as { prevHash: string; seq: number; stream: string };
      slots.prevHash = this.head;
      slots.seq = this.seqValue + 1;
      slots.stream = this.stream;
      text = JSON.stringify(body);
    } else {
      text = canonicalJsonWith(body, CHAIN_KEYS, [this.head, this.seqValue + 1, this.stream]);
    }
    const hash = createHash('sha256').update(this.head).update(text).digest('hex');
    this.seqValue += 1;
    this.head = hash;
    return `${text.slice(0, -1)},"hash":"${hash}"}`;
  }
}
