import type { FieldFlags } from './field.js';
import type { AnyRepositoryDef } from './define-repository.js';
import type { Direction, FilterOf, ReadableKeys, RecordOf, SortKeyOf } from './infer.js';

type FieldsOf<D extends AnyRepositoryDef> = D['fields'];
type FlagsOf<Fd> = Fd extends { __flags: infer Fl extends FieldFlags } ? Fl : never;
type ValueOf<Fd> = Fd extends { __type: infer T } ? T : never;

/**
 * Fields `sum` and `avg` accept: numeric fields that are not encrypted.
 *
 * @example
 * ```ts
 * const field: NumericKeyOf<typeof messages> = 'tokens';
 * ```
 */
export type NumericKeyOf<D extends AnyRepositoryDef> = {
  [K in keyof FieldsOf<D>]: FlagsOf<FieldsOf<D>[K]> extends { numeric: true; ops: 'ordered' } ? K : never;
}[keyof FieldsOf<D>] & string;

/**
 * What `count` accepts: `'_all'` (rows) or any readable field (its non-null
 * values; encrypted fields too, since a count reveals no value).
 *
 * @example
 * ```ts
 * const counted: CountKeyOf<typeof users>[] = ['_all', 'email'];
 * ```
 */
export type CountKeyOf<D extends AnyRepositoryDef> = '_all' | ReadableKeys<D>;

/**
 * The sort keys of an aggregate's groups: group fields, or measures it computes.
 *
 * @example
 * ```ts
 * const order: AggregateOrderBy<'role', '_all', 'tokens'> = [{ sum: { tokens: 'desc' } }, { role: 'asc' }];
 * ```
 */
export type AggregateOrderTerm<G extends string, C extends string, S extends string, A extends string, Mn extends string, Mx extends string> =
  & { readonly [K in G]?: Direction }
  & {
    readonly count?: Measured<C>;
    readonly sum?: Measured<S>;
    readonly avg?: Measured<A>;
    readonly min?: Measured<Mn>;
    readonly max?: Measured<Mx>;
  };

/** Directions by measured field; nothing to order by when the aggregate does not compute that measure. */
type Measured<K extends string> = [K] extends [never] ? never : { readonly [F in K]?: Direction };

/** No value fits this type: its one member says why, in the compiler's message. */
interface OneKeyPerItem {
  readonly 'an orderBy list takes one key per item: write [{ sum: { a: "desc" } }, { b: "asc" }]': never;
}

type MeasureFn = 'count' | 'sum' | 'avg' | 'min' | 'max';
/** Exactly one key of `K` with a value `V`; any other key of `K | O` does not fit. */
type ExactlyOne<K extends string, V, O extends string = never> = {
  [P in K]: { readonly [Q in P]: V } & { readonly [Q in Exclude<K | O, P>]?: OneKeyPerItem };
}[K];

/**
 * One item of a list `orderBy` of an aggregate: exactly one group field, or
 * one measure of one field (a second key does not compile, and is a
 * ValidationError at run time).
 *
 * @example
 * ```ts
 * const bySum: AggregateOrderItem<'role', never, 'tokens'> = { sum: { tokens: 'desc' } }; // { sum: { tokens: 'desc' }, role: 'asc' } does not compile
 * ```
 */
export type AggregateOrderItem<G extends string = never, C extends string = never, S extends string = never, A extends string = never, Mn extends string = never, Mx extends string = never> =
  | ExactlyOne<G, Direction, MeasureFn>
  | {
    [F in MeasureFn]: [{ count: C; sum: S; avg: A; min: Mn; max: Mx }[F]] extends [never]
      ? never
      : { readonly [Q in F]: ExactlyOne<{ count: C; sum: S; avg: A; min: Mn; max: Mx }[F], Direction> } & { readonly [Q in Exclude<G | MeasureFn, F>]?: OneKeyPerItem };
  }[MeasureFn];

/**
 * Sort order of the groups: one term (keys in order) or a list of
 * single-key items.
 *
 * @example
 * ```ts
 * const order: AggregateOrderBy<'role', '_all'> = { count: { _all: 'desc' } };
 * ```
 */
