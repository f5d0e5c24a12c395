import { toSnakeCase } from '../util/naming.js';
import { closestName } from './config-checker.js';
import { durationRule, integerRule, sizeRule, boundsPhrase, type RuleBroken } from './option-rules.js';
import { ConfigType, INVALID, type ConfigShape, type InferShape, type ObjectOptions, type ReadScope, type Reader } from './config-type.js';
import { SecretValue } from '../util/secret-value.js';

/** JSON Schema patterns of the duration and size strings (parseDuration, parseSize). */
const DURATION_PATTERN = '^\\s*\\d+(\\.\\d+)?\\s*(ms|s|m|h|d)?\\s*$';
const SIZE_PATTERN = '^\\s*\\d+(\\.\\d+)?\\s*([kKmMgG][iI]?[bB]|[bB])?\\s*$';

const isPlainMap = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array) && !(v instanceof Date);

function scalar<T>(describe: string, read: Reader<T>, jsonSchema: Record<string, unknown>): ConfigType<T, false> {
  return new ConfigType<T, false>({ describe, read, secret: false, hasDefault: false, jsonSchema });
}

const range = (min?: number, max?: number) => ({ ...(min !== undefined ? { minimum: min } : {}), ...(max !== undefined ? { maximum: max } : {}) });

function expected(at: ReadScope, value: unknown, what: string): typeof INVALID {
  at.checker.fail(at.path, `expected ${what}, got ${at.checker.describe(value, at.path, at.secret)}`);
  return INVALID;
}

function readNumber(value: unknown, at: ReadScope): unknown {
  // Environment variables are strings: "5432" from ${DB_PORT} is a number.
  if (typeof value === 'string' && at.checker.isFromEnv(at.path) && /^\s*-?\d+(\.\d+)?\s*$/.test(value)) return Number(value);
  return value;
}

function ruled(at: ReadScope, raw: unknown, out: number | RuleBroken): number | typeof INVALID {
  return typeof out === 'number' ? out : expected(at, raw, out.expected);
}

/**
 * Builders of configuration types.
 *
 * @example
 * ```ts
 * const section = c.object({
 *   enabled: c.boolean().default(true),
 *   ttl: c.duration(),
 *   sink: c.enum(['console', 'file']),
 *   fields: c.list(c.string()),
 * });
 * ```
 */
