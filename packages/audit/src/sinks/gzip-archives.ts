import * as fs from 'node:fs';
import { open, unlink, type FileHandle } from 'node:fs/promises';
import type { EventEmitter } from 'node:events';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { openExact } from './file-mode.js';

/**
 * Compression of the files a rotating file sink rotates away, into
 * `<file>.gz`, done by the sink rather than by winston-daily-rotate-file's
 * `zippedArchive`: the library creates each archive with the process umask
 * (0644 under the usual 022), so another local user could open it while it
 * was written and keep reading; and it starts reading a rotated file as
 * soon as the rotation begins, when writes to it may still be pending. Here an
 * archive is created with the sink's mode before anything is written to it,
 * and a rotated file is compressed once its write stream has closed.
 *
 * @example
 * ```ts
 * const archives = gzipArchives(0o600);
 * const transport = new DailyRotateFile({ filename: 'audit-%DATE%.log', maxSize: '100m', options: archives.fileOptions });
 * archives.attach(transport);
 * // after the transport has been closed:
 * await archives.settled();
 * ```
 */
export interface GzipArchives {
  /** Options of the rotating transport's write streams: append, the mode, and a record of when each file is closed. */
  readonly fileOptions: { readonly flags: 'a'; readonly mode: number; readonly fs: object };
  /** Compress each file the transport rotates away; remove the archive of a file `maxFiles` removes. */
  attach(transport: EventEmitter): void;
  /** Resolves when every archive begun so far is complete (or has failed and been reported). */
  settled(): Promise<void>;
}

/**
 * Build the archiver of a rotating file sink whose files have `mode`.
 * Failures are emitted as 'error' on the transport; each complete archive
 * as 'archive' with its path, as winston-daily-rotate-file does.
 *
 * @example
 * ```ts
 * const archives = gzipArchives(0o600);
 * ```
 */
export function gzipArchives(mode: number): GzipArchives {
  // Which file each open descriptor belongs to, and who waits for a file to close.
  const paths = new Map<number, string>();
  const closed = new Set<string>();
  const waiting = new Map<string, () => void>();
  const markClosed = (path: string) => {
    const wake = waiting.get(path);
    if (wake) {
      waiting.delete(path);
      wake();
    } else {
      closed.add(path);
    }
  };
  const whenClosed = (path: string) => {
    if (closed.delete(path)) return Promise.resolve();
    return new Promise<void>((resolve) => waiting.set(path, resolve));
  };
  // fs.createWriteStream calls these in place of node:fs.
  const tracking = {
    open(path: fs.PathLike, _flags: fs.OpenMode, _m: fs.Mode, cb: (e: NodeJS.ErrnoException | null, fd: number) => void) {
      // Append, and a new file gets exactly the sink's mode (the umask would take bits from it).
      openExact(path, mode, (e, fd) => {
        if (e) markClosed(String(path));
        else paths.set(fd, String(path));
        cb(e, fd);
      });
    },
    write: fs.write,
    writev: fs.writev,
    close(fd: number, cb: (e: NodeJS.ErrnoException | null) => void) {
      fs.close(fd, (e) => {
        const path = paths.get(fd);
        paths.delete(fd);
        cb(e);
        if (path !== undefined) markClosed(path);
      });
    },
  };

  const jobs = new Map<string, { removed: boolean; done: Promise<void> }>();

  async function compress(transport: EventEmitter, file: string, job: { removed: boolean }): Promise<void> {
    const archive = `${file}.gz`;
    await whenClosed(file);
    let source: FileHandle | undefined;
    let target: FileHandle | undefined;
    let created = false;
    try {
      source = await open(file, 'r');
      // 'wx': an archive that already exists is left alone, and so is the file (as the library does).
      target = await open(archive, 'wx', mode);
      created = true;
      // The umask may have taken bits from the mode; set exactly the configured ones before any byte is written.
      await target.chmod(mode);
      await pipeline(source.createReadStream(), createGzip(), target.createWriteStream());
      source = target = undefined;
      await unlink(file).catch(ignoreMissing);
      if (job.removed) await unlink(archive).catch(ignoreMissing);
      else transport.emit('archive', archive);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      // The file was removed (maxFiles) before it could be read, or its archive exists already.
      if (code === 'ENOENT' && !created) return;
      if (code === 'EEXIST' && !created) return;
      // The rotated file stays; a partial archive would stand for it.
      if (created) await unlink(archive).catch(ignoreMissing);
      (e as Error).message = `audit: cannot compress ${file} into ${archive}: ${(e as Error).message}`;
      transport.emit('error', e);
    } finally {
      await source?.close().catch(() => undefined);
      await target?.close().catch(() => undefined);
    }
  }

  return {
    fileOptions: { flags: 'a', mode, fs: tracking },
    attach(transport) {
      transport.on('rotate', (file: string) => {
        if (jobs.has(file)) return;
        const job = { removed: false, done: Promise.resolve() };
        job.done = compress(transport, file, job).finally(() => jobs.delete(file));
        jobs.set(file, job);
      });
      // The library removes the rotated file itself; its archive is ours to remove.
      transport.on('logRemoved', (file: string) => {
        const job = jobs.get(file);
        if (job) {
          job.removed = true;
          return;
        }
        unlink(`${file}.gz`).catch((e: NodeJS.ErrnoException) => {
          if (e.code !== 'ENOENT') transport.emit('error', e);
        });
      });
    },
    async settled() {
      while (jobs.size > 0) await Promise.all([...jobs.values()].map((j) => j.done));
    },
  };
}

function ignoreMissing(e: NodeJS.ErrnoException): void {
  if (e.code !== 'ENOENT') throw e;
}