export type AggregateOrderBy<G extends string = never, C extends string = never, S extends string = never, A extends string = never, Mn extends string = never, Mx extends string = never> =
  | AggregateOrderTerm<G, C, S, A, Mn, Mx>
  | ReadonlyArray<AggregateOrderItem<G, C, S, A, Mn, Mx>>;

/** A list of at least one `K`: an empty groupBy or measure list is a ValidationError. */
type NonEmpty<K> = readonly [K, ...K[]];

/**
 * An aggregate query: a filter, group fields, and the measures to compute
 * per group (or over every matching record without `groupBy`). Encrypted
 * fields allow `count` only; group keys are ordered fields (groups are
 * sorted); each list names at least one field; `orderBy` and `limit` need
 * `groupBy`.
 *
 * @example
 * ```ts
 * const q: AggregateQuery<typeof messages, 'role', '_all', 'tokens'> = { where: { conversationId }, groupBy: ['role'], count: ['_all'], sum: ['tokens'] };
 * ```
 */
export interface AggregateQuery<
  D extends AnyRepositoryDef,
  G extends SortKeyOf<D> = never,
  C extends CountKeyOf<D> = never,
  S extends NumericKeyOf<D> = never,
  A extends NumericKeyOf<D> = never,
  Mn extends SortKeyOf<D> = never,
  Mx extends SortKeyOf<D> = never,
> {
  readonly where?: FilterOf<D>;
  readonly groupBy?: NonEmpty<G>;
  readonly count?: NonEmpty<C>;
  readonly sum?: NonEmpty<S>;
  readonly avg?: NonEmpty<A>;
  readonly min?: NonEmpty<Mn>;
  readonly max?: NonEmpty<Mx>;
  readonly orderBy?: AggregateOrderBy<NoInfer<G>, NoInfer<C>, NoInfer<S>, NoInfer<A>, NoInfer<Mn>, NoInfer<Mx>>;
  /** Groups to return, 1..10,000 (after orderBy). */
  readonly limit?: number;
}

/**
 * The rules of an aggregate's shape that its options alone cannot say:
 * it asks for at least one measure or `groupBy`, and `orderBy` and `limit`
 * (which sort and cut groups) come with `groupBy`. `unknown` when the
 * query keeps them; otherwise a type the query cannot meet.
 *
 * @example
 * ```ts
 * const groups: AggregateShape<'role', '_all', never, never, never, never> = { orderBy: { role: 'asc' }, limit: 10 };
 * await db.messages.aggregate({ groupBy: ['role'], count: ['_all'], orderBy: { role: 'asc' }, limit: 10 }); // { count: ['_all'], limit: 10 } does not compile
 * ```
 */
export type AggregateShape<G extends string, C extends string, S extends string, A extends string, Mn extends string, Mx extends string> =
  & ([G] extends [never] ? { readonly orderBy?: never; readonly limit?: never } : unknown)
  & ([G | C | S | A | Mn | Mx] extends [never] ? { readonly 'ask for at least one of count, sum, avg, min, max or groupBy': true } : unknown);

type SumOf<T> = [T] extends [bigint] ? bigint : number;

/**
 * One group of an aggregate's result: `group` holds the group field values,
 * and each measure family its values by field. `sum`, `avg`, `min` and
 * `max` are null when the group has no non-null value of the field.
 *
 * @example
 * ```ts
 * const [byRole] = await db.messages.aggregate({ groupBy: ['role'], count: ['_all'], sum: ['tokens'] });
 * byRole?.group.role; byRole?.count._all; byRole?.sum.tokens; // 'user', 12, 3400
 * ```
 */
export interface AggregateResult<
  D extends AnyRepositoryDef,
  G extends string = never,
  C extends string = never,
  S extends string = never,
  A extends string = never,
  Mn extends string = never,
  Mx extends string = never,
> {
  readonly group: { readonly [K in G & keyof RecordOf<D>]: RecordOf<D>[K] };
  readonly count: { readonly [K in C]: number };
  readonly sum: { readonly [K in S & keyof FieldsOf<D>]: SumOf<ValueOf<FieldsOf<D>[K]>> | null };
  readonly avg: { readonly [K in A]: number | null };
  readonly min: { readonly [K in Mn & keyof RecordOf<D>]: NonNullable<RecordOf<D>[K]> | null };
  readonly max: { readonly [K in Mx & keyof RecordOf<D>]: NonNullable<RecordOf<D>[K]> | null };
}
