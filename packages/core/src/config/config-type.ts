import type { ConfigChecker } from './config-checker.js';

/**
 * Returned by a reader for a value it reported as wrong.
 *
 * @example
 * ```ts
 * const evenPort: Reader<number> = (value, at) => {
 *   const port = c.integer({ min: 1, max: 65535 }).read(value, at);
 *   if (port === INVALID) return INVALID; // already reported to at.checker
 *   return port % 2 === 0 ? port : (at.checker.fail(at.path, 'expected an even port'), INVALID);
 * };
 * ```
 */
// Symbol.for: a section schema built by another copy of core (src next to dist) returns the same marker.
export const INVALID: unique symbol = Symbol.for('chatcore.config.invalid');

/**
 * Where a reader is in the configuration tree.
 *
 * @example
 * ```ts
 * const checker = new ConfigChecker({ name: 'inline', lines: new Map(), fromEnv: new Set() }, 'camel');
 * const scope: ReadScope = { path: 'cache.ttl', secret: false, checker };
 * c.duration().read('30s', scope); // 30000
 * ```
 */
export interface ReadScope {
  readonly path: string;
  /** Inherited: everything below a secret is secret. */
  readonly secret: boolean;
  readonly checker: ConfigChecker;
}

/**
 * Reads one value, reporting problems to the scope's checker.
 *
 * @example
 * ```ts
 * const even: Reader<number> = (v, at) => (v === 2 ? 2 : (at.checker.fail(at.path, 'expected 2'), INVALID));
 * ```
 */
export type Reader<T> = (value: unknown, at: ReadScope) => T | typeof INVALID;
/**
 * Writes one value back to its YAML form.
 *
 * @example
 * ```ts
 * const write: Writer = (v, redact, secret) => (secret && redact ? '[redacted]' : v);
 * ```
 */
export type Writer = (value: unknown, redact: boolean, secret: boolean) => unknown;

/**
 * What a configuration type knows about itself.
 *
 * @example
 * ```ts
 * c.duration().default(30_000).state.defaultValue; // 30000
 * ```
 */
export interface TypeState<T> {
  readonly describe: string;
  readonly read: Reader<T>;
  readonly write?: Writer | undefined;
  readonly secret: boolean;
  readonly hasDefault: boolean;
  readonly defaultValue?: T | undefined;
  readonly doc?: string | undefined;
  /** Objects: their keys (camelCase); lists and maps: their item type. For tooling and docs. */
  readonly shape?: ConfigShape | undefined;
  readonly item?: AnyConfigType | undefined;
  /** Maps: the pattern every key matches (JSON Schema `propertyNames`). */
  readonly keyPattern?: string | undefined;
  /**
   * The JSON Schema of a value of this type (scalars and custom types);
   * objects, lists and maps are derived from `shape` and `item`.
   */
  readonly jsonSchema?: Readonly<Record<string, unknown>> | undefined;
  /** Objects: keys that must be present (TypeScript names). */
  readonly required?: readonly string[] | undefined;
}

/**
 * One value type of the configuration schema: how to read and check it from
 * YAML (or a TypeScript object), its default, whether it is secret (never
 * echoed in messages, redacted when printed), and its TypeScript type `T`.
 * Build them with the `c` builders; plugin authors describe their section
 * with `c.object({...})`.
 *
 * @example
 * ```ts
 * const ttl = c.duration().default(60_000).describedAs('How long entries live');
 * const token = c.string().secret();
 * ```
 */
export class ConfigType<T, D extends boolean = false> {
  /** Phantom members for type inference. */
  declare readonly __type: T;
  declare readonly __hasDefault: D;
  readonly state: TypeState<T>;

  constructor(state: TypeState<T>) {
    this.state = state;
  }

  /** Never echo this value in messages; print it as `[redacted]`. */
  secret(): ConfigType<T, D> {
    return new ConfigType({ ...this.state, secret: true });
  }

  /** The value used when the key is absent (or empty). */
  default(value: T): ConfigType<T, true> {
    return new ConfigType<T, true>({ ...this.state, hasDefault: true, defaultValue: value });
  }

