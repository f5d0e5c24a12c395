import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { randomUUID } from 'node:crypto';
import { createDatabase, defineRepository, f } from '@chatcore/core';
import { memoryDriver } from '@chatcore/core/driver';

const users = defineRepository('users', { id: f.id(), login: f.string(), password: f.string().secret().optional() });
const db = createDatabase({ driver: memoryDriver(), repositories: { users } });
await db.connect();

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

/**
 * Process CPU time (every thread: scrypt runs on libuv's pool) measures the
 * work a call does; wall time on this shared machine mostly measures the
 * other processes. Both are recorded; the bound is checked on CPU time.
 */
test('verifySecret does as much work for a missing id or a record without a secret as for a wrong password (median CPU time within 20%)', async () => {
  const withSecret = await db.users.create({ login: 'alice', password: 'alice-pw' });
  const without = await db.users.create({ login: 'bob' });
  const paths: Record<string, () => Promise<boolean>> = {
    wrongPassword: () => db.users.verifySecret(withSecret.id, 'password', 'guess'),
    missingId: () => db.users.verifySecret(randomUUID(), 'password', 'guess'),
    missingSecret: () => db.users.verifySecret(without.id, 'password', 'guess'),
  };
  const samples: Record<string, number[]> = { wrongPassword: [], missingId: [], missingSecret: [] };
  const wall: Record<string, number[]> = { wrongPassword: [], missingId: [], missingSecret: [] };
  // Interleaved rounds (order rotated), so that load from other processes hits every path alike; round 0 warms up.
  // Eleven samples a path: with five, one disturbed sample in three moved a median past the bound on a busy machine.
  const names = Object.keys(paths);
  for (let round = 0; round <= 11; round++) {
    for (let i = 0; i < names.length; i++) {
      const name = names[(i + round) % names.length]!;
      const started = performance.now();
      const cpu = process.cpuUsage();
      assert.is(await paths[name]!(), false);
      const used = process.cpuUsage(cpu);
      if (round > 0) {
        samples[name]!.push((used.user + used.system) / 1000);
        wall[name]!.push(performance.now() - started);
      }
    }
  }
  const base = median(samples.wrongPassword!);
  for (const name of ['missingId', 'missingSecret']) {
    const ratio = median(samples[name]!) / base;
    assert.ok(ratio > 0.8 && ratio < 1.2, `${name}: median CPU ${median(samples[name]!).toFixed(0)} ms vs wrong password ${base.toFixed(0)} ms (ratio ${ratio.toFixed(2)}); CPU ms ${JSON.stringify(samples)}; wall ms ${JSON.stringify(wall)}`);
  }
});

test.after(() => db.close());

test.run();
