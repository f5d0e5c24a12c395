import type { AuditEventBody } from '../events/audit-event.js';
import type { HashChain } from '../chain/hash-chain.js';
import type { CheckpointFile } from '../chain/checkpoint-file.js';
import type { WinstonSink } from './winston-sinks.js';

/**
 * Tuning of a StreamWriter.
 *
 * @example
 * ```ts
 * const o: StreamWriterOptions = { capacity: 10_000, overflow: 'block', batchSize: 512, checkpointEvery: 1000, flushMs: 2, droppedEvent };
 * ```
 */
export interface StreamWriterOptions {
  readonly capacity: number;
  readonly overflow: 'block' | 'drop';
  readonly batchSize: number;
  readonly checkpointEvery: number;
  /** Delay before a partial batch is written (ms; 0 = next tick). */
  readonly flushMs: number;
  /** Builds the event that reports dropped events (written ahead of the queue). */
  readonly droppedEvent: (count: number) => AuditEventBody;
}

interface Waiter {
  readonly body: AuditEventBody;
  readonly resolve: () => void;
}

/**
 * The streaming side of the audit trail: a bounded FIFO queue in front of
 * the winston sink. Callers only enqueue (cheap, synchronous while there is
 * room); sealing into the hash chain, serializing and writing happen in
 * batches on a later tick, in queue order, so the chain order is the order
 * events were accepted. When the queue is full, `enqueue` returns a promise
 * that resolves when the event was accepted (back-pressure), or, with
 * overflow 'drop', counts the event as dropped and later writes one
 * `events_dropped` security event with the count.
 *
 * @example
 * ```ts
 * const writer = new StreamWriter(chain, sink, checkpoints, { capacity: 10_000, overflow: 'block', batchSize: 512, checkpointEvery: 1000, droppedEvent });
 * await writer.enqueue(body);
 * await writer.close();
 * ```
 */
export class StreamWriter {
  private queue: AuditEventBody[] = [];
  private head = 0;
  private readonly waiters: Waiter[] = [];
  private draining: Promise<void> | undefined;
  private pendingDrops = 0;
  private lastCheckpointSeq = 0;
  private failure: unknown;
  /** Builds the stream's last event, once everything before it is written (see finish). */
  private last: ((dropped: number) => AuditEventBody) | undefined;
  private ended = false;
  /** Events dropped since start (overflow 'drop' only). */
  dropped = 0;
  /** Events written to the sink since start. */
  written = 0;

  constructor(
    readonly chain: HashChain,
    private readonly sink: WinstonSink | undefined,
    private readonly checkpoints: CheckpointFile | undefined,
    private readonly options: StreamWriterOptions,
  ) {}

  get size(): number {
    return this.queue.length - this.head;
  }

  /** The first sink failure, if any (for health). */
  get error(): unknown {
    return this.failure ?? this.sink?.error;
  }

  enqueue(body: AuditEventBody): Promise<void> | undefined {
    // After the last event nothing can follow it in the stream.
    if (this.ended) return undefined;
    if (this.size < this.options.capacity && this.waiters.length === 0) {
      this.queue.push(body);
      this.schedule();
      return undefined;
    }
    if (this.options.overflow === 'drop') {
      this.dropped++;
      this.pendingDrops++;
      this.schedule();
      return undefined;
    }
    this.schedule();
    return new Promise<void>((resolve) => this.waiters.push({ body, resolve }));
  }

  /**
   * End the stream with the event `last` builds (given the total dropped):
   * admitted whatever the queue holds, written after every event accepted
   * before it and after a final `events_dropped` notice for drops not yet
   * reported; events enqueued later are ignored. `close()` waits for it.
   */
  finish(last: (dropped: number) => AuditEventBody): void {
    if (this.ended || this.last) return;
    this.last = last;
    this.schedule(true);
  }

  /** Resolves when every event accepted so far is handed to the sink. */
  async flush(): Promise<void> {
    while (this.draining || this.busy) {
      this.schedule(true);
      await this.draining;
    }
  }

  /** Flush, close the sink (waiting for files to be closed), then write the final checkpoint. */
  async close(): Promise<void> {
    await this.flush();
    await this.sink?.close();
    if (this.chain.seq > this.lastCheckpointSeq) await this.checkpoint();
    await this.checkpoints?.settle();
  }

  private schedule(urgent = false): void {
    if (this.draining) return;
    // A short delay lets events of concurrent or back-to-back calls share one
    // write (one winston entry and one file write per batch, not per event).
    const soon = urgent || this.options.flushMs <= 0 || this.size >= this.options.batchSize || this.waiters.length > 0 || this.pendingDrops > 0 || this.last !== undefined;
    this.draining = new Promise<void>((resolve) => (soon ? setImmediate(resolve) : setTimeout(resolve, this.options.flushMs))).then(() => this.drain()).finally(() => {
      this.draining = undefined;
      if (this.busy) this.schedule();
    });
  }

  /** Something is left to write. */
  private get busy(): boolean {
    return this.size > 0 || this.waiters.length > 0 || this.pendingDrops > 0 || this.last !== undefined;
  }

  private async drain(): Promise<void> {
    while (this.busy) {
      let lines = '';
      if (this.pendingDrops > 0) {
        const n = this.pendingDrops;
        this.pendingDrops = 0;
        lines = this.chain.sealLine(this.options.droppedEvent(n));
      }
      const end = Math.min(this.queue.length, this.head + this.options.batchSize);
      for (let i = this.head; i < end; i++) {
        const line = this.chain.sealLine(this.queue[i]!);
        lines = lines ? `${lines}\n${line}` : line;
      }
      const taken = end - this.head;
      this.head = end;
      if (this.head > 4096 && this.head * 2 > this.queue.length) {
        this.queue = this.queue.slice(this.head);
        this.head = 0;
      }
      this.admitWaiters();
      let ending = 0;
      if (this.last && this.size === 0 && this.waiters.length === 0) {
        // Drops reported at the top of this pass came before; none can happen in between.
        const line = this.chain.sealLine(this.last(this.dropped));
        lines = lines ? `${lines}\n${line}` : line;
        this.last = undefined;
        this.ended = true;
        ending = 1;
      }
      if (lines) {
        this.written += taken + ending;
        await this.write(lines);
      }
      if (this.checkpoints && this.chain.seq - this.lastCheckpointSeq >= this.options.checkpointEvery) void this.checkpoint();
    }
  }

  private admitWaiters(): void {
    while (this.waiters.length > 0 && this.size < this.options.capacity) {
      const w = this.waiters.shift()!;
      this.queue.push(w.body);
      w.resolve();
    }
  }

  private async write(lines: string): Promise<void> {
    if (!this.sink || this.failure) return;
    try {
      const wait = this.sink.write(lines);
      if (wait) await wait;
    } catch (e) {
      // A broken sink must not wedge callers behind back-pressure; health reports it.
      this.failure = e;
      process.emitWarning(`chatcore audit: the log sink failed (${e instanceof Error ? e.message : String(e)}); events are no longer written to it.`, { code: 'CHATCORE_AUDIT_SINK' });
    }
  }

  private checkpoint(): Promise<void> {
    this.lastCheckpointSeq = this.chain.seq;
    if (!this.checkpoints) return Promise.resolve();
    return this.checkpoints.append({ stream: this.chain.stream, seq: this.chain.seq, hash: this.chain.hash });
  }
}
