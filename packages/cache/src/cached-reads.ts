import { parseDuration } from '@chatcore/core/config';
import type { AggregateRow, Operation, OperationContext, OperationResult, StoredRow } from '@chatcore/core/plugin';
import { canonicalAggregate, canonicalQuery, canonicalCondition, idDigest, schemaHash } from './cache-keys.js';
import type { ResolvedRepository } from './cache-options.js';
import type { CacheRuntime } from './cache-runtime.js';
import { aggregateCheck, countCheck, getCheck, queryCheck } from './entry-checks.js';
import type { CacheTier } from './cache-stats.js';
import type { ReadSpec } from './read-through.js';
import { isLocalProbe, type LocalProbe } from './local-probe.js';
import { isWrite } from './write-invalidation.js';
import { localIdKey } from './tiers/in-process-tier.js';
import type { SharedKeys } from './tiers/shared-tier.js';

type ReadOp = Extract<Operation, { kind: 'get' | 'query' | 'count' | 'aggregate' }>;
/**
 * `OperationResult.servedBy` of a result the cache answered without the
 * driver, by tier: the plugin's name, ':' and the tier (audit records a hit).
 */
const SERVED_BY: Readonly<Record<CacheTier, string>> = { local: 'cache:local', shared: 'cache:shared' };

/** A result as the cache hands it up: `servedBy` only when a tier answered. */
function answer(rows: StoredRow[], from: CacheTier | undefined): OperationResult {
  return from ? { rows, servedBy: SERVED_BY[from] } : { rows };
}

const secretFieldsOf = new WeakMap<object, readonly string[]>();

/** Fields holding password hashes: never cached (core drops them from results anyway). */
function secretFields(schema: Operation['schema']): readonly string[] {
  let list = secretFieldsOf.get(schema);
  if (!list) secretFieldsOf.set(schema, (list = Object.entries(schema.fields).filter(([, m]) => m.secret).map(([f]) => f)));
  return list;
}

/** The in-process key of a get entry: repository, tenant/projection variant, id. */
function getKey(repo: string, variant: string, id: string): string {
  return `g\u0000${repo}\u0000${variant}\u0000${id}`;
}

function stripSecrets(rows: StoredRow[], secrets: readonly string[]): StoredRow[] {
  if (secrets.length) for (const r of rows) for (const f of secrets) delete r[f];
  return rows;
}

/**
 * The cache plugin's read role: get/getMany/find/findOne/findPage/exists/
 * count/aggregate answered from a tier, or read below and stored, with keys
 * built from the operation the plugins above have already rewritten.
 *
 * @example
 * ```ts
 * const reads = new CachedReads(runtime);
 * return reads.around(op, ctx, next); // from Plugin.around, for an operation that is not a write
 * ```
 */
export class CachedReads {
  constructor(private readonly rt: CacheRuntime) {}

  /** The plugin's `around` for every operation that is not a write: kinds it does not cache go straight to `next`. */
  around(op: Operation, ctx: OperationContext, next: (op: Operation) => Promise<OperationResult>): Promise<OperationResult> {
    if (op.kind !== 'get' && op.kind !== 'query' && op.kind !== 'count' && op.kind !== 'aggregate') return next(op);
    // A read a plugin above makes for a write call (encryption's read-modify-write and its retries): it needs the row
    // as stored now, and it is not a read of the caller's, so it is neither served, stored nor counted.
    if (isWrite(ctx.operation.kind)) return next(op);
    const cfg = this.rt.repos.get(op.schema.name);
    const reads = this.rt.reads;
    if (!cfg || !reads) return next(op);
    const hint = ctx.options.cache as false | { ttl?: number | string } | undefined;
    if (hint === false || ctx.transaction) {
      // Inside a transaction a read may see uncommitted writes: never serve it from, or store it in, the cache.
      this.rt.counters.add(op.schema.name, 'local', 'bypasses', 1, hint === false ? 'call-option' : 'transaction');
      return next(op);
    }
    const through = op.kind === 'query' ? op.query.through?.schema.name : undefined;
    if (through !== undefined && !(this.rt.repos.has(through) && this.rt.readers.get(through)?.includes(op.schema.name))) {
      // Its rows depend on the join repository's: only a cached one moves its generation on every write, from
      // every process (one that declares no relations too); and only a declared one moves ours in this process.
      this.rt.counters.add(op.schema.name, 'local', 'bypasses', 1, 'join');
      return next(op);
    }
    let ttlMs = cfg.ttlMs;
    if (hint && typeof hint === 'object' && hint.ttl !== undefined) ttlMs = Math.min(parseDuration(hint.ttl, 'cache.ttl'), this.rt.options.maxTtlMs);
    if (op.kind === 'get') {
      if (op.select && op.select.some((f) => secretFields(op.schema).includes(f))) {
        // verifySecret reads a password hash: that never goes into a cache.
        this.rt.counters.add(op.schema.name, 'local', 'bypasses', 1, 'secret');
        return next(op);
      }
      const variant = cfg.tenantScoped || op.select ? this.variant(op, ctx, cfg) : '';
      if (op.ids.length === 1) {
        // The hot path: one id, answered from the in-process tier without building anything else.
        // The key and the probe are made once: a miss hands both on.
        const id = op.ids[0]!;
        const localKey = getKey(op.schema.name, variant, id);
        const probe = reads.probeLocal(op.schema.name, localKey);
        if (!isLocalProbe(probe)) return Promise.resolve({ rows: probe === null ? [] : [probe as StoredRow], servedBy: SERVED_BY.local });
        return this.getOne(op, cfg, ttlMs, variant, id, localKey, probe, next);
      }
      return op.ids.length ? this.getMany(op, cfg, ttlMs, variant, next) : next(op);
    }
    return this.query(op, ctx, cfg, ttlMs, through, next);
  }

