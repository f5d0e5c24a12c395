import { ValidationError, type ValidationIssue } from '../errors.js';
import type { RepositorySchema } from '../schema/repository-schema.js';
import type { OrderTerm, ThroughQuery } from '../query/condition.js';
import { collectQuery } from '../query/normalize-query.js';
import { disjunctions } from '../query/disjunctions.js';
import { isPlainObject } from '../repository/validate-value.js';
import { sortRows } from '../memory/order-rows.js';
import type { ResolvedRelation } from './check-relations.js';
import { boundedThrough, loadThroughLimited } from './load-through.js';

type Row = Record<string, unknown>;
/** A per-parent limit, as the normalized query carries it. */
type PerGroup = { readonly field: string; readonly limit: number };

/**
 * The loader's find on a repository, keyed by a symbol: not part of the
 * public repository surface.
 *
 * @example
 * ```ts
 * const { rows } = await repo[READ_RELATED]({ where: { conversationId: { in: ids } } }, { field: 'conversationId', limit: 20 }, options);
 * ```
 */
export const READ_RELATED: unique symbol = Symbol('chatcore.readRelated');

/**
 * The storage schema of a repository, keyed by a symbol: what a `through`
 * query names as its join.
 *
 * @example
 * ```ts
 * const joinSchema = links[STORAGE_SCHEMA];
 * ```
 */
export const STORAGE_SCHEMA: unique symbol = Symbol('chatcore.storageSchema');

/**
 * The per-parent limit of a related read: on a field of the repository
 * (`limitPerGroup`), or through a join repository (`through`).
 *
 * @example
 * ```ts
 * const perGroup: ReadRelatedGroup = { through: { schema: links[STORAGE_SCHEMA], field: 'conversationId', targetField: 'tagId', keys: ids, limit: 5 } };
 * ```
 */
export type ReadRelatedGroup = PerGroup | { readonly through: ThroughQuery };

/**
 * A repository as the loader sees it: its schema, a find that takes a
 * per-parent limit (sent as `limitPerGroup` or `through`, so plugins see a
 * find of this repository), getMany, and its storage schema.
 */
export interface IncludeSource {
  readonly schema: RepositorySchema;
  readonly [STORAGE_SCHEMA]: RepositorySchema;
  [READ_RELATED](query: Row, perGroup: ReadRelatedGroup | undefined, options: object | undefined): Promise<{ rows: Row[]; orderBy: readonly OrderTerm[] }>;
  getMany(ids: readonly string[], options: object | undefined): Promise<Row[]>;
}

/**
 * What the loader needs of the database: the relations of a repository (by
 * schema name), the repositories bound to the caller's transaction scope
 * (by key), the `in` chunk size, the most disjunctions a query may have
 * and whether the driver limits per group.
 */
export interface IncludeHost<Scope> {
  relationsOf(schemaName: string): ReadonlyMap<string, ResolvedRelation> | undefined;
  repository(key: string, scope: Scope): IncludeSource;
  /** The schema of the repository declared under `key` (as its find validates against). */
  schemaOf(key: string): RepositorySchema;
  readonly chunkSize: number;
  /** The driver's `maxDisjunctions` (Infinity when unlimited): caps a chunk at this over the where's own. */
  readonly maxDisjunctions: number;
  readonly perGroupNative: boolean;
  /** The driver takes a many-to-many per-parent limit (`through`) in one query. */
  readonly throughNative: boolean;
}

/** One checked level of `include`: relation name to its options. */
export type CheckedInclude = ReadonlyMap<string, IncludeArgs>;
interface IncludeArgs {
  readonly relation: ResolvedRelation;
  readonly where?: unknown;
  readonly orderBy?: unknown;
  readonly limit?: number | undefined;
  readonly select?: readonly string[] | undefined;
  readonly include?: CheckedInclude | undefined;
  /** Disjunctions of the normalized where (1 without one): each chunk's key list multiplies them. */
  readonly disjunctions?: number | undefined;
  /** Fields of the normalized orderBy: rows merged from several chunks are sorted again by them. */
  readonly orderFields?: readonly string[] | undefined;
}

