import { test } from 'uvu';
import * as assert from 'uvu/assert';
import pg from 'pg';
import { requireService } from '@chatcore/core/testing';
import { timestamptzParser } from '../src/timestamp-parser.js';
import { chatcoreTypes } from '../src/type-parsers.js';
import { PG_URL } from './helpers/pg-config.js';

await requireService('postgres');

const pgParse = pg.types.getTypeParser(1184) as (text: string) => unknown;
let fallbacks = 0;
const parse = timestamptzParser((text) => {
  fallbacks++;
  return pgParse(text);
});

/** Same result as pg's parser: both Dates with the same time value, or the same non-Date value. */
function same(text: string): void {
  const ours = parse(text);
  const theirs = pgParse(text);
  if (theirs instanceof Date) {
    assert.instance(ours, Date, text);
    assert.is((ours as Date).getTime(), theirs.getTime(), text);
  } else {
    assert.equal(ours, theirs, text);
  }
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

test('every generated ISO timestamptz text parses to the Date pg parses it to, without the fallback', () => {
  let seed = 42;
  const rand = (n: number) => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed % n;
  };
  fallbacks = 0;
  for (let i = 0; i < 20_000; i++) {
    const year = 100 + rand(9900);
    const frac = rand(4) === 0 ? '' : `.${String(rand(1_000_000)).padStart(6, '0').slice(0, 1 + rand(6))}`;
    const sign = rand(2) ? '+' : '-';
    const zone = [`${sign}${pad(rand(15))}`, `${sign}${pad(rand(15))}:${pad(rand(60))}`, `${sign}${pad(rand(15))}:${pad(rand(60))}:${pad(rand(60))}`][rand(3)]!;
    same(`${pad(year, 4)}-${pad(1 + rand(12))}-${pad(1 + rand(28))} ${pad(rand(24))}:${pad(rand(60))}:${pad(rand(60))}${frac}${zone}`);
  }
  assert.is(fallbacks, 0, 'the plain ISO form never needs the fallback');
});

test('edge cases: sub-millisecond rounding, offsets, and forms the fast path hands to pg (BC, years < 100, > 9999, infinity, other DateStyles)', () => {
  fallbacks = 0;
  for (const t of [
    '2026-11-27 08:29:44.999999+00', '2026-11-27 08:29:44.0005+00', '2026-11-27 08:29:44.001+00', '2026-12-31 23:59:59.9995-12',
    '1970-01-01 00:00:00+00', '1969-12-31 23:59:59.999+00', '2026-03-29 02:30:00+05:30', '1900-01-01 00:00:00+00:19:32',
  ]) same(t);
  assert.is(fallbacks, 0);
  for (const t of ['0044-03-15 12:00:00+00 BC', '0099-01-01 00:00:00+00', '12026-01-01 00:00:00+00', 'infinity', '-infinity', 'Fri Nov 27 08:29:44 2026 UTC', '2026-11-27T08:29:44Z']) same(t);
  assert.is(fallbacks, 7, 'each of these went to pg');
});

test('timestamps read from the server in several session time zones are the Dates pg reads', async () => {
  const ours = new pg.Client({ connectionString: PG_URL, types: chatcoreTypes });
  const theirs = new pg.Client({ connectionString: PG_URL });
  await ours.connect();
  await theirs.connect();
  try {
    const q = `select x from (values (timestamptz '2026-05-05 05:05:05.5+00'), (timestamptz '2026-11-27 08:29:44.123456+00'), (timestamptz '0001-01-01 00:00:00+00'),
      (timestamptz '1600-06-01 12:00:00+00'), (timestamptz 'infinity'), (timestamptz '4713-01-01 00:00:00+00 BC'), (null::timestamptz)) v(x)`;
    for (const zone of ['UTC', 'Asia/Kolkata', 'America/St_Johns', 'Europe/Amsterdam', 'Pacific/Chatham']) {
      await ours.query(`set time zone '${zone}'`);
      await theirs.query(`set time zone '${zone}'`);
      const a = (await ours.query(q)).rows.map((r) => r.x as unknown);
      const b = (await theirs.query(q)).rows.map((r) => r.x as unknown);
      assert.is(a.length, 7);
      a.forEach((v, i) => {
        const w = b[i];
        if (w instanceof Date) assert.is((v as Date).getTime(), w.getTime(), `${zone} row ${i}`);
        else assert.equal(v, w, `${zone} row ${i}`);
      });
    }
  } finally {
    await ours.end();
    await theirs.end();
  }
});

test.run();