export const c = {
  /** A string; `min`/`max` bound its length, `pattern` its form. */
  string(options: { min?: number; max?: number; pattern?: RegExp; patternHint?: string } = {}): ConfigType<string> {
    const min = options.min ?? 1;
    return scalar('string', (value, at) => {
      if (typeof value === 'number' && !at.secret) value = String(value);
      if (typeof value !== 'string') return expected(at, value, at.secret ? 'a string (quote the value in YAML)' : 'a string');
      if (value.length < min) return expected(at, value, min === 1 ? 'a non-empty string' : `a string of at least ${min} characters`);
      if (options.max !== undefined && value.length > options.max) return expected(at, value, `at most ${options.max} characters`);
      if (options.pattern && !options.pattern.test(value)) return expected(at, value, options.patternHint ?? `a string matching ${options.pattern}`);
      return value;
    }, { type: 'string', ...(min > 0 ? { minLength: min } : {}), ...(options.max !== undefined ? { maxLength: options.max } : {}), ...(options.pattern ? { pattern: options.pattern.source } : {}) });
  },
  /** A whole number. */
  integer(options: { min?: number; max?: number } = {}): ConfigType<number> {
    return scalar('integer', (raw, at) => ruled(at, raw, integerRule(readNumber(raw, at), options)), { type: 'integer', ...range(options.min, options.max) });
  },
  /** A finite number. */
  number(options: { min?: number; max?: number } = {}): ConfigType<number> {
    return scalar('number', (raw, at) => {
      const value = readNumber(raw, at);
      const ok = typeof value === 'number' && Number.isFinite(value)
        && (options.min === undefined || value >= options.min) && (options.max === undefined || value <= options.max);
      return ok ? (value as number) : expected(at, raw, `a number${boundsPhrase(options)}`);
    }, { type: 'number', ...range(options.min, options.max) });
  },
  /** true or false (from the environment also "true"/"false"/"1"/"0"). */
  boolean(): ConfigType<boolean> {
    return scalar('boolean', (value, at) => {
      if (typeof value === 'boolean') return value;
      if (typeof value === 'string' && at.checker.isFromEnv(at.path)) {
        const v = value.trim().toLowerCase();
        if (v === 'true' || v === '1' || v === 'yes') return true;
        if (v === 'false' || v === '0' || v === 'no') return false;
      }
      return expected(at, value, 'true or false');
    }, { type: 'boolean' });
  },
  /** A duration, read as milliseconds: a number (ms) or a string like "500ms", "30s", "2m", "1h". */
  duration(options: { min?: number; max?: number } = {}): ConfigType<number> {
    return scalar('duration', (value, at) => ruled(at, value, durationRule(value, options)), { anyOf: [{ type: 'number', ...range(options.min ?? 0, options.max) }, { type: 'string', pattern: DURATION_PATTERN }], description: 'milliseconds, or a string like "500ms", "30s", "2m"' });
  },
  /** A size, read as bytes: a number (bytes) or a string like "64MiB", "512KiB", "10MB". */
  size(options: { min?: number; max?: number } = {}): ConfigType<number> {
    return scalar('size', (raw, at) => ruled(at, raw, sizeRule(readNumber(raw, at), options)), { anyOf: [{ type: 'integer', ...range(options.min ?? 0, options.max) }, { type: 'string', pattern: SIZE_PATTERN }], description: 'bytes, or a string like "64MiB", "512KiB", "10MB"' });
  },
  /** The breaker shape every section uses: `{ failures, half_open_after }` (BreakerOptions). */
  breaker() {
    return c.object({
      failures: c.integer({ min: 1, max: 10_000 }).describedAs('Consecutive failures that open the breaker.'),
      halfOpenAfter: c.duration({ min: 1, max: 3_600_000 }).describedAs('How long it stays open before a probe call.'),
    });
  },
  /** The retry shape every section uses: `{ max_retries, initial_delay, max_delay }` (RetryOptions). */
  retry() {
    return c.object({
      maxRetries: c.integer({ min: 0, max: 100 }).describedAs('Retries after the first attempt.'),
      initialDelay: c.duration({ min: 0, max: 60_000 }).describedAs('First backoff delay; later ones grow exponentially, with jitter.'),
      maxDelay: c.duration({ min: 0, max: 600_000 }).describedAs('Largest backoff delay.'),
    });
  },
  /** One of a fixed list of strings. */
  enum<const V extends readonly [string, ...string[]]>(values: V): ConfigType<V[number]> {
    return scalar(values.join(' | '), (value, at) => {
      if (typeof value === 'string' && (values as readonly string[]).includes(value)) return value as V[number];
      const hint = typeof value === 'string' && !at.secret ? closestName(value, values) : undefined;
      return expected(at, value, `one of ${values.join(', ')}${hint ? ` (did you mean ${hint}?)` : ''}`);
    }, { type: 'string', enum: [...values] });
  },
  /** A list of values of one type. */
  list<T>(item: ConfigType<T, boolean>, options: { min?: number } = {}): ConfigType<T[]> {
    return new ConfigType<T[], false>({
      item,
      describe: `list of ${item.state.describe}`,
      secret: false,
      hasDefault: false,
      read(value, at) {
        if (!Array.isArray(value)) return expected(at, value, 'a list');
        if (options.min !== undefined && value.length < options.min) return expected(at, value, `at least ${options.min} item(s)`);
        const out: T[] = [];
        let bad = false;
        value.forEach((v, i) => {
          const r = item.read(v, { ...at, path: `${at.path}[${i}]` });
          if (r === INVALID) bad = true; else out.push(r);
        });
        if (bad) return INVALID;
        return item.state.secret || at.secret ? SecretValue.conceal(out, 'all') : out;
      },
      write: (value, redact, secret) => (value as unknown[]).map((v) => item.write(v, redact, secret)),
    });
  },
  /**
   * A map from names to values of one type; names are kept as written. By
   * default a name is letters, digits, _ and -, starting with a letter;
   * `key` sets another rule (`problem` says what is wrong with a name that
   * matches `pattern` but is still refused, e.g. a reserved one).
   */
  record<T>(value: ConfigType<T, boolean>, options: { key?: { pattern: RegExp; hint: string; problem?: (key: string) => string | undefined } } = {}): ConfigType<Record<string, T>> {
    const key = options.key ?? { pattern: /^[A-Za-z][A-Za-z0-9_-]{0,62}$/, hint: 'use letters, digits, _ and -, starting with a letter' };
    const problemOf = (k: string): string | undefined => {
      if (!key.pattern.test(k) || k === '__proto__' || k === 'constructor' || k === 'prototype') return `invalid name: ${key.hint}`;
      return key.problem?.(k);
    };
    return new ConfigType<Record<string, T>, false>({
      item: value,
      keyPattern: key.pattern.source,
      describe: `map of ${value.state.describe}`,
      secret: false,
      hasDefault: false,
      read(raw, at) {
        if (!isPlainMap(raw)) return expected(at, raw, 'a map');
        const out: Record<string, T> = {};
        let bad = false;
        for (const [k, v] of Object.entries(raw)) {
          const path = `${at.path}.${k}`;
          const problem = problemOf(k);
          if (problem) {
            at.checker.fail(path, problem);
            bad = true;
            continue;
          }
          const r = value.read(v, { ...at, path });
          if (r === INVALID) bad = true; else out[k] = r;
        }
        if (bad) return INVALID;
        return value.state.secret || at.secret ? SecretValue.conceal(out, 'all') : out;
      },
      write: (v, redact, secret) =>
        Object.fromEntries(Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, value.write(x, redact, secret)])),
    });
  },
  /**
   * A map with fixed keys. Keys are declared in camelCase and read from YAML
   * in snake_case (`connectionPoolSize` <- `connection_pool_size`). Unknown
   * keys are reported, with a "did you mean" hint.
   */
  object<S extends ConfigShape>(shape: S, options: ObjectOptions<InferShape<S>> = {}): ConfigType<InferShape<S>> {
    return new ConfigType<InferShape<S>, false>({
      shape,
      required: options.required,
      describe: 'map',
      secret: false,
      hasDefault: false,
      read(raw, at) {
        const value = raw === null || raw === undefined ? {} : raw;
        if (!isPlainMap(value)) return expected(at, raw, 'a map');
        const style = at.checker.style;
        const keyOf = (name: string) => (style === 'snake' ? toSnakeCase(name) : name);
        const join = (k: string) => (at.path ? `${at.path}.${k}` : k);
        const known = new Map(Object.keys(shape).map((name) => [keyOf(name), name]));
        const before = at.checker.problems.length;
        const retired = new Map(Object.entries(options.retired ?? {}).map(([name, message]) => [keyOf(name), message]));
        for (const k of Object.keys(value)) {
          if (known.has(k)) continue;
          const gone = retired.get(k);
          if (gone) {
            at.checker.fail(join(k), gone);
            continue;
          }
          const hint = closestName(k, [...known.keys()]);
          at.checker.fail(join(k), `unknown key${hint ? ` (did you mean ${hint}?)` : ''}; allowed keys: ${[...known.keys()].join(', ')}`);
        }
        const out: Record<string, unknown> = {};
        for (const [key, name] of known) {
          const type = shape[name]!;
          const v = Object.prototype.hasOwnProperty.call(value, key) ? value[key] : undefined;
          if (v === undefined || v === null) {
            if (type.state.hasDefault) out[name] = structuredClone(type.state.defaultValue);
            else if (options.required?.includes(name)) at.checker.fail(join(key), 'required key is missing');
            continue;
          }
          const r = type.read(v, { ...at, path: join(key) });
          if (r !== INVALID) out[name] = r;
        }
        if (options.refine) {
          const earlier = at.checker.problems.slice();
          const failed = (k: string) => {
            const path = join(keyOf(k));
            return earlier.some((p) => p.path === path || p.path.startsWith(`${path}.`) || p.path.startsWith(`${path}[`));
          };
          // A key already reported wrong is absent from `out`; a cross-key
          // message about that key would only repeat the problem, so it is dropped.
          options.refine(out as InferShape<S>, (k, message) => {
            if (k === null) at.checker.fail(at.path, message);
            else if (!failed(k)) at.checker.fail(join(keyOf(k)), message);
          }, failed);
        }
        if (at.checker.problems.length !== before) return INVALID;
        // Secret values stay strings (plugin factories read them as such) but never print.
        const secrets = at.secret ? Object.keys(out) : Object.keys(out).filter((k) => shape[k]!.state.secret);
        return (secrets.length ? SecretValue.conceal(out, secrets) : out) as InferShape<S>;
      },
      write(v, redact, secret) {
        const out: Record<string, unknown> = {};
        for (const [name, x] of Object.entries(v as Record<string, unknown>)) {
          const type = shape[name];
          if (type && x !== undefined) out[toSnakeCase(name)] = type.write(x, redact, secret);
        }
        return out;
      },
    });
  },
};
