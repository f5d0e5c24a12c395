import { randomBytes } from 'node:crypto';
import { createDatabase, defineRepository, f } from '@chatcore/core';
import { memoryDriver, type Driver } from '@chatcore/core/driver';
import { type Plugin } from '@chatcore/core/plugin';

/** Tables of this process: test files can share one PostgreSQL database. */
export const TABLE_SUFFIX = randomBytes(4).toString('hex');

export const users = defineRepository('users', {
  id: f.id(),
  name: f.string({ max: 200 }),
  age: f.integer().optional(),
  tags: f.json().optional(),
  score: f.bigint().optional(),
  avatar: f.bytes().optional(),
  createdAt: f.timestamp().createdAt(),
  version: f.version(),
}, { table: `cache_users_${TABLE_SUFFIX}`, plugins: { cache: { ttl: '5m' } } });

export const notes = defineRepository('notes', {
  id: f.id(),
  owner: f.string(),
  body: f.text(),
  version: f.version(),
}, { table: `cache_notes_${TABLE_SUFFIX}`, plugins: { cache: false } });

/** A random namespace per test file, so files never see each other's keys. */
export function randomNamespace(prefix = 't'): string {
  return `${prefix}-${randomBytes(6).toString('hex')}`;
}

export interface Instrumented {
  readonly driver: Driver;
  /** Reads that reached the driver, by method. */
  readonly reads: { getByIds: number; query: number; count: number };
  /** When set, every root read waits for this before running (to force interleavings). */
  gate: (() => Promise<void>) | undefined;
}

/**
 * Wrap a driver to count the reads that reach it and, on demand, hold them
 * (a real driver underneath: only the timing changes).
 */
export function instrument(inner: Driver = memoryDriver()): Instrumented {
  const state: Instrumented = {
    driver: undefined as unknown as Driver,
    reads: { getByIds: 0, query: 0, count: 0 },
    gate: undefined,
  };
  const wrapRead = (name: 'getByIds' | 'query' | 'count') =>
    async (...args: unknown[]) => {
      state.reads[name]++;
      const gate = state.gate;
      // Read first, then wait: the value is the one from before any write that lands while we wait.
      const result = await (inner[name] as (...a: unknown[]) => Promise<unknown>).apply(inner, args);
      if (gate) await gate();
      return result;
    };
  const overrides: Record<string, unknown> = { getByIds: wrapRead('getByIds'), query: wrapRead('query'), count: wrapRead('count') };
  (state as { driver: Driver }).driver = new Proxy(inner, {
    get(target, prop, receiver) {
      if (typeof prop === 'string' && prop in overrides) return overrides[prop];
      const v = Reflect.get(target, prop, receiver);
      return typeof v === 'function' ? v.bind(target) : v;
    },
  });
  return state;
}

export async function openDb(plugins: Plugin[], driver: Driver = memoryDriver()) {
  const db = createDatabase({ driver, repositories: { users, notes }, plugins });
  await db.connect();
  return db;
}

/** Resolves after `ms`. */
export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Delete every key of one namespace on a standalone Redis (test teardown for processes that did not clear). */
export async function flushNamespace(url: string, namespace: string): Promise<void> {
  const { createClient } = await import('@keyv/redis');
  const client = createClient({ url });
  client.on('error', () => undefined);
  await client.connect();
  for await (const batch of client.scanIterator({ MATCH: `${namespace}:*`, COUNT: 500 })) if (batch.length) await client.unlink(batch);
  await client.close();
}

/**
 * Redis call timeout for tests that count reads exactly: generous, so a
 * loaded test machine cannot turn a slow Redis answer into a bypass. The
 * outage tests keep short timeouts on purpose.
 */
export const TEST_REDIS_TIMEOUT = '2s';
