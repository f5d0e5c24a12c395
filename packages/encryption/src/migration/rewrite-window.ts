import type { MigrationRewriteStep } from '@chatcore/core/plugin';
import type { RepositoryPlan } from '../repository-plan.js';

/**
 * Open the window in which a migration's data step rewrites a repository
 * that gains its first protected field: while it is open, a row without an
 * authenticator that holds no protected value (written before the
 * repository had one) is read, and its rewrite adds the authenticator (see
 * `checkRow`), unless the migration already rewrote that row (`step.rewritten`):
 * such a row was authenticated, so one stripped of its authenticator and
 * values is refused. Returns the function that closes it (idempotent), or
 * undefined when the repository does not require authenticators or the
 * migration does not add every protected field (the rows then had
 * authenticators before it, and none may lack one).
 *
 * @example
 * ```ts
 * const close = openRewriteWindow(plan, { adds: ['phone'], rewritten: (id) => id <= lastId });
 * try { await runDataStep(); } finally { close?.(); }
 * ```
 */
export function openRewriteWindow(plan: RepositoryPlan, step: MigrationRewriteStep): (() => void) | undefined {
  if (plan.authMode !== 'required') return undefined;
  if (![...plan.fields.keys()].every((name) => step.adds.includes(name))) return undefined;
  // A fresh object per window, so that one step's release never closes another's.
  const window: MigrationRewriteStep = { adds: step.adds, rewritten: (id) => step.rewritten(id) };
  plan.rewrites.add(window);
  return () => {
    plan.rewrites.delete(window);
  };
}

/**
 * Whether a row without an authenticator and without any protected value is
 * read: only while a rewrite window is open, and only if no open window's
 * migration already rewrote it.
 *
 * @example
 * ```ts
 * const unprotected = slotsEmpty && predatesRewrites(plan, stored.id as string);
 * ```
 */
export function predatesRewrites(plan: RepositoryPlan, id: string): boolean {
  if (plan.rewrites.size === 0) return false;
  for (const w of plan.rewrites) if (w.rewritten(id)) return false;
  return true;
}
