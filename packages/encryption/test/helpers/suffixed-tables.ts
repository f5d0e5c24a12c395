import { postgres } from '@chatcore/postgres';
import { dropTables } from './raw-access.js';

/** Drop every table of the PostgreSQL database at `url` whose name ends in `_<suffix>` (what a scenario run made). */
export async function dropSuffixedTables(url: string, suffix: string): Promise<void> {
  const driver = postgres({ url });
  await driver.connect();
  try {
    const res = await driver.executor.execute({ sql: `select tablename from pg_tables where schemaname = 'public' and tablename like $1`, parameters: [`%\\_${suffix}`] });
    await dropTables(driver, res.rows.map((r) => String(r.tablename)));
  } finally {
    await driver.close();
  }
}
