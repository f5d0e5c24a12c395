import { randomUUID } from 'node:crypto';
import * as assert from 'uvu/assert';
import pg from 'pg';
import { ChatcoreError, ConnectionError, TimeoutError } from '@chatcore/core';
import type { TestCluster } from './cluster.js';

/** What one call of the load did: a read, a non-idempotent increment, or a create with a client id. */
export type CallKind = 'read' | 'increment' | 'create';

/** One finished call: its kind, the row it touched, when it ran, and its error (none: success). */
export interface CallRecord {
  readonly kind: CallKind;
  readonly worker: number;
  readonly id: string;
  readonly started: number;
  readonly ended: number;
  readonly error?: unknown;
}

/** The repository calls the load makes (counters with a non-idempotent count, notes created with client ids). */
export interface ChaosRepos {
  readonly counters: {
    get(id: string): Promise<unknown>;
    update(id: string, patch: { count: { increment: number } }): Promise<unknown>;
  };
  readonly notes: { create(input: { id: string; body: string }): Promise<unknown> };
}

/** A running load: its records so far, the calls in flight, and stop(). */
export interface Load {
  readonly records: CallRecord[];
  inFlight(): number;
  peakInFlight(): number;
  stop(): Promise<CallRecord[]>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * `workers` callers loop until stopped, each doing the kind `mix(worker, i)`
 * chooses; after a failed call a worker pauses `pauseMs` (a fast-failing
 * breaker would otherwise spin). Every call is recorded with its outcome.
 */
export function startLoad(db: ChaosRepos, counterIds: readonly string[], options: { workers: number; mix: (worker: number, i: number) => CallKind; pauseMs?: number }): Load {
  const records: CallRecord[] = [];
  let inFlight = 0;
  let peak = 0;
  let running = true;
  const pauseMs = options.pauseMs ?? 10;
  const worker = async (w: number) => {
    for (let i = 0; running; i++) {
      const kind = options.mix(w, i);
      const id = kind === 'create' ? randomUUID() : counterIds[(w * 7 + i) % counterIds.length]!;
      inFlight++;
      peak = Math.max(peak, inFlight);
      const started = performance.now();
      let error: unknown;
      try {
        if (kind === 'read') await db.counters.get(id);
        else if (kind === 'increment') await db.counters.update(id, { count: { increment: 1 } });
        else await db.notes.create({ id, body: `chaos ${id}` });
      } catch (err) {
        error = err ?? new Error('rejected without a reason');
      } finally {
        inFlight--;
      }
      records.push(error === undefined ? { kind, worker: w, id, started, ended: performance.now() } : { kind, worker: w, id, started, ended: performance.now(), error });
      if (error !== undefined) await sleep(pauseMs);
      else if (i % 50 === 49) await new Promise((r) => setImmediate(r));
    }
  };
  const done = Promise.all(Array.from({ length: options.workers }, (_, w) => worker(w)));
  return {
    records,
    inFlight: () => inFlight,
    peakInFlight: () => peak,
    async stop() {
      running = false;
      await done;
      return records;
    },
  };
}

/** The error says the call never reached the server: it cannot have been applied. */
export function isNotSent(err: unknown): boolean {
  if (err instanceof TimeoutError) return err.info.reason === 'pool';
  if (!(err instanceof ConnectionError)) return false;
  return err.info.breaker !== undefined || (err.info.phase === 'connect' && err.info.outcome !== 'unknown');
}

/** A short name for an error in the printed figures: class, and breaker/pool/phase where set. */
export function errorLabel(err: unknown): string {
  if (!(err instanceof ChatcoreError)) return `untyped ${String(err).slice(0, 60)}`;
  const extra = err.info.breaker !== undefined ? ' breaker' : err.info.reason !== undefined ? ` ${String(err.info.reason)}` : err.info.phase !== undefined ? ` ${String(err.info.phase)}` : '';
  return `${err.name}${extra}`;
}

/** Count of records per error label (and 'ok'), for the printed figures. */
export function tally(records: readonly CallRecord[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of records) {
    const label = r.error === undefined ? 'ok' : errorLabel(r.error);
    out[label] = (out[label] ?? 0) + 1;
  }
  return out;
}

/** Summary of a verified load, for the printed figures. */
export interface LoadCheck {
  readonly increments: { acked: number; unknown: number; stored: number };
  readonly creates: { acked: number; notSent: number; unknown: number };
}

/**
 * The correctness checks every chaos scenario makes, exactly: every error
 * typed; each counter holds at least its acknowledged increments and at
 * most those plus the increments whose outcome was reported unknown (more
 * would be an increment applied twice); every acknowledged create present,
 * and no create whose error said it was never sent.
 */
export async function verifyLoad(cluster: TestCluster, records: readonly CallRecord[], counterIds: readonly string[]): Promise<LoadCheck> {
  const untyped = records.filter((r) => r.error !== undefined && !(r.error instanceof ChatcoreError)).map((r) => String(r.error));
  assert.equal(untyped.slice(0, 5), [], `${untyped.length} untyped errors`);
  const acked = new Map(counterIds.map((id) => [id, 0]));
  const unknown = new Map(counterIds.map((id) => [id, 0]));
  for (const r of records) {
    if (r.kind !== 'increment') continue;
    if (r.error === undefined) acked.set(r.id, acked.get(r.id)! + 1);
    else if (!isNotSent(r.error)) unknown.set(r.id, unknown.get(r.id)! + 1);
  }
  const rows = await cluster.sql('select id, count from counters where id = any($1)', [counterIds]);
  const stored = new Map(rows.map((r) => [r.id as string, Number(r.count)]));
  let storedTotal = 0;
  for (const id of counterIds) {
    const s = stored.get(id)!;
    storedTotal += s;
    assert.ok(s >= acked.get(id)!, `counter ${id}: ${s} stored < ${acked.get(id)} acknowledged (an acknowledged increment was lost)`);
    assert.ok(s <= acked.get(id)! + unknown.get(id)!, `counter ${id}: ${s} stored > ${acked.get(id)} acknowledged + ${unknown.get(id)} unknown (an increment was applied twice)`);
  }
  const creates = records.filter((r) => r.kind === 'create');
  const ackedIds = creates.filter((r) => r.error === undefined).map((r) => r.id);
  const notSentIds = creates.filter((r) => r.error !== undefined && isNotSent(r.error)).map((r) => r.id);
  const present = await cluster.sql('select count(*)::int as n from notes where id = any($1)', [ackedIds]);
  assert.is(present[0]!.n, ackedIds.length, 'every acknowledged create is stored');
  const ghosts = await cluster.sql('select count(*)::int as n from notes where id = any($1)', [notSentIds]);
  assert.is(ghosts[0]!.n, 0, 'no create reported as never sent was applied');
  const sum = (m: Map<string, number>) => [...m.values()].reduce((a, b) => a + b, 0);
  return {
    increments: { acked: sum(acked), unknown: sum(unknown), stored: storedTotal },
    creates: { acked: ackedIds.length, notSent: notSentIds.length, unknown: creates.length - ackedIds.length - notSentIds.length },
  };
}

/**
 * Watch a cluster from outside the driver: a fresh connection every 10 ms.
 * `refused` resolves with the time of the first failed connection (the
 * server went away), `accepting` with that of the first successful one
 * after it (the server came back).
 */
export function watchAcceptance(cluster: TestCluster): { refused: Promise<number>; accepting: Promise<number>; stop(): void } {
  let stopped = false;
  let wentAway!: (at: number) => void;
  const refused = new Promise<number>((r) => { wentAway = r; });
  const accepting = (async () => {
    let sawFailure = false;
    while (!stopped) {
      const client = new pg.Client({ connectionString: cluster.url(), connectionTimeoutMillis: 1000 });
      client.on('error', () => undefined);
      try {
        await client.connect();
        await client.query('select 1');
        if (sawFailure) return performance.now();
      } catch {
        if (!sawFailure) wentAway(performance.now());
        sawFailure = true;
      } finally {
        await client.end().catch(() => undefined);
      }
      await sleep(10);
    }
    return Number.NaN;
  })();
  return { refused, accepting, stop: () => { stopped = true; } };
}

/** For each worker that ran `kind`, the delay from `since` to the end of its first successful call ended after `since`. */
export function firstSuccessAfter(records: readonly CallRecord[], kind: CallKind, since: number): number[] {
  const first = new Map<number, number>();
  for (const r of records) {
    if (r.kind !== kind || r.error !== undefined || r.ended < since) continue;
    const seen = first.get(r.worker);
    if (seen === undefined || r.ended < seen) first.set(r.worker, r.ended);
  }
  return [...first.values()].map((t) => t - since);
}

/** The p-th percentile (0..1) of a list (nearest rank). */
export function percentile(xs: readonly number[], p: number): number {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(p * s.length) - 1))]!;
}

