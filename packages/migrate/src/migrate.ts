import { MigrationError, type Database, type RepositoryMap } from '@chatcore/core';
import { toSnakeCase, type MigrationBackend, type MigrationRecord } from '@chatcore/core/driver';
import { recordSteps, type Migration } from './define-migration.js';
import { loadMigrations, type MigrationSource } from './load-migrations.js';
import { compileMigration, type CompiledMigration, type RepositoryInfo } from './compile-migration.js';
import { runDataStep, type StepProgress } from './run-data-step.js';
import { batchConcurrency } from './batch-concurrency.js';
import { sweepCopies } from './sweep-copies.js';
import { rewriteStep } from './rewrite-step.js';
import type { MigrationStep } from './migration-steps.js';
import { refuseUnfilledTodos } from './todo-markers.js';
import { refuseCoveredDrops } from './drop-checks.js';
import { fingerprintSteps, judgeEdit, type EditVerdict, type StepFingerprint } from './resume-edits.js';

/**
 * Options of `migrate`: where the migrations are, and an optional progress callback.
 *
 * @example
 * ```ts
 * const options: MigrateOptions = { dir: './migrations', onProgress: (e) => console.log(e.id, e.message) };
 * ```
 */
export type MigrateOptions = MigrationSource & {
  /**
   * Transactions that write one batch at once (default 4, or fewer when
   * the pool has fewer connections beside the one the migration lock
   * holds; more than it has is a ConfigError; PGlite runs them in turn).
   */
  readonly concurrency?: number;
  /** Called as each migration starts, after each batch of a data step, and as it finishes. */
  readonly onProgress?: (event: MigrationProgressEvent) => void;
};

/**
 * A progress report of `migrate`.
 *
 * @example
 * ```ts
 * const log = (e: MigrationProgressEvent) => console.log(`${e.id}: ${e.message}`);
 * ```
 */
export interface MigrationProgressEvent {
  readonly id: string;
  readonly phase: 'expand' | 'data' | 'contract' | 'done';
  readonly message: string;
  /** Rows written by the current data step so far. */
  readonly rows?: number;
}

/**
 * What `migrate` did.
 *
 * @example
 * ```ts
 * const { applied } = await migrate(db, { dir: './migrations' });
 * if (applied.length === 0) console.log('nothing to migrate');
 * ```
 */
export interface MigrateResult {
  /** Migrations applied by this call, in order (resumed ones included). */
  readonly applied: readonly string[];
  /** Those of `applied` that an earlier, interrupted run had started. */
  readonly resumed: readonly string[];
  /**
   * Those of `resumed` edited since they started, in data steps that had
   * not written a batch yet: their recorded checksum now is the code's.
   */
  readonly edited: readonly string[];
  /** The schema statements run, described. */
  readonly statements: readonly string[];
}

/**
 * One migration's state, as `migrationStatus` reports it.
 *
 * @example
 * ```ts
 * const line = (s: MigrationState) => `${s.id} ${s.state}${s.appliedAt ? ` ${s.appliedAt.toISOString()}` : ''}`;
 * ```
 */
export interface MigrationState {
  readonly id: string;
  /**
   * `interrupted`: started and not finished (the next `migrate` resumes it,
   * also after an edit to data steps that had not written a batch yet);
   * `modified`: the code's checksum differs from the one it was applied (or
   * started) with, and `migrate` refuses it. A migration whose schema
   * transaction rolled back (PostgreSQL, PGlite) is `pending`.
   */
  readonly state: 'applied' | 'pending' | 'interrupted' | 'modified';
  readonly appliedAt?: Date | undefined;
  /** What applying it does, one line per step. */
  readonly description: readonly string[];
}

interface Progress {
  readonly phase: 'data' | 'done';
  readonly steps: StepProgress[];
  /** The steps as they were when the progress was saved (see `judgeEdit`). */
  readonly fingerprint?: StepFingerprint[];
}

function backendOf(db: Database<RepositoryMap>): MigrationBackend {
  const backend = db.driver.migrations;
  if (!backend) throw new MigrationError(`The ${db.driver.name} driver does not support versioned migrations.`, { info: { driver: db.driver.name } });
  return backend;
}

function repositoriesOf(db: Database<RepositoryMap>): Map<string, RepositoryInfo> {
  const out = new Map<string, RepositoryInfo>();
  for (const [key, value] of Object.entries(db as unknown as Record<string, unknown>)) {
    const schema = (value as { schema?: { name?: unknown } } | null)?.schema;
    if (typeof schema?.name !== 'string' || typeof (value as { find?: unknown }).find !== 'function') continue;
    const storage = db.schemas.get(schema.name);
    if (storage) out.set(schema.name, { key, logical: schema as RepositoryInfo['logical'], storage });
  }
  for (const s of db.schemas.values()) if (s.ownedBy) out.set(s.name, { key: '', logical: s, storage: s });
  return out;
}

