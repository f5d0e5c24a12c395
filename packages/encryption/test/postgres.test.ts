import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { requireService } from '@chatcore/core/testing';
import { postgres } from '@chatcore/postgres';
import { plaintextScenario } from './helpers/plaintext-scenario.js';
import { rotationScenario } from './helpers/rotation-scenario.js';
import { indexAttackScenario } from './helpers/index-attack-scenario.js';
import { plantedIncludeRepos, plantedIncludeScenario } from './helpers/planted-include-scenario.js';
import { dropTables, sqlAccess } from './helpers/raw-access.js';
import { rollbackScenario } from './helpers/rollback-scenario.js';

await requireService('postgres');
const url = 'postgres://postgres@127.0.0.1:5432/test';

test('PostgreSQL: pg_dump of the tables holds no sensitive value; EXPLAIN of a blind-index lookup uses the index', async () => {
  const suffix = randomBytes(4).toString('hex');
  const driver = postgres({ url });
  let tables: string[] = [];
  const result = await plaintextScenario(driver, suffix, async (schemas) => {
    tables = [...schemas.values()].map((s) => s.table);
    // A real dump, as an attacker with a backup would have it.
    return execFileSync('pg_dump', ['-h', '127.0.0.1', '-U', 'postgres', '--data-only', ...tables.flatMap((t) => ['-t', t]), 'test'], { encoding: 'utf8', maxBuffer: 64 << 20 });
  });
  const check = postgres({ url });
  await check.connect();
  try {
    const people = [...result.schemas.values()].find((s) => s.name.startsWith('people_'))!;
    const col = people.fields.emailBidx!.column!;
    const plan = await check.executor.execute({ sql: `explain select * from "${people.table}" where "${col}" = $1`, parameters: ['AAAAAAAAAAAAAAAAAAAAAA'] });
    const text = plan.rows.map((r) => String(r['QUERY PLAN'])).join('\n');
    assert.match(text, /Index (Only )?Scan|Bitmap Index Scan/, text);
    // A searchable field that is neither unique nor declared indexed still gets an index on its blind index.
    const chats = [...result.schemas.values()].find((s) => s.name.startsWith('chats_'))!;
    const authorCol = chats.fields.authorBidx!.column!;
    const chatPlan = await check.executor.execute({ sql: `explain select * from "${chats.table}" where "${authorCol}" = $1`, parameters: ['AAAAAAAAAAAAAAAAAAAAAA'] });
    const chatText = chatPlan.rows.map((r) => String(r['QUERY PLAN'])).join('\n');
    assert.match(chatText, /Index (Only )?Scan|Bitmap Index Scan/, chatText);
    for (const t of tables) await check.executor.execute({ sql: `drop table if exists "${t}"`, parameters: [] });
  } finally {
    await check.close();
  }
});

test('PostgreSQL: rotation of 10k rows under a live writer', async () => {
  const suffix = randomBytes(4).toString('hex');
  const table = await rotationScenario(postgres({ url, poolSize: 8 }), suffix);
  const check = postgres({ url });
  await check.connect();
  await check.executor.execute({ sql: `drop table if exists "${table}"`, parameters: [] });
  await check.close();
});

test('PostgreSQL: a blind index copied with raw SQL never returns another record', async () => {
  const suffix = randomBytes(3).toString('hex');
  const raw = postgres({ url });
  await raw.connect();
  try {
    await indexAttackScenario(postgres({ url }), suffix, sqlAccess(raw));
  } finally {
    await dropTables(raw, ['logins', 'accounts', 'notes'].map((t) => `${t}_${suffix}`));
    await raw.close();
  }
});

test('PostgreSQL: a planted blind index does not hide the real match of an include limited per parent', async () => {
  const suffix = randomBytes(3).toString('hex');
  const raw = postgres({ url });
  await raw.connect();
  try {
    await plantedIncludeScenario(postgres({ url }), suffix, sqlAccess(raw));
  } finally {
    await dropTables(raw, plantedIncludeRepos(suffix).tables);
    await raw.close();
  }
});

test('PostgreSQL: an older ciphertext or envelope written back with raw SQL fails with IntegrityError', async () => {
  const suffix = randomBytes(3).toString('hex');
  const raw = postgres({ url });
  await raw.connect();
  try {
    await rollbackScenario(postgres({ url }), suffix, sqlAccess(raw), () => postgres({ url }));
  } finally {
    await dropTables(raw, ['rb_people', 'rb_letters'].map((t) => `${t}_${suffix}`));
    await raw.close();
  }
});

test.run();
