import type { SqlDriver } from '@chatcore/sql';
import type { StoredShape } from './acceptance.js';

/** How PostgreSQL and PGlite store the migrated tickets. */
export const sqlStored: StoredShape = {
  async dump(driver) {
    const { rows } = await (driver as SqlDriver).executor.execute({ sql: 'select t::text as line from tickets t', parameters: [] });
    return rows.map((r) => String(r.line));
  },
  fields: ['contact', 'contact_bidx', 'counter', 'id', 'plan', 'priority', 'subject'],
  integerType: 'int4',
};
