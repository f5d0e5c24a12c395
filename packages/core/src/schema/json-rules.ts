// What f.json<T>() checks of its declared type: a value of it can be stored
// as JSON, as the run-time check of every write demands (plain objects,
// arrays, strings, finite numbers, booleans and null).

/** No value fits this type: its one member says why, in the compiler's message. */
interface NotJson {
  readonly 'not a JSON value (Date, bigint, Map, Set, bytes, a class instance or a function): store it as a string or number, or in a field of its own type': never;
}

/** Values of these types are never written to a json field: each write of one is a ValidationError. */
type NonJson = bigint | symbol | Date | RegExp | ArrayBufferView | ArrayBuffer | Map<unknown, unknown> | Set<unknown> | WeakMap<object, unknown> | WeakSet<object> | Promise<unknown> | ((...args: never[]) => unknown);

/**
 * `T` with every part a json field cannot store replaced by a type no
 * value fits: what `f.json<T>()` requires `T` to extend, so that a declared
 * type holding a `Date`, a `bigint`, a `Map` or a function does not compile
 * (each write of such a value is a ValidationError). `unknown` and `any`
 * pass as they are.
 *
 * @example
 * ```ts
 * type Meta = { model: string; tokens?: number; tags: string[] };
 * const ok: Meta extends JsonValueRule<Meta> ? true : false = true;
 * const meta = f.json<Meta>().optional(); // f.json<{ at: Date }>() does not compile
 * ```
 */
export type JsonValueRule<T> = unknown extends T
  ? T
  : T extends string | number | boolean | null | undefined
    ? T
    : T extends NonJson
      ? NotJson
      : { [K in keyof T]: JsonValueRule<T[K]> };

/**
 * The arguments `f.json<T>()` takes: none when `T` is a JSON type; else one
 * that no call can give, so the call does not compile and the compiler
 * names it (`declaredTypeHoldsValuesJsonCannotStore`).
 *
 * @example
 * ```ts
 * type Meta = { model: string };
 * const none: JsonTypeCheck<Meta> = []; // JsonTypeCheck<{ at: Date }> is a one-element tuple no value fits
 * ```
 */
export type JsonTypeCheck<T> = [T] extends [JsonValueRule<T>] ? [] : [declaredTypeHoldsValuesJsonCannotStore: NotJson];
