import { ConfigError } from '../errors.js';
import { Field, TimestampField, baseMeta, type BaseFlags, type FieldFlags } from './field.js';
import type { DistinctValuesRule, IntegerBoundRules, LengthRules } from './bound-rules.js';
import type { JsonTypeCheck } from './json-rules.js';

type Scalar = string | number | bigint | boolean | Date;

/**
 * Length bounds for strings, in characters: Unicode code points, as
 * PostgreSQL's `char_length` counts them (an emoji is one character, though
 * JavaScript's `.length` says 2; `'e\u0301'`, e with a combining accent, is
 * two). Every backend refuses the same strings, checked in core before
 * anything is sent.
 *
 * @example
 * ```ts
 * const handleRules: StringOptions = { min: 3, max: 50, pattern: /^[a-z0-9_]+$/ };
 * const handle = f.string(handleRules).unique();
 * ```
 */
export interface StringOptions {
  readonly min?: number;
  readonly max?: number;
  readonly pattern?: RegExp;
}

/**
 * Value bounds for numbers.
 *
 * @example
 * ```ts
 * const bounds: NumberOptions = { min: 0, max: 1_000_000 };
 * const tokens = f.integer(bounds);
 * const bytesUsed = f.bigint({ min: 0n } satisfies NumberOptions<bigint>);
 * ```
 */
export interface NumberOptions<N = number> {
  readonly min?: N;
  readonly max?: N;
}

/**
 * How ids are generated client-side.
 *
 * @example
 * ```ts
 * const options: IdOptions = { generate: 'uuidv4' }; // or a function returning a string
 * const id = f.id(options);
 * ```
 */
export interface IdOptions {
  /** Default `'uuidv7'` (time-ordered, index friendly). */
  readonly generate?: 'uuidv7' | 'uuidv4' | (() => string);
}

/**
 * Flags of the id field: generated when omitted, never patched; it offers
 * no `.optional()`, `.default()`, `.sensitive()` or `.secret()`.
 *
 * @example
 * ```ts
 * const id: Field<string, IdFlags> = f.id(); // optional in InsertOf, absent from PatchOf
 * ```
 */
export type IdFlags = {
  readonly optional: false; readonly hasDefault: true; readonly managed: false; readonly secret: false;
  readonly ops: 'ordered'; readonly sortable: true; readonly numeric: false; readonly id: true;
};

/**
 * Flags of an `f.text()` field: a string field in every operator, marked
 * `text` so that `defineRelations` refuses it as a key field, as it does
 * at run time.
 *
 * @example
 * ```ts
 * const body: Field<string, TextFlags> = f.text({ max: 20_000 });
 * ```
 */
export type TextFlags = BaseFlags<'string', true> & { readonly text: true };

/**
 * Flags of the version field: managed by chatcore, so it offers no
 * `.optional()`, `.default()`, `.sensitive()` or `.secret()`.
 *
 * @example
 * ```ts
 * const version: Field<number, VersionFlags> = f.version(); // never in InsertOf or PatchOf
 * ```
 */
export type VersionFlags = {
  readonly optional: false; readonly hasDefault: true; readonly managed: true; readonly secret: false;
  readonly ops: 'ordered'; readonly sortable: true; readonly numeric: false; readonly managedAs: 'version';
};

/**
 * Field kinds allowed as array elements.
 *
 * @example
 * ```ts
 * const tag = f.string({ max: 40 }) satisfies ArrayItem;
 * const tags = f.array(tag).default(() => []);
 * ```
 */
export type ArrayItem = Field<Scalar, BaseFlags<'string' | 'ordered' | 'equality', boolean, boolean>>;

/** No field fits this type: its one member says why, in the compiler's message. */
interface PlainArrayItem {
  readonly 'unique() and references() apply to a whole field, not to the items of f.array(): declare the item without them': never;
}

/**
 * `unknown` when field `I` can be the item of `f.array()`, else a type no
 * field fits: an item declared `unique()` or `.references()` would have
 * that constraint dropped (an array holds values, not keys).
 *
 * @example
 * ```ts
 * const item = <I extends ArrayItem>(field: I & ArrayItemRule<I['__flags']>) => field;
 * item(f.string({ max: 40 })); // item(f.string().references('users')) does not compile
 * ```
 */
export type ArrayItemRule<F extends FieldFlags> = F extends { readonly unique: true } | { readonly references: true } ? PlainArrayItem : unknown;

/** What an item's declaration would have f.array() drop silently, and what to write instead; undefined when nothing. */
function droppedByArray(item: Field<unknown, FieldFlags>): string | undefined {
  const m = item.meta;
  if (m.sensitive) return 'sensitive(), which would leave the items in clear: encrypt the whole array, f.array(item).sensitive()';
  if (m.secret) return 'secret(), which would leave the items in clear: a secret is one string field';
  if (m.unique) return 'unique(), which an array item cannot keep: declare the item without it';
  if (m.references) return 'references(), which an array item cannot keep: declare the item without it (or use a join repository)';
  return undefined;
}