/** A record of a migration of which nothing was applied: its schema transaction rolled back. It is pending, and may be edited. */
function nothingApplied(backend: MigrationBackend, record: MigrationRecord | undefined): boolean {
  return backend.atomicSchemaChanges === true && record !== undefined && !record.finishedAt && record.progress.phase === undefined;
}

/** Why an edit to a started migration is refused, in words. */
function refusal(verdict: EditVerdict & { resumable: false }, steps: readonly MigrationStep[]): string {
  const which = verdict.step === undefined ? '' : `step ${verdict.step + 1} (${describeSteps([steps[verdict.step]!])[0]}) `;
  switch (verdict.why) {
    case 'count': return 'steps were added or removed';
    case 'applied': return `${which}changed, and its expand phase committed`;
    case 'started': return `${which}changed, and it already wrote ${verdict.rows} row(s)`;
    default: return 'its progress does not say which steps already ran';
  }
}

/**
 * Check a migration's recorded checksum against the code. Returns true
 * when it differs but may be resumed: it is unfinished and only data steps
 * that have not written a batch changed (a backfill's TODO filled in after
 * it failed). Any other difference is refused.
 */
function checkChecksum(id: string, steps: readonly MigrationStep[], checksum: string, record: MigrationRecord | undefined): boolean {
  if (!record || record.checksum === checksum) return false;
  const info = { id, recorded: record.checksum, current: checksum };
  const was = `Migration ${id} was ${record.finishedAt ? 'applied' : 'started'} with other steps than the code has now (checksum ${record.checksum.slice(0, 12)}, now ${checksum.slice(0, 12)})`;
  if (record.finishedAt) throw new MigrationError(`${was}. Never edit an applied migration: restore it and add a new one.`, { info });
  const verdict = judgeEdit(record.progress, steps);
  if (verdict.resumable) return true;
  throw new MigrationError(
    `${was}: ${refusal(verdict, steps)}. Of a started migration, only the function, where or batchSize of a data step that has not ` +
      `written a batch yet (a backfill, a type change's convert) may change before migrate resumes it: restore the rest, and put other changes in a new migration.`,
    { info: { ...info, ...(verdict.step === undefined ? {} : { step: verdict.step }) } },
  );
}

async function compile(db: Database<RepositoryMap>, backend: MigrationBackend, id: string, steps: readonly MigrationStep[]): Promise<CompiledMigration> {
  const repositories = repositoriesOf(db);
  const tables = [...repositories.values()].map((r) => r.storage.table);
  for (const s of steps) if (s.kind === 'renameRepository') tables.push(toSnakeCase(s.from));
  return compileMigration(id, steps, repositories, db.plugins, await backend.describe(tables));
}

