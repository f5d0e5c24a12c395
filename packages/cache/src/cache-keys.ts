import { createHash } from 'node:crypto';
import type { Condition, NormalizedAggregate, NormalizedQuery, RepositorySchema } from '@chatcore/core/plugin';

/**
 * A short, fixed-length digest (SHA-1, base64url, 120 bits). Shared-tier
 * keys and bus messages carry only digests, never ids or filter values.
 *
 * @example
 * ```ts
 * digest('users\u0000' + id); // 'k3J0...'
 * ```
 */
export function digest(text: string): string {
  return createHash('sha1').update(text).digest('base64url').slice(0, 20);
}

function stable(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  switch (typeof v) {
    case 'string': return JSON.stringify(v);
    case 'number': return Object.is(v, -0) ? '-0' : String(v);
    case 'boolean': return v ? 'true' : 'false';
    case 'bigint': return `${v}n`;
    case 'function': return '"fn"';
    case 'object': {
      if (v instanceof Date) return `D${v.getTime()}`;
      if (v instanceof RegExp) return `R${JSON.stringify(v.source + '/' + v.flags)}`;
      if (v instanceof Uint8Array) return `B${Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64')}`;
      if (Array.isArray(v)) return `[${v.map(stable).join(',')}]`;
      const keys = Object.keys(v).sort();
      return `{${keys.map((k) => `${JSON.stringify(k)}:${stable((v as Record<string, unknown>)[k])}`).join(',')}}`;
    }
    default: return '?';
  }
}

const schemaHashes = new WeakMap<RepositorySchema, string>();

/**
 * A digest of the storage schema (fields, types, columns, storage format,
 * indexes): part of every key, so that a deployment with a changed schema
 * never reads entries written in the old shape. Computed once per schema.
 *
 * @example
 * ```ts
 * schemaHash(schema); // '9fQ2...': changes when the repository's storage schema changes
 * ```
 */
export function schemaHash(schema: RepositorySchema): string {
  let h = schemaHashes.get(schema);
  if (!h) {
    const { plugins: _ignored, ...shape } = schema;
    h = digest(stable(shape)).slice(0, 12);
    schemaHashes.set(schema, h);
  }
  return h;
}

/**
 * The canonical text of a filter: and/or children sorted, so two spellings
 * of the same filter (`{a, b}` and `{b, a}`) give the same text. Values are
 * written with their type (a Date and its ISO string differ).
 *
 * @example
 * ```ts
 * canonicalCondition({ kind: 'cmp', field: 'age', op: 'gt', value: 3 }); // 'c(age,gt,3)'
 * ```
 */
export function canonicalCondition(c: Condition | undefined): string {
  if (!c) return '';
  switch (c.kind) {
    case 'cmp': return `c(${c.field},${c.op},${stable(c.value)})`;
    case 'in': {
      const vals = c.values.map(stable);
      vals.sort();
      return `i(${c.field},${c.negate ? 1 : 0},[${vals.join(',')}])`;
    }
    case 'isNull': return `n(${c.field},${c.isNull ? 1 : 0})`;
    case 'startsWith': return `s(${c.field},${c.negate ? 1 : 0},${JSON.stringify(c.prefix)})`;
    case 'text': return `t(${c.field},${c.match},${c.insensitive ? 1 : 0},${c.negate ? 1 : 0},${JSON.stringify(c.value)})`;
    case 'array': {
      const vals = c.values.map(stable);
      vals.sort();
      return `r(${c.field},${c.match},${c.negate ? 1 : 0},[${vals.join(',')}])`;
    }
    case 'and': case 'or': {
      const parts = c.conditions.map(canonicalCondition);
      parts.sort();
      return `${c.kind}(${parts.join(',')})`;
    }
  }
}

/**
 * The canonical text of a normalized query: filter, order, limit, offset,
 * cursor position, projection, distinct, the per-group limit and `anyOrder`
 * (any matching rows will do: the backend may answer in its own order, so
 * that answer must never serve the same query asked in its order). The
 * order of `select` does not matter.
 *
 * @example
 * ```ts
 * canonicalQuery({ orderBy: [{ field: 'id', direction: 'asc' }], limit: 10 });
 * ```
 */
