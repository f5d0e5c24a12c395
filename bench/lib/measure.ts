/**
 * Measurement helpers: run an operation N times at a given concurrency and
 * report ops/s; alternate variants over rounds and take medians, so that
 * machine noise hits every variant alike.
 */

/** One variant of a benchmark: a name and a function doing one operation. */
export interface Variant {
  readonly name: string;
  /** Called once per operation with the operation's index. */
  readonly op: (i: number) => Promise<unknown>;
}

/** Result of one variant: median ops/s over rounds, CPU µs per op, and both per round (in round order). */
export interface VariantResult {
  readonly name: string;
  readonly opsPerSec: number;
  readonly cpuMicrosPerOp: number;
  readonly rounds: readonly number[];
  readonly cpuRounds: readonly number[];
}

/** Run `count` operations with `inFlight` at a time; returns wall ms and CPU µs. */
export async function drive(op: (i: number) => Promise<unknown>, count: number, inFlight: number): Promise<{ ms: number; cpuMicros: number }> {
  let next = 0;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const worker = async () => {
    while (next < count) await op(next++);
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  return { ms, cpuMicros: cpu.user + cpu.system };
}

/** Median of a list of numbers. */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/**
 * Alternate the variants over `rounds` rounds (order rotated each round),
 * each running `count` operations at `inFlight`; warm up once first.
 * `settle`, when given, runs untimed before every timed run (e.g. a full
 * garbage collection, so that no variant pays for another's garbage).
 */
export async function compare(variants: readonly Variant[], opts: { count: number; inFlight: number; rounds?: number; warmup?: number; settle?: () => void }): Promise<VariantResult[]> {
  const rounds = opts.rounds ?? 7;
  const per = new Map(variants.map((v) => [v.name, { ops: [] as number[], cpu: [] as number[] }]));
  for (const v of variants) await drive(v.op, opts.warmup ?? Math.min(opts.count, 500), opts.inFlight);
  for (let r = 0; r < rounds; r++) {
    const order = variants.map((_, i) => variants[(i + r) % variants.length]!);
    for (const v of order) {
      opts.settle?.();
      const { ms, cpuMicros } = await drive(v.op, opts.count, opts.inFlight);
      per.get(v.name)!.ops.push((opts.count / ms) * 1000);
      per.get(v.name)!.cpu.push(cpuMicros / opts.count);
    }
  }
  return variants.map((v) => {
    const p = per.get(v.name)!;
    return { name: v.name, opsPerSec: median(p.ops), cpuMicrosPerOp: median(p.cpu), rounds: p.ops, cpuRounds: p.cpu };
  });
}

/**
 * Format a comparison as markdown rows with ratios against `baseline`: the
 * ratio of the medians, and the paired ratio (the median over rounds of
 * variant / baseline within the same round), which cancels load that drifts
 * between rounds on a shared machine. The target is judged on the paired ratio.
 */
export function rows(title: string, results: readonly VariantResult[], baseline: string, target?: { variant: string; min: number }): string[] {
  const base = results.find((r) => r.name === baseline)!;
  const out = results.map((r) => {
    const ratio = r.opsPerSec / base.opsPerSec;
    const paired = median(r.rounds.map((ops, i) => ops / base.rounds[i]!));
    const goal = target && target.variant === r.name ? ` (target ≥ ${target.min}x: ${paired >= target.min ? 'met' : 'MISSED'})` : '';
    return `| ${title} | ${r.name} | ${fmt(r.opsPerSec)} | ${r.cpuMicrosPerOp.toFixed(1)} | ${ratio.toFixed(2)}x | ${paired.toFixed(2)}x${goal} |`;
  });
  return out;
}

/** An ops/s figure as the tables print it. */
export function fmt(n: number): string {
  return n >= 100 ? Math.round(n).toLocaleString('en-US') : n.toFixed(1);
}

/** Markdown table header for `rows`. */
export const HEADER = ['| benchmark | variant | ops/s (median) | CPU µs/op | vs baseline (medians) | vs baseline (paired, median of per-round ratios) |', '| --- | --- | ---: | ---: | ---: | ---: |'];

/**
 * The median over rounds of `variant`'s CPU per op divided by `baseline`'s
 * in the same round: load that drifts between rounds cancels out.
 */
export function pairedCpuRatio(variant: VariantResult, baseline: VariantResult): number {
  return median(variant.cpuRounds.map((c, i) => c / baseline.cpuRounds[i]!));
}

/**
 * Run `count` operations with `inFlight` workers, each worker doing every
 * operation with both variants one after the other (the order alternating),
 * so load that comes and goes hits both alike. Returns the median latency of
 * each, in ms; their ratio is the throughput ratio.
 */
export async function pairedLatency(a: (i: number) => Promise<unknown>, b: (i: number) => Promise<unknown>, opts: { count: number; inFlight: number }): Promise<{ a: number; b: number }> {
  const lat = { a: [] as number[], b: [] as number[] };
  let next = 0;
  const worker = async () => {
    while (next < opts.count) {
      const i = next++;
      for (const v of i % 2 === 0 ? (['a', 'b'] as const) : (['b', 'a'] as const)) {
        const t0 = performance.now();
        await (v === 'a' ? a : b)(i);
        lat[v].push(performance.now() - t0);
      }
    }
  };
  await Promise.all(Array.from({ length: opts.inFlight }, worker));
  return { a: median(lat.a), b: median(lat.b) };
}
