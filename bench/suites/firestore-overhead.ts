import { randomBytes } from 'node:crypto';
import { v7 as uuidv7 } from 'uuid';
import { Firestore, Timestamp, type CollectionReference } from '@google-cloud/firestore';
import { createDatabase, defineRepository, f } from '@chatcore/core';
import { useFirestoreEmulator } from '@chatcore/firestore/testing';
import { firestore } from '@chatcore/firestore';
import { compare, fmt, pairedCpuRatio, type VariantResult } from '../lib/measure.js';

const BULK = 2000;
const BULK_CALLS = Number(process.env.BENCH_FS_BULK_CALLS ?? 3);
const GETS = Number(process.env.BENCH_FS_GETS ?? 500);
const ROUNDS = Number(process.env.BENCH_FS_ROUNDS ?? 7);
const MAX_OVERHEAD = 0.2;

const messages = defineRepository('bench_fs_messages', {
  id: f.id(),
  conversationId: f.string(),
  role: f.enum(['user', 'assistant', 'system']),
  body: f.text(),
  tokens: f.integer(),
  meta: f.json<Record<string, unknown>>().optional(),
  createdAt: f.timestamp().createdAt(),
  version: f.version(),
});

function input(i: number, run: string) {
  return { conversationId: `c-${run}`, role: 'user' as const, body: `message ${i} `.repeat(8), tokens: i, meta: { model: 'x', i } };
}

/** Rows in the suites' format: ops/s (wall) and CPU per operation, and the CPU ratio to the raw SDK (the figure the target is about). */
function cpuRows(title: string, results: readonly VariantResult[], perCall: number): string[] {
  return results.map((r) => {
    const ratio = pairedCpuRatio(r, results[0]!);
    const goal = !r.name.startsWith('repo.') ? '' : ` (${ratio >= 1 ? '+' : ''}${((ratio - 1) * 100).toFixed(1)}%; target ≤ +${MAX_OVERHEAD * 100}%: ${ratio <= 1 + MAX_OVERHEAD ? 'met' : 'MISSED'})`;
    return `| ${title} | ${r.name} | ${fmt(r.opsPerSec * perCall)} | ${(r.cpuMicrosPerOp / perCall).toFixed(1)} | | ${ratio.toFixed(2)}x CPU${goal} |`;
  });
}

/**
 * Issue 5 benchmark: client CPU time (user + system) per operation of the
 * repository (createDatabase, no plugins) and of the raw SDK doing the same
 * work against the same emulator: createMany of 2,000 documents (raw:
 * batches of 500 create() writes, same documents and encoding) and get by
 * id (raw: doc(id).get() with the same decoding). The raw baseline uses the
 * driver's own SDK client (same settings, its request deadlines included),
 * so the ratio is the repository's own cost; a client with the SDK's
 * default settings is shown for reference. The emulator's latency
 * dominates wall time, so CPU is what is compared. Medians of 7
 * alternating rounds; the CPU ratio is the median of per-round ratios.
 */
export async function firestoreOverhead(out: string[]): Promise<void> {
  const emu = await useFirestoreEmulator();
  const projectId = `chatcore-bench-${randomBytes(4).toString('hex')}`;
  const driver = firestore({ projectId, emulatorHost: emu.host });
  const db = createDatabase({ driver, repositories: { messages } });
  await db.connect();
  // The baseline runs the raw SDK on the driver's own client, so the ratio is
  // what the repository code adds; a client with the SDK's default settings
  // is shown for reference.
  const sameClient = driver.firestore.collection('bench_fs_messages_raw');
  const plain = new Firestore({ projectId, host: emu.host, ssl: false, useBigInt: true });
  const plainClient = plain.collection('bench_fs_messages_plain');
  let calls = 0;
  const rawCreateMany = async (col: CollectionReference) => {
    const run = `r${calls++}`;
    const docs = Array.from({ length: BULK }, (_, i) => {
      const v = input(i, run);
      return { id: uuidv7(), data: { ...v, meta: JSON.stringify(v.meta), createdAt: Timestamp.now(), version: 1 } };
    });
    for (let i = 0; i < docs.length; i += 500) {
      const batch = col.firestore.batch();
      for (const d of docs.slice(i, i + 500)) batch.create(col.doc(d.id), d.data);
      await batch.commit();
    }
    return docs.map((d) => d.id);
  };
  const rawGet = async (col: CollectionReference, id: string) => {
    const snap = await col.doc(id).get();
    const d = snap.data()!;
    return { id: snap.id, ...d, tokens: Number(d.tokens), version: Number(d.version), createdAt: (d.createdAt as Timestamp).toDate(), meta: JSON.parse(d.meta as string) };
  };
  const repoCreateMany = async () => (await db.messages.createMany(Array.from({ length: BULK }, (_, i) => input(i, `p${calls++}`)))).map((r) => r.id);
  const BASE = 'raw SDK, driver\'s client';
  const PLAIN = 'raw SDK, default client (reference)';
  try {
    const ids = { same: await rawCreateMany(sameClient), plain: await rawCreateMany(plainClient), repo: await repoCreateMany() };
    const bulk = await compare(
      [
        { name: BASE, op: () => rawCreateMany(sameClient) },
        { name: 'repo.createMany', op: repoCreateMany },
        { name: PLAIN, op: () => rawCreateMany(plainClient) },
      ],
      { count: BULK_CALLS, inFlight: 1, rounds: ROUNDS, warmup: 1 },
    );
    out.push(...cpuRows(`createMany ${BULK.toLocaleString('en-US')} docs (per document)`, bulk, BULK));
    const pick = (list: readonly string[], i: number) => list[(i * 7919) % list.length]!;
    const gets = await compare(
      [
        { name: BASE, op: (i) => rawGet(sameClient, pick(ids.same, i)) },
        { name: 'repo.get', op: (i) => db.messages.get(pick(ids.repo, i)) },
        { name: PLAIN, op: (i) => rawGet(plainClient, pick(ids.plain, i)) },
      ],
      { count: GETS, inFlight: 1, rounds: ROUNDS, warmup: 100 },
    );
    out.push(...cpuRows('get by id, 1 in flight', gets, 1));
  } finally {
    await db.close();
    await plain.terminate();
    await emu.stop();
  }
}