export function canonicalQuery(q: NormalizedQuery): string {
  const order = q.orderBy.map((t) => `${t.field}:${t.direction === 'asc' ? 'a' : 'd'}`).join(',');
  const select = q.select ? [...q.select].sort().join(',') : '*';
  const after = q.after ? stable(q.after) : '';
  const distinct = q.distinct ? `;d=${q.distinct.join(',')}` : '';
  const perGroup = q.limitPerGroup ? `;g=${q.limitPerGroup.field}:${q.limitPerGroup.limit}` : '';
  const t = q.through;
  const through = t ? `;t=${stable([t.schema.name, t.field, t.targetField, t.limit, t.keys])}` : '';
  const anyOrder = q.anyOrder ? ';y' : '';
  return `w=${canonicalCondition(q.where)};o=${order};l=${q.limit ?? ''};f=${q.offset ?? ''};a=${after};s=${select}${distinct}${perGroup}${through}${anyOrder}`;
}

/**
 * The canonical text of a normalized aggregate: filter, groups, measures,
 * order and limit.
 *
 * @example
 * ```ts
 * canonicalAggregate({ groupBy: ['role'], measures: [{ fn: 'count', field: null }], orderBy: [{ group: 0, direction: 'asc' }] });
 * ```
 */
export function canonicalAggregate(a: NormalizedAggregate): string {
  const measures = a.measures.map((m) => `${m.fn}(${m.field ?? '*'})`).join(',');
  const order = a.orderBy.map((t) => `${t.group !== undefined ? `g${t.group}` : `m${t.measure}`}:${t.direction === 'asc' ? 'a' : 'd'}`).join(',');
  return `w=${canonicalCondition(a.where)};g=${a.groupBy.join(',')};m=${measures};o=${order};l=${a.limit ?? ''}`;
}

/**
 * Names of the shared-tier keys of one namespace; none contains a value.
 * Every key starts with `<namespace>:{`. A namespace cannot contain `{`, so
 * that prefix belongs to one namespace only: `clear()` of `app` SCANs
 * `app:{*`, which no key of `app:eu` (`app:eu:{...`) matches.
 *
 * @example
 * ```ts
 * const k = new KeyNames('app'); k.generation('users'); // 'app:{users}:gen'
 * ```
 */
export class KeyNames {
  constructor(readonly namespace: string) {}

  // Hash tags ({...}) put an entry and the counter it is checked against in one cluster slot,
  // so one MGET reads both: {repo} for queries (a repository's query entries share a slot),
  // {idDigest} for gets (ids spread over the cluster). The tag comes right after the namespace.

  /** The per-repository generation counter every query entry is checked against. */
  generation(repo: string): string {
    return `${this.namespace}:{${repo}}:gen`;
  }

  /** The per-id epoch counter every get entry is checked against. */
  epoch(repo: string, idDigest: string): string {
    return `${this.namespace}:{${idDigest}}:${repo}:e`;
  }

  /** A get-by-id entry: one id, one projection, one tenant. */
  getEntry(repo: string, schemaDigest: string, idDigest: string, variant: string): string {
    return `${this.namespace}:{${idDigest}}:${repo}:${schemaDigest}:i${variant ? `:${digest(variant).slice(0, 12)}` : ''}`;
  }

  /** A query or count entry. */
  queryEntry(repo: string, schemaDigest: string, text: string): string {
    return `${this.namespace}:{${repo}}:${schemaDigest}:q:${digest(text)}`;
  }

  /** The pub/sub channel of the namespace. */
  channel(): string {
    return `${this.namespace}:invalidate`;
  }

  /** SCAN pattern matching every key of the namespace and no key of another one (`app:eu` for `app`). */
  pattern(): string {
    return `${this.namespace}:{*`;
  }
}

/**
 * The digest of an id within its repository (what epochs, messages and the in-process id index use).
 *
 * @example
 * ```ts
 * idDigest('users', user.id); // 20 base64url characters
 * ```
 */
export function idDigest(repo: string, id: string): string {
  return digest(`${repo}\u0000${id}`);
}