async function applyOne(
  db: Database<RepositoryMap>,
  backend: MigrationBackend,
  migration: Migration,
  recorded: { steps: readonly MigrationStep[]; checksum: string },
  previous: MigrationRecord | undefined,
  report: (e: MigrationProgressEvent) => void,
  statements: string[],
  concurrency: number,
  edited: boolean,
): Promise<void> {
  const id = migration.id;
  const compiled = await compile(db, backend, id, recorded.steps);
  const fingerprint = fingerprintSteps(recorded.steps, compiled.dataStepOf);
  // A drop that would leave rows with an authenticator that can never be checked again: refuse before anything of it runs.
  if ((previous?.progress as Partial<Progress> | undefined)?.phase !== 'done') await refuseCoveredDrops(db, id, recorded.steps, repositoriesOf(db));
  if (edited) {
    // The steps' new fingerprint first, then the checksum: whichever of the two writes a crash leaves out, the next run judges the same.
    await backend.saveProgress(id, { ...previous!.progress, fingerprint });
  }
  await backend.start(id, recorded.checksum);
  if (edited) {
    const now = (await backend.history()).find((r) => r.id === id);
    if (now?.checksum !== recorded.checksum) throw new MigrationError(`Migration ${id}: the ${db.driver.name} driver did not record the edited migration's new checksum, so it cannot be resumed with the edit; restore the migration as it started.`, { info: { id } });
    report({ id, phase: 'data', message: `edited since it started, in data steps that had not written a batch: resuming with the edit (checksum ${recorded.checksum.slice(0, 12)} recorded)` });
  }
  const before = previous?.progress as Partial<Progress> | undefined;
  if (before?.phase === 'done') {
    // Its last schema changes committed with this progress; only finish() was lost (the process died between the two).
    await backend.finish(id);
    report({ id, phase: 'done', message: 'applied (its schema changes had committed before; recorded as finished)' });
    return;
  }
  if (compiled.data.length === 0) {
    report({ id, phase: 'expand', message: compiled.description.join('; ') });
    statements.push(...(await backend.applySchemaChanges([...compiled.expand, ...compiled.contract], compiled.contractEnsure, { id, progress: { phase: 'done', steps: [], fingerprint } })));
    await backend.finish(id);
    report({ id, phase: 'done', message: 'applied' });
    return;
  }
  const steps: StepProgress[] = [...(before?.steps ?? [])];
  if (before?.phase !== 'data') {
    report({ id, phase: 'expand', message: compiled.description.join('; ') });
    statements.push(...(await backend.applySchemaChanges(compiled.expand, compiled.expandEnsure, { id, progress: { phase: 'data', steps: [], fingerprint } })));
    steps.length = 0;
  }
  for (const [i, step] of compiled.data.entries()) {
    const start = steps[i] ?? { rows: 0, done: false };
    if (start.done) continue;
    // Rows written before a plugin kept what it now checks (no row authenticator yet) are accepted while the step rewrites them;
    // the rows it (or an earlier backfill of all rows) already rewrote must carry it again.
    const rewrite = rewriteStep(compiled, i, (j) => (j === i ? steps[i] ?? start : steps[j]));
    const releases = db.plugins.map((p) => p.migrationRewrites?.(step.repository, rewrite));
    try {
      await runDataStep(db, step, start, async (p) => {
        steps[i] = p;
        await backend.saveProgress(id, { phase: 'data', steps, fingerprint });
        report({ id, phase: 'data', message: `${step.repository}: ${step.kind === 'copy' ? step.pairs.map((x) => `${x.from} -> ${x.to}`).join(', ') : 'backfill'}`, rows: p.rows });
      }, concurrency);
    } finally {
      for (const release of releases) release?.();
    }
  }
  // Rows the previous release wrote in the old layout after a copy step passed them, copied before the old field goes.
  for (const [i, step] of compiled.data.entries()) {
    if (step.kind !== 'copy') continue;
    const rewrite = rewriteStep(compiled, i, (j) => steps[j]);
    const releases = db.plugins.map((p) => p.migrationRewrites?.(step.repository, rewrite));
    try {
      const late = await sweepCopies(db, step, concurrency);
      if (late > 0) report({ id, phase: 'data', message: `${step.repository}: ${late} row(s) written in the old layout during the migration, copied` });
    } finally {
      for (const release of releases) release?.();
    }
  }
  report({ id, phase: 'contract', message: 'finishing schema changes' });
  statements.push(...(await backend.applySchemaChanges(compiled.contract, compiled.contractEnsure, { id, progress: { phase: 'done', steps, fingerprint } })));
  await backend.finish(id);
  report({ id, phase: 'done', message: 'applied' });
}

/**
 * Apply the pending migrations, in order, under the backend's migration
 * lock (so processes that run it at once apply each migration once), then
 * create whatever else the repositories declare (as `connect()` does). A
 * migration applied before and edited since is refused (MigrationError)
 * before anything runs, and so is a pending one that still holds a TODO
 * placeholder of `createMigration`; with nothing pending it changes nothing. A
 * migration interrupted by a crash or a failure resumes where its progress
 * stands. Of an interrupted one, only data steps that have not written a
 * batch may have been edited (a backfill's TODO filled in after it failed):
 * it resumes with the edit and records the new checksum (`edited`); any
 * other edit is refused.
 *
 * On SQL each migration's schema changes run in one transaction; a
 * migration with data steps runs as expand (one transaction: rename, add
 * nullable columns), data (resumable batches through the repositories) and
 * contract (one transaction: drop old columns, set NOT NULL).
 *
 * Connects `db` (with `schemaMode: 'off'`) if it is not connected, after
 * creating the missing tables plugins own (the audit outbox), which
 * plugins read from connect on. Data
 * steps use the repositories as the code declares them now, so apply each
 * release's migrations with that release's code.
 *
 * @example
 * ```ts
 * const db = createDatabase({ driver: postgres({ url }), repositories, plugins, schemaMode: 'verify' });
 * const { applied } = await migrate(db, { dir: './migrations', onProgress: (e) => console.log(e.id, e.message) });
 * await db.connect(); // verify: clean
 * ```
 */
