/** Views are cached only for short ranges: they are what the hot path sees (one field value). */
const MAX_CACHED_VIEW = 512;

/**
 * A growable buffer reused across calls, with cached views of fixed ranges.
 * The per-value work (decode base64url, build the AAD, encode a plaintext)
 * writes here instead of allocating, and hands node:crypto a view, which it
 * copies synchronously. The contents are only valid until the next write by
 * the same owner, so a view must never be kept or returned to callers.
 *
 * @example
 * ```ts
 * const scratch = new ScratchBuffer(1024);
 * const n = scratch.ensure(text.length).write(text, 0, 'base64url');
 * decipher.update(scratch.view(28, n));
 * ```
 */
export class ScratchBuffer {
  private buf: Buffer;
  // views[start][length]: a view object costs as much as a small cipher call's bookkeeping.
  private views: (Buffer | undefined)[][] = [];

  constructor(size: number) {
    this.buf = Buffer.allocUnsafeSlow(size);
  }

  /** The buffer, grown to hold at least `size` bytes; on growth only the first `keep` bytes are carried over. */
  ensure(size: number, keep = 0): Buffer {
    if (this.buf.length < size) {
      const grown = Buffer.allocUnsafeSlow(Math.max(size, this.buf.length * 2));
      if (keep > 0) this.buf.copy(grown, 0, 0, keep);
      this.buf = grown;
      this.views = [];
    }
    return this.buf;
  }

  /** Drop the buffer for a fresh one of `size` bytes if it grew past `limit` (one huge record must not stay resident). */
  release(limit: number, size = 1024): void {
    if (this.buf.length > limit) {
      this.buf = Buffer.allocUnsafeSlow(size);
      this.views = [];
    }
  }

  /** The current buffer, as last returned by `ensure`. */
  get bytes(): Buffer {
    return this.buf;
  }

  /** A view of `[start, end)` of the current buffer (cached for short ranges). */
  view(start: number, end: number): Buffer {
    const len = end - start;
    if (len > MAX_CACHED_VIEW || start > MAX_CACHED_VIEW) return this.buf.subarray(start, end);
    const byLen = (this.views[start] ??= []);
    return (byLen[len] ??= this.buf.subarray(start, end));
  }
}
