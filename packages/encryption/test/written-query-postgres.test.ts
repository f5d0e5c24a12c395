import { randomBytes } from 'node:crypto';
import { requireService } from '@chatcore/core/testing';
import { createPool, postgres } from '@chatcore/postgres';
import { writtenQueryScenario } from './helpers/written-query-scenario.js';

await requireService('postgres');
await requireService('redis');
const admin = 'postgres://postgres@127.0.0.1:5432/test';
// Two databases of their own (fixed table names): one with the encryption plugin, one without.
const names = [0, 1].map(() => `hatch_${randomBytes(5).toString('hex')}`);
const pool = createPool({ url: admin, poolSize: 1 });
for (const n of names) await pool.query(`create database ${n}`);
await pool.end();

writtenQueryScenario('PostgreSQL', (i) => postgres({ url: `postgres://postgres@127.0.0.1:5432/${names[i]}` }), async () => {
  const p = createPool({ url: admin, poolSize: 1 });
  for (const n of names) await p.query(`drop database if exists ${n} with (force)`);
  await p.end();
}).run();