  /** Tenant and projection of a get: part of its keys ('' when it has neither). */
  private variant(op: Extract<Operation, { kind: 'get' }>, ctx: OperationContext, cfg: ResolvedRepository): string {
    const tenant = cfg.tenantScoped ? `t=${ctx.tenant ?? '\u0001'}` : '';
    return op.select || tenant ? `${tenant}\u0000${op.select ? op.select.join(',') : ''}` : '';
  }

  private getSpec(op: Extract<Operation, { kind: 'get' }>, cfg: ResolvedRepository, ttlMs: number, variant: string, id: string, localKey: string, load: () => Promise<unknown>): ReadSpec {
    const repo = op.schema.name;
    let digest: string | undefined;
    let keys: readonly [string, string] | undefined;
    const d = () => (digest ??= idDigest(repo, id));
    return {
      repo, cfg, ttlMs, load, localKey,
      check: getCheck(id, !op.select || op.select.includes('id')),
      localIdKey: () => localIdKey(repo, d()),
      // Derived at most once per call, and only when the in-process tier missed.
      sharedKeys: () => (keys ??= [this.rt.keys.getEntry(repo, schemaHash(op.schema), d(), variant), this.rt.keys.epoch(repo, d())]),
    };
  }

  private async getOne(op: Extract<Operation, { kind: 'get' }>, cfg: ResolvedRepository, ttlMs: number, variant: string, id: string, localKey: string, probe: LocalProbe, next: (op: Operation) => Promise<OperationResult>): Promise<OperationResult> {
    const secrets = secretFields(op.schema);
    const spec = this.getSpec(op, cfg, ttlMs, variant, id, localKey, async () => stripSecrets((await next(op)).rows, secrets)[0] ?? null);
    const { value, from } = await this.rt.reads!.read(spec, probe);
    return answer(value ? [value as StoredRow] : [], from);
  }

  private async getMany(op: Extract<Operation, { kind: 'get' }>, cfg: ResolvedRepository, ttlMs: number, variant: string, next: (op: Operation) => Promise<OperationResult>): Promise<OperationResult> {
    const repo = op.schema.name;
    const specs = op.ids.map((id) => this.getSpec(op, cfg, ttlMs, variant, id, getKey(repo, variant, id), () => Promise.reject(new Error('batch load'))));
    const { values, from } = await this.rt.reads!.readMany(specs, async (missing) => {
      const ids = missing.map((i) => op.ids[i]!);
      const result = await next({ ...op, ids });
      stripSecrets(result.rows, secretFields(op.schema));
      const byId = new Map(result.rows.map((r) => [r.id as string, r]));
      return ids.map((id) => byId.get(id) ?? null);
    });
    return answer(values.filter((v): v is StoredRow => v !== null), from);
  }

  /** A query, count or aggregate; `through`: the join repository a query reads through (its generation is checked too). */
  private async query(op: Exclude<ReadOp, { kind: 'get' }>, ctx: OperationContext, cfg: ResolvedRepository, ttlMs: number, through: string | undefined, next: (op: Operation) => Promise<OperationResult>): Promise<OperationResult> {
    const repo = op.schema.name;
    const tenant = cfg.tenantScoped ? `;t=${ctx.tenant ?? '\u0001'}` : '';
    const text = (op.kind === 'count' ? `C:${canonicalCondition(op.where)}` : op.kind === 'aggregate' ? `A:${canonicalAggregate(op.aggregate)}` : `Q:${canonicalQuery(op.query)}`) + tenant;
    let keys: SharedKeys | undefined;
    const { value, from } = await this.rt.reads!.read({
      repo, cfg, ttlMs,
      localKey: `q\u0000${repo}\u0000${text}`,
      localIdKey: undefined,
      check: op.kind === 'count' ? countCheck : op.kind === 'aggregate' ? aggregateCheck(op.aggregate) : queryCheck(op.query),
      sharedKeys: () => (keys ??= through === undefined
        ? [this.rt.keys.queryEntry(repo, schemaHash(op.schema), text), this.rt.keys.generation(repo)]
        : [this.rt.keys.queryEntry(repo, schemaHash(op.schema), text), this.rt.keys.generation(repo), this.rt.keys.generation(through)]),
      load: async () => {
        const r = await next(op);
        if (op.kind === 'aggregate') return r.groups ?? [];
        return op.kind === 'count' ? (r.count ?? 0) : stripSecrets(r.rows, secretFields(op.schema));
      },
    });
    if (op.kind === 'aggregate') return from ? { rows: [], groups: value as AggregateRow[], servedBy: SERVED_BY[from] } : { rows: [], groups: value as AggregateRow[] };
    if (op.kind !== 'count') return answer(value as StoredRow[], from);
    return from ? { rows: [], count: value as number, servedBy: SERVED_BY[from] } : { rows: [], count: value as number };
  }
}
