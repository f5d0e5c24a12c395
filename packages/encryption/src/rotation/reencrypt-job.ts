import type { EventEmitter } from 'node:events';
import type { Condition, PluginHost, StoredRow } from '@chatcore/core/plugin';
import { ConfigError, ValidationError } from '@chatcore/core';
import { oldNameUsage, unfinishedMigrations, type OldNameUsage } from './old-name-scan.js';
import { resealEnvelope } from '../record/reseal.js';
import { batches, notCiphertext, planOf, scanFields, slots, type Slot } from './table-scan.js';
import { AUTH_FIELD } from '../crypto/row-authenticator.js';
import { authOf, checkRow, cipherOf, envelopeCipherOf, type RepositoryPlan } from '../repository-plan.js';
import { reportCheckFailure, reportingFailures, type SecuritySink } from '../security-reports.js';

/**
 * Options of a re-encryption run.
 *
 * @example
 * ```ts
 * let saved: string | null = null; // kept somewhere durable between runs
 * const opts: ReencryptOptions = { repository: 'users', batchSize: 500, checkpoint: saved, onProgress: (p) => { saved = p.checkpoint; } };
 * ```
 */
export interface ReencryptOptions {
  readonly repository: string;
  /** Rows read per batch (default 500, max 10,000). */
  readonly batchSize?: number;
  /** Resume after this id (the `checkpoint` of an earlier progress event or result). */
  readonly checkpoint?: string | null;
  /** Records swapped at once within a batch (default 4; 1 on single-connection backends changes nothing but speed). */
  readonly concurrency?: number;
  /** Stop after this many batches (the result's checkpoint resumes). */
  readonly maxBatches?: number;
  readonly onProgress?: (progress: ReencryptProgress) => void;
  readonly signal?: AbortSignal;
}

/**
 * Progress of a run, after each batch (also emitted as `progress` on the plugin's `events`).
 *
 * @example
 * ```ts
 * enc.events.on('progress', (p: ReencryptProgress) => console.log(p.repository, p.scanned, p.rewritten));
 * ```
 */
export interface ReencryptProgress {
  readonly repository: string;
  readonly activeKeyId: string;
  /** Rows looked at so far in this run. */
  readonly scanned: number;
  /** Values rewritten under the active key. */
  readonly rewritten: number;
  /** Rows changed by someone else faster than the job could swap them, every attempt (rare; a second run picks them up). */
  readonly skipped: number;
  /** The last id processed: pass it as `checkpoint` to resume. */
  readonly checkpoint: string | null;
  readonly done: boolean;
}

/**
 * The result of a run: the last progress.
 *
 * @example
 * ```ts
 * const r: ReencryptResult = await enc.reencrypt({ repository: 'users' });
 * if (!r.done) await enc.reencrypt({ repository: 'users', checkpoint: r.checkpoint }); // resume
 * ```
 */
export type ReencryptResult = ReencryptProgress;

/**
 * Stored values per key id.
 *
 * @example
 * ```ts
 * const u = await enc.keyUsage(); if ((u.byKey.k1 ?? 0) === 0) await enc.retireKey('k1');
 * ```
 */
export interface KeyUsage {
  readonly scanned: number;
  readonly byKey: Readonly<Record<string, number>>;
  readonly byRepository: Readonly<Record<string, Readonly<Record<string, number>>>>;
  /** Of those, the values still under the old name of a field an unfinished rename migration has not rewritten yet. */
  readonly oldNames: readonly OldNameUsage[];
}

/**
 * What the jobs need from the plugin.
 *
 * @example
 * ```ts
 * await reencrypt({ host, name: 'encryption', plans, events, sink }, { repository: 'users' });
 * ```
 */
export interface RotationContext {
  readonly host: PluginHost;
  readonly name: string;
  readonly plans: ReadonlyMap<string, RepositoryPlan>;
  readonly events: EventEmitter;
  /** Where a row the jobs refuse to rewrite (it does not verify) is reported. */
  readonly sink: SecuritySink;
}

const SWAP_ATTEMPTS = 5;

