import { inspect } from 'node:util';

const REDACTED = '[redacted]';

/** Own non-enumerable members: spreading, Object.keys and equality checks do not see them. */
function hidden(target: object, key: PropertyKey, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: false, configurable: true, writable: true });
}

/**
 * A value that must not be printed: a password, a connection URL with
 * credentials, a key. `util.inspect`, `console.log`, `JSON.stringify`,
 * `String()` and template strings all give `[redacted]`; the value itself
 * lives in a private field and comes out only through an explicit
 * `.reveal()`, at the one place that hands it to the library that needs it.
 *
 * Options of drivers and plugins that carry secrets accept a `SecretValue`
 * wherever they accept the plain string; `SecretValue.reveal(x)` reads
 * either form.
 *
 * It keeps secrets out of logs, error reports and serialized objects; it is
 * no protection against code running in the process or a memory dump.
 *
 * @example
 * ```ts
 * const url = new SecretValue(process.env.DATABASE_URL!);
 * console.log({ url });                  // { url: [redacted] }
 * JSON.stringify({ url });               // '{"url":"[redacted]"}'
 * const connectionString: string = url.reveal(); // only where the client needs it
 * ```
 */
export class SecretValue<T = string> {
  readonly #value: T;

  constructor(value: T) {
    this.#value = value;
  }

  /** The value itself. Call it where the value is handed over, never to log or store it. */
  reveal(): T {
    return this.#value;
  }

  toString(): string {
    return REDACTED;
  }

  toJSON(): string {
    return REDACTED;
  }

  [inspect.custom](): string {
    return REDACTED;
  }

  /**
   * Read an option that may be given as a plain value or as a SecretValue.
   *
   * @example
   * ```ts
   * const password = SecretValue.reveal(options.password); // string | undefined
   * ```
   */
  static reveal<T>(value: T | SecretValue<T>): T {
    return value instanceof SecretValue ? value.reveal() : value;
  }

  /**
   * Make an object or array that must keep plain values (because existing
   * readers expect strings) print its secret members as `[redacted]`: it
   * gets non-enumerable `toJSON` and `util.inspect.custom` members that
   * print a copy with `keys` (every member with `'all'`) redacted; other
   * members print as usual, each with its own rules. Reading the members is
   * unchanged. A copy made by spreading or structuredClone is a plain
   * object again: prefer SecretValue members where the readers allow it.
   *
   * @example
   * ```ts
   * const db = SecretValue.conceal({ host: 'db', password: 'pw' }, ['password']);
   * db.password;          // 'pw'
   * JSON.stringify(db);   // '{"host":"db","password":"[redacted]"}'
   * ```
   */
  static conceal<O extends object>(target: O, keys: Iterable<PropertyKey> | 'all'): O {
    const secret = keys === 'all' ? undefined : new Set(keys);
    const redactedCopy = (): unknown => {
      const redact = (key: PropertyKey, v: unknown) => (v !== undefined && (!secret || secret.has(key)) ? REDACTED : v);
      if (Array.isArray(target)) return target.map((v, i) => redact(i, v));
      const copy: Record<PropertyKey, unknown> = {};
      for (const [k, v] of Object.entries(target)) copy[k] = redact(k, v);
      return copy;
    };
    hidden(target, 'toJSON', redactedCopy);
    hidden(target, inspect.custom, redactedCopy);
    return target;
  }
}
