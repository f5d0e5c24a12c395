import { ConnectionError } from '@chatcore/core';
import type { ChatcoreConfig } from '@chatcore/core/config';

type DatabaseSection = ChatcoreConfig['database'];

/** A database name worth printing: one that cannot be the tail of a password that was not percent-encoded. */
const PRINTABLE_NAME = /^[^/@:?#\s]{1,63}$/;

/** host:port and database of a PostgreSQL configuration, as pg resolves them (fields, then PG* variables, then defaults). */
function postgresLocation(d: DatabaseSection, env: NodeJS.ProcessEnv): string {
  let host = d.host;
  let port = d.port === undefined ? undefined : String(d.port);
  let database = d.databaseName;
  if (d.url !== undefined) {
    try {
      const u = new URL(d.url);
      // Only the host, the port and the path: never the user name's password.
      host = u.searchParams.get('host') ?? (u.hostname || undefined);
      port = u.searchParams.get('port') ?? (u.port || undefined);
      database = decodeURIComponent(u.pathname.replace(/^\//, '')) || undefined;
    } catch {
      return 'postgres';
    }
  }
  host ??= env.PGHOST ?? 'localhost';
  port ??= env.PGPORT ?? '5432';
  database ??= env.PGDATABASE;
  return `postgres at ${host}:${port}${database !== undefined && PRINTABLE_NAME.test(database) ? `, database ${database}` : ''}`;
}

/**
 * Where the configured backend server is, for messages: PostgreSQL's
 * host:port and database, Firestore's emulator host (or the service) and
 * project. Never a URL, a user name or a password. Undefined for backends
 * that are not servers (PGlite, memory) and for custom ones.
 *
 * @example
 * ```ts
 * backendLocation(config, process.env); // 'postgres at db.internal:5432, database chat'
 * ```
 */
export function backendLocation(config: ChatcoreConfig, env: NodeJS.ProcessEnv): string | undefined {
  const d = config.database;
  if (d.backend === 'postgres') return postgresLocation(d, env);
  if (d.backend !== 'firestore') return undefined;
  // The driver's explicit emulator host wins over FIRESTORE_EMULATOR_HOST, as in the driver.
  const host = d.emulatorHost ?? env.FIRESTORE_EMULATOR_HOST;
  return `firestore at ${host ? `the emulator ${host}` : 'firestore.googleapis.com'}${d.projectId ? `, project ${d.projectId}` : ''}`;
}

/**
 * A ConnectionError that names where the backend was looked for (the
 * drivers name only their role, such as `primary`): its message is
 * prefixed with `location`, its info and cause kept. Other errors, and
 * messages that already name it, are returned as they are.
 *
 * @example
 * ```ts
 * throw withLocation(err, 'postgres at 127.0.0.1:5432, database chat'); // "postgres at 127.0.0.1:5432, database chat: The database connection to primary could not be reached ..."
 * ```
 */
export function withLocation(error: unknown, location: string | undefined): unknown {
  if (!(error instanceof ConnectionError) || location === undefined || error.message.includes(location)) return error;
  return new ConnectionError(`${location}: ${error.message}`, { cause: error, info: error.info });
}
