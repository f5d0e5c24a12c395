import type { SqlDriver } from '@chatcore/sql';
import type { RawAccess } from './index-attack-scenario.js';

/** Raw SQL on a driver's connection (for PGlite, the driver under test: it has one connection). */
export function sqlAccess(driver: SqlDriver): RawAccess {
  const column = (s: Parameters<RawAccess['read']>[0], f: string) => s.fields[f]!.column ?? f;
  return {
    async read(schema, id, field) {
      const res = await driver.executor.execute({ sql: `select "${column(schema, field)}" as v from "${schema.table}" where id = $1`, parameters: [id] });
      return res.rows[0]!.v;
    },
    async write(schema, id, set) {
      for (const [f, v] of Object.entries(set)) {
        await driver.executor.execute({ sql: `update "${schema.table}" set "${column(schema, f)}" = $1 where id = $2`, parameters: [v, id] });
      }
    },
  };
}

export async function dropTables(driver: SqlDriver, tables: readonly string[]): Promise<void> {
  for (const t of tables) await driver.executor.execute({ sql: `drop table if exists "${t}"`, parameters: [] });
}

