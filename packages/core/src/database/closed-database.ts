import { ConnectionError } from '../errors.js';

/**
 * The error of a call made on a database after `db.close()` was called:
 * refused by core before it reaches a plugin or the driver, so nothing was
 * sent (`info.sent: false`, `info.reason: 'closed'`), whatever the backend.
 *
 * @example
 * ```ts
 * if (runtime.closed) throw databaseClosedError('users.get');
 * ```
 */
export function databaseClosedError(what: string): ConnectionError {
  return new ConnectionError(
    `This database was closed (db.close() was called), so ${what} was refused: nothing was sent. Create a new database to continue.`,
    { info: { reason: 'closed', sent: false, call: what } },
  );
}
