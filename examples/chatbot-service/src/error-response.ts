import { ChatcoreError, ValidationError } from '@chatcore/core';
import { HttpError } from './http-io.js';

/**
 * What a failed request answers: the status, and `{ error: { code, message, issues? } }`.
 *
 * @example
 * ```ts
 * const r: ErrorResponse = errorResponse(err);
 * sendJson(res, r.status, r.body);
 * ```
 */
export interface ErrorResponse {
  readonly status: number;
  readonly body: { readonly error: { readonly code: string; readonly message: string; readonly issues?: readonly { path: string; message: string }[] } };
}

const STATUS_OF_CODE: Readonly<Record<string, number>> = {
  VALIDATION: 400,
  UNSUPPORTED_QUERY: 400,
  NOT_FOUND: 404,
  CONFLICT: 409,
  UNIQUE_VIOLATION: 409,
  TIMEOUT: 503,
  CONNECTION: 503,
};

/**
 * Map an error to its HTTP answer: bad input 400, not found 404, conflicts
 * 409, an unreachable or slow backend 503, anything else 500. chatcore's
 * messages name fields and ids, never values, so they are safe to return;
 * an unexpected error's message is not returned.
 *
 * @example
 * ```ts
 * errorResponse(new NotFoundError('users', 'u1')).status; // 404
 * ```
 */
export function errorResponse(error: unknown): ErrorResponse {
  if (error instanceof HttpError) return { status: error.status, body: { error: { code: error.code, message: error.message } } };
  if (error instanceof ChatcoreError) {
    const status = STATUS_OF_CODE[error.code] ?? 500;
    const issues = error instanceof ValidationError ? { issues: error.issues.map((i) => ({ path: i.path, message: i.message })) } : {};
    return { status, body: { error: { code: error.code, message: error.message, ...issues } } };
  }
  return { status: 500, body: { error: { code: 'INTERNAL', message: 'Internal error; the service log has the details.' } } };
}
