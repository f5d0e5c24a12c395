import { UnsupportedQueryError } from '@chatcore/core';
import { REQUEST_BYTES_LIMIT } from '@chatcore/core/driver';
import { MAX_REQUEST_BYTES } from './document-rules.js';

/**
 * The largest request the Firestore emulator accepts: its gRPC server
 * refuses messages over 4 MiB, well under production's 10 MiB.
 *
 * @example
 * ```ts
 * firestore({ projectId: 'demo', emulatorHost: '127.0.0.1:8080', maxBatchBytes: EMULATOR_MAX_REQUEST_BYTES / 2 });
 * ```
 */
export const EMULATOR_MAX_REQUEST_BYTES = 4 * 1_048_576;

/**
 * Whether the driver talks to the emulator: `emulatorHost` is set, or
 * FIRESTORE_EMULATOR_HOST is (the SDK then connects to it).
 *
 * @example
 * ```ts
 * targetsEmulator({ emulatorHost: '127.0.0.1:8080' }); // true
 * ```
 */
export function targetsEmulator(options: { readonly emulatorHost?: string | undefined }): boolean {
  return options.emulatorHost !== undefined || !!process.env.FIRESTORE_EMULATOR_HOST;
}

/**
 * The largest request the backend accepts: 10 MiB, or 4 MiB on the emulator.
 *
 * @example
 * ```ts
 * requestLimit({ projectId: 'p' }); // 10485760 unless FIRESTORE_EMULATOR_HOST is set
 * ```
 */
export function requestLimit(options: { readonly emulatorHost?: string | undefined }): number {
  return targetsEmulator(options) ? EMULATOR_MAX_REQUEST_BYTES : MAX_REQUEST_BYTES;
}

/**
 * The error for a request over Firestore's size limit, refused by the
 * backend (`cause` set) or by the driver before sending (`bytes` known).
 * Not transient: nothing was written, and the same request fails again.
 * Core recognises it (`isRequestTooLarge`) on the implicit transaction a
 * plugin asks for, and runs the write again without it.
 *
 * @example
 * ```ts
 * throw requestTooLarge('transaction', { bytes: 12_000_000, limit: MAX_REQUEST_BYTES });
 * ```
 */
export function requestTooLarge(what: string, options: { readonly bytes?: number; readonly limit?: number; readonly cause?: unknown } = {}): UnsupportedQueryError {
  const size = options.bytes === undefined ? 'over' : `${options.bytes} bytes, over`;
  const limit = options.limit === undefined ? "Firestore's request size limit" : `Firestore's request size limit (${options.limit} bytes${options.limit === EMULATOR_MAX_REQUEST_BYTES ? ' on the emulator' : ''})`;
  return new UnsupportedQueryError(
    `The request of ${what} is too large: ${size} ${limit}; nothing of it was written. Lower maxBatchBytes for batched writes, or split the transaction into smaller ones.`,
    { cause: options.cause, info: { backend: 'firestore', limit: REQUEST_BYTES_LIMIT, ...(options.bytes === undefined ? {} : { bytes: options.bytes }), ...(options.limit === undefined ? {} : { maxBytes: options.limit }) } },
  );
}
