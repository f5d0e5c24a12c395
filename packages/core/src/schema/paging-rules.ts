// Paging numbers checked on numeric literals in the types, mirroring the
// ranges the run time applies (ValidationError): a limit or page size is an
// integer from 1 to 10,000, an offset one from 0 to 1,000,000. A value
// typed as plain `number` passes: only the run-time check can see it.

/** The number of characters of `S`. */
type Length<S extends string, Seen extends unknown[] = []> = S extends `${string}${infer R}`
  ? (S extends '' ? Seen['length'] : Length<R, [...Seen, 0]>)
  : Seen['length'];

/** true when the literal `N` is a whole number written with at most `Digits` digits, or is `Max`. */
type WholeUpTo<N extends number, Digits extends number, Max extends string> = `${N}` extends `-${string}` | `${string}.${string}` | `${string}e${string}`
  ? false
  : `${N}` extends Max ? true : [Digits] extends [never] ? false : Length<`${N}`> extends Digits ? true : false;

/** No limit fits this type: its name and its one member say why. */
interface LimitOutOfRange {
  readonly 'a limit is an integer from 1 to 10,000': never;
}
/** No offset fits this type: its name and its one member say why. */
interface OffsetOutOfRange {
  readonly 'an offset is an integer from 0 to 1,000,000': never;
}
/** No page size fits this type: its name and its one member say why. */
interface PageSizeOutOfRange {
  readonly 'a page size is an integer from 1 to 10,000': never;
}

/** `unknown` when the literal `N` keeps the rule `Ok`, else `Refusal`; `number` (and a non-number) passes. */
type Checked<N, Ok, Refusal> = N extends number ? (number extends N ? unknown : Ok extends true ? unknown : Refusal) : unknown;

/**
 * `unknown` when the literal `L` is a valid `limit` (an integer from 1 to
 * 10,000, as the run time checks), else a type no limit fits, whose member
 * says why. A `number` passes.
 *
 * @example
 * ```ts
 * const take = <L extends number>(limit: L & LimitRule<L>) => limit;
 * take(50); // take(-1), take(0) and take(1.5) do not compile
 * ```
 */
export type LimitRule<L> = Checked<L, L extends 0 ? false : WholeUpTo<L & number, 1 | 2 | 3 | 4, '10000'>, LimitOutOfRange>;

/**
 * `unknown` when the literal `O` is a valid `offset` (an integer from 0 to
 * 1,000,000), else a type no offset fits, whose member says why. A
 * `number` passes.
 *
 * @example
 * ```ts
 * const skip = <O extends number>(offset: O & OffsetRule<O>) => offset;
 * skip(100); // skip(-10) does not compile
 * ```
 */
export type OffsetRule<O> = Checked<O, WholeUpTo<O & number, 1 | 2 | 3 | 4 | 5 | 6, '1000000'>, OffsetOutOfRange>;

/**
 * `unknown` when the literal `P` is a valid `pageSize` of `iterate` (an
 * integer from 1 to 10,000), else a type no page size fits. A `number` passes.
 *
 * @example
 * ```ts
 * const pages = <P extends number>(pageSize: P & PageSizeRule<P>) => pageSize;
 * pages(500); // pages(0) does not compile
 * ```
 */
export type PageSizeRule<P> = Checked<P, P extends 0 ? false : WholeUpTo<P & number, 1 | 2 | 3 | 4, '10000'>, PageSizeOutOfRange>;

/**
 * The paging options of a read, with the literals checked: `L` and `O` are
 * inferred from the query's `limit` and `offset`.
 *
 * @example
 * ```ts
 * const read = <L extends number, O extends number>(query: { where?: object } & PagingRules<L, O>) => query;
 * read({ limit: 20, offset: 40 }); // read({ limit: -1 }) does not compile
 * ```
 */
export interface PagingRules<L extends number, O extends number> {
  readonly limit?: L & LimitRule<L>;
  readonly offset?: O & OffsetRule<O>;
}