  /**
   * An extra rule on the read value: `rule` returns a message (never quoting
   * the value) when the value is wrong. Plugins pass the same function their
   * own option check uses, so the file and the plugin accept the same values.
   */
  check(rule: (value: T) => string | undefined): ConfigType<T, D> {
    const read = this.state.read;
    return new ConfigType<T, D>({
      ...this.state,
      read: (value, at) => {
        const r = read(value, at);
        if (r === INVALID) return r;
        const problem = rule(r as T);
        if (problem === undefined) return r;
        at.checker.fail(at.path, problem);
        return INVALID;
      },
    });
  }

  /** A sentence for the configuration reference. */
  describedAs(doc: string): ConfigType<T, D> {
    return new ConfigType({ ...this.state, doc });
  }

  /** Read and check `value`, reporting problems to the scope's checker. */
  read(value: unknown, at: ReadScope): T | typeof INVALID {
    const scope = this.state.secret && !at.secret ? { ...at, secret: true } : at;
    if (scope.secret) at.checker.rememberSecret(value);
    return this.state.read(value, scope);
  }

  /** The YAML form of a checked value (snake_case keys), secrets redacted unless `redact` is false. */
  write(value: unknown, redact = true, secret = false): unknown {
    const isSecret = secret || this.state.secret;
    if (this.state.write) return this.state.write(value, redact, isSecret);
    if (isSecret && redact && value !== undefined) return '[redacted]';
    // Escaped so that loading the written YAML does not interpolate it.
    return typeof value === 'string' ? value.split('${').join('$${') : value;
  }
}

/**
 * Any configuration type.
 *
 * @example
 * ```ts
 * const sections: Record<string, AnyConfigType> = { tenancy: c.object({ strict: c.boolean() }) };
 * ```
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyConfigType = ConfigType<any, boolean>;

/**
 * The keys of an object section: TypeScript (camelCase) names to types.
 *
 * @example
 * ```ts
 * const shape = { redisUrl: c.string().secret(), ttl: c.duration() } satisfies ConfigShape;
 * ```
 */
export type ConfigShape = { readonly [key: string]: AnyConfigType };

type Simplify<T> = { [K in keyof T]: T[K] } & {};
type DefaultedKeys<S extends ConfigShape> = { [K in keyof S]: S[K]['__hasDefault'] extends true ? K : never }[keyof S];

/**
 * The TypeScript value of a configuration type: `InferConfig<typeof cacheSection>`.
 *
 * @example
 * ```ts
 * type CacheSection = InferConfig<typeof cacheSection>; // { enabled: boolean; ttl?: number; ... }
 * ```
 */
export type InferConfig<C> = C extends ConfigType<infer T, boolean> ? T : never;

/**
 * The value of an object type: keys with a default are always present.
 *
 * @example
 * ```ts
 * type T = InferShape<{ on: ConfigType<boolean, true>; ttl: ConfigType<number> }>; // { on: boolean; ttl?: number }
 * ```
 */
export type InferShape<S extends ConfigShape> = Simplify<
  { -readonly [K in DefaultedKeys<S>]: InferConfig<S[K]> } & { -readonly [K in Exclude<keyof S, DefaultedKeys<S>>]?: InferConfig<S[K]> }
>;

/**
 * Options of `c.object`.
 *
 * @example
 * ```ts
 * c.object({ a: c.string(), b: c.string() }, { refine: (v, fail) => { if (v.a && v.b) fail('b', 'a and b are alternatives'); } });
 * ```
 */
export interface ObjectOptions<V> {
  /** Keys that must be present (TypeScript names). */
  readonly required?: readonly string[];
  /**
   * Keys that were renamed or removed (TypeScript names) and the message
   * that says what replaces them; written in a file they are reported with
   * it instead of as unknown.
   */
  readonly retired?: Readonly<Record<string, string>>;
  /**
   * Cross-key checks run on the read value (keys reported wrong are absent,
   * and `failed(key)` tells them apart from keys not written); report with
   * `fail(key, message)` (`null`: the object itself), never echoing values.
   */
  readonly refine?: (value: V, fail: (key: string | null, message: string) => void, failed: (key: string) => boolean) => void;
}
