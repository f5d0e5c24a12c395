let lastMs = Number.NaN;
let lastIso = '';

/**
 * The current time as an ISO-8601 string, the text of
 * `new Date().toISOString()`. Events are built many per millisecond under
 * load, so the string of the current millisecond is made once and reused.
 *
 * @example
 * ```ts
 * const body = { v: 1, type: 'audit', time: isoNow(), action: 'stream_started' };
 * ```
 */
export function isoNow(): string {
  const ms = Date.now();
  if (ms !== lastMs) {
    lastMs = ms;
    lastIso = new Date(ms).toISOString();
  }
  return lastIso;
}
