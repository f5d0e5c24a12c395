import { createHash, randomBytes } from 'node:crypto';
import { defineRepository, f } from '@chatcore/core';
import { defineMigration } from '../../src/index.js';

/** Fixed test key (test data only). */
export const KEY = createHash('sha256').update('chatcore migrate test key').digest('base64');

/** Before: what release 1 declared. */
export const ticketsV1 = defineRepository('tickets', {
  id: f.id(),
  title: f.string(),
  email: f.string().unique().sensitive({ searchable: true }),
  priority: f.string(),
  legacy: f.string().optional(),
  counter: f.integer(),
});

/** After: release 2. title → subject, email → contact (encrypted, searchable), priority string → integer, plan added (required), legacy dropped. */
export const ticketsV2 = defineRepository('tickets', {
  id: f.id(),
  subject: f.string(),
  contact: f.string().unique().sensitive({ searchable: true }),
  priority: f.integer(),
  plan: f.string(),
  counter: f.integer(),
});

/** What the concurrent writer declares: only the counter. */
export const counters = defineRepository('tickets', { id: f.id(), counter: f.integer() });

/** The migration from V1 to V2. */
export function evolve(batchSize: number) {
  return defineMigration({
    id: '002_evolve_tickets',
    up(m) {
      m.renameField('tickets', 'title', 'subject');
      m.renameField('tickets', 'email', 'contact', { batchSize });
      m.changeType('tickets', 'priority', { from: 'string', convert: (v) => Number.parseInt(String(v), 10), batchSize });
      m.addField('tickets', 'plan');
      m.backfill<typeof ticketsV2>('tickets', { batchSize }, (row) => (row.plan ? undefined : { plan: row.priority > 5 ? 'pro' : 'free' }));
      m.dropField('tickets', 'legacy');
    },
  });
}

/** Row i of the V1 data set: values the checks can recompute. */
export function v1Row(i: number, salt: string) {
  return { title: `title ${i}`, email: `u${i}-${salt}@example.com`, priority: String(i % 10), legacy: i % 3 === 0 ? null : `old ${i}`, counter: 0 };
}

/** A salt that makes every email unique to the run, so a match in a raw dump cannot be a coincidence. */
export function salt(): string {
  return randomBytes(8).toString('hex');
}
