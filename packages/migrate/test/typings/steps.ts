// Misuse of the migration API that must not compile; each @ts-expect-error
// line has a twin right below it that compiles.
import { defineRepository, f } from '@chatcore/core';
import { defineMigration } from '@chatcore/migrate';

const users = defineRepository('users', { id: f.id(), name: f.string(), age: f.integer().optional(), plan: f.enum(['free', 'pro']) });

export default defineMigration({
  id: '001_typed',
  up(m) {
    // @ts-expect-error a backfill returns a patch of the repository: no such field
    m.backfill<typeof users>('users', {}, () => ({ nickname: 'x' }));
    m.backfill<typeof users>('users', {}, () => ({ name: 'x' }));
    // @ts-expect-error a patch value has the field's type
    m.backfill<typeof users>('users', {}, () => ({ plan: 'gold' }));
    m.backfill<typeof users>('users', {}, () => ({ plan: 'pro' }));
    // @ts-expect-error the row is typed: age is a number or null
    m.backfill<typeof users>('users', {}, (row) => ({ name: row.age.toFixed() }));
    m.backfill<typeof users>('users', {}, (row) => ({ name: String(row.age ?? 0) }));
    // @ts-expect-error where is the repository's filter
    m.backfill<typeof users>('users', { where: { nickname: 'x' } }, () => undefined);
    m.backfill<typeof users>('users', { where: { plan: 'free' } }, () => undefined);
    // @ts-expect-error changeType needs a convert function
    m.changeType('users', 'age', { from: 'string' });
    m.changeType('users', 'age', { from: 'string', convert: (v) => Number(v) });
  },
});
