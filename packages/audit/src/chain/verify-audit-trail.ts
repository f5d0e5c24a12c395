import { hashEvent } from './hash-chain.js';
import { readCheckpoints, readTrail, type AuditTrailSource, type CheckpointSource, type TrailEntry } from './trail-source.js';
import { GENESIS_HASH } from '../events/audit-event.js';

/**
 * The kinds of broken link verification reports.
 *
 * @example
 * ```ts
 * if (report.problem?.kind === 'truncated') alert('events removed from the tail');
 * ```
 */
export type TrailProblemKind = 'modified' | 'deleted' | 'reordered' | 'truncated' | 'malformed' | 'appended' | 'unanchored';

/**
 * The first broken link found: its kind and where (1-based position among
 * the events of the source; file and line for files).
 *
 * @example
 * ```ts
 * if (report.problem) console.error(`${report.problem.kind} at event ${report.problem.position}`);
 * ```
 */
export interface TrailProblem {
  readonly kind: TrailProblemKind;
  readonly position: number;
  readonly stream?: string | undefined;
  readonly seq?: number | undefined;
  readonly expectedSeq?: number | undefined;
  readonly file?: string | undefined;
  readonly line?: number | undefined;
  readonly message: string;
}

/**
 * Per-stream summary of a verified trail.
 *
 * @example
 * ```ts
 * for (const s of report.streams) console.log(s.stream, s.lastSeq, s.checkpointSeq);
 * ```
 */
export interface StreamSummary {
  readonly stream: string;
  readonly events: number;
  readonly lastSeq: number;
  readonly lastHash: string;
  /** Highest checkpoint of this stream (0 when none). */
  readonly checkpointSeq: number;
}

/**
 * Result of `verifyAuditTrail`.
 *
 * @example
 * ```ts
 * const report = await verifyAuditTrail('audit.log', 'audit.checkpoints');
 * if (!report.ok) process.exitCode = 1;
 * ```
 */
export interface VerifyReport {
  readonly ok: boolean;
  readonly events: number;
  readonly streams: readonly StreamSummary[];
  readonly problem?: TrailProblem | undefined;
  /**
   * What checkpoints could not vouch for without it being tampering: with
   * checkpoints given, each stream that has none and did not close cleanly
   * (a process that crashed before its first checkpoint looks the same).
   */
  readonly warnings: readonly string[];
}

interface Link {
  readonly entry: TrailEntry;
  readonly seq: number;
  readonly prevHash: string;
  readonly hash: string;
  readonly intact: boolean;
  /** The stream's `stream_closed` event. */
  readonly closes: boolean;
}

function at(entry: TrailEntry, kind: TrailProblemKind, message: string, extra: Partial<TrailProblem> = {}): TrailProblem {
  return { kind, position: entry.position, file: entry.file, line: entry.line, message, ...extra };
}

/**
 * Verify a trail: recompute every event's hash, follow `seq` and `prevHash`
 * through each writer stream, and compare with the checkpoints. Reports the
 * first broken link (smallest position): `modified` (an event's content or a
 * re-hashed chain differs), `deleted` (a sequence number is missing),
 * `reordered` (events out of sequence order), `truncated` (the trail ends
 * before the latest checkpoint), `malformed` (a line is not an event),
 * `appended` (events after the stream's `stream_closed`), `unanchored`
 * (with checkpoints given, a cleanly closed stream that has none). A stream
 * without checkpoints that did not close is a warning, not a problem.
 * Checkpoints given as an empty list or file are given: every stream then
 * has none.
 *
 * @example
 * ```ts
 * const report = await verifyAuditTrail('/var/log/app/audit.log', '/var/log/app/audit.checkpoints');
 * console.log(report.ok ? `ok, ${report.events} events` : report.problem);
 * ```
 */