/**
 * The field builders of the schema DSL.
 *
 * @example
 * ```ts
 * const messages = defineRepository('messages', {
 *   id: f.id(),
 *   conversationId: f.string().indexed(),
 *   role: f.enum(['user', 'assistant', 'system']),
 *   body: f.text().sensitive(),
 *   tokens: f.integer({ min: 0 }).default(0),
 *   tags: f.array(f.string()).default(() => []),
 *   meta: f.json<{ model?: string }>().optional(),
 *   createdAt: f.timestamp().createdAt(),
 *   version: f.version(),
 * });
 * ```
 */
export const f = {
  /** The record id: a string, generated client-side (UUIDv7) unless given. */
  id(options: IdOptions = {}): Field<string, IdFlags> {
    return new Field(baseMeta('id', { managed: 'id', generate: options.generate ?? 'uuidv7', unique: true, max: 128 }));
  },
  /**
   * A short string (SQL `text`, its length checked in characters); default
   * max 1000. `min`/`max` are whole, non-negative and `min <= max`
   * (ConfigError from defineRepository; a literal that breaks it does not compile).
   */
  string<const O extends StringOptions = {}>(options: O & LengthRules<O> = {} as O & LengthRules<O>): Field<string, BaseFlags<'string', true>> {
    return new Field(baseMeta('string', { min: options.min, max: options.max ?? 1000, pattern: options.pattern }));
  },
  /** Long text (messages, documents); no default length limit; `min`/`max` as for f.string(). */
  text<const O extends StringOptions = {}>(options: O & LengthRules<O> = {} as O & LengthRules<O>): Field<string, TextFlags> {
    return new Field(baseMeta('text', { min: options.min, max: options.max, pattern: options.pattern }));
  },
  /**
   * A safe integer (SQL `integer` unless bounds need `bigint`). Its bounds
   * are finite whole numbers, `min <= max` (ConfigError from
   * defineRepository; a fractional literal does not compile).
   */
  integer<const O extends NumberOptions = {}>(options: O & IntegerBoundRules<O> = {} as O & IntegerBoundRules<O>): Field<number, BaseFlags<'ordered', true, true>> {
    return new Field(baseMeta('integer', { min: options.min, max: options.max }));
  },
  /** A 64-bit integer as a JS bigint; bounds within int64, `min <= max` (ConfigError from defineRepository). */
  bigint(options: NumberOptions<bigint> = {}): Field<bigint, BaseFlags<'ordered', true, true>> {
    return new Field(baseMeta('bigint', { min: options.min, max: options.max }));
  },
  /** A finite double (NaN and Infinity are rejected); bounds are finite, `min <= max` (ConfigError from defineRepository). */
  number(options: NumberOptions = {}): Field<number, BaseFlags<'ordered', true, true>> {
    return new Field(baseMeta('number', { min: options.min, max: options.max }));
  },
  /** true or false. */
  boolean(): Field<boolean, BaseFlags<'equality', true>> {
    return new Field(baseMeta('boolean'));
  },
  /** A point in time, as a Date (millisecond precision on every backend). */
  timestamp(): TimestampField<BaseFlags<'ordered', true>> {
    return new TimestampField(baseMeta('timestamp'));
  },
  /**
   * One of a fixed list of strings, each listed once (a repeated literal does
   * not compile; ConfigError from defineRepository); it orders (orderBy,
   * gt/lt) as its strings, not in declaration order.
   */
  enum<const V extends readonly [string, ...string[]]>(values: V & DistinctValuesRule<V>): Field<V[number], BaseFlags<'ordered', true>> {
    return new Field(baseMeta('enum', { values }));
  },
  /** Binary data as a Uint8Array (Buffer is accepted); default max 1 MiB. */
  bytes(options: { max?: number } = {}): Field<Uint8Array, BaseFlags<'none', false>> {
    return new Field(baseMeta('bytes', { max: options.max ?? 1024 * 1024 }));
  },
  /**
   * A JSON value with a declared TypeScript type (not checked deeply at run
   * time beyond JSON-ness). A type holding values JSON cannot store (a
   * `Date`, a `bigint`, a `Map`...) does not compile (`JsonValueRule`).
   */
  json<T = unknown>(...notJson: JsonTypeCheck<T>): Field<T, BaseFlags<'none', false>> {
    return new Field(baseMeta('json'));
  },
  /**
   * An array of scalars of one field type. The item is a plain value:
   * not sensitive, secret, unique or a reference (ConfigError; declare
   * those on a field of their own).
   */
  array<I extends ArrayItem>(item: I & ArrayItemRule<I['__flags']>): Field<Array<I['__type']>, BaseFlags<'array', false>> {
    if (item.meta.type === 'array' || item.meta.type === 'json' || item.meta.type === 'bytes') {
      throw new TypeError('f.array() takes a scalar field (string, integer, number, bigint, boolean, timestamp, enum).');
    }
    const dropped = droppedByArray(item);
    if (dropped) {
      throw new ConfigError(`f.array() takes a plain item, but this one is ${dropped}.`);
    }
    return new Field(baseMeta('array', { items: item.meta }));
  },
  /** The optimistic-locking version: starts at 1, incremented by every update. */
  version(): Field<number, VersionFlags> {
    return new Field(baseMeta('version', { managed: 'version' }));
  },
};
