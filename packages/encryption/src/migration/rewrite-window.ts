import type { RepositoryPlan } from '../repository-plan.js';

/**
 * Open the window in which a migration's data step rewrites a repository:
 * while any is open, a row without an authenticator that holds no
 * protected value (written before the repository had one) is read, and its
 * rewrite adds the authenticator (see `checkRow`). Returns the function
 * that closes it (idempotent), or undefined when the repository does not
 * require authenticators.
 *
 * @example
 * ```ts
 * const close = openRewriteWindow(plan);
 * try { await runDataStep(); } finally { close?.(); }
 * ```
 */
export function openRewriteWindow(plan: RepositoryPlan): (() => void) | undefined {
  if (plan.authMode !== 'required') return undefined;
  plan.rewrites.open++;
  let open = true;
  return () => {
    if (open) plan.rewrites.open--;
    open = false;
  };
}
