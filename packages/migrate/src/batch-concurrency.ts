import { ConfigError } from '@chatcore/core';

/**
 * How many batch transactions a data step runs at once: `asked`, or 4, or
 * fewer when the backend has fewer connections for them (`room`: on
 * PostgreSQL the pool less the one the lock holds), so that none waits
 * for a connection until connectTimeout gives it up. Asking for more than
 * there is, or a pool with none to spare, is a ConfigError before anything
 * runs.
 *
 * @example
 * ```ts
 * batchConcurrency(undefined, 3); // 3: a pool of 4, one holding the lock
 * batchConcurrency(8, 9); // 8
 * ```
 */
export function batchConcurrency(asked: number | undefined, room: number | undefined): number {
  if (asked !== undefined && (!Number.isInteger(asked) || asked < 1)) {
    throw new ConfigError(`migrate: concurrency must be a whole number of 1 or more, got ${String(asked)}.`, { info: { concurrency: asked } });
  }
  if (room === undefined) return asked ?? 4;
  if (room < 1) {
    throw new ConfigError(`migrate needs a pool of at least 2 connections: one holds the migration lock while the steps run on another (the pool has ${room + 1}; raise poolSize). Nothing was applied.`, { info: { poolSize: room + 1 } });
  }
  if (asked !== undefined && asked > room) {
    throw new ConfigError(`migrate: concurrency ${asked} needs ${asked} connections beside the one holding the migration lock, and the pool has ${room + 1} (poolSize): lower concurrency to ${room} or raise poolSize. Nothing was applied.`, { info: { concurrency: asked, poolSize: room + 1 } });
  }
  return asked ?? Math.min(4, room);
}
