import { createDatabase, type AnyRepositoryDef } from '@chatcore/core';
import { postgres } from '@chatcore/postgres';
import { encryption, type EncryptionOptions } from '../../src/index.js';
import { everyBackend } from './every-backend.js';
import { KEY_A } from './keys.js';

export type BackendName = 'memory' | 'pglite' | 'postgres' | 'firestore';
export const BACKENDS: readonly BackendName[] = ['memory', 'pglite', 'postgres', 'firestore'];

/**
 * Databases on the four backends of `everyBackend`, for a test file that
 * compares the same calls with and without the plugin: each is opened on a
 * fresh driver, and `close` closes them all and drops their PostgreSQL tables.
 *
 * @example
 * ```ts
 * const backends = await useBackends();
 * const db = await backends.open('pglite', { docs }, { encrypted: true });
 * test.after(() => backends.close());
 * ```
 */
export async function useBackends() {
  const drivers = new Map((await everyBackend()).map((b) => [b.name, b.driver]));
  const opened: { db: { close(): Promise<void> }; tables: string[]; name: BackendName }[] = [];
  return {
    /** A connected database on `name`, with the encryption plugin when `encrypted` (options added to a fixed key). */
    async open<R extends Record<string, AnyRepositoryDef>>(name: BackendName, repositories: R, options: { encrypted: boolean; plugin?: EncryptionOptions }) {
      const plugins = options.encrypted ? [encryption({ keys: [{ id: 'k1', key: KEY_A }], ...options.plugin })] : [];
      const db = createDatabase({ driver: drivers.get(name)!(), repositories, plugins });
      await db.connect();
      opened.push({ db, name, tables: Object.values(repositories).map((r) => r.schema.table) });
      return db;
    },
    /** Close every database opened, dropping the PostgreSQL tables. */
    async close() {
      const drop = postgres({ url: 'postgres://postgres@127.0.0.1:5432/test' });
      await drop.connect();
      try {
        for (const { db, name, tables } of opened) {
          await db.close();
          if (name === 'postgres') for (const t of tables) await drop.executor.execute({ sql: `drop table if exists "${t}"`, parameters: [] });
        }
      } finally {
        await drop.close();
      }
    },
  };
}
