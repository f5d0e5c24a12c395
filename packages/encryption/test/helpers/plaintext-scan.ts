/**
 * Every encoding under which a plaintext value could leak into a dump or a
 * log: as is, base64, base64url and hex (lower and upper case).
 */
export function encodings(value: string): string[] {
  const b = Buffer.from(value, 'utf8');
  // Aligned base64 fragments would still be recognisable inside a longer base64 blob: check the value's own encoding without padding.
  return [value, b.toString('base64').replace(/=+$/, ''), b.toString('base64url'), b.toString('hex'), b.toString('hex').toUpperCase()];
}

/** The (value, encoding) pairs of `values` found in `haystack`. */
export function findLeaks(haystack: string, values: readonly string[]): string[] {
  const leaks: string[] = [];
  for (const v of values) for (const e of encodings(v)) if (haystack.includes(e)) leaks.push(`${v} as ${e}`);
  return leaks;
}
