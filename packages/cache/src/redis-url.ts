import { ConfigError } from '@chatcore/core';
import { SecretValue } from '@chatcore/core/plugin';

/** The host[:port] part of a URL that did not parse: after the last '@' (credentials end there), up to the path. */
function authorityAfterCredentials(url: string): string {
  const start = url.indexOf('//') + 2;
  const at = url.lastIndexOf('@');
  return url.slice(Math.max(start, at + 1)).split(/[/?#]/)[0] ?? '';
}

const PORT_PROBLEM = 'has a port that is not a number from 1 to 65535';

/**
 * Why a Redis URL cannot be used, or undefined when it can: not redis:// or
 * rediss://, not a URL, or a port outside 1-65535. The same rule
 * for `cache({ redisUrl })` and the YAML `cache.redis_url`; the answer never
 * quotes the URL (it may hold a password).
 *
 * @example
 * ```ts
 * redisUrlProblem('redis://:pw@127.0.0.1:99999'); // 'has a port that is not a number from 1 to 65535'
 * redisUrlProblem('redis://:pw@127.0.0.1:6379');  // undefined
 * ```
 */
export function redisUrlProblem(url: string): string | undefined {
  if (typeof url !== 'string' || !/^rediss?:\/\//i.test(url)) return 'must be a redis:// or rediss:// URL';
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    const port = /:([^:\]]*)$/.exec(authorityAfterCredentials(url))?.[1];
    if (port !== undefined && port !== '' && !(/^\d{1,5}$/.test(port) && Number(port) >= 1 && Number(port) <= 65535)) return PORT_PROBLEM;
    return 'is not a valid URL (check the host, and percent-encode special characters of the user name and password)';
  }
  if (parsed.port === '0') return PORT_PROBLEM;
  return undefined;
}

/**
 * Check every Redis URL of the `cache()` options (`redisUrl`, `redis.url`,
 * `cluster`): a ConfigError naming the option and what is wrong, never the
 * URL and without a `cause`, since the errors the URL parser throws carry
 * the whole URL, password included.
 *
 * @example
 * ```ts
 * checkRedisUrl(new SecretValue('redis://:pw@cache:notaport'), 'redisUrl'); // throws ConfigError: cache: redisUrl has a port that is not ...
 * ```
 */
export function checkRedisUrl(url: string | SecretValue<string> | undefined, path: string): void {
  if (url === undefined) return;
  const problem = redisUrlProblem(SecretValue.reveal(url));
  if (problem) throw new ConfigError(`cache: ${path} ${problem}; give redis://[user:password@]host:port[/db] (or rediss://).`, { problems: [{ path, message: problem }] });
}
