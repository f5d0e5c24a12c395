import { ConnectionError } from '@chatcore/core';

/**
 * The error of a call that asked `target` for a connection while, or after,
 * the driver was closing: it never got one, so nothing was sent
 * (`info.sent: false`, `info.reason: 'closed'`). Not transient: retrying on
 * a closed driver cannot succeed, and it says nothing about the server, so
 * no circuit breaker counts it.
 *
 * @example
 * ```ts
 * if (ending) return Promise.reject(closedError('primary'));
 * ```
 */
export function closedError(target: string): ConnectionError {
  return new ConnectionError(
    `The database driver was closed (close() was called) before this call got a connection to ${target}: nothing was sent. ` +
      'Finish calls before closing, or open a new database to continue.',
    { info: { reason: 'closed', sent: false, phase: 'connect', target, transient: false } },
  );
}
