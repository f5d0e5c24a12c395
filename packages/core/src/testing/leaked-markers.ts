import { inspect } from 'node:util';

/** The forms a secret takes when something encodes it on its way out. */
function encodings(marker: string): Array<[string, string]> {
  const bytes = Buffer.from(marker, 'utf8');
  return [['plain', marker], ['base64', bytes.toString('base64')], ['base64url', bytes.toString('base64url')], ['hex', bytes.toString('hex')], ['URL-encoded', encodeURIComponent(marker)]];
}

/**
 * Which markers (random test secrets) appear in `subject` (a string), or in
 * what `util.inspect` (every depth, getters included) and `JSON.stringify`
 * print of it, as plain text, base64, base64url, hex or URL-encoded. The
 * answer names each leak by the marker's position and form (`'marker 1
 * (hex)'`), never its value, so a failing assertion does not print the
 * secret either. Use markers of 12+ random characters so that no encoding
 * matches by chance.
 *
 * @example
 * ```ts
 * import { randomBytes } from 'node:crypto';
 * import * as assert from 'uvu/assert';
 * const password = `pw-${randomBytes(8).toString('hex')}`;
 * assert.equal(leakedMarkers(db, [password]), []);
 * ```
 */
export function leakedMarkers(subject: unknown, markers: readonly string[]): string[] {
  const printed = typeof subject === 'string'
    ? subject
    : `${inspect(subject, { depth: Infinity, getters: true })}\n${JSON.stringify(subject, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)) ?? ''}`;
  const leaks: string[] = [];
  markers.forEach((m, i) => {
    const found = encodings(m).filter(([, e]) => printed.includes(e)).map(([form]) => form);
    if (found.length) leaks.push(`marker ${i} (${found.join(', ')})`);
  });
  return leaks;
}
