import { canonicalJsonWith, CANONICAL_WRITER, type CanonicalWriter } from './canonical-json.js';
import { sha256Hex } from './sha256.js';
import { GENESIS_HASH, type AuditEventBody, type SealedAuditEvent } from '../events/audit-event.js';

/** The chain members, in code-unit order. */
const CHAIN_KEYS = ['prevHash', 'seq', 'stream'] as const;

/**
 * The hash of one event: SHA-256 over the previous hash (hex) followed by the
 * canonical JSON of the event without its `hash` member.
 *
 * @example
 * ```ts
 * const { hash, ...body } = events[0];
 * const ok = hashEvent(body.prevHash, body) === hash;
 * ```
 */
export function hashEvent(prevHash: string, eventWithoutHash: Readonly<Record<string, unknown>>): string {
  return sha256Hex(prevHash + canonicalJsonWith(eventWithoutHash, [], []));
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
    const seq = this.seqValue + 1;
    // Operation events carry a writer for their fixed member set (one pass, no key sorting).
    const write = (body as { [CANONICAL_WRITER]?: CanonicalWriter })[CANONICAL_WRITER];
    const text = write ? write(body as never, this.head, seq, this.stream) : canonicalJsonWith(body, CHAIN_KEYS, [this.head, seq, this.stream]);
    // Slicing first flattens the text once, in place; the hash input then copies two flat strings.
    const open = text.slice(0, -1);
    const hash = sha256Hex(this.head + text);
    this.seqValue += 1;
    this.head = hash;
    return `${open},"hash":"${hash}"}`;
  }
}
