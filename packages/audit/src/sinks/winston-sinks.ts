import winston from 'winston';
import DailyRotateFile from 'winston-daily-rotate-file';
import { ConfigError } from '@chatcore/core';

/** A winston transport instance. */
export type AuditTransport = winston.transport;
type TransportStream = AuditTransport;
// winston reads the finished line from this symbol (triple-beam's MESSAGE).
const MESSAGE = Symbol.for('message');

/**
 * Where the file sink writes. `path` alone: one file, appended to. `maxSize`
 * (bytes) with `maxFiles`: winston's size rotation. `rotate`: daily (or
 * `datePattern`) rotation through winston-daily-rotate-file.
 *
 * @example
 * ```ts
 * const file: FileSinkOptions = { path: '/var/log/app/audit.log', rotate: { datePattern: 'YYYY-MM-DD', maxFiles: '30d' } };
 * ```
 */
export interface FileSinkOptions {
  readonly path: string;
  readonly maxSize?: number;
  readonly maxFiles?: number;
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

/** The transports of the streaming sinks, one winston logger over them. */
export interface WinstonSink {
  readonly logger: winston.Logger;
  /** Write pre-serialized JSON lines as one log entry; resolves when the logger can take more. */
  write(lines: string): Promise<void> | undefined;
  /** End the logger and wait until every transport has flushed and closed its file. */
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
  if (options.console) {
    const stream = typeof options.console === 'object' ? options.console.stream : undefined;
    transports.push(stream ? new winston.transports.Stream({ stream }) : new winston.transports.Console());
  }
  if (options.file) {
    const file = typeof options.file === 'string' ? { path: options.file } : options.file;
    if (!file.path) throw new ConfigError('audit: sinks.file needs a path, e.g. { path: "/var/log/app/audit.log" }.');
    if (file.rotate) {
      transports.push(new DailyRotateFile({
        filename: file.path,
        datePattern: file.rotate.datePattern ?? 'YYYY-MM-DD',
        ...(file.rotate.maxSize !== undefined ? { maxSize: file.rotate.maxSize } : {}),
        ...(file.rotate.maxFiles !== undefined ? { maxFiles: file.rotate.maxFiles } : {}),
        zippedArchive: file.rotate.zippedArchive ?? false,
      }));
    } else {
      transports.push(new winston.transports.File({
        filename: file.path,
        ...(file.maxSize !== undefined ? { maxsize: file.maxSize } : {}),
        ...(file.maxFiles !== undefined ? { maxFiles: file.maxFiles, tailable: true } : {}),
      }));
    }
  }
  transports.push(...(options.transports ?? []));
  if (transports.length === 0) return undefined;
  const logger = winston.createLogger({ level: 'info', format: passThrough(), transports, exitOnError: false });
  let failure: unknown;
  logger.on('error', (e) => { failure = e; });
  for (const t of transports) t.on("error", (e: unknown) => { failure = e; });

  return {
    logger,
    write(lines) {
      if (failure) throw failure;
      const ok = logger.write({ level: 'info', message: lines } as winston.LogEntry);
      if (ok) return undefined;
      return new Promise<void>((resolve) => logger.once('drain', resolve));
    },
    async close() {
      const finished = new Promise<void>((resolve) => logger.once('finish', () => resolve()));
      logger.end();
      await finished;
      await Promise.all(transports.map((t) => flushTransport(t)));
    },
  };
}

/** Wait until the file behind a transport is really written and closed (winston signals 'finish' early). */
async function flushTransport(t: TransportStream): Promise<void> {
  const internal = t as unknown as {
    _dest?: NodeJS.WritableStream & { closed?: boolean; destroyed?: boolean };
    _stream?: NodeJS.WritableStream;
    logStream?: NodeJS.WritableStream & { end(cb?: () => void): void };
  };
  if (t instanceof winston.transports.File) {
    const dest = internal._dest;
    if (!dest || dest.closed || dest.destroyed) return;
    await new Promise<void>((resolve) => {
      dest.once('close', resolve);
      dest.once('error', () => resolve());
      dest.end();
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
