import type { Plugin } from '../plugin/plugin.js';

/**
 * Report a plugin hook that failed where failing the call would be worse
 * (the data is already committed, or the hook only observes): a process
 * warning with code `CHATCORE_PLUGIN_HOOK`.
 *
 * @example
 * ```ts
 * try { await p.afterCommit!(event); } catch (e) { warnHook(p, 'afterCommit', e); }
 * ```
 */
export function warnHook(p: Plugin, hook: string, error: unknown): void {
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  process.emitWarning(`chatcore plugin ${p.name} failed in ${hook} (the data is committed): ${message}`, { code: 'CHATCORE_PLUGIN_HOOK' });
}
