import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { AuditCheckpoint } from '../events/audit-event.js';
import { DEFAULT_FILE_MODE, openExactAsync } from '../sinks/file-mode.js';

/**
 * Appends checkpoints as JSON lines to a file of their own, with an fsync
 * per checkpoint, so that truncating or rewriting the trail file is detected
 * against the latest checkpoint. Writes are serialized in call order. The
 * file is created with exactly `mode` (default 0o600, whatever the umask);
 * an existing file keeps its own.
 *
 * @example
 * ```ts
 * const cps = new CheckpointFile('/var/log/app/audit.checkpoints');
 * await cps.append({ stream, seq: 1000, hash });
 * ```
 */
export class CheckpointFile {
  private tail: Promise<void> = Promise.resolve();
  private failure: unknown;

  constructor(readonly path: string, readonly mode: number = DEFAULT_FILE_MODE) {}

  append(checkpoint: AuditCheckpoint): Promise<void> {
    const line = JSON.stringify({ stream: checkpoint.stream, seq: checkpoint.seq, hash: checkpoint.hash, time: checkpoint.time ?? new Date().toISOString() }) + '\n';
    this.tail = this.tail.then(async () => {
      try {
        await mkdir(dirname(this.path), { recursive: true });
        const fh = await openExactAsync(this.path, this.mode);
        try {
          await fh.write(line);
          await fh.datasync();
        } finally {
          await fh.close();
        }
      } catch (e) {
        this.failure = e;
      }
    });
    return this.tail;
  }

  /** Wait for every pending checkpoint; rethrows the first write failure. */
  async settle(): Promise<void> {
    await this.tail;
    if (this.failure) throw this.failure;
  }
}