const ONE_KEYS = new Set(['where', 'select', 'include']);
const MANY_KEYS = new Set(['where', 'select', 'include', 'orderBy', 'limit']);
/** The options of a relation its target repository's find validates. */
const QUERY_KEYS = ['where', 'orderBy', 'select', 'limit'] as const;
/** Queries in flight at once for a per-parent limit the driver cannot do in one query. */
const PER_GROUP_PARALLEL = 8;

/**
 * Check an `include` tree against the declared relations, every level,
 * before anything is read (ValidationError naming the path). Given
 * `issues`, problems are added there instead, for the caller to throw with
 * its own (the rest of a find query), and the result is then partial.
 *
 * @example
 * ```ts
 * const checked = checkInclude(host, 'conversations', { messages: { limit: 20 } }, 'include');
 * ```
 */
export function checkInclude<S>(host: IncludeHost<S>, schemaName: string, input: unknown, path: string, issues?: ValidationIssue[]): CheckedInclude {
  const found = issues ?? [];
  const out = walk(host, schemaName, input, path, found);
  if (!issues && found.length) throw new ValidationError(found, { context: 'include' });
  return out;
}

function walk<S>(host: IncludeHost<S>, schemaName: string, input: unknown, path: string, issues: ValidationIssue[]): CheckedInclude {
  const out = new Map<string, IncludeArgs>();
  if (!isPlainObject(input)) {
    issues.push({ path, message: 'expected an object of relation names' });
    return out;
  }
  const relations = host.relationsOf(schemaName);
  for (const [name, value] of Object.entries(input)) {
    const relation = relations?.get(name);
    const at = `${path}.${name}`;
    if (!relation) {
      issues.push({ path: at, message: `unknown relation of ${schemaName} (declared: ${[...(relations?.keys() ?? [])].join(', ') || 'none'})` });
      continue;
    }
    if (value === true) {
      out.set(name, { relation });
      continue;
    }
    if (!isPlainObject(value)) {
      issues.push({ path: at, message: 'expected true or an object of options' });
      continue;
    }
    const allowed = relation.kind === 'one' || relation.kind === 'oneBack' ? ONE_KEYS : MANY_KEYS;
    for (const key of Object.keys(value)) if (!allowed.has(key)) issues.push({ path: `${at}.${key}`, message: `not an option of this relation (use ${[...allowed].join(', ')})` });
    const target = host.schemaOf(relation.target);
    const { limit, disjunctions, orderFields } = checkQuery(target, value, allowed, at, issues);
    const nested = value.include === undefined ? undefined : walk(host, target.name, value.include, `${at}.include`, issues);
    out.set(name, {
      relation, where: value.where ?? undefined, orderBy: value.orderBy, limit, disjunctions, orderFields,
      select: Array.isArray(value.select) ? (value.select as string[]) : (value.select as undefined), include: nested,
    });
  }
  return out;
}

/**
 * Check one relation's where, orderBy, select and limit with the target
 * repository's own find validation, once per call (not per parent or
 * chunk): the same checks and messages, at paths under the relation's
 * (`include.messages.where.nope`). Returns the limit, when valid, the
 * disjunctions of the normalized where and the fields of its orderBy.
 */
function checkQuery(
  target: RepositorySchema, value: Row, allowed: ReadonlySet<string>, at: string, issues: ValidationIssue[],
): { limit?: number | undefined; disjunctions: number; orderFields?: readonly string[] | undefined } {
  const query: Row = {};
  for (const key of QUERY_KEYS) if (allowed.has(key) && value[key] !== undefined) query[key] = value[key];
  const own: ValidationIssue[] = [];
  const found = collectQuery(target, query, own);
  for (const issue of own) issues.push({ ...issue, path: `${at}.${issue.path}` });
  return { limit: found?.query.limit, disjunctions: Math.max(1, disjunctions(found?.query.where)), orderFields: found?.query.orderBy.map((t) => t.field) };
}

/**
 * Fields of the parent rows the relations of `include` read (keys of `one`
 * relations, and id), to add to a narrower select.
 *
 * @example
 * ```ts
 * const needed = keyFields(checked); // ['id', 'userId']
 * ```
 */
export function keyFields(include: CheckedInclude): string[] {
  const out = new Set(['id']);
  for (const { relation } of include.values()) if (relation.kind === 'one') out.add(relation.sourceField);
  return [...out];
}

