import type { AnyField, FieldFlags } from './field.js';
import type { AnyRepositoryDef } from './define-repository.js';

type FieldsOf<D extends AnyRepositoryDef> = D['fields'];
type FlagsOf<Fd> = Fd extends { __flags: infer Fl extends FieldFlags } ? Fl : never;
type ValueOf<Fd> = Fd extends { __type: infer T } ? T : never;
type Nullable<Fd, T> = FlagsOf<Fd>['optional'] extends true ? T | null : T;
type Simplify<T> = { [K in keyof T]: T[K] } & {};

/**
 * Keys of fields that reads return (every field but secrets).
 *
 * @example
 * ```ts
 * type UserKey = ReadableKeys<typeof users>; // every field but password
 * const columns: readonly UserKey[] = ['id', 'name', 'createdAt'];
 * ```
 */
export type ReadableKeys<D extends AnyRepositoryDef> = {
  [K in keyof FieldsOf<D>]: FlagsOf<FieldsOf<D>[K]>['secret'] extends true ? never : K;
}[keyof FieldsOf<D>] & string;

/**
 * The record type a repository returns.
 *
 * @example
 * ```ts
 * type User = RecordOf<typeof users>; // { id: string; name: string; age: number | null; ... }
 * ```
 */
export type RecordOf<D extends AnyRepositoryDef> = Simplify<{
  -readonly [K in ReadableKeys<D>]: Nullable<FieldsOf<D>[K], ValueOf<FieldsOf<D>[K]>>;
}>;

type InsertRequiredKeys<D extends AnyRepositoryDef> = {
  [K in keyof FieldsOf<D>]: FlagsOf<FieldsOf<D>[K]> extends { managed: false; optional: false; hasDefault: false } ? K : never;
}[keyof FieldsOf<D>];
type InsertOptionalKeys<D extends AnyRepositoryDef> = {
  [K in keyof FieldsOf<D>]: FlagsOf<FieldsOf<D>[K]>['managed'] extends true
    ? never
    : FlagsOf<FieldsOf<D>[K]> extends { optional: false; hasDefault: false }
      ? never
      : K;
}[keyof FieldsOf<D>];

/**
 * What `create` accepts: required fields, optional/defaulted fields, an
 * optional id; never managed fields (version, createdAt, updatedAt).
 *
 * @example
 * ```ts
 * const input: InsertOf<typeof users> = { name: 'Ada', email: 'ada@example.com', password: 's3cret' };
 * ```
 */
export type InsertOf<D extends AnyRepositoryDef> = Simplify<
  { -readonly [K in InsertRequiredKeys<D>]: ValueOf<FieldsOf<D>[K]> } & {
    -readonly [K in InsertOptionalKeys<D>]?: Nullable<FieldsOf<D>[K], ValueOf<FieldsOf<D>[K]>>;
  }
>;

/**
 * An atomic increment in an update patch (negative values decrement).
 *
 * @example
 * ```ts
 * const bump: Increment<number> = { increment: 1 };
 * await db.conversations.update(id, { messageCount: bump });
 * ```
 */
export interface Increment<T> {
  readonly increment: T;
}

type PatchKeys<D extends AnyRepositoryDef> = {
  [K in keyof FieldsOf<D>]: K extends 'id' ? never : FlagsOf<FieldsOf<D>[K]>['managed'] extends true ? never : K;
}[keyof FieldsOf<D>];

type PatchValue<Fd> =
  | Nullable<Fd, ValueOf<Fd>>
  | (FlagsOf<Fd>['numeric'] extends true ? Increment<ValueOf<Fd>> : never);

/**
 * What `update` accepts: any writable field, `{ increment: n }` for numeric
 * fields, null for optional fields; never id or managed fields.
 *
 * @example
 * ```ts
 * const patch: PatchOf<typeof conversations> = { title: 'Renamed', messageCount: { increment: 1 } };
 * ```
 */
export type PatchOf<D extends AnyRepositoryDef> = Simplify<{ -readonly [K in PatchKeys<D>]?: PatchValue<FieldsOf<D>[K]> }>;

/** `null` where the field can hold it (optional fields), nothing otherwise. */
type NullIf<N extends boolean> = N extends true ? null : never;
/** `isNull` takes a boolean on optional fields; on required ones it could only ever match everything or nothing. */
type IsNullIf<N extends boolean> = N extends true ? boolean : never;

/**
 * Operators on a field that supports equality. `N` says whether the field
 * is optional: only then do `eq: null`, `ne: null` and `isNull` apply.
 *
 * @example
 * ```ts
 * const status: EqualityOps<'open' | 'closed', false> = { in: ['open'] }; // a required field
 * const open = await db.conversations.find({ where: { status } });
 * ```
 */
export interface EqualityOps<T, N extends boolean = true> {
  readonly eq?: T | NullIf<N>;
  readonly ne?: T | NullIf<N>;
  readonly in?: readonly T[];
  readonly notIn?: readonly T[];
  readonly isNull?: IsNullIf<N>;
}
/**
 * Operators on an ordered field.
 *
 * @example
 * ```ts
 * const lastWeek: OrderedOps<Date> = { gte: new Date(Date.now() - 7 * 86_400_000) };
 * const recent = await db.messages.count({ sentAt: lastWeek });
 * ```
 */
export interface OrderedOps<T, N extends boolean = true> extends EqualityOps<T, N> {
  readonly gt?: T;
  readonly gte?: T;
  readonly lt?: T;
  readonly lte?: T;
}
/**
 * Operators on a string field.
 *
 * @example
 * ```ts
 * const title: StringOps<string> = { startsWith: 'Support: ' };
 * const support = await db.conversations.find({ where: { title } });
 * ```
 */
