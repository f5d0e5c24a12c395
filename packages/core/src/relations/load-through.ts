import type { RepositorySchema } from '../schema/repository-schema.js';
import { THROUGH_LINK, THROUGH_PARENT } from '../query/condition.js';
import type { ResolvedRelation } from './check-relations.js';
import { READ_RELATED, STORAGE_SCHEMA, attachIncludes, keyFields, withRelation, type CheckedInclude, type IncludeHost, type IncludeSource } from './load-includes.js';

type Row = Record<string, unknown>;
type Through = Extract<ResolvedRelation, { kind: 'through' }>;

/** What `include` asked of one many-to-many relation. */
export interface ThroughArgs {
  readonly where?: unknown;
  readonly orderBy?: unknown;
  readonly limit?: number | undefined;
  readonly select?: readonly string[] | undefined;
  readonly include?: CheckedInclude | undefined;
}

/** A join key the database can compare as it is: stored in clear, as a string. */
function plainKey(schema: RepositorySchema, field: string): boolean {
  const meta = schema.fields[field];
  return meta !== undefined && !meta.sensitive && !meta.secret && meta.storedAs === undefined && (meta.type === 'string' || meta.type === 'id');
}

/**
 * Whether a many-to-many include can take its per-parent limit in the
 * database: a limit was asked, the driver states `limitThrough`, and the
 * join repository stores both key fields in clear (no plugin changed them).
 *
 * @example
 * ```ts
 * if (boundedThrough(host, scope, rel, args)) await loadThroughLimited(host, scope, rows, name, rel, args, options);
 * ```
 */
export function boundedThrough<S>(host: IncludeHost<S>, scope: S, rel: Through, args: ThroughArgs): boolean {
  if (args.limit === undefined || !host.throughNative) return false;
  const join = host.repository(rel.through, scope)[STORAGE_SCHEMA];
  return plainKey(join, rel.field) && plainKey(join, rel.targetField);
}

/**
 * A many-to-many include with a per-parent limit, bounded by the limit:
 * one find of the target repository (through its plugins) returns, for
 * each parent, its first n targets and the id of the join row linking
 * them (a `through` query: a lateral join on SQL); then one getMany of the
 * join repository (through its plugins) reads exactly those join rows. A
 * target is kept only where its join row came back and still links the
 * pair, or, when that row was withheld (soft delete, a tenant filter by
 * the join repository's plugins), where another join row the join
 * repository returns links the pair (one more find, only then). A parent
 * left with fewer than n targets that way, while more may follow, is read
 * again with twice the limit, until it has n or has no more: the same
 * records as reading every link. Rows read: parents × limit of each repository, whatever the
 * number of links, plus what the join repository's plugins withhold.
 *
 * @example
 * ```ts
 * await loadThroughLimited(host, scope, conversations, 'tags', rel, { orderBy: { label: 'asc' }, limit: 5 }, options);
 * ```
 */
