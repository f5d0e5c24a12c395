import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { randomBytes } from 'node:crypto';
import { pglite } from '@chatcore/pglite';
import type { SqlDriver } from '@chatcore/sql';
import { plaintextScenario } from './helpers/plaintext-scenario.js';
import { rotationScenario } from './helpers/rotation-scenario.js';

/** Every row of every table of the run, as JSON text. */
async function sqlDump(driver: SqlDriver, tables: string[]): Promise<string> {
  const parts: string[] = [];
  for (const t of tables) {
    const res = await driver.executor.execute({ sql: `select row_to_json(x)::text as j from "${t}" x`, parameters: [] });
    parts.push(...res.rows.map((r) => String(r.j)));
  }
  return parts.join('\n');
}

test('PGlite: no sensitive value in the stored data after every write path and blind-index query', async () => {
  const driver = pglite();
  const suffix = randomBytes(4).toString('hex');
  const result = await plaintextScenario(driver, suffix, (schemas) => sqlDump(driver, [...schemas.values()].map((s) => s.table)));
  assert.ok(result.secrets.length > 400);
});

// PGlite has one connection, so the job and the writer take turns: 3k rows keep the file fast (memory and PostgreSQL run 10k).
test('PGlite: rotation of 3k rows under a live writer', async () => {
  await rotationScenario(pglite(), randomBytes(4).toString('hex'), 3000);
});

test.run();
