import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { compare, median, pairedCpuRatio, type VariantResult } from '../lib/measure.js';
import { cloak, longValues, nodeCryptoFloor, nodeCryptoNaiveNonce, nodeCryptoText, shortValues, typeormEncrypted, type ValueSubject } from './encryption-baselines.js';
import { KEY_ID, pluginDatabase, pluginPath, type PluginPath } from './encryption-plugin-paths.js';

const ROUNDS = Math.max(5, Number(process.env.BENCH_ROUNDS ?? 7));
/** Calls per variant per round (each call handles one whole list of values). */
const CALLS = Number(process.env.BENCH_ENC_CALLS ?? 20);
const SHORT = 3000;
const LONG = 600;
/** Targets: the plugin's CPU per value against the bare floor, and against each peer library. */
const FLOOR_TARGET = 1.15;
const PEER_TARGET = 0.6;

// A full collection before every timed run, so that each variant pays for
// the garbage it makes and not for another's: a cipher context leaves a
// native handle and three buffers behind, and without this the peers'
// garbage moved the plugin's ratio to the floor by 0.15x between runs.
setFlagsFromString('--expose-gc');
const fullGc = runInNewContext('gc') as () => void;

/** One thing to time: a call handling `values` values. */
interface Subject {
  readonly name: string;
  readonly values: number;
  readonly run: () => unknown;
}

const seal = (s: ValueSubject | PluginPath, values: number): Subject => ({ name: s.name, values, run: s.seal });
const open = (s: ValueSubject | PluginPath, values: number): Subject => ({ name: s.name, values, run: s.open });

/** Alternate the subjects over the rounds; per-value CPU per round comes back in `perValue`. */
async function measure(subjects: readonly Subject[]): Promise<{ results: VariantResult[]; perValue: Map<string, number[]> }> {
  const results = await compare(
    subjects.map((s) => ({ name: s.name, op: async () => s.run() })),
    { count: CALLS, inFlight: 1, rounds: ROUNDS, warmup: 3, settle: fullGc },
  );
  const perValue = new Map(results.map((r, i) => [r.name, r.cpuRounds.map((c) => c / subjects[i]!.values)]));
  return { results, perValue };
}

function spread(xs: readonly number[]): string {
  return `${Math.min(...xs).toFixed(2)}–${Math.max(...xs).toFixed(2)}`;
}

/** The paired ratio of two subjects that handle the same number of values per call. */
function ratio(results: readonly VariantResult[], a: string, b: string): number {
  return pairedCpuRatio(results.find((r) => r.name === a)!, results.find((r) => r.name === b)!);
}

/**
 * `pnpm bench encryption`: CPU per encrypted value of the plugin's write
 * (seal) and read (open) paths, against bare node:crypto AES-256-GCM and
 * two libraries users pick instead, on the same values in the same run; and
 * record mode against field mode per row. No database: see
 * encryption-plugin-paths.ts for what a plugin call includes.
 */
