/**
 * The number of Unicode code points in `s`: its UTF-16 length less one for
 * each surrogate pair (a lone surrogate counts as one). This is what
 * PostgreSQL's `char_length` and `varchar(n)` count in a UTF-8 database, and
 * what string `min`/`max` bound: `'😀'` is 1, `'e\u0301'` (e and a combining
 * acute accent) is 2, a flag `'🇫🇷'` is 2. Callers that only compare against
 * a bound can skip the count when `s.length` alone decides (code points are
 * never more than code units, and never fewer than half of them).
 *
 * @example
 * ```ts
 * codePointLength('😀'.repeat(10)); // 10 (s.length is 20)
 * ```
 */
export function codePointLength(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length - 1; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n--;
        i++;
      }
    }
  }
  return n;
}
