// Client CPU time per operation that the repository adds over the raw SDK
// doing the same work against the same emulator. Wall time is dominated by
// the emulator, so this measures process CPU (user + system).
//
//   npx tsc -b packages/firestore && node --import tsx packages/firestore/bench/cpu-overhead.ts
// (built code, as users run it; add --conditions=@chatcore/source to measure the sources)
//
// Needs the emulator (scripts/firestore-emulator.sh start). Not part of the test suite.
import { randomBytes } from 'node:crypto';
import { Firestore, Timestamp } from '@google-cloud/firestore';
import { createDatabase, defineRepository, f } from '@chatcore/core';
import { firestore } from '@chatcore/firestore';

process.env.METADATA_SERVER_DETECTION ??= 'none';
const host = process.env.FIRESTORE_EMULATOR_HOST ?? '127.0.0.1:8080';
const projectId = `chatcore-bench-${randomBytes(4).toString('hex')}`;
const ROUNDS = Number(process.env.ROUNDS ?? 5);
const BULK = 2000;
const GETS = Number(process.env.GETS ?? 400);

const messages = defineRepository('messages', {
  id: f.id(),
  conversationId: f.string(),
  role: f.enum(['user', 'assistant', 'system']),
  body: f.text(),
  tokens: f.integer(),
  meta: f.json<Record<string, unknown>>().optional(),
  createdAt: f.timestamp().createdAt(),
  version: f.version(),
}, { table: 'bench_messages' });

const driver = firestore({ projectId, emulatorHost: host });
const db = createDatabase({ driver, repositories: { messages } });
await db.connect();
const raw = new Firestore({ projectId, host, ssl: false, useBigInt: true });
const rawCol = raw.collection('bench_messages_raw');

function input(i: number, run: string) {
  return { conversationId: `c-${run}`, role: 'user' as const, body: `message ${i} `.repeat(8), tokens: i, meta: { model: 'x', i } };
}

async function cpu(fn: () => Promise<void>): Promise<number> {
  const before = process.cpuUsage();
  await fn();
  const d = process.cpuUsage(before);
  return (d.user + d.system) / 1000;
}

const results = { rawBulk: [] as number[], repoBulk: [] as number[], rawGet: [] as number[], repoGet: [] as number[] };
let ids: string[] = [];
let rawIds: string[] = [];

for (let round = 0; round < ROUNDS + 1; round++) {
  const run = `${round}-${randomBytes(3).toString('hex')}`;
  // Raw SDK: the same documents, ids made here, batches of 500 create() writes.
  const rawBulk = await cpu(async () => {
    const docs = Array.from({ length: BULK }, (_, i) => {
      const v = input(i, run);
      return { id: `${run}-${i}`, data: { ...v, meta: JSON.stringify(v.meta), createdAt: Timestamp.now(), version: 1 } };
    });
    for (let i = 0; i < docs.length; i += 500) {
      const batch = raw.batch();
      for (const d of docs.slice(i, i + 500)) batch.create(rawCol.doc(d.id), d.data);
      await batch.commit();
    }
    rawIds = docs.map((d) => d.id);
  });
  const repoBulk = await cpu(async () => {
    const created = await db.messages.createMany(Array.from({ length: BULK }, (_, i) => input(i, run)));
    ids = created.map((r) => r.id as string);
  });
  const rawGet = await cpu(async () => {
    for (let i = 0; i < GETS; i++) {
      const snap = await rawCol.doc(rawIds[i % rawIds.length]!).get();
      const d = snap.data()!;
      void { id: snap.id, ...d, createdAt: (d.createdAt as Timestamp).toDate(), meta: JSON.parse(d.meta as string) };
    }
  });
  const repoGet = await cpu(async () => {
    for (let i = 0; i < GETS; i++) await db.messages.get(ids[i % ids.length]!);
  });
  if (round === 0) continue; // warm-up
  results.rawBulk.push(rawBulk); results.repoBulk.push(repoBulk); results.rawGet.push(rawGet); results.repoGet.push(repoGet);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
// Rounds interleave raw and repository work, so the ratio of each round is the paired comparison.
const ratio = (raw: number[], repo: number[]) => median(raw.map((r, i) => repo[i]! / r));
const pct = (x: number) => `${((x - 1) * 100).toFixed(1)}%`;
const us = (xs: number[], n: number) => ((median(xs) / n) * 1000).toFixed(1);
console.log(`Firestore emulator at ${host}, ${ROUNDS} rounds, client CPU (user + system) per operation, medians:`);
console.log(`createMany ${BULK}: raw SDK ${us(results.rawBulk, BULK)} us/doc, repository ${us(results.repoBulk, BULK)} us/doc, overhead ${pct(ratio(results.rawBulk, results.repoBulk))}`);
console.log(`get by id:       raw SDK ${us(results.rawGet, GETS)} us/op,  repository ${us(results.repoGet, GETS)} us/op,  overhead ${pct(ratio(results.rawGet, results.repoGet))}`);

await db.close();
await raw.terminate();
