import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { createDatabase, defineRepository, f } from '@chatcore/core';
import { postgres } from '@chatcore/postgres';
import { encryption, type EncryptionOptions } from '@chatcore/encryption';
import { memoryDriver } from '@chatcore/core/testing';
import { compare, pairedCpuRatio, rows, type VariantResult } from '../lib/measure.js';

const URL = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const OPS = Number(process.env.BENCH_OPS ?? 4000);
const ROWS = 20_000;
const MEMORY_OPS = Number(process.env.BENCH_MEMORY_OPS ?? 10_000);
/**
 * The get and lookup comparisons: 31 shorter rounds instead of 7 of OPS.
 * The budget (5%) is the size of one round's noise on a shared machine, so
 * the paired median needs many rounds to settle (15 left it between 0.89x
 * and 1.05x from run to run on a quiet machine).
 */
const PAIRED_ROUNDS = 31;
const PAIRED_OPS = Math.max(200, Math.round(OPS / 2));

/** The contact record of the encryption-pg suite: three sensitive fields, one searchable. */
const contacts = (table: string) =>
  defineRepository(
    'contacts',
    {
      id: f.id(),
      name: f.string({ max: 200 }),
      email: f.string({ max: 320 }).sensitive({ searchable: true }),
      phone: f.string({ max: 40 }).sensitive(),
      ssn: f.string({ max: 20 }).sensitive(),
      visits: f.integer().default(0),
      version: f.version(),
    },
    { table },
  );

/**
 * `pnpm bench encryption-integrity`: what the encryption plugin's integrity
 * checks cost end to end on PostgreSQL, each against the same plugin with
 * that check off, same run, alternating rounds (paired ratios):
 * - the per-row authenticator (`rowAuthentication: 'off'` as baseline) on
 *   get by id and createMany 10k (target: ≥ 0.95x, i.e. ≤ 5% cost), and on
 *   update by id for reference (it adds one read per record);
 * - blind-index verification (`verifyLookups: false` as baseline) on a
 *   blind-index lookup (target ≥ 0.95x);
 * - the noise floor: `get` on two identical databases with the check off
 *   (any ratio other than 1.00x there is the comparison's own swing);
 * - the same on the memory driver, as client CPU only (no server sharing
 *   the cores, so the figure moves less with the machine's load).
 */