function rewrite(plan: RepositoryPlan, columns: readonly Slot[], row: StoredRow, active: string): { set: Record<string, string>; guard: Condition[] } {
  const set: Record<string, string> = {};
  const guard: Condition[] = [];
  const id = row.id as string;
  // Never re-authenticate a row that does not verify (that would launder a replaced value).
  checkRow(plan, row);
  // A bound row keeps its binding: each value resealed opens with it first, and the authenticator stays.
  const binding = plan.auth?.bindingOf(row);
  for (const s of columns) {
    const value = row[s.column];
    if (value === null || value === undefined) continue;
    const keyId = s.keyId(value);
    if (typeof value !== 'string' || keyId === undefined) throw notCiphertext(plan, s.column, id);
    if (keyId === active) continue;
    if (plan.mode === 'record') set[s.column] = resealEnvelope(envelopeCipherOf(plan), value, id, binding);
    else {
      const cipher = cipherOf(plan, plan.fields.get(s.column)!);
      set[s.column] = cipher.seal(cipher.open(value, id, binding), id, binding);
    }
    // Compare-and-swap on the ciphertext itself: a concurrent write of this value wins; other columns (counters) never conflict.
    guard.push({ kind: 'cmp', field: s.column, op: 'eq', value });
  }
  if (binding !== undefined) {
    // Every write of a bound row draws a new authenticator: a concurrent one wins.
    if (Object.keys(set).length > 0) guard.push({ kind: 'cmp', field: AUTH_FIELD, op: 'eq', value: row[AUTH_FIELD] });
  } else if (plan.authMode !== 'off' && (Object.keys(set).length > 0 || row[AUTH_FIELD] == null)) {
    // The authenticator covers the new ciphertexts and the version read: guard on both, so a concurrent write (which moves the version) wins.
    set[AUTH_FIELD] = authOf(plan).compute({ ...row, ...set });
    const version = plan.logical.versionField;
    if (version) guard.push({ kind: 'cmp', field: version, op: 'eq', value: row[version] });
    guard.push(row[AUTH_FIELD] == null ? { kind: 'isNull', field: AUTH_FIELD, isNull: true } : { kind: 'cmp', field: AUTH_FIELD, op: 'eq', value: row[AUTH_FIELD] });
  }
  return { set, guard };
}

/**
 * Walk a repository in id order and re-encrypt every value that is not
 * under the active key. Each record is swapped with a compare-and-swap
 * update (guarded by the old ciphertext, so it can run while the
 * application writes); values are re-sealed without decoding. Resumable
 * from `checkpoint`; progress after each batch. Refused (ConfigError)
 * before any write while a migration is unfinished.
 *
 * @example
 * ```ts
 * const result = await reencrypt(ctx, { repository: 'users', batchSize: 500 });
 * ```
 */
