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

/** An increment where the database can add to the stored value: numeric fields stored in clear (not `sensitive()`). */
type PatchValue<Fd> =
  | Nullable<Fd, ValueOf<Fd>>
  | (FlagsOf<Fd> extends { readonly numeric: true; readonly ops: 'ordered' } ? Increment<ValueOf<Fd>> : never);

/**
 * What `update` accepts: any writable field, `{ increment: n }` for numeric
 * fields (not encrypted ones: the database cannot add to a ciphertext),
 * null for optional fields; never id or managed fields.
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
  /** A literal substring (`%`, `_` and `\\` are ordinary characters). */
  readonly contains?: string;
  readonly endsWith?: string;
  readonly mode?: 'default';
}
/**
 * Case-insensitive operators on a string field: both sides are compared in
 * lowercase (Unicode default lowercase mapping, as `toLowerCase()`: 'Ä'
 * matches 'ä', but 'ß' does not match 'ss' and Turkish 'ı' does not match
 * 'I'). Not every backend has them (Firestore does not): see its capabilities.
 *
 * @example
 * ```ts
 * const title: InsensitiveStringOps<string> = { mode: 'insensitive', contains: 'refund' };
 * const found = await db.conversations.find({ where: { title } });
 * ```
 */
export interface InsensitiveStringOps<T> {
  readonly mode: 'insensitive';
  readonly eq?: T;
  readonly startsWith?: string;
  readonly contains?: string;
  readonly endsWith?: string;
}
/**
 * Operators on an array field: `has` one value, `hasSome` of a list (at
 * least one), `hasEvery` of a list (all of them). A null array matches none
 * of them, negated or not.
 *
 * @example
 * ```ts
 * const tags: ArrayOps<string> = { hasSome: ['billing', 'refund'] };
 * const everyOne: ArrayOps<number, false> = { hasEvery: [1, 2] }; // a required array: no isNull
 * ```
 */
export interface ArrayOps<E, N extends boolean = true> {
  readonly has?: E;
  readonly hasSome?: readonly E[];
  readonly hasEvery?: readonly E[];
  /** The same null tests: `eq: null` is `isNull: true`, `ne: null` is `isNull: false`. */
  readonly eq?: NullIf<N>;
  readonly ne?: NullIf<N>;
  readonly isNull?: IsNullIf<N>;
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
  /** A value (through the blind index), or null: the null test. */
  readonly eq?: T | NullIf<N>;
  /** Only `ne: null` (is not null): a negated blind-index lookup cannot be answered exactly. */
  readonly ne?: NullIf<N>;
  readonly in?: readonly T[];
  readonly isNull?: IsNullIf<N>;
}
/**
 * Operators on optional fields that only support null checks (json, bytes,
 * encrypted without a blind index). A required such field cannot be
 * filtered on.
 *
 * @example
 * ```ts
 * const noMeta: NullOps = { isNull: true }; // or { eq: null }; { ne: null } is "is not null"
 * const bare = await db.messages.find({ where: { meta: noMeta } });
 * ```
 */
export interface NullOps {
  /** The same null tests: `eq: null` is `isNull: true`, `ne: null` is `isNull: false`. */
  readonly eq?: null;
  readonly ne?: null;
  readonly isNull?: boolean;
}

type Optional<Fd> = FlagsOf<Fd>['optional'] extends true ? true : false;

type ElementOf<A> = A extends ReadonlyArray<infer E> ? E : never;

type OpsOf<Fd> = FlagsOf<Fd>['ops'] extends 'string'
  ? StringOps<ValueOf<Fd>, Optional<Fd>> | InsensitiveStringOps<ValueOf<Fd>>
  : FlagsOf<Fd>['ops'] extends 'array'
    ? ArrayOps<ElementOf<ValueOf<Fd>>, Optional<Fd>>
    : FlagsOf<Fd>['ops'] extends 'ordered'
    ? OrderedOps<ValueOf<Fd>, Optional<Fd>>
    : FlagsOf<Fd>['ops'] extends 'equality'
      ? EqualityOps<ValueOf<Fd>, Optional<Fd>>
      : FlagsOf<Fd>['ops'] extends 'searchable'
        ? SearchableOps<ValueOf<Fd>, Optional<Fd>>
        : Optional<Fd> extends true
          ? NullOps
          : never;

