// Field declarations checked on literals in the types, mirroring what
// defineRepository refuses with a ConfigError: a string length is a whole,
// non-negative number, an integer bound a whole number, an enum value is
// listed once. A value typed as plain `number` or `string` passes: only the
// run-time check can see it (as it alone sees min above max, or NaN).

/** No length fits this type: its name and its one member say why. */
interface LengthNotWhole {
  readonly 'a string length is a whole, non-negative number of characters': never;
}
/** No integer bound fits this type: its name and its one member say why. */
interface IntegerBoundNotWhole {
  readonly 'an integer bound is a whole number: use f.number() for fractions': never;
}
/** No list fits this type: its name and its one member say why. */
interface RepeatedEnumValue {
  readonly 'an enum lists each value once': never;
}

/** The literal text of the number `N` when it is one, else never (plain `number` and undefined). */
type Literal<N> = N extends number ? (number extends N ? never : `${N}`) : never;
/** The value of key `K` in `O`, when `O` sets it. */
type Given<O, K extends string> = O extends { readonly [P in K]: infer N } ? N : undefined;
/** `unknown` when `N` is no literal or its text is not of the form `Bad`, else `Refusal`. */
type Refuse<N, Bad extends string, Refusal> = [Literal<N>] extends [never] ? unknown : Literal<N> extends Bad ? Refusal : unknown;

type Fraction = `${string}.${string}` | `${string}e${string}`;

/**
 * What `f.string()` and `f.text()` check of the literal lengths in their
 * options: `min` and `max` are whole and non-negative.
 *
 * @example
 * ```ts
 * const short = <O extends StringOptions>(options: O & LengthRules<O>) => f.string(options);
 * short({ max: 40 }); // short({ max: -1 }) and short({ max: 2.5 }) do not compile
 * ```
 */
export type LengthRules<O> = {
  readonly min?: Refuse<Given<O, 'min'>, `-${string}` | Fraction, LengthNotWhole>;
  readonly max?: Refuse<Given<O, 'max'>, `-${string}` | Fraction, LengthNotWhole>;
};

/**
 * What `f.integer()` checks of the literal bounds in its options: `min` and
 * `max` are whole numbers.
 *
 * @example
 * ```ts
 * const count = <O extends NumberOptions>(options: O & IntegerBoundRules<O>) => f.integer(options);
 * count({ min: 0, max: 100 }); // count({ max: 1.5 }) does not compile
 * ```
 */
export type IntegerBoundRules<O> = {
  readonly min?: Refuse<Given<O, 'min'>, Fraction, IntegerBoundNotWhole>;
  readonly max?: Refuse<Given<O, 'max'>, Fraction, IntegerBoundNotWhole>;
};

/** The first literal value of the tuple `V` that a later element repeats, else never. */
type Repeated<V> = V extends readonly [infer H, ...infer R]
  ? (string extends H ? never : [H] extends [R[number]] ? H : Repeated<R>)
  : never;

/**
 * `unknown` when the literal values `V` of `f.enum()` are distinct, else a
 * type no list fits, whose member says why. A list typed `string[]` passes.
 *
 * @example
 * ```ts
 * const roles = <const V extends readonly [string, ...string[]]>(values: V & DistinctValuesRule<V>) => f.enum(values);
 * roles(['user', 'assistant']); // roles(['user', 'user']) does not compile
 * ```
 */
export type DistinctValuesRule<V> = [Repeated<V>] extends [never] ? unknown : RepeatedEnumValue;
