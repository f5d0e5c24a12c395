import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { AuditCheckpoint } from '../events/audit-event.js';

/**
 * Where a trail is read from: a file path, several files in order (rotated
 * files, oldest first), an array of events, or any (async) iterable of
 * events such as the outbox reader. An iterable may yield an entry it could
 * not read as `{ stream, seq, unreadable: reason }`: it is reported as
 * `malformed` with that reason.
 *
 * @example
 * ```ts
 * const source: AuditTrailSource = ['audit.log.1', 'audit.log'];
 * ```
 */
export type AuditTrailSource =
  | string
  | readonly string[]
  | Iterable<Readonly<Record<string, unknown>>>
  | AsyncIterable<Readonly<Record<string, unknown>>>;

/**
 * Where checkpoints are read from: a checkpoint file, or a list.
 *
 * @example
 * ```ts
 * const cps: CheckpointSource = 'audit.checkpoints';
 * ```
 */
export type CheckpointSource = string | Iterable<AuditCheckpoint> | AsyncIterable<AuditCheckpoint>;

/**
 * One entry read from a source, with where it was.
 *
 * @example
 * ```ts
 * const e: TrailEntry = { position: 1, file: 'audit.log', line: 1, event: { seq: 1 } };
 * ```
 */
export interface TrailEntry {
  readonly position: number;
  readonly file?: string | undefined;
  readonly line?: number | undefined;
  /** The parsed event, or undefined when the line is not a JSON object. */
  readonly event: Readonly<Record<string, unknown>> | undefined;
}

/**
 * Read a source entry by entry; file lines that are blank are skipped but
 * still counted in `line`.
 *
 * @example
 * ```ts
 * for await (const entry of readTrail('audit.log')) console.log(entry.position, entry.event?.seq);
 * ```
 */
export async function* readTrail(source: AuditTrailSource): AsyncGenerator<TrailEntry> {
  let position = 0;
  if (typeof source === 'string' || (Array.isArray(source) && source.every((s) => typeof s === 'string'))) {
    const files = typeof source === 'string' ? [source] : (source as readonly string[]);
    for (const file of files) {
      const rl = createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity });
      let line = 0;
      for await (const text of rl) {
        line++;
        if (text.trim() === '') continue;
        position++;
        yield { position, file, line, event: parseObject(text) };
      }
    }
    return;
  }
  for await (const event of source as AsyncIterable<Readonly<Record<string, unknown>>>) {
    position++;
    yield { position, event: event && typeof event === 'object' && !Array.isArray(event) ? event : undefined };
  }
}

/**
 * Read checkpoints from a file of JSON lines or a list.
 *
 * @example
 * ```ts
 * const cps = await readCheckpoints('audit.checkpoints');
 * ```
 */
export async function readCheckpoints(source: CheckpointSource | undefined): Promise<AuditCheckpoint[]> {
  if (source === undefined) return [];
  const out: AuditCheckpoint[] = [];
  if (typeof source === 'string') {
    const rl = createInterface({ input: createReadStream(source, 'utf8'), crlfDelay: Infinity });
    for await (const text of rl) {
      const cp = parseObject(text);
      if (cp && typeof cp.stream === 'string' && typeof cp.seq === 'number' && typeof cp.hash === 'string') {
        out.push({ stream: cp.stream, seq: cp.seq, hash: cp.hash, time: typeof cp.time === 'string' ? cp.time : undefined });
      }
    }
    return out;
  }
  for await (const cp of source as AsyncIterable<AuditCheckpoint>) out.push(cp);
  return out;
}

function parseObject(text: string): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(text);
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