export async function encryptionIntegrity(out: string[]): Promise<void> {
  const raw = new pg.Pool({ connectionString: URL, max: 2 });
  const tables = ['bench_int_on', 'bench_int_noauth', 'bench_int_noverify', 'bench_int_noauth2'];
  await raw.query(`DROP TABLE IF EXISTS ${tables.join(', ')}`);
  const key = randomBytes(32).toString('base64');
  const open = async (table: string, options: EncryptionOptions) => {
    const db = createDatabase({ driver: postgres({ url: URL, poolSize: 10 }), repositories: { contacts: contacts(table) }, plugins: [encryption({ keys: [{ id: 'bench', key }], ...options })] });
    await db.connect();
    return db;
  };
  const on = await open(tables[0]!, {});
  const noAuth = await open(tables[1]!, { rowAuthentication: 'off' });
  const noVerify = await open(tables[2]!, { verifyLookups: false });
  // A second database identical to noAuth: the noise floor of comparing two databases (A/A).
  const twin = await open(tables[3]!, { rowAuthentication: 'off' });
  const make = (n: number, tag: string) =>
    Array.from({ length: n }, (_, i) => ({ name: `person ${tag} ${i}`, email: `p${tag}${i}@example.com`, phone: `+1-555-${String(i).padStart(7, '0')}`, ssn: `${100 + (i % 800)}-${10 + (i % 89)}-${1000 + (i % 8999)}` }));
  const ids = { on: [] as string[], noAuth: [] as string[], noVerify: [] as string[], twin: [] as string[] };
  for (let off = 0; off < ROWS; off += 5000) {
    for (const r of await on.contacts.createMany(make(5000, `s${off}`))) ids.on.push(r.id);
    for (const r of await noAuth.contacts.createMany(make(5000, `s${off}`))) ids.noAuth.push(r.id);
    for (const r of await noVerify.contacts.createMany(make(5000, `s${off}`))) ids.noVerify.push(r.id);
    for (const r of await twin.contacts.createMany(make(5000, `s${off}`))) ids.twin.push(r.id);
  }
  await raw.query(`ANALYZE ${tables.join('; ANALYZE ')}`);
  const pick = (list: string[], i: number) => list[(i * 7919) % list.length]!;
  const target = { min: 0.95 };

  for (const inFlight of [1, 16]) {
    const r = await compare(
      [
        { name: 'get, authenticator off', op: (i) => noAuth.contacts.get(pick(ids.noAuth, i)) },
        { name: 'get, authenticator checked', op: (i) => on.contacts.get(pick(ids.on, i)) },
      ],
      { count: PAIRED_OPS, inFlight, rounds: PAIRED_ROUNDS },
    );
    out.push(...rows(`get by id, ${inFlight} in flight`, r, 'get, authenticator off', { ...target, variant: 'get, authenticator checked' }));
  }
  // The same comparison between two identical databases: how far a ratio strays when nothing differs.
  const aa = await compare(
    [
      { name: 'get, authenticator off', op: (i) => noAuth.contacts.get(pick(ids.noAuth, i)) },
      { name: 'get, authenticator off (identical second database)', op: (i) => twin.contacts.get(pick(ids.twin, i)) },
    ],
    { count: PAIRED_OPS, inFlight: 16, rounds: PAIRED_ROUNDS },
  );
  out.push(...rows('get by id, 16 in flight, noise floor (A/A: nothing differs)', aa, 'get, authenticator off'));

  // Before createMany: it grows the authenticated tables to 180k rows, and the lookup compares
  // tables of the same size (20k rows each).
  const lookup = (i: number) => {
    const k = (i * 7919) % ROWS;
    return `ps${k - (k % 5000)}${k % 5000}@example.com`;
  };
  for (const inFlight of [1, 16]) {
    const r = await compare(
      [
        { name: 'blind-index lookup, not verified', op: (i) => noVerify.contacts.findOne({ where: { email: lookup(i) } }) },
        { name: 'blind-index lookup, verified', op: (i) => on.contacts.findOne({ where: { email: lookup(i) } }) },
      ],
      { count: PAIRED_OPS, inFlight, rounds: PAIRED_ROUNDS },
    );
    out.push(...rows(`findOne by email, ${inFlight} in flight`, r, 'blind-index lookup, not verified', { ...target, variant: 'blind-index lookup, verified' }));
  }

  let batch = 0;
  const bulk = await compare(
    [
      { name: 'createMany 10k, authenticator off', op: () => noAuth.contacts.createMany(make(10_000, `b${batch++}`)) },
      { name: 'createMany 10k, authenticator written', op: () => on.contacts.createMany(make(10_000, `b${batch++}`)) },
    ],
    // One operation a round: 31 rounds. A round's ratio moves by ±10% on this shared machine, twice the 5% budget, so
    // the paired median needs many of them to settle (15 left it between 0.89x and 1.00x from run to run).
    { count: 1, inFlight: 1, warmup: 1, rounds: 31 },
  );
  out.push(...rows('createMany 10k records (ops/s x 10,000 = records/s)', bulk, 'createMany 10k, authenticator off', { ...target, variant: 'createMany 10k, authenticator written' }));

  const updates = await compare(
    [
      { name: 'update (no encrypted field), authenticator off', op: (i) => noAuth.contacts.update(pick(ids.noAuth, i), { visits: { increment: 1 } }) },
      { name: 'update (no encrypted field), authenticator kept', op: (i) => on.contacts.update(pick(ids.on, i), { visits: { increment: 1 } }) },
    ],
    { count: Math.round(OPS / 4), inFlight: 16 },
  );
  out.push(...rows('update by id, 16 in flight (reference: one extra read per record)', updates, 'update (no encrypted field), authenticator off'));

  await memoryCpu(out, key, make);

  await raw.query(`DROP TABLE IF EXISTS ${tables.join(', ')}`);
  await on.close();
  await noAuth.close();
  await noVerify.close();
  await twin.close();
  await raw.end();
}

