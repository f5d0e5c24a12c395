import type { Plugin } from '../plugin/plugin.js';

/**
 * A plugin that records the `created` flag of every upsert result coming
 * back from the driver, so a test can check it: repository methods return
 * the record only, while plugins (audit, cache) act on the flag.
 *
 * @example
 * ```ts
 * const spy = upsertSpy();
 * h.group('crud', repos, (test) => {
 *   test('upsert reports creation', async ({ db }) => {
 *     await db.items.upsert({ id: 'a', name: 'a' });
 *     assert.equal(spy.take(), [true]);
 *   });
 * }, [spy.plugin]);
 * ```
 */
export function upsertSpy(): { readonly plugin: Plugin; take(): Array<boolean | undefined> } {
  let created: Array<boolean | undefined> = [];
  const plugin: Plugin = {
    name: 'upsert-spy',
    afterCreate({ op, result }) {
      if (op.kind === 'upsert') created.push(result.created);
    },
  };
  return {
    plugin,
    /** The flags recorded since the last call, oldest first. */
    take() {
      const out = created;
      created = [];
      return out;
    },
  };
}