export async function loadThroughLimited<S>(
  host: IncludeHost<S>, scope: S, rows: Row[], name: string, rel: Through, args: ThroughArgs, options: object | undefined,
): Promise<void> {
  const target = host.repository(rel.target, scope);
  const joinRepo = host.repository(rel.through, scope);
  const limit = args.limit!;
  const byParent = new Map<string, Row[]>();
  /** Join rows by id as the join repository returned them; null: withheld. */
  const links = new Map<string, Row | null>();
  let pending = [...new Set(rows.map((r) => r.id as string))];
  for (let asked = limit; pending.length > 0; asked *= 2) {
    const found = await readTargets(target, joinRepo[STORAGE_SCHEMA], rel, args, pending, asked, host.chunkSize, options);
    const unread = [...new Set(found.map((t) => t[THROUGH_LINK] as string))].filter((id) => !links.has(id));
    if (unread.length) {
      for (const id of unread) links.set(id, null);
      for (const l of await joinRepo.getMany(unread, options)) links.set(l.id as string, l);
    }
    const linked = (t: Row) => {
      const link = links.get(t[THROUGH_LINK] as string);
      return link != null && link[rel.field] === t[THROUGH_PARENT] && link[rel.targetField] === t.id;
    };
    // The chosen join row was withheld (or changed): another join row of the same pair may still link it.
    const unlinked = found.filter((t) => !linked(t));
    const visible = unlinked.length ? await visiblePairs(joinRepo, rel, unlinked, host.chunkSize, options) : undefined;
    const round = new Map<string, { kept: Row[]; returned: number }>();
    for (const t of found) {
      const parent = t[THROUGH_PARENT] as string;
      // Without a withheld row (visible undefined) every target is linked.
      const ok = visible === undefined || linked(t) || visible.has(pairKey(parent, t.id));
      delete t[THROUGH_PARENT];
      delete t[THROUGH_LINK];
      let mine = round.get(parent);
      if (!mine) round.set(parent, (mine = { kept: [], returned: 0 }));
      mine.returned++;
      // A driver stating limitThrough must keep `asked` per parent; trimming to n here too costs one comparison.
      if (!ok || mine.kept.length >= limit) continue;
      mine.kept.push(args.select ? project(t, args.select, args.include) : t);
    }
    const again: string[] = [];
    for (const parent of pending) {
      const mine = round.get(parent);
      if (mine && mine.kept.length < limit && mine.returned >= asked) again.push(parent);
      else byParent.set(parent, mine?.kept ?? []);
    }
    pending = again;
  }
  const parents = [...byParent.keys()];
  const kept = parents.flatMap((p) => byParent.get(p)!);
  if (args.include) {
    await attachIncludes(host, scope, kept, args.include, options);
    // attachIncludes puts copies with the nested relations in `kept`: regroup them, in the same order.
    let at = 0;
    for (const p of parents) {
      const n = byParent.get(p)!.length;
      byParent.set(p, kept.slice(at, at + n));
      at += n;
    }
  }
  if (args.select) {
    const added = args.include ? keyFields(args.include).filter((f) => f !== 'id' && !args.select!.includes(f)) : [];
    if (added.length) for (const r of kept) for (const f of added) delete r[f];
  }
  for (let i = 0; i < rows.length; i++) rows[i] = withRelation(rows[i]!, name, byParent.get(rows[i]!.id as string) ?? []);
}

/** The targets of every parent, chunked by the driver's `in` limit: the parent keys of one chunk travel in one query. */
async function readTargets(
  target: IncludeSource, join: RepositorySchema, rel: Through, args: ThroughArgs, parents: readonly string[], limit: number, chunkSize: number, options: object | undefined,
): Promise<Row[]> {
  const out: Row[] = [];
  // Whole rows: the projection is applied here, since a plugin's own projection could drop the link properties.
  const query = { where: args.where, orderBy: args.orderBy };
  for (let i = 0; i < parents.length; i += chunkSize) {
    const keys = parents.slice(i, i + chunkSize);
    const through = { schema: join, field: rel.field, targetField: rel.targetField, keys, limit };
    const part = await target[READ_RELATED](query, { through }, options);
    for (const r of part.rows) out.push(r);
  }
  return out;
}

/** A (parent key, target id) pair as one string. */
function pairKey(parent: unknown, target: unknown): string {
  return `${String(parent)}\u0000${String(target)}`;
}

/**
 * The pairs among `targets` (rows of a through query) that some join row the
 * join repository returns (through its plugins) links: one find per chunk
 * of parents and of targets. Asked only for targets whose chosen join row
 * was withheld, which is rare.
 */
async function visiblePairs(join: IncludeSource, rel: Through, targets: readonly Row[], chunkSize: number, options: object | undefined): Promise<Set<string>> {
  const parents = [...new Set(targets.map((t) => t[THROUGH_PARENT] as string))];
  const ids = [...new Set(targets.map((t) => t.id as string))];
  const out = new Set<string>();
  for (let i = 0; i < parents.length; i += chunkSize) {
    for (let j = 0; j < ids.length; j += chunkSize) {
      const where = { [rel.field]: { in: parents.slice(i, i + chunkSize) }, [rel.targetField]: { in: ids.slice(j, j + chunkSize) } };
      const { rows } = await join[READ_RELATED]({ where }, undefined, options);
      for (const l of rows) out.add(pairKey(l[rel.field], l[rel.targetField]));
    }
  }
  return out;
}

/** `id`, the selected fields and the key fields nested includes read, as a selecting find returns them. */
function project(row: Row, select: readonly string[], include: CheckedInclude | undefined): Row {
  const out: Row = { id: row.id };
  for (const f of select) out[f] = row[f] ?? null;
  if (include) for (const f of keyFields(include)) if (!(f in out)) out[f] = row[f] ?? null;
  return out;
}
