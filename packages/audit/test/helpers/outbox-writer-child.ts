// Spawned by outbox-crash tests: writes records through a database with the
// audit outbox and prints "ACK <id>" after each write returns, until killed.
import { createDatabase } from '@chatcore/core';
import { audit } from '@chatcore/audit';
import { driverFor, outboxTables, repositories, type Backend } from './fixtures.js';

const [backend, tag, dataDir] = process.argv.slice(2) as [Backend, string, string | undefined];
const db = createDatabase({
  driver: driverFor(backend, dataDir ? { dataDir } : {}),
  repositories: repositories(tag),
  plugins: [audit({ sinks: { outbox: outboxTables(tag) }, reads: 'none' })],
  allowPlaintextSensitive: true,
});
await db.connect();
console.log('READY');
let i = 0;
async function worker(w: number): Promise<void> {
  for (;;) {
    const n = i++;
    const u = await db.users.create({ name: `n${n}`, email: `w${w}-${n}@example.com` } as never) as { id: string };
    process.stdout.write(`ACK ${u.id}\n`);
    if (n % 3 === 0) {
      await db.users.update(u.id, { age: n } as never);
      process.stdout.write(`ACK ${u.id}\n`);
    }
  }
}
await Promise.all([worker(1), worker(2), worker(3), worker(4)]);
