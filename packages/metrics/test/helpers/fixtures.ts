import { PassThrough } from 'node:stream';
import { randomBytes } from 'node:crypto';
import { defineRepository, f } from '@chatcore/core';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import type { Registry } from 'prom-client';

/** Tables of this process: test files can share one PostgreSQL database. */
export const TABLE_SUFFIX = randomBytes(4).toString('hex');

export const users = defineRepository('users', {
  id: f.id(),
  name: f.string({ max: 200 }),
  handle: f.string({ max: 100 }).unique(),
  age: f.integer().optional(),
  version: f.version(),
}, { table: `metrics_users_${TABLE_SUFFIX}` });

export const notes = defineRepository('notes', {
  id: f.id(),
  body: f.text(),
  version: f.version(),
}, { table: `metrics_notes_${TABLE_SUFFIX}` });

/** A writable stream that swallows what the audit console sink writes (and keeps it for inspection). */
export function quietStream(): PassThrough & { text: string } {
  const stream = Object.assign(new PassThrough(), { text: '' });
  stream.on('data', (d: Buffer) => (stream.text += d.toString('utf8')));
  return stream;
}

interface ParsedSample {
  readonly labels?: Record<string, string>;
  readonly value?: string;
  readonly buckets?: Record<string, string>;
  readonly count?: string;
  readonly sum?: string;
}

/** One metric family as parse-prometheus-text-format returns it. */
export interface ParsedFamily {
  readonly name: string;
  readonly help: string;
  readonly type: string;
  readonly metrics: readonly ParsedSample[];
}

/**
 * The registry's exposition text, parsed by an independent parser twice:
 * as families (types and help), and sample by sample with the comment
 * lines left out. parse-prometheus-text-format folds a histogram family
 * into one label-less object, so labelled histograms are read from the
 * second parse, where each `_bucket`, `_sum` and `_count` line keeps its labels.
 */
export async function scrape(registry: Registry): Promise<{ text: string; families: ParsedFamily[]; samples: ParsedFamily[] }> {
  const text = await registry.metrics();
  const families = parsePrometheusTextFormat(text) as ParsedFamily[];
  const samples = parsePrometheusTextFormat(text.split('\n').filter((l) => !l.startsWith('#')).join('\n')) as ParsedFamily[];
  return { text, families, samples };
}

function matches(sample: ParsedSample, labels: Record<string, string>): boolean {
  const have = sample.labels ?? {};
  return Object.keys(labels).length === Object.keys(have).length && Object.entries(labels).every(([k, v]) => have[k] === v);
}

/** The value of one sample (undefined when the series does not exist). */
export function value(families: readonly ParsedFamily[], name: string, labels: Record<string, string> = {}): number | undefined {
  const values = families.filter((x) => x.name === name).flatMap((x) => x.metrics).filter((m) => matches(m, labels));
  if (values.length > 1) throw new Error(`${values.length} samples of ${name} ${JSON.stringify(labels)}`);
  return values[0]?.value === undefined ? undefined : Number(values[0].value);
}

/** Count, sum and cumulative buckets of one labelled histogram series, from the sample-by-sample parse. */
export function histogram(samples: readonly ParsedFamily[], name: string, labels: Record<string, string>): { count: number; sum: number; buckets: Record<string, number> } | undefined {
  const count = value(samples, `${name}_count`, labels);
  if (count === undefined) return undefined;
  const buckets: Record<string, number> = {};
  for (const fam of samples.filter((x) => x.name === `${name}_bucket`)) {
    for (const m of fam.metrics) {
      const { le, ...rest } = m.labels ?? {};
      if (le !== undefined && matches({ labels: rest }, labels)) buckets[le] = Number(m.value);
    }
  }
  return { count, sum: value(samples, `${name}_sum`, labels)!, buckets };
}

/** The number of samples (with `scrape().samples`: every line of the exposition that is not a comment). */
export function seriesCount(families: readonly ParsedFamily[]): number {
  return families.reduce((n, fam) => n + fam.metrics.length, 0);
}

/** Resolves after `ms`. */
export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
