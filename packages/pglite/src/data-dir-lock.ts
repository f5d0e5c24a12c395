import { closeSync, mkdirSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { DriverError } from '@chatcore/core';

/**
 * The lock file's name inside the data directory.
 *
 * @example
 * ```ts
 * existsSync(join(dataDir, LOCK_FILE)); // true while a process has the directory open
 * ```
 */
export const LOCK_FILE = '.chatcore.lock';

/** What a lock file holds: who opened the data directory, on which host, since when. */
interface LockOwner {
  readonly pid: number;
  readonly host: string;
  /** The process's start time in clock ticks since boot (Linux), to tell a reused pid from the owner; null elsewhere. */
  readonly startTicks: number | null;
  readonly lockedAt: string;
}

const UNREADABLE: LockOwner = { pid: Number.NaN, host: '', startTicks: null, lockedAt: '' };

/** Locks this process holds, released by the exit handler if close() never ran. */
const held = new Set<DataDirLock>();
let exitHandlerInstalled = false;

/** Field 22 of /proc/<pid>/stat (Linux): when the process started, in ticks since boot; undefined elsewhere. */
function startTicksOf(pid: number | 'self'): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const ticks = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]);
    return Number.isFinite(ticks) ? ticks : undefined;
  } catch {
    return undefined;
  }
}

/** Whether the process that wrote the lock still runs (same host only). */
function alive(owner: LockOwner): boolean {
  try {
    process.kill(owner.pid, 0);
  } catch (err) {
    // ESRCH: no such process. EPERM: it exists under another user.
    return (err as NodeJS.ErrnoException).code !== 'ESRCH';
  }
  // The pid runs; if it started at another tick than the lock's owner, it is another process reusing the pid.
  const started = owner.startTicks === null ? undefined : startTicksOf(owner.pid);
  return started === undefined || started === owner.startTicks;
}

function readText(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

function readOwner(file: string): LockOwner | undefined {
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as Partial<LockOwner>;
    if (typeof parsed.pid !== 'number') return UNREADABLE;
    return { pid: parsed.pid, host: String(parsed.host ?? ''), startTicks: typeof parsed.startTicks === 'number' ? parsed.startTicks : null, lockedAt: String(parsed.lockedAt ?? '') };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    // Unreadable or half-written (a crash between create and write): no owner to ask, so not taken over.
    return UNREADABLE;
  }
}

function refused(dir: string, file: string, owner: LockOwner): DriverError {
  const who = Number.isNaN(owner.pid)
    ? 'a process whose lock file cannot be read'
    : owner.pid === process.pid && owner.host === hostname()
      ? `this process (pid ${owner.pid}): another pglite() driver over the same directory is still open`
      : `process ${owner.pid} on ${owner.host || 'an unknown host'}${owner.lockedAt ? ` since ${owner.lockedAt}` : ''}`;
  return new DriverError(
    `The PGlite data directory ${dir} is in use by ${who}. PGlite is single-process: a second opener would corrupt the files. ` +
      `Stop that process (or close its database) first. A lock left by a process of this host that is gone is taken over by itself; ` +
      `one written on another host (or unreadable) is not: delete ${file} once no process uses the directory.`,
    { info: { dataDir: dir, lockFile: file, pid: Number.isNaN(owner.pid) ? undefined : owner.pid, host: owner.host || undefined } },
  );
}

/**
 * An exclusive lock on a PGlite data directory: a file created with O_EXCL
 * inside it, holding the pid, host and start time of the process that
 * opened it. A second opener (another process, or another driver in this
 * one) gets a DriverError naming the holder before any database file is
 * touched. A lock left by a process of this host that no longer runs is
 * taken over; one written on another host is never presumed stale.
 * `release()` removes the file; an exit handler removes the locks still
 * held when the process exits (a process killed by a signal leaves its file,
 * which the next opener takes over since the pid is gone).
 *
 * @example
 * ```ts
 * const lock = DataDirLock.acquire('./.data/app'); // DriverError if another process has it open
 * try { await openPglite('./.data/app'); } finally { lock.release(); }
 * ```
 */
export class DataDirLock {
  private released = false;

  private constructor(readonly dir: string, readonly file: string, private readonly token: string) {}

  /** Take the lock of `dataDir` (created if missing), or throw a DriverError naming who holds it. */
  static acquire(dataDir: string): DataDirLock {
    const dir = resolve(dataDir);
    const file = join(dir, LOCK_FILE);
    mkdirSync(dir, { recursive: true });
    const owner: LockOwner = { pid: process.pid, host: hostname(), startTicks: startTicksOf('self') ?? null, lockedAt: new Date().toISOString() };
    const token = JSON.stringify(owner);
    for (let attempt = 0; attempt < 3; attempt++) {
      let fd: number;
      try {
        fd = openSync(file, 'wx', 0o600);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
        const seen = readText(file);
        const current = readOwner(file);
        if (current === undefined) continue; // removed meanwhile: try again
        // A lock with this process's pid that this process does not hold was left by an earlier
        // process with the same pid (pid 1 of a restarted container): stale, like a dead pid's.
        const mine = current.pid === process.pid && current.host === owner.host;
        if (mine ? [...held].some((l) => l.file === file) : Number.isNaN(current.pid) || current.host !== owner.host || alive(current)) throw refused(dir, file, current);
        // Its process is gone: take the lock over, unless another opener did so meanwhile
        // (then the file holds that opener's lock, and the next attempt reads it).
        if (seen === undefined || readText(file) !== seen) continue;
        try {
          unlinkSync(file);
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
        }
        continue;
      }
      try {
        writeSync(fd, `${token}\n`);
      } finally {
        closeSync(fd);
      }
      const lock = new DataDirLock(dir, file, token);
      held.add(lock);
      installExitHandler();
      return lock;
    }
    throw refused(dir, file, readOwner(file) ?? UNREADABLE);
  }

  /** Remove the lock file if it is still this lock's (idempotent). */
  release(): void {
    if (this.released) return;
    this.released = true;
    held.delete(this);
    try {
      if (readFileSync(this.file, 'utf8').trim() === this.token) unlinkSync(this.file);
    } catch {
      // Already gone (the directory was deleted): nothing to release.
    }
  }
}

function installExitHandler(): void {
  if (exitHandlerInstalled) return;
  exitHandlerInstalled = true;
  process.on('exit', () => {
    for (const lock of [...held]) lock.release();
  });
}
