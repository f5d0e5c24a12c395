import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createDatabase } from '@chatcore/core';
import { requireService } from '@chatcore/core/testing';
import { migrate } from '../src/index.js';
import { jobsV2, seedJobs, slowFill } from './helpers/jobs.js';
import { assertResumedFill, killInDataStep, runnerChild } from './helpers/runner-child.js';
import { freshDatabase, pgDriver } from './helpers/pg-database.js';

await requireService('postgres');

const CHILD = fileURLToPath(new URL('./helpers/child-migrate.ts', import.meta.url));
const ROWS = 2000;

const seed = (url: string) => seedJobs(pgDriver(url), ROWS);

test('two processes running migrate at once apply each migration exactly once', async () => {
  const database = await freshDatabase();
  try {
    await seed(database.url);
    const a = runnerChild(CHILD, database.url, 'race');
    const b = runnerChild(CHILD, database.url, 'race');
    const [ra, rb] = await Promise.all([a.done, b.done]);
    assert.is(ra.code, 0, ra.out);
    assert.is(rb.code, 0, rb.out);
    const applied = [ra.out, rb.out].map((o) => JSON.parse(o.trim().split('\n').at(-1)!).applied as string[]);
    assert.equal(applied.flat(), ['j001_bump_once'], 'one process applied it, the other found nothing pending');
    const db = createDatabase({ driver: pgDriver(database.url), repositories: { jobs: jobsV2 }, schemaMode: 'verify' });
    await db.connect();
    const rows = await db.jobs.find({ where: {}, orderBy: { id: 'asc' }, limit: 10_000 });
    assert.is(rows.length, ROWS);
    assert.ok(rows.every((r) => r.n === 1 && r.label === `job ${r.title}`), 'every row was bumped once');
    const history = await db.driver.migrations!.history();
    assert.equal(history.map((h) => [h.id, Boolean(h.finishedAt)]), [['j001_bump_once', true]]);
    await db.close();
  } finally {
    await database.drop();
  }
});

test('a migration killed (SIGKILL) in its data step resumes and completes', async () => {
  const database = await freshDatabase();
  try {
    await seed(database.url);
    const db = createDatabase({ driver: pgDriver(database.url), repositories: { jobs: jobsV2 }, schemaMode: 'off' });
    await db.driver.connect();
    const c = runnerChild(CHILD, database.url, 'slow');
    const rowsAtKill = await killInDataStep(db, c, 300, 600);
    const progress: string[] = [];
    const result = await migrate(db, { migrations: [slowFill], onProgress: (e) => progress.push(`${e.phase}:${e.rows ?? ''}`) });
    await assertResumedFill(db, result, progress, rowsAtKill, ROWS);
    await db.close();
  } finally {
    await database.drop();
  }
});

test.run();