export async function verifyAuditTrail(source: AuditTrailSource, checkpoints?: CheckpointSource): Promise<VerifyReport> {
  const cps = await readCheckpoints(checkpoints);
  const streams = new Map<string, Link[]>();
  const problems: TrailProblem[] = [];
  let events = 0;
  let lastPosition = 0;
  for await (const entry of readTrail(source)) {
    events++;
    lastPosition = entry.position;
    const e = entry.event;
    if (!e || typeof e.stream !== 'string' || typeof e.seq !== 'number' || typeof e.prevHash !== 'string' || typeof e.hash !== 'string') {
      // Where it claims to be, when it says (a source names an entry it could not read with `unreadable`).
      const where = typeof e?.stream === 'string' && typeof e.seq === 'number' ? { stream: e.stream, seq: e.seq } : {};
      problems.push(at(entry, 'malformed', typeof e?.unreadable === 'string' ? e.unreadable : 'not an audit event (unparseable, or without stream/seq/prevHash/hash)', where));
      continue;
    }
    const { hash, ...rest } = e;
    const intact = hashEvent(e.prevHash, rest) === hash;
    let list = streams.get(e.stream);
    if (!list) streams.set(e.stream, (list = []));
    list.push({ entry, seq: e.seq, prevHash: e.prevHash, hash, intact, closes: e.type === 'audit' && e.action === 'stream_closed' });
  }

  const byStream = new Map<string, Map<number, string>>();
  for (const cp of cps) {
    let m = byStream.get(cp.stream);
    if (!m) byStream.set(cp.stream, (m = new Map()));
    m.set(cp.seq, cp.hash);
  }
  const summaries: StreamSummary[] = [];
  const warnings: string[] = [];
  for (const [stream, links] of streams) {
    const checkpointsOf = byStream.get(stream) ?? new Map<number, string>();
    const found = walk(stream, links, checkpointsOf);
    if (found) problems.push(found);
    const last = links[links.length - 1]!;
    const cpMax = Math.max(0, ...checkpointsOf.keys());
    // Checkpoints given, even none (an empty file, a checkpoint file not written yet): each stream needs its own.
    if (!found && checkpoints !== undefined && checkpointsOf.size === 0) {
      // A writer with checkpoints writes one at close: a cleanly closed stream without any was not written by it.
      if (last.closes) {
        problems.push(at(links[0]!.entry, 'unanchored', `stream ${stream} was closed at seq ${last.seq} but no checkpoint records it: the stream was not written by a writer with these checkpoints`, { stream, seq: links[0]!.seq }));
      } else {
        warnings.push(`stream ${stream} (seq 1..${last.seq}) has no checkpoint and no stream_closed: a writer that stopped before its first checkpoint, or events no checkpoint vouches for`);
      }
    }
    summaries.push({ stream, events: links.length, lastSeq: last.seq, lastHash: last.hash, checkpointSeq: cpMax });
    if (!found && cpMax > last.seq) {
      problems.push({
        kind: 'truncated', position: lastPosition + 1, stream, seq: last.seq, expectedSeq: cpMax,
        message: `stream ${stream} ends at seq ${last.seq} but a checkpoint records seq ${cpMax}: events were removed from the tail`,
      });
    }
  }
  for (const [stream, m] of byStream) {
    if (streams.has(stream)) continue;
    const cpMax = Math.max(0, ...m.keys());
    summaries.push({ stream, events: 0, lastSeq: 0, lastHash: GENESIS_HASH, checkpointSeq: cpMax });
    problems.push({ kind: 'truncated', position: lastPosition + 1, stream, seq: 0, expectedSeq: cpMax, message: `no events of stream ${stream}, but a checkpoint records seq ${cpMax}` });
  }
  problems.sort((a, b) => a.position - b.position);
  return { ok: problems.length === 0, events, streams: summaries, problem: problems[0], warnings };
}

function walk(stream: string, links: readonly Link[], checkpoints: ReadonlyMap<number, string>): TrailProblem | undefined {
  const present = new Set(links.map((l) => l.seq));
  let expected = 1;
  let prev: Link | undefined;
  for (const link of links) {
    const { entry } = link;
    if (!link.intact) return at(entry, 'modified', `event seq ${link.seq} does not match its hash: its content was changed`, { stream, seq: link.seq });
    if (link.seq !== expected) {
      if (link.seq > expected && !present.has(expected)) {
        return at(entry, 'deleted', `seq ${expected}${link.seq - 1 > expected ? `..${link.seq - 1}` : ''} missing before this event`, { stream, seq: link.seq, expectedSeq: expected });
      }
      return at(entry, 'reordered', `seq ${link.seq} found where seq ${expected} was expected`, { stream, seq: link.seq, expectedSeq: expected });
    }
    const wantPrev = prev ? prev.hash : GENESIS_HASH;
    if (link.prevHash !== wantPrev) {
      const blamed = prev ? prev.entry : entry;
      return at(blamed, 'modified', `the chain breaks at seq ${prev ? prev.seq : link.seq}: an event was rewritten and re-hashed`, { stream, seq: prev ? prev.seq : link.seq });
    }
    if (prev?.closes) {
      return at(entry, 'appended', `seq ${link.seq} follows the stream's stream_closed (seq ${prev.seq}): events were appended to a closed stream`, { stream, seq: link.seq });
    }
    const cp = checkpoints.get(link.seq);
    if (cp !== undefined && cp !== link.hash) {
      return at(entry, 'modified', `seq ${link.seq} differs from its checkpoint: the chain up to here was rewritten`, { stream, seq: link.seq });
    }
    prev = link;
    expected++;
  }
  return undefined;
}