type Contact = { name: string; email: string; phone: string; ssn: string };

/**
 * Client CPU of each check on the memory driver, paired per round: `get`
 * and a blind-index `findOne` 16 in flight, then `createMany` of 1,000 records.
 * The figure is the plugin's work and nothing else (no network, no server).
 * Each database holds 200 records (the memory driver scans them for a lookup).
 */
async function memoryCpu(out: string[], key: string, make: (n: number, tag: string) => Contact[]): Promise<void> {
  const open = async (options: EncryptionOptions) => {
    const db = createDatabase({ driver: memoryDriver(), repositories: { contacts: contacts('contacts') }, plugins: [encryption({ keys: [{ id: 'bench', key }], ...options })] });
    await db.connect();
    return db;
  };
  const dbs = { on: await open({}), noAuth: await open({ rowAuthentication: 'off' }), noVerify: await open({ verifyLookups: false }) };
  const ids = { on: [] as string[], noAuth: [] as string[] };
  for (const r of await dbs.on.contacts.createMany(make(200, 's0'))) ids.on.push(r.id);
  for (const r of await dbs.noAuth.contacts.createMany(make(200, 's0'))) ids.noAuth.push(r.id);
  await dbs.noVerify.contacts.createMany(make(200, 's0'));
  const at = (list: string[], i: number) => list[(i * 7919) % list.length]!;
  const email = (i: number) => `ps0${(i * 7919) % 200}@example.com`;
  const line = (what: string, results: VariantResult[]) => {
    const [base, variant] = results as [VariantResult, VariantResult];
    const delta = variant.cpuMicrosPerOp - base.cpuMicrosPerOp;
    out.push(`| client CPU per op, memory driver | ${what} | | ${variant.cpuMicrosPerOp.toFixed(2)} vs ${base.cpuMicrosPerOp.toFixed(2)} | | ${(1 / pairedCpuRatio(variant, base)).toFixed(2)}x (${delta >= 0 ? '+' : ''}${delta.toFixed(2)} µs) |`);
  };
  const settle = () => (globalThis as { gc?: () => void }).gc?.();
  line('get, authenticator checked vs off', await compare(
    [
      { name: 'off', op: (i) => dbs.noAuth.contacts.get(at(ids.noAuth, i)) },
      { name: 'on', op: (i) => dbs.on.contacts.get(at(ids.on, i)) },
    ],
    { count: MEMORY_OPS, inFlight: 16, rounds: 15, settle },
  ));
  line('findOne by email, verified vs not verified', await compare(
    [
      { name: 'not verified', op: (i) => dbs.noVerify.contacts.findOne({ where: { email: email(i) } }) },
      { name: 'verified', op: (i) => dbs.on.contacts.findOne({ where: { email: email(i) } }) },
    ],
    { count: Math.round(MEMORY_OPS / 4), inFlight: 16, rounds: 15, settle },
  ));
  let batch = 0;
  const many = await compare(
    [
      { name: 'off', op: () => dbs.noAuth.contacts.createMany(make(1000, `m${batch++}`)) },
      { name: 'on', op: () => dbs.on.contacts.createMany(make(1000, `m${batch++}`)) },
    ],
    { count: 3, inFlight: 1, rounds: 15, warmup: 2, settle },
  );
  line('createMany 1,000 records, authenticator written vs off (per record)', [many[0]!, many[1]!].map((r) => ({ ...r, cpuMicrosPerOp: r.cpuMicrosPerOp / 1000, cpuRounds: r.cpuRounds.map((c) => c / 1000) })));
  for (const db of Object.values(dbs)) await db.close();
}
