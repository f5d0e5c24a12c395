import { isIP } from 'node:net';
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
  /** Where `/metrics` is served: present only when METRICS_PORT is set (otherwise it is served nowhere). */
  readonly metrics?: MetricsListenerSettings;
}

/**
 * The listener of `/metrics`, apart from the public port.
 *
 * @example
 * ```ts
 * const metrics: MetricsListenerSettings = { port: 9464, host: '127.0.0.1' };
 * ```
 */
export interface MetricsListenerSettings {
  /** METRICS_PORT: an integer from 0 to 65535, not PORT (0 picks a free port). */
  readonly port: number;
  /** METRICS_HOST: an IP address or a host name (default 127.0.0.1: this machine only). */
  readonly host: string;
}

/** setTimeout's limit: a longer drain would fire at once. */
const MAX_DRAIN_MS = 2_147_483_647;

/**
 * Read the service's settings from the environment, strictly: a PORT,
 * METRICS_PORT, METRICS_HOST or CHATCORE_DRAIN_MS that is not a valid value
 * is an error naming the variable, so a typo stops the start-up instead of
 * becoming NaN (a NaN drain period resets every request in flight at
 * shutdown) or a listener nobody asked for. METRICS_HOST without
 * METRICS_PORT is refused too: it would leave `/metrics` unserved while the
 * operator believes it is on.
 *
 * @example
 * ```ts
 * readSettings({ PORT: '3000', CHATCORE_DRAIN_MS: '25s' }); // { configPath: 'chatcore.yaml', port: 3000, host: '0.0.0.0', drainMs: 25000 }
 * readSettings({ METRICS_PORT: '9464' }).metrics;           // { port: 9464, host: '127.0.0.1' }
 * readSettings({ CHATCORE_DRAIN_MS: 'abc' });                // throws SettingsError naming CHATCORE_DRAIN_MS
 * ```
 */
export function readSettings(env: Readonly<Record<string, string | undefined>>): ServiceSettings {
  const problems: string[] = [];
  const port = readPort('PORT', env.PORT, 8080, problems);
  const drainMs = readDrain(env.CHATCORE_DRAIN_MS, problems);
  const metrics = readMetricsListener(env, port, problems);
  if (problems.length) throw new SettingsError(problems);
  const settings = { configPath: env.CHATCORE_CONFIG || 'chatcore.yaml', port, host: env.HOST || '0.0.0.0', drainMs };
  return metrics ? { ...settings, metrics } : settings;
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

function readPort(name: string, value: string | undefined, fallback: number, problems: string[]): number {
  if (value === undefined || value === '') return fallback;
  const port = /^\d{1,5}$/.test(value) ? Number(value) : NaN;
  if (port >= 0 && port <= 65_535) return port;
  problems.push(`${name} must be an integer from 0 to 65535 (got ${shown(value)})`);
  return 0;
}

/** A host name as RFC 1123 spells it: letters, digits and hyphens in dot-separated labels. */
const HOST_NAME = /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;

function readMetricsListener(env: Readonly<Record<string, string | undefined>>, publicPort: number, problems: string[]): MetricsListenerSettings | undefined {
  const value = env.METRICS_PORT;
  const hostValue = env.METRICS_HOST;
  const hostGiven = hostValue !== undefined && hostValue !== '';
  if (hostGiven && isIP(hostValue) === 0 && !HOST_NAME.test(hostValue)) {
    // The usual slips: a URL, or host:port in one variable.
    problems.push(`METRICS_HOST must be an IP address or a host name, such as 127.0.0.1 or 0.0.0.0, without a scheme or a port (got ${shown(hostValue)})`);
  }
  if (value === undefined || value === '') {
    if (hostGiven) problems.push('METRICS_HOST is set but METRICS_PORT is not: set METRICS_PORT to serve /metrics, or unset METRICS_HOST');
    return undefined;
  }
  const before = problems.length;
  const port = readPort('METRICS_PORT', value, 0, problems);
  if (problems.length === before && port !== 0 && port === publicPort) {
    problems.push(`METRICS_PORT must differ from PORT (both ${port}): /metrics has a listener of its own, off the public port`);
  }
  return { port, host: hostGiven ? hostValue : '127.0.0.1' };
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
