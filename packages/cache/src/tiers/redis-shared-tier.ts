import KeyvRedis, { Keyv } from '@keyv/redis';
import { closeClient, scanDelete, type RedisCommands } from './redis-connection.js';
import type { RedisGuard } from './redis-guard.js';
import type { SharedKeys, SharedRead, SharedTier } from './shared-tier.js';

/**
 * keyv's envelope as one string: `<expires>|<entry>`. The entry is already
 * our codec's text, so wrapping it in JSON a second time would only cost.
 */
const envelope = {
  serialize: (data: { value?: unknown; expires?: number | null | undefined }): string => `${data.expires ?? ''}|${String(data.value)}`,
  deserialize: (text: string): { value: string; expires: number | undefined } | undefined => {
    const bar = text.indexOf('|');
    if (bar === -1) return undefined;
    return { value: text.slice(bar + 1), expires: bar === 0 ? undefined : Number(text.slice(0, bar)) };
  },
};

/**
 * A counter that does not exist starts from Redis's clock in microseconds
 * (TIME), never from 0: a counter deleted by a clear or lost in a restart
 * comes back above every value it had (it would have to have been bumped
 * more than a million times a second to catch up), so an entry filled under
 * an old value never matches it again. Set as digits: Lua numbers are
 * doubles, and their text form may be exponential.
 */
const START = `local function start(k) local t = redis.call('TIME') redis.call('SET', k, t[1] .. string.format('%06d', tonumber(t[2]))) end`;
/** INCR; a missing counter starts from the clock. Extends the counter's life. */
const BUMP = `${START}
if redis.call('EXISTS', KEYS[1]) == 0 then start(KEYS[1]) end
local v = redis.call('INCR', KEYS[1])
redis.call('PEXPIRE', KEYS[1], ARGV[1])
return v`;
/** The counter's value, started from the clock when missing (then with the given life). */
const INIT = `${START}
if redis.call('EXISTS', KEYS[1]) == 0 then start(KEYS[1]) redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return redis.call('GET', KEYS[1])`;

/** A counter as read: 0 when it does not exist. */
const counterValue = (v: string | null | undefined): number => (v === undefined || v === null ? 0 : Number(v));

/**
 * The shared tier on Redis: entries through keyv with @keyv/redis, counters
 * (INCR, in a script that starts a missing counter from the clock) through
 * the same client. Every call runs under the guard (timeout
 * and circuit breaker) and throws when Redis cannot answer in time. No
 * command here needs two keys in one slot, so it works unchanged on a
 * cluster.
 *
 * @example
 * ```ts
 * const tier = new RedisSharedTier(client, false, guard);
 * ```
 */
export class RedisSharedTier implements SharedTier {
  readonly kind = 'redis' as const;
  private readonly keyv: Keyv<string>;
  private readonly store: KeyvRedis<string>;

  constructor(
    private readonly client: RedisCommands,
    private readonly isCluster: boolean,
    private readonly guard: RedisGuard,
  ) {
    const store = new KeyvRedis<string>(client as never, { throwOnErrors: true, throwOnConnectError: false });
    store.on('error', () => undefined);
    this.store = store;
    this.keyv = new Keyv<string>({
      store,
      useKeyPrefix: false,
      throwOnErrors: true,
      serialize: envelope.serialize as never,
      deserialize: envelope.deserialize as never,
    });
    this.keyv.on('error', () => undefined);
    // Keyv gives its store the namespace 'keyv' (a 'keyv::' prefix); our keys carry their own namespace.
    this.keyv.namespace = undefined;
    store.namespace = undefined;
  }

  read(reads: readonly SharedKeys[]): Promise<SharedRead[]> {
    return this.guard.run(async () => {
      // One MGET per hash slot: an entry and its counter share a slot (see KeyNames), so a single
      // read is one command even on a cluster. The adapter returns keyv's envelope as stored.
      const keys: string[] = [];
      for (const p of reads) {
        keys.push(p[1], p[0]);
        for (let j = 2; j < p.length; j++) keys.push(p[j]!);
      }
      const values = (await this.store.getMany(keys)) as Array<string | undefined>;
      const now = Date.now();
      let at = 0;
      return reads.map((p) => {
        const tag = counterValue(values[at]);
        const env = values[at + 1];
        at += 2;
        const data = env === undefined || env === null ? undefined : envelope.deserialize(env);
        const live = data && (data.expires === undefined || data.expires > now) ? data.value : undefined;
        if (p.length === 2) return { raw: live, tag };
        const more = values.slice(at, at + p.length - 2).map(counterValue);
        at += p.length - 2;
        return { raw: live, tag, more };
      });
    });
  }

  write(entries: ReadonlyArray<{ key: string; raw: string; ttlMs: number }>): Promise<void> {
    return this.guard.run(async () => {
      const ok = await Promise.all(entries.map((e) => this.keyv.set(e.key, e.raw, Math.max(1, Math.round(e.ttlMs)))));
      if (ok.includes(false)) throw new Error('Redis refused a cache write');
    });
  }

  bump(counterKeys: readonly string[], ttlMs: number, direct = false): Promise<number[]> {
    const ttl = Math.round(ttlMs);
    const call = () => Promise.all(counterKeys.map(async (k) => Number(await this.client.eval(BUMP, { keys: [k], arguments: [String(ttl)] }))));
    return direct ? this.guard.runDirect(call) : this.guard.run(call);
  }

  start(counterKeys: readonly string[], ttlMs: number): Promise<number[]> {
    const ttl = String(Math.round(ttlMs));
    return this.guard.run(() => Promise.all(counterKeys.map(async (k) => Number(await this.client.eval(INIT, { keys: [k], arguments: [ttl] })))));
  }

  clear(pattern: string): Promise<number> {
    return scanDelete(this.client, this.isCluster, pattern);
  }

  async close(): Promise<void> {
    await closeClient(this.client);
  }
}
