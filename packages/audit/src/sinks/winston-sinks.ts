import { close as fsClose, mkdirSync, write as fsWrite, writev as fsWritev } from 'node:fs';
import { dirname } from 'node:path';
import winston from 'winston';
import DailyRotateFile from 'winston-daily-rotate-file';
import { ConfigError } from '@chatcore/core';
import { fileModeOption, openExact, touchExact } from './file-mode.js';
import { gzipArchives, type GzipArchives } from './gzip-archives.js';

/**
 * A winston transport instance (for `sinks.transports`).
 *
 * @example
 * ```ts
 * audit({ sinks: { transports: [new winston.transports.Http({ host: 'collector' })] } });
 * ```
 */
export type AuditTransport = winston.transport;
type TransportStream = AuditTransport;
// winston reads the finished line from this symbol (triple-beam's MESSAGE).
const MESSAGE = Symbol.for('message');

/**
 * Where the file sink writes. `path` alone: one file, appended to (winston's
 * File transport). `rotate`: rotation by date and/or size through
 * winston-daily-rotate-file (`path` may contain `%DATE%`; a file that reaches
 * `maxSize` continues in `<name>.1`, `<name>.2`, ...). winston's own `maxsize`
 * rotation is not offered: it drops a write that arrives while the next file
 * is being opened. `zippedArchive`: each rotated file is compressed into
 * `<name>.gz` once closed, then removed. Files and archives are created with
 * exactly `fileMode` (default 0o600: the trail names actors, records and
 * queries), whatever the umask; existing files keep their mode.
 *
 * @example
 * ```ts
 * const file: FileSinkOptions = { path: '/var/log/app/audit.log', rotate: { datePattern: 'YYYY-MM-DD', maxFiles: '30d' } };
 * ```
 */
export interface FileSinkOptions {
  readonly path: string;
  /** Permission bits of the files this sink creates (default 0o600). */
  readonly fileMode?: number;
  readonly rotate?: {
    readonly datePattern?: string;
    readonly maxSize?: string;
    readonly maxFiles?: string | number;
    readonly zippedArchive?: boolean;
  };
}

/**
 * Options of the console sink: `true` writes to stdout; `stream` writes to
 * any writable (tests, a pipe to a collector).
 *
 * @example
 * ```ts
 * const console: ConsoleSinkOptions = { stream: process.stderr };
 * ```
 */
export interface ConsoleSinkOptions {
  readonly stream?: NodeJS.WritableStream;
}

/**
 * The transports of the streaming sinks, one winston logger over them.
 *
 * @example
 * ```ts
 * const wait = sink.write(lines); if (wait) await wait;
 * ```
 */
export interface WinstonSink {
  readonly logger: winston.Logger;
  /** The first error a transport reported, if any. */
  readonly error: unknown;
  /** Write pre-serialized JSON lines as one log entry; resolves when the logger can take more. */
  write(lines: string): Promise<void> | undefined;
  /** End the logger and wait until every transport has flushed and closed its file, and every rotated file is compressed. */
  close(): Promise<void>;
}

// The events are serialized (and hashed) before they reach winston; the
// format only hands the finished lines to the transports, so no transport
// re-serializes or reorders them.
const passThrough = winston.format((info) => {
  (info as Record<string | symbol, unknown>)[MESSAGE] = info.message;
  return info;
});

/**
 * Build the winston logger of the streaming sinks.
 *
 * @example
 * ```ts
 * const sink = createWinstonSink({ file: { path: 'audit.log' } });
 * await sink.write('{"v":1}');
 * await sink.close();
 * ```
 */