export async function encryptionPerValue(out: string[]): Promise<void> {
  const { db, enc } = await pluginDatabase();
  const verdicts: string[] = [];
  const table = ['| values | operation | variant | CPU µs/value (median) | spread over rounds | vs floor (paired) |', '| --- | --- | --- | ---: | ---: | ---: |'];
  const sizes = [
    { label: 'short (24 B emails)', values: shortValues(SHORT), repository: 'contacts' as const, field: 'email' },
    { label: 'long (1 KiB texts)', values: longValues(LONG), repository: 'documents' as const, field: 'notes' },
  ];
  for (const size of sizes) {
    const n = size.values.length;
    // The plugin's AAD: header (3 + key id), then u16 length + bytes of repository, field and record id.
    const aadLength = 3 + KEY_ID.length + 2 + size.repository.length + 2 + size.field.length + 2 + 36;
    const floor = nodeCryptoFloor(size.values, aadLength);
    const naive = nodeCryptoNaiveNonce(size.values, aadLength);
    const text = nodeCryptoText(size.values, aadLength);
    const plugin = await pluginPath('@chatcore/encryption, field mode (3 fields per row)', db, enc, size.repository, size.values);
    if (plugin.values !== n) throw new Error(`plugin path covers ${plugin.values} values, not ${n}`);
    const peers = [cloak(size.values), typeormEncrypted(size.values)];
    for (const s of [floor, naive, text, ...peers]) {
      if (!s.check()) throw new Error(`${s.name} did not open to the values sealed`);
    }
    for (const [operation, pick, subjects] of [
      ['seal', seal, [floor, text, naive, plugin, ...peers]],
      ['open', open, [floor, text, plugin, ...peers]],
    ] as const) {
      const { results, perValue } = await measure(subjects.map((s) => pick(s, n)));
      for (const r of results) {
        const pv = perValue.get(r.name)!;
        table.push(`| ${size.label} | ${operation} | ${r.name} | ${median(pv).toFixed(2)} | ${spread(pv)} | ${ratio(results, r.name, floor.name).toFixed(2)}x |`);
      }
      const vsFloor = ratio(results, plugin.name, floor.name);
      verdicts.push(`| ${size.label} | ${operation} | plugin / bare node:crypto ≤ ${FLOOR_TARGET}x | ${vsFloor.toFixed(2)}x | ${vsFloor <= FLOOR_TARGET ? 'met' : 'MISSED'} |`);
      verdicts.push(`| ${size.label} | ${operation} | plugin / node:crypto + base64url text, batch kept (reference) | ${ratio(results, plugin.name, text.name).toFixed(2)}x | |`);
      for (const peer of peers) {
        const vsPeer = ratio(results, plugin.name, peer.name);
        verdicts.push(`| ${size.label} | ${operation} | plugin / ${peer.name.split(' ')[0]} ≤ ${PEER_TARGET}x | ${vsPeer.toFixed(2)}x | ${vsPeer <= PEER_TARGET ? 'met' : 'MISSED'} |`);
      }
    }
  }
  out.push(`#### CPU per encrypted value, medians of ${ROUNDS} alternating rounds (${CALLS} calls of ${SHORT} short or ${LONG} long values per variant per round, a full GC before each)`, '', ...table, '');
  out.push('#### Targets (paired ratios: median over rounds of plugin / other within a round)', '', '| values | operation | target | measured | verdict |', '| --- | --- | --- | ---: | --- |', ...verdicts, '');
  out.push(...(await recordVersusField(db, enc)));
  await db.close();
}

/** Record mode (one envelope per row) against field mode (one ciphertext per field), per row, and the price of a blind index. */
async function recordVersusField(db: Awaited<ReturnType<typeof pluginDatabase>>['db'], enc: Awaited<ReturnType<typeof pluginDatabase>>['enc']): Promise<string[]> {
  const values = shortValues(SHORT);
  const lines = ['#### Record mode against field mode, short values, CPU µs per row (medians; ratio paired)', '', '| fields per row | operation | field mode | record mode | record / field |', '| ---: | --- | ---: | ---: | ---: |'];
  const paths = {
    field3: await pluginPath('field mode, 3 fields', db, enc, 'contacts', values),
    record3: await pluginPath('record mode, 3 fields', db, enc, 'sealedContacts', values),
    field1: await pluginPath('field mode, 1 field', db, enc, 'emails', values),
    record1: await pluginPath('record mode, 1 field', db, enc, 'sealedEmails', values),
    searchable1: await pluginPath('field mode, 1 searchable field', db, enc, 'lookups', values),
  };
  for (const [operation, pick] of [['seal', seal], ['open', open]] as const) {
    const subjects = [paths.field3, paths.record3, paths.field1, paths.record1].map((p) => pick(p, p.values));
    const { results, perValue } = await measure(subjects);
    for (const [k, f, r] of [[3, paths.field3, paths.record3], [1, paths.field1, paths.record1]] as const) {
      const perRow = (p: PluginPath) => median(perValue.get(p.name)!) * k;
      // Same rows per call in both modes (values / k), so the per-call ratio is the per-row ratio.
      lines.push(`| ${k} | ${operation} | ${perRow(f).toFixed(2)} | ${perRow(r).toFixed(2)} | ${ratio(results, r.name, f.name).toFixed(2)}x |`);
    }
  }
  const { results, perValue } = await measure([seal(paths.field1, paths.field1.values), seal(paths.searchable1, paths.searchable1.values)]);
  const plain = median(perValue.get(paths.field1.name)!);
  const withIndex = median(perValue.get(paths.searchable1.name)!);
  lines.push('', `Blind index (HMAC-SHA256) on a searchable field, per value written: seal ${plain.toFixed(2)} µs, seal + blind index ${withIndex.toFixed(2)} µs (${ratio(results, paths.searchable1.name, paths.field1.name).toFixed(2)}x, paired).`, '');
  return lines;
}
