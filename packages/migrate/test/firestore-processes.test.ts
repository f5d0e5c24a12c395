import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createDatabase, MigrationError } from '@chatcore/core';
import { useFirestoreEmulator } from '@chatcore/firestore/testing';
import { defineMigration, migrate, migrationStatus } from '../src/index.js';
import { bumpOnce, jobsV2, seedJobs, slowFill } from './helpers/jobs.js';
import { assertResumedFill, killInDataStep, runnerChild } from './helpers/runner-child.js';
import { freshProject, fsDriver, TEST_LEASE } from './helpers/fs-database.js';

await useFirestoreEmulator();

const CHILD = fileURLToPath(new URL('./helpers/child-migrate-fs.ts', import.meta.url));
const ROWS = 1000;

const seed = (project: string) => seedJobs(fsDriver(project), ROWS);

function lastJson(out: string): { applied: string[] } {
  return JSON.parse(out.trim().split('\n').filter((l) => l.startsWith('{')).at(-1)!) as { applied: string[] };
}

test('two processes running migrate at once apply each migration exactly once', async () => {
  const project = freshProject();
  await seed(project);
  const a = runnerChild(CHILD, project, 'race');
  const b = runnerChild(CHILD, project, 'race');
  const [ra, rb] = await Promise.all([a.done, b.done]);
  assert.is(ra.code, 0, ra.out);
  assert.is(rb.code, 0, rb.out);
  assert.equal([lastJson(ra.out).applied, lastJson(rb.out).applied].flat(), ['j001_bump_once'], 'one process applied it, the other found nothing pending');
  const db = createDatabase({ driver: fsDriver(project), repositories: { jobs: jobsV2 }, schemaMode: 'verify' });
  await db.connect();
  const rows = await db.jobs.find({ where: {}, orderBy: { id: 'asc' }, limit: 10_000 });
  assert.is(rows.length, ROWS);
  assert.ok(rows.every((r) => r.n === 1 && r.label === `job ${r.title}`), 'every row was bumped once');
  const history = await db.driver.migrations!.history();
  assert.equal(history.map((h) => [h.id, Boolean(h.finishedAt)]), [['j001_bump_once', true]]);

  // An applied migration edited afterwards is refused by checksum, before anything runs.
  const edited = defineMigration({ id: 'j001_bump_once', up(m) { m.renameField('jobs', 'name', 'title'); m.addField('jobs', 'label'); } });
  try {
    await migrate(db, { migrations: [edited] });
    assert.unreachable('the edited migration ran');
  } catch (err) {
    assert.instance(err, MigrationError);
    assert.match((err as Error).message, /checksum/);
  }
  assert.equal((await migrationStatus(db, { migrations: [edited] })).map((s) => s.state), ['modified']);
  assert.ok((await db.jobs.find({ where: {}, limit: 10_000 })).every((r) => r.n === 1), 'nothing changed');
  await db.close();
});

test('a migration killed (SIGKILL) in its data step resumes and completes once its lease expires', async () => {
  const project = freshProject();
  await seed(project);
  const db = createDatabase({ driver: fsDriver(project, TEST_LEASE, 25), repositories: { jobs: jobsV2 }, schemaMode: 'off' });
  await db.driver.connect();
  const c = runnerChild(CHILD, project, 'slow');
  const rowsAtKill = await killInDataStep(db, c, 300, 1200);
  const progress: string[] = [];
  const started = Date.now();
  const result = await migrate(db, { migrations: [slowFill], concurrency: 1, onProgress: (e) => progress.push(`${e.phase}:${e.rows ?? ''}`) });
  assert.ok(Date.now() - started >= 1000, 'it waited for the dead runner\'s lease to expire');
  await assertResumedFill(db, result, progress, rowsAtKill, ROWS);
  await db.close();
});

test.run();