export async function migrate<R extends RepositoryMap>(db: Database<R>, options: MigrateOptions): Promise<MigrateResult> {
  const any = db as unknown as Database<RepositoryMap>;
  const backend = backendOf(any);
  const concurrency = batchConcurrency(options.concurrency, backend.batchConnections);
  const list = await loadMigrations(options);
  const recorded = list.map((m) => ({ migration: m, ...recordSteps(m) }));
  const report = options.onProgress ?? (() => undefined);
  await db.driver.connect();
  return backend.withLock(async () => {
    const history = new Map((await backend.history()).filter((r) => !nothingApplied(backend, r)).map((r) => [r.id, r]));
    const edited = recorded.filter((r) => checkChecksum(r.migration.id, r.steps, r.checksum, history.get(r.migration.id))).map((r) => r.migration.id);
    const pending = recorded.filter((r) => !history.get(r.migration.id)?.finishedAt);
    const statements: string[] = [];
    if (pending.length === 0) return { applied: [], resumed: [], edited: [], statements };
    // A skeleton's TODO left in place would fail half-way (or convert nothing): refuse before anything runs.
    for (const r of pending) refuseUnfilledTodos(r.migration.id, r.steps);
    // Plugins read and write their own tables from connect on (the audit outbox's chain head): create
    // the missing ones first, as every migration's expand phase would, so a new database can be migrated.
    const owned = [...db.schemas.values()].filter((s) => s.ownedBy);
    if (owned.length) statements.push(...(await db.driver.ensureSchema(owned, { mode: 'apply' })).applied);
    await db.connect({ schemaMode: 'off' });
    for (const r of pending) {
      try {
        await applyOne(any, backend, r.migration, r, history.get(r.migration.id), report, statements, concurrency, edited.includes(r.migration.id));
      } catch (err) {
        if (err instanceof MigrationError && err.info.id === r.migration.id) throw err;
        // A data step's own MigrationError names the repository, field and record: keep them at the top (info.field).
        const inner = err instanceof MigrationError ? err.info : {};
        const named = Object.fromEntries(['repository', 'field', 'record'].filter((k) => inner[k] !== undefined).map((k) => [k, inner[k]]));
        throw new MigrationError(`Migration ${r.migration.id} failed: ${err instanceof Error ? err.message : String(err)} Fix the cause and run migrate again: it resumes where it stopped (of its steps, only data steps that have not written a batch yet may be edited).`, { cause: err, info: { id: r.migration.id, ...named } });
      }
    }
    statements.push(...(await db.driver.ensureSchema([...db.schemas.values()], { mode: 'apply' })).applied);
    return { applied: pending.map((r) => r.migration.id), resumed: pending.filter((r) => history.has(r.migration.id)).map((r) => r.migration.id), edited, statements };
  });
}

/**
 * Each migration's state against the database's history: applied,
 * pending, interrupted (started, not finished; also when edited since
 * only in data steps that have not written a batch) or modified (edited
 * since it was applied or started, and refused). Reads only; takes no lock.
 *
 * @example
 * ```ts
 * for (const s of await migrationStatus(db, { dir: './migrations' })) console.log(s.id, s.state);
 * ```
 */
export async function migrationStatus<R extends RepositoryMap>(db: Database<R>, source: MigrationSource): Promise<MigrationState[]> {
  const backend = backendOf(db as unknown as Database<RepositoryMap>);
  const list = await loadMigrations(source);
  await db.driver.connect();
  const history = new Map((await backend.history()).filter((r) => !nothingApplied(backend, r)).map((r) => [r.id, r]));
  return list.map((m) => {
    const { steps, checksum } = recordSteps(m);
    const rec = history.get(m.id);
    const description = describeSteps(steps);
    if (!rec) return { id: m.id, state: 'pending', description };
    // An unfinished one edited only where nothing ran yet is resumed by migrate, edit included.
    if (rec.checksum !== checksum && (rec.finishedAt || !judgeEdit(rec.progress, steps).resumable)) return { id: m.id, state: 'modified', appliedAt: rec.finishedAt, description };
    return { id: m.id, state: rec.finishedAt ? 'applied' : 'interrupted', appliedAt: rec.finishedAt, description };
  });
}

/**
 * One line per step, for status output.
 *
 * @example
 * ```ts
 * describeSteps(recordSteps(migration).steps); // ['renameField users.email -> contact']
 * ```
 */
export function describeSteps(steps: readonly MigrationStep[]): string[] {
  return steps.map((s) => {
    switch (s.kind) {
      case 'renameRepository': return `renameRepository ${s.from} -> ${s.to}`;
      case 'renameField': return `renameField ${s.repository}.${s.from} -> ${s.to}`;
      case 'addIndex': case 'dropIndex': return `${s.kind}${s.unique ? ' (unique)' : ''} ${s.repository}(${s.fields.join(', ')})`;
      case 'changeType': return `changeType ${s.repository}.${s.field} from ${s.from}`;
      case 'backfill': return `backfill ${s.repository}`;
      default: return `${s.kind} ${s.repository}.${s.field}`;
    }
  });
}