export interface StringOps<T, N extends boolean = true> extends OrderedOps<T, N> {
  readonly startsWith?: string;
}
/**
 * Operators on an encrypted, searchable field (through its blind index).
 *
 * @example
 * ```ts
 * const email: SearchableOps<string> = { in: ['ada@example.com', 'alan@example.com'] };
 * const found = await db.users.find({ where: { email } });
 * ```
 */
export interface SearchableOps<T, N extends boolean = true> {
  readonly eq?: T;
  readonly in?: readonly T[];
  readonly isNull?: IsNullIf<N>;
}
/**
 * Operators on optional fields that only support null checks (json, bytes,
 * arrays, encrypted without a blind index). A required such field cannot be
 * filtered on.
 *
 * @example
 * ```ts
 * const noMeta: NullOps = { isNull: true };
 * const bare = await db.messages.find({ where: { meta: noMeta } });
 * ```
 */
export interface NullOps {
  readonly isNull?: boolean;
}

type Optional<Fd> = FlagsOf<Fd>['optional'] extends true ? true : false;

type OpsOf<Fd> = FlagsOf<Fd>['ops'] extends 'string'
  ? StringOps<ValueOf<Fd>, Optional<Fd>>
  : FlagsOf<Fd>['ops'] extends 'ordered'
    ? OrderedOps<ValueOf<Fd>, Optional<Fd>>
    : FlagsOf<Fd>['ops'] extends 'equality'
      ? EqualityOps<ValueOf<Fd>, Optional<Fd>>
      : FlagsOf<Fd>['ops'] extends 'searchable'
        ? SearchableOps<ValueOf<Fd>, Optional<Fd>>
        : Optional<Fd> extends true
          ? NullOps
          : never;

type Shorthand<Fd> = FlagsOf<Fd>['ops'] extends 'none' ? never : ValueOf<Fd> | (FlagsOf<Fd>['optional'] extends true ? null : never);

type FilterKeys<D extends AnyRepositoryDef> = {
  [K in keyof FieldsOf<D>]: FlagsOf<FieldsOf<D>[K]>['secret'] extends true ? never : K;
}[keyof FieldsOf<D>] & string;

/**
 * A filter: field conditions (a value means `eq`) combined with and/or/not.
 *
 * @example
 * ```ts
 * const where: FilterOf<typeof messages> = {
 *   conversationId: conversation.id,
 *   createdAt: { gte: since },
 *   or: [{ role: 'user' }, { tokens: { gt: 100 } }],
 * };
 * ```
 */
export type FilterOf<D extends AnyRepositoryDef> = {
  readonly [K in FilterKeys<D>]?: Shorthand<FieldsOf<D>[K]> | OpsOf<FieldsOf<D>[K]>;
} & {
  readonly and?: readonly FilterOf<D>[];
  readonly or?: readonly FilterOf<D>[];
  readonly not?: FilterOf<D>;
};

/**
 * Fields usable as sort keys (ordered, non-sensitive, non-secret).
 *
 * @example
 * ```ts
 * const key: SortKeyOf<typeof messages> = 'createdAt';
 * ```
 */
export type SortKeyOf<D extends AnyRepositoryDef> = {
  [K in keyof FieldsOf<D>]: FlagsOf<FieldsOf<D>[K]>['sortable'] extends true ? K : never;
}[keyof FieldsOf<D>] & string;

/**
 * Sort direction.
 *
 * @example
 * ```ts
 * const newestFirst = req.headers['x-order'] !== 'oldest';
 * const direction: Direction = newestFirst ? 'desc' : 'asc';
 * const rows = await db.messages.find({ where: { conversationId }, orderBy: { sentAt: direction } });
 * ```
 */
export type Direction = 'asc' | 'desc';

/**
 * Sort order: one object (keys in order) or a list of single-key objects.
 *
 * @example
 * ```ts
 * const order: OrderByOf<typeof messages> = [{ createdAt: 'desc' }, { role: 'asc' }];
 * ```
 */
export type OrderByOf<D extends AnyRepositoryDef> =
  | { readonly [K in SortKeyOf<D>]?: Direction }
  | ReadonlyArray<{ readonly [K in SortKeyOf<D>]?: Direction }>;

/**
 * A `find` query: filter, order, paging and projection. `S` names the
 * fields `select` lists; a query declared as `FindQuery<D>` selects
 * nothing (so its rows are whole records), and one that selects says which
 * fields in its type, `FindQuery<D, 'name' | 'age'>`, so the rows of a
 * query kept in a variable are typed as precisely as an inline one's.
 *
 * @example
 * ```ts
 * const q: FindQuery<typeof messages> = { where: { conversationId }, orderBy: { createdAt: 'desc' }, limit: 50, after: cursor };
 * const slim: FindQuery<typeof users, 'name'> = { where: { name: { startsWith: 'A' } }, select: ['name'] };
 * const names = await db.users.find(slim); // { id: string; name: string }[]
 * ```
 */
export interface FindQuery<D extends AnyRepositoryDef, S extends ReadableKeys<D> = never> {
  readonly where?: FilterOf<D>;
  readonly orderBy?: OrderByOf<D>;
  /** 1..10,000. */
  readonly limit?: number;
  /** 0..1,000,000. Prefer cursors for deep paging. */
  readonly offset?: number;
  /** An opaque cursor from a previous page's `nextCursor`. */
  readonly after?: string | null;
  /** Return only these fields (id is always included). */
  readonly select?: readonly S[];
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

export type { AnyField };
