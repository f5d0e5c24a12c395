import { randomInt } from 'node:crypto';
import type { StoredRow } from '@chatcore/core/plugin';
import type { RepositoryPlan } from '../repository-plan.js';
import type { RotationContext } from './reencrypt-job.js';
import { scanFields } from './table-scan.js';

// The sample the key check reads (checkKeys, health, keys status and rotate):
// a few of the oldest and a few of the newest rows of a repository, so that
// both old and current keys are met, in a bounded number of small reads.
// Every read is in ascending id order: the Firestore emulator cannot scan
// document ids backwards, so "the last rows by id" is not asked for.

/** How far before now the first look for the newest rows starts, and how much further back each next look goes. */
const FIRST_LOOK_BACK_MS = 1000;
const LOOK_BACK_GROWTH = 16;
/** Looks before the rows right after the head are read instead: the last one goes 8.5 years back. */
const MAX_LOOKS = 8;

const UUIDV7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/**
 * The millisecond a UUIDv7 (the default id, lowercase as chatcore makes
 * it) was made, or undefined for any other id.
 *
 * @example
 * ```ts
 * uuidv7Time('01905a2f-cb00-7000-8000-000000000000'); // 1719500000000 (2024-06-27T14:53:20Z)
 * uuidv7Time('user-12'); // undefined
 * ```
 */
export function uuidv7Time(id: string): number | undefined {
  return UUIDV7.test(id) ? parseInt(id.slice(0, 8) + id.slice(9, 13), 16) : undefined;
}

/**
 * The smallest UUIDv7 of a millisecond: every UUIDv7 made at or after it
 * sorts after it (but the id of that exact value), every earlier one before.
 *
 * @example
 * ```ts
 * uuidv7Floor(1719500000000); // '01905a2f-cb00-7000-8000-000000000000'
 * ```
 */
export function uuidv7Floor(ms: number): string {
  const hex = Math.max(0, Math.floor(ms)).toString(16).padStart(12, '0');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-7000-8000-000000000000`;
}

const HEX = '0123456789abcdef';
const CLASSES = ['0123456789', 'abcdefghijklmnopqrstuvwxyz', 'ABCDEFGHIJKLMNOPQRSTUVWXYZ'];

/**
 * A random id of the shape of `id`: each hex digit of an id made of hex
 * digits of one case and dashes (a UUIDv4) replaced by a random hex digit
 * of that case; otherwise each digit, lowercase or uppercase letter by a
 * random one of its kind.
 *
 * @example
 * ```ts
 * randomIdLike('user-0042'); // e.g. 'kqzm-7310'
 * ```
 */
export function randomIdLike(id: string): string {
  const hex = /^[0-9a-f-]+$/.test(id) ? HEX : /^[0-9A-F-]+$/.test(id) ? HEX.toUpperCase() : undefined;
  let out = '';
  for (const c of id) {
    const set = hex ? (c === '-' ? undefined : hex) : CLASSES.find((k) => k.includes(c));
    out += set ? set[randomInt(set.length)] : c;
  }
  return out;
}

type ReadAfter = (after: string | null) => Promise<StoredRow[]>;

/**
 * The newest rows of a repository whose ids tell the time (UUIDv7): look
 * back 1 s, 16 s, 4 min, ... (at most 8 looks, the last 8.5 years; then
 * the rows right after the head) until a look holds `rows` rows or reaches
 * the head; then the rows of the previous look (all the rows after it: the
 * newest), completed from this one.
 */
async function newestByTime(read: ReadAfter, headEnd: string, since: number, rows: number, now: number): Promise<StoredRow[]> {
  let newest: StoredRow[] = [];
  for (let look = 0, back = FIRST_LOOK_BACK_MS; ; look++, back *= LOOK_BACK_GROWTH) {
    const pivot = look < MAX_LOOKS && now - back > since ? uuidv7Floor(now - back) : headEnd;
    const found = await read(pivot);
    if (found.length === rows || pivot === headEnd) {
      const have = new Set(newest.map((r) => r.id));
      return [...newest, ...found.filter((r) => !have.has(r.id))].slice(0, rows);
    }
    newest = found;
  }
}

/**
 * A sample of a repository, read below every plugin: its first `rows` rows
 * by id (the oldest writes), then `rows` of its newest ones, so that both
 * old and current keys are met. With time-ordered ids (UUIDv7, the
 * default), the newest rows are found by reading the ids made since a few
 * points before now, each further back (see newestByTime): at most 9 small
 * reads after the first, a single one when `rows` ids were made in the
 * last second or the head itself is that recent.
 * With other ids, where the id order says nothing of the age, the rows
 * after a random id of their shape. Every read is ascending (the Firestore
 * emulator has no descending document-id scan) and returns at most `rows`
 * rows.
 *
 * @example
 * ```ts
 * for await (const rows of sample(ctx, plan, 3)) ...
 * ```
 */
export async function* sample(ctx: RotationContext, plan: RepositoryPlan, rows: number): AsyncGenerator<StoredRow[]> {
  const select = scanFields(plan);
  const read: ReadAfter = (after) =>
    ctx.host.session.query(plan.storage!, { orderBy: [{ field: 'id', direction: 'asc' }], limit: rows, ...(after === null ? {} : { after: [after] }), select }, {});
  const head = await read(null);
  if (head.length === 0) return;
  yield head;
  if (head.length < rows) return;
  const headEnd = head.at(-1)!.id as string;
  const since = uuidv7Time(headEnd);
  let tail: StoredRow[];
  if (since !== undefined) tail = await newestByTime(read, headEnd, since, rows, Date.now());
  else {
    const pivot = randomIdLike(headEnd);
    tail = await read(pivot > headEnd ? pivot : headEnd);
  }
  // A backend whose collation orders ids otherwise than JavaScript may return head rows again.
  const seen = new Set(head.map((r) => r.id));
  const rest = tail.filter((r) => !seen.has(r.id));
  if (rest.length) yield rest;
}
