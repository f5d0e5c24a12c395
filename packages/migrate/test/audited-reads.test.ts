import { PassThrough } from 'node:stream';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createDatabase } from '@chatcore/core';
import { memoryDriver } from '@chatcore/core/driver';
import { audit } from '@chatcore/audit';
import { encryption } from '@chatcore/encryption';
import { migrate } from '../src/index.js';
import { evolve, KEY, salt, ticketsV1, ticketsV2, v1Row } from './helpers/tickets.js';

const ROWS = 130;
const BATCH = 50;

test('data steps read every batch through the plugins: the audit plugin records those reads', async () => {
  const driver = memoryDriver();
  const enc = () => encryption({ keys: [{ id: 'k1', key: KEY }], rowAuthentication: 'off' });
  const db1 = createDatabase({ driver, repositories: { tickets: ticketsV1 }, plugins: [enc()] });
  await db1.connect();
  await db1.tickets.createMany(Array.from({ length: ROWS }, (_, i) => v1Row(i, salt())));
  let text = '';
  const stream = new PassThrough();
  stream.on('data', (d: Buffer) => (text += d.toString('utf8')));
  const db2 = createDatabase({ driver, repositories: { tickets: ticketsV2 }, plugins: [audit({ sinks: { console: { stream } } }), enc()], schemaMode: 'off' });
  await migrate(db2, { migrations: [evolve(BATCH)] });
  await db2.close();
  const ops = text.split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as Record<string, unknown>).filter((e) => e.type === 'operation');
  const reads = ops.filter((e) => e.family === 'read' && e.repository === 'tickets');
  // Two passes (the copies share one, the backfill is another), each ceil(130 / 50) = 3 batches.
  assert.is(reads.length, 6, JSON.stringify(reads[0]));
  assert.ok(ops.some((e) => e.family === 'update' && e.repository === 'tickets'), 'the rewrites are recorded too');
});

test.run();
