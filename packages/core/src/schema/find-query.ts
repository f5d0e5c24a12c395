// The types of `find` queries and of their results.
import type { AnyRepositoryDef } from './define-repository.js';
import type { DistinctKeyOf, FilterOf, OrderByOf, ReadableKeys, RecordOf } from './infer.js';

type Simplify<T> = { [K in keyof T]: T[K] } & {};

/**
 * A `find` query: filter, order, paging and projection. `S` names the
 * fields `select` lists; a query declared as `FindQuery<D>` selects
 * nothing (so its rows are whole records), and one that selects says which
 * fields in its type, `FindQuery<D, 'name' | 'age'>`, so the rows of a
 * query kept in a variable are typed as precisely as an inline one's.
 * `select` and `distinct` list at least one field each, and `distinct`
 * does not go with a cursor (`after`): a distinct query pages with limit
 * and offset.
 *
 * @example
 * ```ts
 * const q: FindQuery<typeof messages> = { where: { conversationId }, orderBy: { createdAt: 'desc' }, limit: 50, after: cursor };
 * const slim: FindQuery<typeof users, 'name'> = { where: { name: { startsWith: 'A' } }, select: ['name'] };
 * const names = await db.users.find(slim); // { id: string; name: string }[]
 * ```
 */
export type FindQuery<D extends AnyRepositoryDef, S extends ReadableKeys<D> = never> = FindQueryFields<D, S> & DistinctOrCursor;

/** `distinct` or a cursor (`after`), not both (a ValidationError at run time). */
type DistinctOrCursor = { readonly distinct?: undefined } | { readonly after?: null | undefined };

interface FindQueryFields<D extends AnyRepositoryDef, S extends ReadableKeys<D>> {
  readonly where?: FilterOf<D>;
  readonly orderBy?: OrderByOf<D>;
  /** 1..10,000. */
  readonly limit?: number;
  /** 0..1,000,000. Prefer cursors for deep paging. */
  readonly offset?: number;
  /** An opaque cursor from a previous page's `nextCursor`. */
  readonly after?: string | null;
  /** Return only these fields, at least one (id is always included). */
  readonly select?: readonly [S, ...S[]];
  /**
   * Keep only the first record (in `orderBy`) of each combination of these
   * fields' values, at least one field; offset and limit apply after.
   * `find` and `findOne` only.
   */
  readonly distinct?: readonly [DistinctKeyOf<D>, ...DistinctKeyOf<D>[]];
}

/**
 * The row type of a query that selects `S`: whole records when `S` is
 * `never` (no select), the projection otherwise.
 *
 * @example
 * ```ts
 * type Row = FindResult<typeof users>;          // RecordOf<typeof users>
 * type Slim = FindResult<typeof users, 'name'>; // { id: string; name: string }
 * ```
 */
export type FindResult<D extends AnyRepositoryDef, S extends ReadableKeys<D> = never> = [S] extends [never] ? RecordOf<D> : Projected<D, S>;

/**
 * The result type of a projection.
 *
 * @example
 * ```ts
 * type Slim = Projected<typeof users, 'name'>; // { id: string; name: string }
 * ```
 */
export type Projected<D extends AnyRepositoryDef, S extends ReadableKeys<D>> = Simplify<Pick<RecordOf<D>, S | ('id' & keyof RecordOf<D>)>>;

/**
 * A page of results with the cursor for the next one.
 *
 * @example
 * ```ts
 * let page = await db.messages.findPage({ where: { conversationId }, limit: 50 });
 * while (page.nextCursor) page = await db.messages.findPage({ where: { conversationId }, limit: 50, after: page.nextCursor });
 * ```
 */
export interface Page<T> {
  readonly items: T[];
  /** null when this is the last page. */
  readonly nextCursor: string | null;
}
