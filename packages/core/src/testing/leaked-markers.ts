import { inspect } from 'node:util';

/** The forms a secret takes when something encodes it on its way out. */
function encodings(marker: string): string[] {
  const bytes = Buffer.from(marker, 'utf8');
  return [marker, bytes.toString('base64'), bytes.toString('base64url'), bytes.toString('hex'), encodeURIComponent(marker)];
}

/**
 * The markers (random test secrets) that appear in `text`, or in what
 * `util.inspect` (every depth) and `JSON.stringify` print of an object, as
 * plain text, base64, base64url, hex or URL-encoded. Use markers of 12+
 * random characters so that no encoding matches by chance.
 *
 * @example
 * ```ts
 * const password = `pw-${randomBytes(8).toString('hex')}`;
 * assert.equal(leakedMarkers(db, [password]), []);
 * ```
 */
export function leakedMarkers(subject: unknown, markers: readonly string[]): string[] {
  const printed = typeof subject === 'string'
    ? subject
    : `${inspect(subject, { depth: Infinity, getters: true })}\n${JSON.stringify(subject, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)) ?? ''}`;
  return markers.filter((m) => encodings(m).some((e) => printed.includes(e)));
}
