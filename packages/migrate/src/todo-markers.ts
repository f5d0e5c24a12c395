import { MigrationError } from '@chatcore/core';
import type { MigrationStep } from './migration-steps.js';

/**
 * The placeholder `createMigration` writes into a backfill for a value it
 * cannot know; `migrate` refuses a migration that still holds it.
 *
 * @example
 * ```ts
 * const step = `m.backfill('users', {}, (row) => ({ plan: undefined ${backfillTodo('plan')} }));`;
 * ```
 */
export function backfillTodo(field: string): string {
  return `/* TODO: the value of ${field} for existing rows */`;
}

/**
 * The placeholder `createMigration` writes into a type change's `convert`;
 * `migrate` refuses a migration that still holds it.
 *
 * @example
 * ```ts
 * const convert = `convert: (value) => value ${conversionTodo('string', 'integer')}`;
 * ```
 */
export function conversionTodo(from: string, to: string): string {
  return `/* TODO: ${from} -> ${to} */`;
}

// The same words as above, read back from a function's source (spacing may have been reformatted).
const BACKFILL_RE = /\/\*\s*TODO: the value of ([A-Za-z_$][\w$]*) for existing rows\s*\*\//g;
const CONVERSION_RE = /\/\*\s*TODO: \S+ -> \S+\s*\*\//;

/**
 * Whether a migration's source text holds a placeholder of
 * `createMigration` (a backfill's value or a type change's conversion
 * still to write), e.g. to tell the user there is something to fill in.
 *
 * @example
 * ```ts
 * const { plan } = await createMigration(db, { dir: './migrations', name: 'add_plan' });
 * if (holdsTodo(plan.source)) console.log('replace the TODOs, then run migrate');
 * ```
 */
export function holdsTodo(source: string): boolean {
  // search(), not test(): BACKFILL_RE is global, and test() would move the lastIndex its other readers start from.
  return source.search(BACKFILL_RE) !== -1 || CONVERSION_RE.test(source);
}

/**
 * A placeholder of `createMigration` still in a step: where it is.
 *
 * @example
 * ```ts
 * const todo: UnfilledTodo = { step: 1, repository: 'users', field: 'plan' };
 * ```
 */
export interface UnfilledTodo {
  /** The step's index in the migration. */
  readonly step: number;
  readonly repository: string;
  readonly field: string;
}

/**
 * The placeholders of `createMigration` that a migration's steps still
 * hold, read from the source text of their functions. A loader that drops
 * comments (esbuild, tsx) hides them; the backfill's own check (a required
 * field left undefined) still stops such a step before it writes.
 *
 * @example
 * ```ts
 * unfilledTodos(recordSteps(migration).steps); // [{ step: 1, repository: 'users', field: 'plan' }]
 * ```
 */
export function unfilledTodos(steps: readonly MigrationStep[]): UnfilledTodo[] {
  const out: UnfilledTodo[] = [];
  steps.forEach((s, step) => {
    if (s.kind === 'backfill') {
      for (const match of String(s.fn).matchAll(BACKFILL_RE)) out.push({ step, repository: s.repository, field: match[1]! });
    } else if (s.kind === 'changeType' && CONVERSION_RE.test(String(s.convert))) {
      out.push({ step, repository: s.repository, field: s.field });
    }
  });
  return out;
}

/**
 * Refuse (MigrationError, before anything of it runs) a migration whose
 * steps still hold a placeholder of `createMigration`.
 *
 * @example
 * ```ts
 * refuseUnfilledTodos(migration.id, recordSteps(migration).steps); // MigrationError: Migration 004_plan still holds the TODO that migrate create wrote for users.plan: ...
 * ```
 */
export function refuseUnfilledTodos(id: string, steps: readonly MigrationStep[]): void {
  const todos = unfilledTodos(steps);
  if (todos.length === 0) return;
  const where = todos.map((t) => `${t.repository}.${t.field}`).join(', ');
  throw new MigrationError(
    `Migration ${id} still holds the TODO that migrate create wrote for ${where}: replace each TODO in the migration file with the value ` +
      `(a backfill's value for existing rows, a type change's conversion), then run migrate again. Nothing of it was applied.`,
    { info: { id, repository: todos[0]!.repository, field: todos[0]!.field, todos: todos.map((t) => ({ repository: t.repository, field: t.field })) } },
  );
}
