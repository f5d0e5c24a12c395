/**
 * A parser for `timestamptz` text values that gives exactly the Date that
 * pg's default parser (postgres-date) gives, without its regular
 * expressions. It reads the form PostgreSQL writes with DateStyle ISO,
 * `YYYY-MM-DD HH:MM:SS[.ffffff]±HH[:MM[:SS]]`, at fixed positions; any other
 * text (BC dates, years before 100 or after 9999, infinity, other
 * DateStyles) goes to `fallback`. A `find` returning 20 rows parses 20
 * timestamps per column, so this is on every read's path.
 *
 * @example
 * ```ts
 * const parse = timestamptzParser(pg.types.getTypeParser(1184));
 * parse('2026-11-27 08:29:44.124+00'); // 2026-11-27T08:29:44.124Z
 * ```
 */
export function timestamptzParser(fallback: (text: string) => unknown): (text: string) => unknown {
  return (text: string) => {
    const time = fastParse(text);
    return time === undefined ? fallback(text) : new Date(time);
  };
}

const ZERO = 48;

/** Two ASCII digits at `at`, or -1. */
function two(s: string, at: number): number {
  const a = s.charCodeAt(at) - ZERO;
  const b = s.charCodeAt(at + 1) - ZERO;
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : -1;
}

/** The time value of an ISO timestamptz text, or undefined when it is not of the plain form. */
function fastParse(s: string): number | undefined {
  const n = s.length;
  if (n < 22 || s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45 || s.charCodeAt(10) !== 32 || s.charCodeAt(13) !== 58 || s.charCodeAt(16) !== 58) return undefined;
  const hi = two(s, 0);
  const lo = two(s, 2);
  const month = two(s, 5);
  const day = two(s, 8);
  const hour = two(s, 11);
  const minute = two(s, 14);
  const second = two(s, 17);
  if (hi < 0 || lo < 0 || month < 0 || day < 0 || hour < 0 || minute < 0 || second < 0) return undefined;
  const year = hi * 100 + lo;
  // Date.UTC maps years 0-99 to 1900-1999; postgres-date corrects that, the fallback does it here.
  if (year < 100) return undefined;
  let at = 19;
  let ms = 0;
  if (s.charCodeAt(at) === 46) {
    const start = at;
    at++;
    while (at < n && s.charCodeAt(at) >= ZERO && s.charCodeAt(at) <= ZERO + 9) at++;
    if (at === start + 1) return undefined;
    // The same arithmetic as postgres-date, so that sub-millisecond digits round alike.
    ms = 1000 * parseFloat(s.slice(start, at));
  }
  const sign = s.charCodeAt(at);
  if (sign !== 43 && sign !== 45) return undefined;
  const oh = two(s, at + 1);
  if (oh < 0) return undefined;
  at += 3;
  let offset = oh * 3600;
  if (at < n) {
    if (s.charCodeAt(at) !== 58) return undefined;
    const om = two(s, at + 1);
    if (om < 0) return undefined;
    offset += om * 60;
    at += 3;
    if (at < n) {
      if (s.charCodeAt(at) !== 58) return undefined;
      const os = two(s, at + 1);
      if (os < 0) return undefined;
      offset += os;
      at += 3;
    }
  }
  if (at !== n) return undefined;
  return Date.UTC(year, month - 1, day, hour, minute, second, ms) - (sign === 45 ? -1 : 1) * offset * 1000;
}