/**
 * Load the relations of `include` for `rows` and set them on each row: one
 * query per relation and level for all the rows (chunked by the driver's
 * `in` and disjunction limits), each through the related repository's own
 * API and plugins.
 * Each row of `rows` is replaced by a copy that carries its relations.
 *
 * @example
 * ```ts
 * await attachIncludes(host, scope, rows, checked, options);
 * ```
 */
export async function attachIncludes<S>(host: IncludeHost<S>, scope: S, rows: Row[], include: CheckedInclude, options: object | undefined): Promise<void> {
  if (rows.length === 0) return;
  for (const [name, args] of include) {
    const rel = args.relation;
    const target = host.repository(rel.target, scope);
    switch (rel.kind) {
      case 'one': {
        const found = await related(host, scope, target, args, 'id', distinctValues(rows, rel.sourceField), undefined, options);
        const byId = indexBy(found.rows, 'id');
        for (let i = 0; i < rows.length; i++) rows[i] = withRelation(rows[i]!, name, byId.get(rows[i]![rel.sourceField] as string)?.[0] ?? null);
        found.trim();
        break;
      }
      case 'many':
      case 'oneBack': {
        const limit = rel.kind === 'oneBack' ? 1 : args.limit;
        const perGroup = limit === undefined ? undefined : { field: rel.targetField, limit };
        const found = await related(host, scope, target, args, rel.targetField, distinctValues(rows, 'id'), perGroup, options);
        // The per-parent limit is applied here too, in the one pass that groups: a driver that
        // spreads FULL_CAPABILITIES but ignores limitPerGroup must still give the right answer.
        const groups = indexBy(found.rows, rel.targetField, limit);
        for (let i = 0; i < rows.length; i++) {
          const group = groups.get(rows[i]!.id as string);
          rows[i] = withRelation(rows[i]!, name, rel.kind === 'oneBack' ? (group?.[0] ?? null) : (group ?? []));
        }
        found.trim();
        break;
      }
      case 'through': {
        if (boundedThrough(host, scope, rel, args)) {
          await loadThroughLimited(host, scope, rows, name, rel, args, options);
          break;
        }
        // No limit, or a backend or join plugin that rules the bounded read out: every link of the parents, then their targets.
        const join = host.repository(rel.through, scope);
        const links = (await related(host, scope, join, { relation: rel, select: [rel.field, rel.targetField] }, rel.field, distinctValues(rows, 'id'), undefined, options)).rows;
        const targets = await related(host, scope, target, args, 'id', distinctValues(links, rel.targetField), undefined, options);
        const found = targets.rows;
        const position = new Map(found.map((t, i) => [t.id as string, i]));
        const linked = indexBy(links, rel.field);
        for (let i = 0; i < rows.length; i++) {
          const ids = (linked.get(rows[i]!.id as string) ?? []).map((l) => l[rel.targetField] as string).filter((id) => position.has(id));
          const mine = [...new Set(ids)].sort((a, b) => position.get(a)! - position.get(b)!).map((id) => found[position.get(id)!]!);
          rows[i] = withRelation(rows[i]!, name, args.limit === undefined ? mine : mine.slice(0, args.limit));
        }
        targets.trim();
        break;
      }
    }
  }
}

/**
 * The related rows whose `field` is one of `values`, in the relation's
 * order (with a per-parent limit: within each parent, the groups in any
 * order), with their own includes attached; `trim()` then drops the key
 * fields read only to match them to their parents (once grouped).
 */