export function createWinstonSink(options: {
  console?: boolean | ConsoleSinkOptions | undefined;
  file?: string | FileSinkOptions | undefined;
  transports?: readonly TransportStream[] | undefined;
}): WinstonSink | undefined {
  const transports: TransportStream[] = [];
  let archives: GzipArchives | undefined;
  if (options.console) {
    const stream = typeof options.console === 'object' ? options.console.stream : undefined;
    transports.push(stream ? new winston.transports.Stream({ stream }) : new winston.transports.Console());
  }
  if (options.file) {
    const file = typeof options.file === 'string' ? { path: options.file } : options.file;
    if (!file.path) throw new ConfigError('audit: sinks.file needs a path, e.g. { path: "/var/log/app/audit.log" }.');
    const mode = fileModeOption(file.fileMode, 'sinks.file.fileMode');
    if (file.rotate) {
      archives = file.rotate.zippedArchive ? gzipArchives(mode) : undefined;
      const rotating = new DailyRotateFile({
        filename: file.path,
        datePattern: file.rotate.datePattern ?? 'YYYY-MM-DD',
        ...(file.rotate.maxSize !== undefined ? { maxSize: file.rotate.maxSize } : {}),
        ...(file.rotate.maxFiles !== undefined ? { maxFiles: file.rotate.maxFiles } : {}),
        // The library's zippedArchive creates archives with the process umask: compressed here instead.
        zippedArchive: false,
        // Passed to fs.createWriteStream for every file the rotation opens.
        options: archives?.fileOptions ?? { flags: 'a', mode, fs: { ...exactFs(mode) } },
      });
      archives?.attach(rotating);
      transports.push(rotating);
    } else {
      assertWritable(file.path, mode);
      transports.push(new winston.transports.File({ filename: file.path, options: { flags: 'a', mode } }));
    }
  }
  transports.push(...(options.transports ?? []));
  if (transports.length === 0) return undefined;
  const logger = winston.createLogger({ level: 'info', format: passThrough(), transports, exitOnError: false });
  let failure: unknown;
  let waiter: { readonly until: number; readonly resolve: () => void } | undefined;
  // A failed transport will not report progress any more: release whoever waits for it.
  const fail = (e: unknown) => {
    failure ??= e;
    const w = waiter;
    waiter = undefined;
    w?.resolve();
  };
  logger.on('error', fail);
  // Progress is counted with the transports' 'logged' events rather than the
  // logger's 'drain': the logger is a Transform whose readable buffer can still
  // hold entries when its writable side reports room, and ending it then makes
  // winston end the transports before they got those entries.
  let written = 0;
  const logged = transports.map(() => 0);
  const slowest = () => Math.min(...logged);
  transports.forEach((t, i) => {
    t.on('error', fail);
    t.on('logged', () => {
      logged[i]!++;
      if (waiter && slowest() >= waiter.until) {
        const w = waiter;
        waiter = undefined;
        w.resolve();
      }
    });
  });
  const until = (target: number): Promise<void> | undefined =>
    slowest() >= target || failure ? undefined : new Promise<void>((resolve) => { waiter = { until: target, resolve }; });

  return {
    logger,
    get error() {
      return failure;
    },
    write(lines) {
      if (failure) throw failure;
      logger.write({ level: 'info', message: lines } as winston.LogEntry);
      written++;
      return written - slowest() > MAX_IN_FLIGHT ? until(written - MAX_IN_FLIGHT / 2) : undefined;
    },
    async close() {
      await until(written);
      if (failure) {
        // Nothing more can be written; do not wait for a 'finish' a broken stream may never emit.
        for (const t of transports) (t as { close?: () => void }).close?.();
        return;
      }
      const finished = new Promise<void>((resolve) => logger.once('finish', () => resolve()));
      logger.end();
      await finished;
      await Promise.all(transports.map((t) => flushTransport(t)));
      await archives?.settled();
    },
  };
}

/** Batches handed to winston but not yet taken by every transport before writers wait. */
const MAX_IN_FLIGHT = 16;

/**
 * winston's File transport swallows errors of its file stream (events would
 * vanish silently), so the file is opened once up front: a path that cannot
 * be written fails at connect with a ConfigError.
 */
function assertWritable(path: string, mode: number): void {
  try {
    mkdirSync(dirname(path), { recursive: true });
    touchExact(path, mode);
  } catch (cause) {
    throw new ConfigError(`audit: cannot write the audit file ${path} (${(cause as NodeJS.ErrnoException).code ?? 'error'}); fix sinks.file.path or its permissions.`);
  }
}

/** Wait until the file behind a transport is really written and closed (winston signals 'finish' early). */
async function flushTransport(t: TransportStream): Promise<void> {
  const internal = t as unknown as {
    _dest?: NodeJS.WritableStream & { closed?: boolean; destroyed?: boolean };
    _stream?: NodeJS.WritableStream;
    logStream?: NodeJS.WritableStream & { end(cb?: () => void): void };
  };
  if (t instanceof winston.transports.File) {
    // The transport emits 'finish' when its internal PassThrough has taken
    // the last line, not when the file has it: wait until the PassThrough
    // has been read to the end (the pipe then ends the file stream), and then
    // for the file stream to close.
    // winston's PassThrough comes from readable-stream 3, which has no readableEnded.
    const source = internal._stream as (NodeJS.ReadableStream & { readableEnded?: boolean; _readableState?: { endEmitted?: boolean } }) | undefined;
    const sourceEnded = source ? (source.readableEnded ?? source._readableState?.endEmitted ?? true) : true;
    if (source && !sourceEnded) {
      await new Promise<void>((resolve) => {
        source.once('end', resolve);
        source.once('error', () => resolve());
        source.once('close', resolve);
      });
    }
    const dest = internal._dest as (NodeJS.WritableStream & { closed?: boolean; destroyed?: boolean; writableEnded?: boolean }) | undefined;
    if (!dest || dest.closed || dest.destroyed) return;
    await new Promise<void>((resolve) => {
      dest.once('close', resolve);
      dest.once('error', () => resolve());
      if (!dest.writableEnded) dest.end();
    });
    return;
  }
  if (internal.logStream && typeof internal.logStream.end === 'function') {
    const stream = internal.logStream;
    await new Promise<void>((resolve) => {
      stream.once('close', resolve);
      stream.once('error', () => resolve());
      stream.end();
    });
  }
}

/** The `fs` of a rotating transport's write streams: new files get exactly `mode`. */
function exactFs(mode: number) {
  return {
    open: (path: import('node:fs').PathLike, _flags: unknown, _m: unknown, cb: (e: NodeJS.ErrnoException | null, fd: number) => void) => openExact(path, mode, cb),
    write: fsWrite, writev: fsWritev, close: fsClose,
  };
}
