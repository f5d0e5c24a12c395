// The `where` of an include, checked exactly. An include is inferred as
// written (to type its result), so the compiler's excess-property check
// does not reach inside it: these types map every key that the filter does
// not know, at any depth, to `never`.
import type { AnyRepositoryDef } from '../schema/define-repository.js';
import type { FilterOf, ReadableKeys } from '../schema/infer.js';

/** The operator objects a field's test may be (its value shorthand left out). */
type OpsIn<T> = Extract<T, { readonly eq?: unknown }>;
/** With `mode: 'insensitive'`, the insensitive operators only; otherwise the others. */
type MemberFor<V, O> = V extends { readonly mode: 'insensitive' } ? Extract<O, { readonly mode: 'insensitive' }> : Exclude<O, { readonly mode: 'insensitive' }>;
type KeysOf<U> = U extends unknown ? keyof U : never;

/** Test `V` of a field whose filter type is `T`: an operator object keeps only the operators the field has. */
type StrictTest<V, T> = V extends { readonly [k: string]: unknown }
  ? { [Q in keyof V]: Q extends KeysOf<MemberFor<V, OpsIn<T>>> ? V[Q] : never }
  : V;

/**
 * Filter `W` of repository `D` with every unknown field and operator, at
 * any depth (inside and, or and not too), mapped to `never`, so that an
 * include's `where` is checked as exactly as `find`'s.
 *
 * @example
 * ```ts
 * type Ok = StrictWhere<typeof messages, { tokens: { gt: 1 } }>;        // { tokens: { gt: 1 } }
 * type Typo = StrictWhere<typeof messages, { tokens: { gt: 1, gtt: 2 } }>; // { tokens: { gt: 1, gtt: never } }
 * ```
 */
export type StrictWhere<D extends AnyRepositoryDef, W> = {
  [P in keyof W]: P extends 'and' | 'or'
    ? EachWhere<D, W[P]>
    : P extends 'not'
      ? StrictWhere<D, W[P]>
      : P extends ReadableKeys<D> ? StrictTest<W[P], FilterOf<D>[P]> : never;
};

/** Each filter of an and / or list (mapped over the type parameter, so a tuple stays a tuple). */
type EachWhere<D extends AnyRepositoryDef, L> = { [I in keyof L]: StrictWhere<D, L[I]> };
