import { randomBytes } from 'node:crypto';

let lastMs = 0;
let counter = 0;

/**
 * A UUIDv7-shaped id whose text order follows creation order within this
 * process (a counter breaks ties within one millisecond), so unchained
 * outbox rows are chained roughly in the order they were written.
 *
 * @example
 * ```ts
 * const id = orderedId(); // '01936f0e-…'
 * ```
 */
export function orderedId(): string {
  let ms = Date.now();
  if (ms <= lastMs) {
    ms = lastMs;
    counter++;
    if (counter > 0xfff) { ms = ++lastMs; counter = 0; }
  } else {
    lastMs = ms;
    counter = 0;
  }
  const rand = randomBytes(8);
  const hex = ms.toString(16).padStart(12, '0');
  const c = (0x7000 | counter).toString(16);
  const variant = ((rand[0]! & 0x3f) | 0x80).toString(16).padStart(2, '0');
  const tail = rand.subarray(1).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${c}-${variant}${tail.slice(0, 2)}-${tail.slice(2, 14)}`;
}
