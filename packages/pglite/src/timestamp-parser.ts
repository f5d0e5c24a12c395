// How PostgreSQL writes a timestamptz with DateStyle ISO: a year of four or
// more digits, optional fractional seconds, an offset, and " BC" before year 1.
const ISO = /^(\d{4,})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d)(\.\d+)?([+-])(\d\d)(?::(\d\d)(?::(\d\d))?)?( BC)?$/;

/**
 * Read a `timestamptz` as PostgreSQL writes it. PGlite's own parser is
 * `new Date(text)`, which reads years 1-99 as 1901-2049 (year 1 came back
 * as 2001); this one keeps every year. Text of another form (`infinity`)
 * goes to `new Date`, as before.
 *
 * @example
 * ```ts
 * parseTimestamptz('0001-01-01 00:00:00+00').toISOString(); // '0001-01-01T00:00:00.000Z'
 * ```
 */
export function parseTimestamptz(text: string): Date {
  const m = ISO.exec(text);
  if (!m) return new Date(text);
  const year = m[12] ? 1 - Number(m[1]) : Number(m[1]);
  const ms = m[7] ? Math.trunc(1000 * Number(m[7])) : 0;
  const offsetSeconds = (Number(m[9]) * 3600 + Number(m[10] ?? 0) * 60 + Number(m[11] ?? 0)) * (m[8] === '-' ? -1 : 1);
  const at = new Date(0);
  // setUTCFullYear, not Date.UTC: Date.UTC maps years 0-99 to 1900-1999.
  at.setUTCFullYear(year, Number(m[2]) - 1, Number(m[3]));
  at.setUTCHours(Number(m[4]), Number(m[5]), Number(m[6]), ms);
  return new Date(at.getTime() - offsetSeconds * 1000);
}
