import { closeClient, type RedisCommands } from './tiers/redis-connection.js';
import type { RedisGuard } from './tiers/redis-guard.js';
import type { EntryAuthenticator } from './entry-authenticator.js';

/**
 * One invalidation as it travels between processes: which repository, the
 * digests of the written ids (never the ids or any value), and who sent it.
 * `all` asks every process to drop its whole in-process tier (admin clear).
 *
 * @example
 * ```ts
 * const m: InvalidationMessage = { origin: '123-ab', repo: 'users', ids: ['k3J0...'], epochs: [4], generation: 17 };
 * ```
 */
export interface InvalidationMessage {
  readonly origin: string;
  readonly repo?: string;
  readonly ids?: readonly string[];
  /** The values the sender's INCRs gave the ids' epochs (aligned with `ids`) and the repository's generation. */
  readonly epochs?: readonly number[] | undefined;
  readonly generation?: number | undefined;
  readonly all?: boolean;
  readonly heartbeat?: boolean;
}

/**
 * Redis pub/sub between the processes that share a cache namespace. The
 * in-process tier may serve entries only while the bus is `up`: the
 * subscriber is connected and no heartbeat of this process has gone
 * unanswered for 3 consecutive periods (a silent partition is noticed within
 * about 3 periods; a closed connection at once). A heartbeat heard after a gap means the
 * subscription is live again; the caller flushes the in-process tier then
 * (messages may have been lost in between).
 *
 * Every message is signed with the cache key (see EntryAuthenticator); one
 * that does not verify is dropped and reported through `onForged`.
 *
 * @example
 * ```ts
 * const bus = new InvalidationBus(publisher, channel, guard, auth, { heartbeatMs: 250, onMessage, onReconnect, onDown, onForged });
 * await bus.start();
 * ```
 */
export class InvalidationBus {
  readonly origin = `${process.pid}-${Math.random().toString(36).slice(2, 10)}`;
  private subscriber: RedisCommands | undefined;
  private timer: NodeJS.Timeout | undefined;
  /** Heartbeat periods that ended with our heartbeat still unanswered. */
  private missed = 0;
  private awaitingReply = false;
  private connected = false;
  private closed = false;
  private wasUp = false;
  private heartbeatText: string | undefined;

  /** Our heartbeat, signed once. */
  private get heartbeat(): string {
    return (this.heartbeatText ??= this.auth.signMessage(this.channel, JSON.stringify({ origin: this.origin, heartbeat: true })));
  }

  constructor(
    private readonly publisher: RedisCommands,
    private readonly channel: string,
    private readonly guard: RedisGuard,
    private readonly auth: EntryAuthenticator,
    private readonly options: {
      readonly heartbeatMs: number;
      readonly onMessage: (m: InvalidationMessage) => void;
      readonly onReconnect: () => void;
      readonly onDown: () => void;
      readonly onForged: () => void;
    },
  ) {}

  /** True while the in-process tier can trust that it hears every invalidation. */
  isUp(): boolean {
    return this.wasUp && this.connected && this.missed < 3;
  }

  async start(connectTimeoutMs: number): Promise<void> {
    const sub = this.publisher.duplicate();
    this.subscriber = sub;
    // An error may or may not cost the connection: stop trusting now, and let the
    // next heartbeat heard back (or 'ready' after a reconnection) bring the bus up again.
    sub.on('error', () => this.markDown(false));
    sub.on('end', () => this.markDown(true));
    sub.on('reconnecting', () => this.markDown(true));
    sub.on('ready', () => { this.connected = true; });
    const listener = (raw: string) => this.receive(raw);
    const subscribe = async () => {
      await sub.connect();
      this.connected = true;
      await sub.subscribe(this.channel, listener);
    };
    const started = subscribe().catch(() => this.markDown(true));
    await Promise.race([started, new Promise((r) => setTimeout(r, connectTimeoutMs).unref())]);
    this.timer = setInterval(() => this.tick(), this.options.heartbeatMs);
    this.timer.unref();
    this.tick();
  }

  /** Send an invalidation; throws when Redis cannot take it (the caller queues it for replay). `direct`: past the breaker. */
  async publish(message: Omit<InvalidationMessage, 'origin'>, direct = false): Promise<void> {
    const send = () => this.publisher.publish(this.channel, this.auth.signMessage(this.channel, JSON.stringify({ ...message, origin: this.origin })));
    await (direct ? this.guard.runDirect(send) : this.guard.run(send));
  }

  private tick(): void {
    if (this.closed) return;
    // Counted in timer ticks, not wall time: a process whose event loop was busy for a while
    // (timers and socket reads both waited) has not lost its bus, it just has not read it yet.
    if (this.awaitingReply) this.missed++;
    if (this.wasUp && !this.isUp()) this.markDown(false);
    this.awaitingReply = true;
    this.guard.run(() => this.publisher.publish(this.channel, this.heartbeat)).catch(() => undefined);
  }

  private receive(raw: string): void {
    const json = this.auth.verifyMessage(this.channel, raw);
    if (json === undefined) {
      this.options.onForged();
      return;
    }
    let m: InvalidationMessage;
    try {
      m = JSON.parse(json) as InvalidationMessage;
    } catch {
      return;
    }
    if (m.heartbeat) {
      if (m.origin !== this.origin) return;
      // Hearing our own heartbeat proves the subscription works, whatever events the client sent.
      this.connected = true;
      this.missed = 0;
      this.awaitingReply = false;
      if (!this.wasUp) {
        // Anything published while we were not listening is lost: start from an empty tier.
        this.options.onReconnect();
        this.wasUp = true;
      }
      return;
    }
    // Our own invalidations were applied before they were sent.
    if (m.origin !== this.origin) this.options.onMessage(m);
  }

  /** Stop trusting the bus; `socketLost` when the subscriber's connection itself is gone (until 'ready'). */
  private markDown(socketLost: boolean): void {
    if (socketLost) this.connected = false;
    if (this.wasUp) {
      this.wasUp = false;
      this.options.onDown();
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    const sub = this.subscriber;
    if (!sub) return;
    await closeClient(sub);
  }
}
