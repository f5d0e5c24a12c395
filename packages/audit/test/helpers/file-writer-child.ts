// Spawned by file-sink.test.ts: writes N operations with the file sink, closes
// the database and returns from the module without process.exit, so the
// process must end on its own once every transport has flushed.
import { createDatabase, defineRepository, f } from '@chatcore/core';
import { memoryDriver } from '@chatcore/core/driver';
import { audit } from '@chatcore/audit';

const [dir, countText, mode] = process.argv.slice(2);
const count = Number(countText);
const file = mode === 'rotate'
  ? { path: `${dir}/audit-%DATE%.log`, rotate: { datePattern: 'YYYY-MM-DD' } }
  : { path: `${dir}/audit.log` };
const db = createDatabase({
  driver: memoryDriver(),
  // No unique field: the reference memory driver checks uniqueness by scanning, which would dominate 10,000 inserts.
  repositories: { users: defineRepository('users', { id: f.id(), name: f.string(), email: f.string() }) },
  plugins: [audit({ sinks: { file }, checkpoints: { file: `${dir}/audit.checkpoints`, every: 1000 }, reads: 'none', queue: { capacity: 1000 } })],
  allowPlaintextSensitive: true,
});
await db.connect();
let next = 0;
async function worker(): Promise<void> {
  while (next < count) {
    const i = next++;
    await db.users.create({ name: `n${i}`, email: `e${i}@example.com` } as never);
  }
}
await Promise.all(Array.from({ length: 16 }, worker));
await db.close();
