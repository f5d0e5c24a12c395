import { writeFile } from 'node:fs/promises';
import { EXIT } from '../exit-codes.js';
import type { CommandResult } from '../output.js';
import { withDatabase, type CommandContext } from '../command-context.js';
import { planSchema, type SchemaPlan } from './schema-check.js';
import { cannotWrite, CliError } from '../cli-error.js';
import { requireReachable } from '../reachable-backend.js';

/**
 * The three `chatcore schema` subcommands.
 *
 * @example
 * ```ts
 * const action: SchemaAction = 'verify';
 * ```
 */
export type SchemaAction = 'plan' | 'apply' | 'verify';

const MIGRATION_HINT = 'chatcore never drops, retypes or backfills data itself: write a migration for these differences (`chatcore migrate create <name>`, docs/migrations.md), then run `chatcore migrate up`.';

function describe(plan: SchemaPlan, withSql: boolean): string[] {
  const out: string[] = [];
  for (const s of plan.additive) {
    out.push(`  + ${s.description}`);
    if (withSql && s.sql) out.push(...s.sql.split('\n').map((l) => `      ${l}`));
  }
  for (const d of plan.destructive) out.push(`  ! ${d}`);
  for (const n of plan.notes) out.push(`  note: ${n}`);
  return out;
}

/**
 * `--firestore-indexes <file>`: the composite indexes the driver reported
 * (`artifacts.firestoreIndexes`), written as a firestore.indexes.json file;
 * without the option, a line saying how to get them.
 */
async function writeIndexes(plan: SchemaPlan, file: string | undefined): Promise<string[]> {
  const indexes = plan.artifacts?.firestoreIndexes as { indexes?: unknown[] } | undefined;
  if (indexes === undefined) {
    if (file !== undefined) throw new CliError('--firestore-indexes needs a Firestore backend: this one reports no composite indexes.', { exitCode: EXIT.USAGE });
    return [];
  }
  if (file === undefined) return ['Write the composite indexes to a file with `chatcore schema plan --firestore-indexes firestore.indexes.json` (also in --json output, under artifacts).'];
  await writeFile(file, `${JSON.stringify(indexes, null, 2)}\n`).catch((error: unknown) => {
    throw cannotWrite('the index file', file, error, 'pass --firestore-indexes a path in a writable folder.');
  });
  return [`Wrote ${indexes.indexes?.length ?? 0} composite index(es) to ${file}.`];
}

/**
 * `chatcore schema plan | apply | verify`. `plan` prints the additive changes
 * `ensureSchema` would make (exit 1 when a difference needs a migration);
 * `apply` makes them, under the schema lock, and refuses (exit 1, nothing
 * run) when a difference needs a migration; `verify` exits 1 on any
 * difference. Nothing but `apply` runs DDL. Each exits 1 when the backend
 * does not answer (Firestore compares locally: it is asked once first).
 *
 * @example
 * ```ts
 * const result = await schemaCommand(ctx, 'plan', { sql: true });
 * ```
 */
export async function schemaCommand(ctx: CommandContext, action: SchemaAction, options: { sql?: boolean; firestoreIndexes?: string } = {}): Promise<CommandResult> {
  return withDatabase(ctx, { connect: false, creates: action === 'apply' }, async (db, { config }) => {
    await db.driver.connect();
    await requireReachable(db, config, ctx.env);
    // plan and verify also count what the stored records hold (Firestore documents lacking a declared field).
    const plan = await planSchema(db, { thorough: action !== 'apply' });
    const refused = plan.destructive.length > 0;
    const base = { action, backend: db.driver.name, additive: plan.additive, destructive: plan.destructive, notes: plan.notes, ...(plan.artifacts ? { artifacts: plan.artifacts } : {}) };
    if (action === 'plan') {
      const text = plan.additive.length + plan.destructive.length === 0
        ? ['The schema matches the repositories: nothing to do.', ...describe(plan, false)]
        : [
            `Schema plan (${db.driver.name}): ${plan.additive.length} additive change(s), ${plan.destructive.length} difference(s) needing a migration`,
            ...describe(plan, options.sql === true),
            ...(refused ? [MIGRATION_HINT] : ['Run `chatcore schema apply` to make these changes.']),
          ];
      text.push(...(await writeIndexes(plan, options.firestoreIndexes)));
      return { exitCode: refused ? EXIT.CHECK_FAILED : EXIT.OK, json: { ...base, ok: !refused }, text };
    }
    if (action === 'verify') {
      const ok = plan.additive.length + plan.destructive.length === 0;
      const text = ok
        ? ['The schema matches the repositories.', ...describe(plan, false)]
        : [`Schema drift (${db.driver.name}):`, ...describe(plan, false), refused ? MIGRATION_HINT : 'Run `chatcore schema apply` to add what is missing.'];
      return { exitCode: ok ? EXIT.OK : EXIT.CHECK_FAILED, json: { ...base, ok }, text };
    }
    if (refused) {
      return {
        exitCode: EXIT.CHECK_FAILED,
        json: { ...base, ok: false, applied: [] },
        text: ['Refused: nothing was changed, because these differences need a migration:', ...describe({ ...plan, additive: [] }, false), MIGRATION_HINT],
      };
    }
    const report = await db.driver.ensureSchema([...db.schemas.values()], { mode: 'apply' });
    return {
      exitCode: EXIT.OK,
      json: { ...base, ok: true, applied: report.applied },
      text: report.applied.length ? [`Applied ${report.applied.length} change(s):`, ...report.applied.map((a) => `  + ${a}`)] : ['Nothing to apply: the schema matches the repositories.'],
    };
  });
}
