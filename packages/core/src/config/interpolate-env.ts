/**
 * The environment variables interpolation reads.
 *
 * @example
 * ```ts
 * const env: EnvSource = { DATABASE_URL: 'postgres://localhost/app' };
 * ```
 */
export type EnvSource = Readonly<Record<string, string | undefined>>;

/**
 * The outcome of interpolating one string: the new text, whether anything
 * was substituted, and what went wrong (never containing values).
 *
 * @example
 * ```ts
 * const r: Interpolation = interpolateEnv('${A}', {}); // r.missing: ['A']
 * ```
 */
export interface Interpolation {
  readonly value: string;
  readonly substituted: boolean;
  /** Names of variables that are unset and have no default. */
  readonly missing: readonly string[];
  /** Descriptions of malformed `${...}` expressions. */
  readonly malformed: readonly string[];
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Replace `${VAR}` with the variable's value and `${VAR:-default}` with the
 * value, or `default` when VAR is unset or empty (as in a shell). `$${` writes
 * a literal `${`. Substituted text is not interpolated again, so a value that
 * contains `${` stays as it is.
 *
 * @example
 * ```ts
 * interpolateEnv('postgres://${PGHOST:-localhost}/app', { PGHOST: 'db' }).value; // 'postgres://db/app'
 * interpolateEnv('cost: $${PRICE}', {}).value;                                 // 'cost: ${PRICE}'
 * ```
 */
export function interpolateEnv(text: string, env: EnvSource): Interpolation {
  if (!text.includes('$')) return { value: text, substituted: false, missing: [], malformed: [] };
  const missing: string[] = [];
  const malformed: string[] = [];
  let out = '';
  let substituted = false;
  let i = 0;
  while (i < text.length) {
    const ch = text[i]!;
    if (ch === '$' && text.startsWith('$${', i)) {
      out += '${';
      i += 3;
      continue;
    }
    if (ch === '$' && text[i + 1] === '{') {
      const close = text.indexOf('}', i + 2);
      if (close === -1) {
        malformed.push('a "${" without its closing "}" (write "$${" for a literal "${")');
        out += text.slice(i);
        break;
      }
      const body = text.slice(i + 2, close);
      const sep = body.indexOf(':-');
      const name = sep === -1 ? body : body.slice(0, sep);
      if (!NAME.test(name)) {
        // The text between the braces is not echoed: it may be a secret pasted in the wrong place.
        malformed.push('a "${...}" whose name is not a variable name (use letters, digits and _, or write "$${" for a literal "${")');
        out += text.slice(i, close + 1);
      } else {
        // Own properties only: `${constructor}` or `${__proto__}` must be unset variables, not Object.prototype members.
        const own = Object.prototype.hasOwnProperty.call(env, name) ? env[name] : undefined;
        const value = typeof own === 'string' ? own : undefined;
        if (sep !== -1) out += value === undefined || value === '' ? body.slice(sep + 2) : value;
        else if (value === undefined) missing.push(name);
        else out += value;
        substituted = true;
      }
      i = close + 1;
      continue;
    }
    out += ch;
    i += 1;
  }
  return { value: out, substituted, missing, malformed };
}
