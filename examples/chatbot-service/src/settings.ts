import { parseDuration } from '@chatcore/core/config';

/**
 * Where and how the service runs, read from the environment by
 * `readSettings`.
 *
 * @example
 * ```ts
 * const settings: ServiceSettings = { configPath: 'chatcore.yaml', port: 8080, host: '0.0.0.0', drainMs: 25_000 };
 * ```
 */
export interface ServiceSettings {
  /** CHATCORE_CONFIG, as given (default chatcore.yaml). */
  readonly configPath: string;
  /** PORT: an integer from 0 to 65535 (default 8080; 0 picks a free port). */
  readonly port: number;
  /** HOST (default 0.0.0.0). */
  readonly host: string;
  /** CHATCORE_DRAIN_MS: milliseconds, or a duration such as `25s` (default 25 s). */
  readonly drainMs: number;
}

/** setTimeout's limit: a longer drain would fire at once. */
const MAX_DRAIN_MS = 2_147_483_647;

/**
 * Read the service's settings from the environment, strictly: a PORT or
 * CHATCORE_DRAIN_MS that is not a valid value is an error naming the
 * variable, so a typo stops the start-up instead of becoming NaN (a NaN
 * drain period resets every request in flight at shutdown).
 *
 * @example
 * ```ts
 * readSettings({ PORT: '3000', CHATCORE_DRAIN_MS: '25s' }); // { configPath: 'chatcore.yaml', port: 3000, host: '0.0.0.0', drainMs: 25000 }
 * readSettings({ CHATCORE_DRAIN_MS: 'abc' });                // throws SettingsError naming CHATCORE_DRAIN_MS
 * ```
 */
export function readSettings(env: Readonly<Record<string, string | undefined>>): ServiceSettings {
  const problems: string[] = [];
  const port = readPort(env.PORT, problems);
  const drainMs = readDrain(env.CHATCORE_DRAIN_MS, problems);
  if (problems.length) throw new SettingsError(problems);
  return { configPath: env.CHATCORE_CONFIG || 'chatcore.yaml', port, host: env.HOST || '0.0.0.0', drainMs };
}

/**
 * Environment variables with values the service cannot use; `problems`
 * has one line per variable.
 *
 * @example
 * ```ts
 * try { readSettings(process.env); } catch (e) { if (e instanceof SettingsError) console.error(e.problems.join('\n')); }
 * ```
 */
export class SettingsError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`bad environment: ${problems.join('; ')}`);
    this.name = 'SettingsError';
  }
}

function shown(value: string): string {
  return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
}

function readPort(value: string | undefined, problems: string[]): number {
  if (value === undefined || value === '') return 8080;
  const port = /^\d{1,5}$/.test(value) ? Number(value) : NaN;
  if (port >= 0 && port <= 65_535) return port;
  problems.push(`PORT must be an integer from 0 to 65535 (got ${shown(value)})`);
  return 0;
}

function readDrain(value: string | undefined, problems: string[]): number {
  if (value === undefined || value === '') return 25_000;
  let ms: number;
  try {
    ms = parseDuration(value, 'CHATCORE_DRAIN_MS');
  } catch {
    ms = NaN;
  }
  if (ms >= 0 && ms <= MAX_DRAIN_MS) return ms;
  problems.push(`CHATCORE_DRAIN_MS must be milliseconds or a duration such as "25s", "500ms" or "2m", at most 24 days (got ${shown(value)})`);
  return 0;
}