async function related<S>(
  host: IncludeHost<S>, scope: S, target: IncludeSource, args: IncludeArgs, field: string, values: string[], perGroup: PerGroup | undefined, options: object | undefined,
): Promise<{ rows: Row[]; trim: () => void }> {
  if (values.length === 0) return { rows: [], trim: () => {} };
  const unbounded = !perGroup || (host.perGroupNative && values.length > 1);
  // Each chunk's key list multiplies the where's disjunctions: keep their product within the driver's limit
  // (a where over the limit on its own goes out one key at a time, for the driver to refuse).
  const size = Math.max(1, Math.min(host.chunkSize, Math.floor(host.maxDisjunctions / (args.disjunctions ?? 1))));
  // Rows of one parent come from one chunk, but a join's targets may span several: they are sorted
  // again once merged, by the orderBy fields, which a narrower select must then carry too.
  const resort = unbounded && field === 'id' && values.length > size;
  const needed = [field, ...(args.include ? keyFields(args.include) : []), ...(resort ? args.orderFields ?? [] : [])];
  const select = args.select ? [...new Set([...args.select, ...needed])] : undefined;
  const added = args.select ? [...new Set(needed)].filter((f) => f !== 'id' && !args.select!.includes(f)) : [];
  const base: Row = { orderBy: args.orderBy, select };
  // The key test joins the caller's where as one more key (or one more term of its `and`), not
  // with the where under a new `and`: a where as deep as the repository's own find takes stays
  // within the filter depth limit.
  const where = args.where as Row | undefined;
  const filter = (test: unknown): Row => {
    if (where === undefined) return { [field]: test };
    if (where[field] === undefined) return { ...where, [field]: test };
    return { ...where, and: [...(Array.isArray(where.and) ? where.and : []), { [field]: test }] };
  };
  let rows: Row[] = [];
  let orderBy: readonly OrderTerm[] = [];
  if (!unbounded) {
    // One bounded query per parent: the backend has no per-group limit, or there is one
    // parent (`get`), whose per-parent limit is a plain limit, which every backend plans best.
    for (let i = 0; i < values.length; i += PER_GROUP_PARALLEL) {
      const batch = values.slice(i, i + PER_GROUP_PARALLEL);
      const parts = await Promise.all(batch.map((v) => target[READ_RELATED]({ ...base, where: filter(v), limit: perGroup.limit }, undefined, options)));
      for (const p of parts) rows.push(...p.rows);
    }
  } else {
    const chunks: string[][] = [];
    for (let i = 0; i < values.length; i += size) chunks.push(values.slice(i, i + size));
    for (const chunk of chunks) {
      const part = await target[READ_RELATED]({ ...base, where: filter({ in: chunk }) }, perGroup, options);
      if (chunks.length === 1) rows = part.rows;
      else for (const r of part.rows) rows.push(r);
      orderBy = part.orderBy;
    }
    if (resort) rows = sortRows(rows, orderBy);
  }
  if (args.include) await attachIncludes(host, scope, rows, args.include, options);
  const trim = () => {
    for (const r of rows) for (const f of added) delete r[f];
  };
  return { rows, trim };
}

/**
 * `row` with relation `name` set, as a new object in its place. Adding a
 * property to a row as pg builds them costs ~0.5–1.5 µs (V8 finds no cached
 * transition from the map of its rows and takes the slow path every time); a
 * copy with the property added costs ~0.1 µs, and leaves the driver's (or a
 * plugin's) row object as it was.
 *
 * @example
 * ```ts
 * rows[i] = withRelation(rows[i], 'messages', group ?? []);
 * ```
 */
export function withRelation(row: Row, name: string, value: unknown): Row {
  const out: Row = Object.assign({}, row);
  out[name] = value;
  return out;
}

function distinctValues(rows: readonly Row[], field: string): string[] {
  const out = new Set<string>();
  for (const r of rows) if (typeof r[field] === 'string') out.add(r[field] as string);
  return [...out];
}

/**
 * Rows by the value of `field`, in their order; at most `limit` per value
 * when given. A row with the key of the row before it joins that row's list
 * without a Map lookup: per-parent reads return each parent's rows together,
 * and a lookup hashes the key, a string the driver has just decoded (~0.1 µs
 * a row for 36-character ids), where comparing it with the last key does not.
 */
function indexBy(rows: readonly Row[], field: string, limit = Infinity): Map<string, Row[]> {
  const out = new Map<string, Row[]>();
  let last: unknown;
  let list: Row[] | undefined;
  for (const r of rows) {
    const key = r[field];
    if (list === undefined || key !== last) {
      last = key;
      list = out.get(key as string);
      if (list === undefined) {
        out.set(key as string, (list = [r]));
        continue;
      }
    }
    if (list.length < limit) list.push(r);
  }
  return out;
}
