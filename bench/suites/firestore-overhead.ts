import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import { Firestore, Timestamp, type CollectionReference } from '@google-cloud/firestore';
import { createDatabase, defineRepository, f } from '@chatcore/core';
import { firestore } from '@chatcore/firestore';
import { drive, median, type Variant } from '../lib/measure.js';

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

/** A UUIDv7 like the repository's ids, so both variants give the emulator time-ordered keys. */
function uuidv7(): string {
  const b = randomBytes(16);
  b.writeUIntBE(Date.now(), 0, 6);
  b[6] = (b[6]! & 0x0f) | 0x70;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

function reachable(hostPort: string): Promise<boolean> {
  const i = hostPort.lastIndexOf(':');
  return new Promise((resolve) => {
    const socket = net.connect(Number(hostPort.slice(i + 1)), hostPort.slice(0, i));
    const done = (ok: boolean) => { socket.destroy(); resolve(ok); };
    socket.setTimeout(500, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** Reuse the emulator on FIRESTORE_EMULATOR_HOST (default 127.0.0.1:8080) or start it with the workspace script; stop only one started here. */
async function emulator(): Promise<{ host: string; stop(): void }> {
  const script = fileURLToPath(new URL('../../../scripts/firestore-emulator.sh', import.meta.url));
  const wanted = process.env.FIRESTORE_EMULATOR_HOST ?? '127.0.0.1:8080';
  const running = await reachable(wanted);
  const host = execFileSync('bash', [script, 'start'], { encoding: 'utf8', env: { ...process.env, FIRESTORE_EMULATOR_HOST: wanted } }).trim().split('\n').at(-1)!;
  return { host, stop: () => { if (!running) execFileSync('bash', [script, 'stop'], { stdio: 'ignore' }); } };
}

interface Measured {
  readonly name: string;
  readonly opsPerSec: number;
  readonly cpuMicrosPerOp: number;
  /** Median over rounds of this variant's CPU divided by the baseline's in the same round. */
  readonly cpuRatio: number;
}

/**
 * Like measure.ts's compare (warm-up, then `rounds` rounds with the order
 * rotated), but the CPU ratio is paired: each round's CPU over the
 * baseline's CPU of the same round, then the median, so load that drifts
 * during the run (2 shared cores) cancels out.
 */
async function alternate(variants: readonly Variant[], opts: { count: number; rounds: number; warmup: number }): Promise<Measured[]> {
  const per = variants.map(() => ({ ops: [] as number[], cpu: [] as number[] }));
  for (const v of variants) await drive(v.op, opts.warmup, 1);
  for (let r = 0; r < opts.rounds; r++) {
    for (let k = 0; k < variants.length; k++) {
      const i = (k + r) % variants.length;
      const { ms, cpuMicros } = await drive(variants[i]!.op, opts.count, 1);
      per[i]!.ops.push((opts.count / ms) * 1000);
      per[i]!.cpu.push(cpuMicros / opts.count);
    }
  }
  const base = per[0]!.cpu;
  return variants.map((v, i) => ({
    name: v.name,
    opsPerSec: median(per[i]!.ops),
    cpuMicrosPerOp: median(per[i]!.cpu),
    cpuRatio: median(per[i]!.cpu.map((c, r) => c / base[r]!)),
  }));
}

/** Rows in the suites' format: ops/s (wall) and CPU per operation, and the CPU ratio to the raw SDK (the figure the target is about). */
function cpuRows(title: string, results: readonly Measured[], perCall: number): string[] {
  return results.map((r) => {
    const ratio = r.cpuRatio;
    const goal = !r.name.startsWith('repo.') ? '' : ` (${ratio >= 1 ? '+' : ''}${((ratio - 1) * 100).toFixed(1)}%; target ≤ +${MAX_OVERHEAD * 100}%: ${ratio <= 1 + MAX_OVERHEAD ? 'met' : 'MISSED'})`;
    const ops = r.opsPerSec * perCall;
    return `| ${title} | ${r.name} | ${ops >= 100 ? Math.round(ops).toLocaleString('en-US') : ops.toFixed(1)} | ${(r.cpuMicrosPerOp / perCall).toFixed(1)} | | ${ratio.toFixed(2)}x CPU${goal} |`;
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
  process.env.METADATA_SERVER_DETECTION ??= 'none';
  const emu = await emulator();
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
    const bulk = await alternate(
      [
        { name: BASE, op: () => rawCreateMany(sameClient) },
        { name: 'repo.createMany', op: repoCreateMany },
        { name: PLAIN, op: () => rawCreateMany(plainClient) },
      ],
      { count: BULK_CALLS, rounds: ROUNDS, warmup: 1 },
    );
    out.push(...cpuRows(`createMany ${BULK.toLocaleString('en-US')} docs (per document)`, bulk, BULK));
    const pick = (list: readonly string[], i: number) => list[(i * 7919) % list.length]!;
    const gets = await alternate(
      [
        { name: BASE, op: (i) => rawGet(sameClient, pick(ids.same, i)) },
        { name: 'repo.get', op: (i) => db.messages.get(pick(ids.repo, i)) },
        { name: PLAIN, op: (i) => rawGet(plainClient, pick(ids.plain, i)) },
      ],
      { count: GETS, rounds: ROUNDS, warmup: 100 },
    );
    out.push(...cpuRows('get by id, 1 in flight', gets, 1));
  } finally {
    await db.close();
    await plain.terminate();
    emu.stop();
  }
}