/** Create the counters a load increments. */
export async function seedCounters(db: { counters: { createMany(rows: Array<{ name: string; count: number }>): Promise<Array<{ id: string }>> } }, tag: string, n = 8): Promise<string[]> {
  const made = await db.counters.createMany(Array.from({ length: n }, (_, i) => ({ name: `${tag}-${i}`, count: 0 })));
  return made.map((c) => c.id);
}

/**
 * Make every statement of the load spend `ms` on the server (a trigger on
 * counter updates and note inserts, and the view `counters_slow` for reads),
 * so that a kill or a restart finds statements running, as it does in
 * production, rather than idle sessions between 0.1 ms statements.
 *
 * @example
 * ```ts
 * await slowStatements(cluster, 3);
 * ```
 */
export async function slowStatements(cluster: TestCluster, ms: number): Promise<void> {
  const seconds = (ms / 1000).toFixed(4);
  await cluster.sql(`create or replace function cc_nap() returns trigger language plpgsql as $$ begin perform pg_sleep(${seconds}); return new; end $$`);
  await cluster.sql('create trigger cc_nap_counters before update on counters for each row execute function cc_nap()');
  await cluster.sql('create trigger cc_nap_notes before insert on notes for each row execute function cc_nap()');
  await cluster.sql(`create view counters_slow as select c.* from counters c cross join lateral (select pg_sleep(${seconds})) s`);
}

/** Poll until `cond` holds (or fail after `timeoutMs`). */
export async function waitFor(cond: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await sleep(5);
  }
}
