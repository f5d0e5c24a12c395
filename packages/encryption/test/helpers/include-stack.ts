import { createDatabase, type Relations, type RepositoryMap } from '@chatcore/core';
import { pglite } from '@chatcore/pglite';
import { countingDriver } from './counting-driver.js';
import { auditedOnion } from './audited-onion.js';
import { highEntropy } from './keys.js';

/**
 * A database on PGlite behind the standard onion (audit, encryption, cache
 * on the local Redis under `namespace`), for the include stack tests:
 * `calls()` counts driver calls, `secret()` makes a high-entropy value and
 * remembers it in `plain`, and `dump()` returns every table's rows as JSON
 * text read past the plugins (what someone with the database sees).
 */
export async function openIncludeStack<R extends RepositoryMap, Rel>(repositories: R, relations: Relations<R, Rel>, namespace: string) {
  const base = pglite();
  const { driver, calls } = countingDriver(base);
  const onion = auditedOnion({ namespace });
  const db = createDatabase({ driver, repositories, relations, plugins: onion.plugins });
  await db.connect();
  const plain: string[] = [];
  return {
    db,
    calls,
    onion,
    plain,
    secret(prefix: string): string {
      const v = highEntropy(prefix);
      plain.push(v);
      return v;
    },
    async dump(): Promise<string> {
      const rows: string[] = [];
      for (const s of db.schemas.values()) {
        const res = await base.executor.execute({ sql: `select row_to_json(x)::text as j from "${s.table}" x`, parameters: [] });
        rows.push(...res.rows.map((r) => String(r.j)));
      }
      return rows.join('\n');
    },
  };
}