export async function reencrypt(ctx: RotationContext, options: ReencryptOptions): Promise<ReencryptResult> {
  const plan = planOf(ctx, options.repository);
  const batchSize = options.batchSize ?? 500;
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 10_000) throw new ValidationError([{ path: 'batchSize', message: 'expected an integer from 1 to 10000' }]);
  const pending = await oldNameUsage(ctx, plan);
  if (pending.length > 0) {
    const where = pending.map((u) => `${u.repository}.${u.from} (renamed to ${u.to}): ${Object.values(u.byKey).reduce((a, b) => a + b, 0)} rows`).join(', ');
    // Those rows are authenticated under the old names until the migration rewrites them: re-encrypting them here would fail or strand the old values.
    throw new ConfigError(`Cannot re-encrypt ${plan.name} while a rename migration is unfinished (${where} not rewritten yet): finish the migration first (run migrate again), then reencrypt.`, { info: { repository: plan.name, fields: pending.map((u) => u.from) } });
  }
  const unfinished = await unfinishedMigrations(ctx);
  if (unfinished.length > 0) {
    // A rename this process did not run: its rows not rewritten yet fail the row check, so the job would stop half done.
    throw new ConfigError(`Cannot re-encrypt ${plan.name} while migration(s) ${unfinished.join(', ')} did not finish: a rename of an encrypted field may still hold values under its old name, which only the migration rewrites. Nothing was re-encrypted: finish the migration first (run migrate again), then reencrypt.`, { info: { repository: plan.name, migrations: unfinished } });
  }
  const active = (plan.mode === 'record' ? envelopeCipherOf(plan) : cipherOf(plan, [...plan.fields.values()][0]!)).activeKeyId();
  const columns = slots(plan);
  let scanned = 0, rewritten = 0, skipped = 0, n = 0;
  let checkpoint = options.checkpoint ?? null;
  const report = (done: boolean): ReencryptProgress => {
    const p = { repository: plan.name, activeKeyId: active, scanned, rewritten, skipped, checkpoint, done };
    options.onProgress?.(p);
    ctx.events.emit('progress', p);
    return p;
  };
  const concurrency = options.concurrency ?? 4;
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64) throw new ValidationError([{ path: 'concurrency', message: 'expected an integer from 1 to 64' }]);
  const swapOne = async (first: StoredRow): Promise<void> => {
    let row = first;
    const id = row.id as string;
    for (let attempt = 1; ; attempt++) {
      const { set, guard } = reportingFailures(ctx.sink, plan, undefined, id, () => rewrite(plan, columns, row, active));
      const count = Object.keys(set).length;
      if (count === 0) break;
      const where: Condition = guard.length === 1 ? guard[0]! : { kind: 'and', conditions: guard };
      // Through the plugins below this one (a cache sees the write), not through the encryption layer itself.
      const res = await ctx.host.execute(ctx.name, { kind: 'update', schema: plan.storage!, target: { ids: [id], where }, patch: { set, increment: {} } });
      if (res.rows.length > 0) {
        rewritten += count - (AUTH_FIELD in set ? 1 : 0);
        break;
      }
      const fresh = (await ctx.host.session.getByIds(plan.storage!, [id], { select: scanFields(plan) }))[0];
      if (!fresh) break; // deleted meanwhile
      if (attempt >= SWAP_ATTEMPTS) {
        skipped++;
        break;
      }
      row = fresh;
    }
    scanned++;
  };
  for await (const rows of batches(ctx, plan, batchSize, checkpoint, options.signal)) {
    let next = 0;
    await Promise.all(Array.from({ length: Math.min(concurrency, rows.length) }, async () => {
      try {
        while (next < rows.length) await swapOne(rows[next++]!);
      } catch (error) {
        next = rows.length; // the other workers stop after their current record
        throw error;
      }
    }));
    checkpoint = rows.at(-1)!.id as string;
    n++;
    if (options.maxBatches !== undefined && n >= options.maxBatches) return report(false);
    report(false);
  }
  return report(true);
}

/**
 * Count stored values per key id by reading every protected column (a full
 * scan, below every plugin).
 *
 * @example
 * ```ts
 * const usage = await keyUsage(ctx, { repository: 'users' });
 * ```
 */
export async function keyUsage(ctx: RotationContext, options: { repository?: string; batchSize?: number }): Promise<KeyUsage> {
  const plans = options.repository ? [planOf(ctx, options.repository)] : [...ctx.plans.values()];
  const byKey: Record<string, number> = {};
  const byRepository: Record<string, Record<string, number>> = {};
  let scanned = 0;
  const oldNames: OldNameUsage[] = [];
  for (const plan of plans) {
    const mine: Record<string, number> = (byRepository[plan.name] = {});
    const columns = slots(plan);
    for await (const rows of batches(ctx, plan, options.batchSize ?? 2000, null)) {
      for (const row of rows) {
        scanned++;
        for (const s of columns) {
          const v = row[s.column];
          if (v === null || v === undefined) continue;
          const k = s.keyId(v);
          if (k === undefined) {
            const error = notCiphertext(plan, s.column, row.id);
            reportCheckFailure(ctx.sink, plan, error, undefined);
            throw error;
          }
          mine[k] = (mine[k] ?? 0) + 1;
          byKey[k] = (byKey[k] ?? 0) + 1;
        }
      }
    }
    // Rows a rename migration has not rewritten yet: their old-name ciphertext is still needed to resume it.
    for (const u of await oldNameUsage(ctx, plan, options.batchSize ?? 2000)) {
      oldNames.push(u);
      for (const [k, n] of Object.entries(u.byKey)) {
        mine[k] = (mine[k] ?? 0) + n;
        byKey[k] = (byKey[k] ?? 0) + n;
      }
    }
  }
  return { scanned, byKey, byRepository, oldNames };
}