/** A value means `eq`; on a field that only tests for null (encrypted without a blind index, json, bytes, arrays), only null. */
type Shorthand<Fd> = FlagsOf<Fd>['ops'] extends 'none' | 'array' ? NullIf<Optional<Fd>> : ValueOf<Fd> | NullIf<Optional<Fd>>;

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
  readonly not?: NegatedFilterOf<D>;
};

/** No value fits this type: its one member says why, in the compiler's message. */
interface NoNegatedLookup {
  readonly 'eq and in under not are not available on an encrypted field: the blind index cannot tell which rows differ': never;
}

/**
 * Operators on an encrypted, searchable field under an odd number of `not`s:
 * only the null check (a negated eq or in would be an inequality on the
 * blind index, refused like ne and notIn).
 *
 * @example
 * ```ts
 * const hasEmail: NegatedSearchableOps = { isNull: true }; // not: { email: { isNull: true } }
 * ```
 */
export interface NegatedSearchableOps<N extends boolean = true> {
  readonly eq?: NoNegatedLookup | NullIf<N>;
  readonly ne?: NullIf<N>;
  readonly in?: NoNegatedLookup;
  readonly isNull?: IsNullIf<N>;
}

type NegatedTest<Fd> = FlagsOf<Fd>['ops'] extends 'searchable'
  ? NullIf<Optional<Fd>> | NoNegatedLookup | NegatedSearchableOps<Optional<Fd>>
  : Shorthand<Fd> | OpsOf<Fd>;

/**
 * What `not` takes: a filter whose encrypted, searchable fields only test
 * for null (`not: { email: null }`), since a negated eq or in on one cannot
 * be answered from its blind index. A `not` inside it is a plain filter again.
 *
 * @example
 * ```ts
 * const notAda: NegatedFilterOf<typeof users> = { name: 'Ada', email: null }; // email: 'ada@example.com' does not compile
 * const rows = await db.users.find({ where: { not: notAda } });
 * ```
 */
export type NegatedFilterOf<D extends AnyRepositoryDef> = {
  readonly [K in FilterKeys<D>]?: NegatedTest<FieldsOf<D>[K]>;
} & {
  readonly and?: readonly NegatedFilterOf<D>[];
  readonly or?: readonly NegatedFilterOf<D>[];
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

/** No value fits this type: its one member says why, in the compiler's message. */
interface OneKeyPerItem {
  readonly 'an orderBy list takes one key per item: write [{ a: "asc" }, { b: "desc" }]': never;
}

/**
 * One item of a list `orderBy`: exactly one sort key of `D` and its
 * direction (a second key does not compile, and is a ValidationError at run
 * time).
 *
 * @example
 * ```ts
 * const byNewest: OrderByItemOf<typeof messages> = { createdAt: 'desc' }; // { createdAt: 'desc', role: 'asc' } does not compile
 * ```
 */
export type OrderByItemOf<D extends AnyRepositoryDef> = {
  [K in SortKeyOf<D>]: { readonly [P in K]: Direction } & { readonly [P in Exclude<SortKeyOf<D>, K>]?: OneKeyPerItem };
}[SortKeyOf<D>];

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
  | ReadonlyArray<OrderByItemOf<D>>;

/**
 * Fields usable as `distinct` keys: every field compared by value (not
 * json, bytes, encrypted or secret fields).
 *
 * @example
 * ```ts
 * const key: DistinctKeyOf<typeof messages> = 'conversationId';
 * const latestPerConversation = await db.messages.find({ orderBy: { createdAt: 'desc' }, distinct: [key] });
 * ```
 */
export type DistinctKeyOf<D extends AnyRepositoryDef> = {
  [K in keyof FieldsOf<D>]: FlagsOf<FieldsOf<D>[K]>['ops'] extends 'string' | 'ordered' | 'equality' | 'array' ? K : never;
}[keyof FieldsOf<D>] & string;

export type { AnyField };
export type * from './find-query.js';
