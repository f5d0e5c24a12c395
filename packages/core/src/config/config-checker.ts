import { ConfigError, type ConfigProblem } from '../errors.js';

/**
 * Where a configuration value came from: line numbers by path, and which
 * paths were filled from environment variables (their values are never
 * echoed, and numbers/booleans among them are read from strings).
 *
 * @example
 * ```ts
 * const info: SourceInfo = { name: 'chatcore.yaml', lines: new Map([['database.port', 4]]), fromEnv: new Set(['database.port']) };
 * ```
 */
export interface SourceInfo {
  readonly name: string;
  readonly lines: ReadonlyMap<string, number>;
  readonly fromEnv: ReadonlySet<string>;
}

/** Values longer than this are cut in messages. */
const ECHO_MAX = 40;
/** More problems than this are summarised. */
const LIST_MAX = 50;

/**
 * Collects every problem of one configuration instead of stopping at the
 * first, so an operator fixes a file in one pass. It also remembers secret
 * values it has seen and scrubs them from the final message, as a second line
 * of defence behind the rule that secret values are never put in messages.
 *
 * @example
 * ```ts
 * const checker = new ConfigChecker({ name: 'inline', lines: new Map(), fromEnv: new Set() }, 'snake');
 * checker.fail('database.port', 'expected an integer');
 * checker.throwIfAny(); // ConfigError listing the problem
 * ```
 */
export class ConfigChecker {
  readonly problems: ConfigProblem[] = [];
  private readonly secrets = new Set<string>();

  constructor(
    readonly source: SourceInfo,
    /** 'snake' for YAML (keys as operators write them), 'camel' for objects built in TypeScript. */
    readonly style: 'snake' | 'camel',
  ) {}

  /** Record a problem at `path`. `message` must never contain a secret value. */
  fail(path: string, message: string): void {
    this.problems.push({ path, message, line: this.lineOf(path) });
  }

  /** Remember a secret so it can be scrubbed from messages should it leak into one. */
  rememberSecret(value: unknown): void {
    if (typeof value === 'string' && value.length >= 3) this.secrets.add(value);
  }

  /** The line of `path`, or of its nearest ancestor that has one. */
  lineOf(path: string): number | undefined {
    let p = path;
    for (;;) {
      const line = this.source.lines.get(p);
      if (line !== undefined) return line;
      const cut = Math.max(p.lastIndexOf('.'), p.lastIndexOf('['));
      if (cut <= 0) return undefined;
      p = p.slice(0, cut);
    }
  }

  /** Whether the value at `path` came from an environment variable. */
  isFromEnv(path: string): boolean {
    return this.source.fromEnv.has(path);
  }

  /**
   * Describe a value for a message: its kind always, and the value itself only
   * when it is neither secret nor from the environment.
   */
  describe(value: unknown, path: string, secret: boolean): string {
    const kind = kindOf(value);
    if (secret || this.isFromEnv(path)) return kind + (this.isFromEnv(path) ? ' from the environment' : '');
    if (typeof value === 'string') {
      const cut = value.length > ECHO_MAX ? `${value.slice(0, ECHO_MAX)}...` : value;
      return `${kind} ${JSON.stringify(cut)}`;
    }
    if (typeof value === 'number' || typeof value === 'boolean') return `${kind} ${String(value)}`;
    return kind;
  }

  /** Throw one ConfigError listing every problem, if there is any. */
  throwIfAny(): void {
    if (this.problems.length === 0) return;
    const sorted = [...this.problems].sort((a, b) => (a.line ?? Infinity) - (b.line ?? Infinity));
    const lines = sorted.slice(0, LIST_MAX).map((p) => `  - ${p.path}${p.line === undefined ? '' : ` (line ${p.line})`}: ${p.message}`);
    if (sorted.length > LIST_MAX) lines.push(`  - ... and ${sorted.length - LIST_MAX} more`);
    const count = sorted.length === 1 ? '1 problem' : `${sorted.length} problems`;
    let message = `Configuration ${this.source.name} has ${count}:\n${lines.join('\n')}\nFix them and load the configuration again (docs/configuration.md lists every key).`;
    const problems = sorted.map((p) => ({ ...p, message: this.scrub(p.message) }));
    message = this.scrub(message);
    throw new ConfigError(message, { problems });
  }

  private scrub(text: string): string {
    let out = text;
    for (const s of this.secrets) out = out.split(s).join('[redacted]');
    return out;
  }
}

/**
 * A short noun phrase for the kind of a value, for messages that must not quote it.
 *
 * @example
 * ```ts
 * kindOf(['a']); // 'a list'
 * ```
 */
export function kindOf(value: unknown): string {
  if (value === null || value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  if (value instanceof Uint8Array) return 'binary data';
  if (value instanceof Date) return 'a date';
  switch (typeof value) {
    case 'string': return 'a string';
    case 'number': return 'a number';
    case 'bigint': return 'a number';
    case 'boolean': return 'a boolean';
    case 'object': return 'a map';
    default: return `a ${typeof value}`;
  }
}

/**
 * The known name closest to a mistyped one, for "did you mean" hints: a
 * camelCase/snake_case mix-up, else the one known name that begins or ends
 * with it (`sensitive` for `sensitiveFields`, `url` for `redisUrl`; none
 * when several do), else one at edit distance at most 2.
 *
 * @example
 * ```ts
 * closestName('databse', ['database', 'cache']); // 'database'
 * closestName('sensitive', ['rootKey', 'sensitiveFields']); // 'sensitiveFields'
 * ```
 */
export function closestName(name: string, known: readonly string[]): string | undefined {
  const flat = (s: string) => s.replace(/[_-]/g, '').toLowerCase();
  const exactish = known.find((k) => flat(k) === flat(name));
  if (exactish) return exactish;
  const part = flat(name);
  if (part.length >= 3) {
    const holders = known.filter((k) => flat(k).startsWith(part) || flat(k).endsWith(part));
    // Several (timeout: idleTimeout, queryTimeout, ...): no guess is better than a wrong one.
    if (holders.length === 1) return holders[0];
  }
  let best: string | undefined;
  let bestDistance = 3;
  for (const k of known) {
    const d = editDistance(name.toLowerCase(), k.toLowerCase());
    if (d < bestDistance) { best = k; bestDistance = d; }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 2) return 3;
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length]!;
}
