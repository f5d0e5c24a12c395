import type { IncomingMessage, ServerResponse } from 'node:http';
import { ValidationError } from '@chatcore/core';

/**
 * An answer that is not about the data: unknown route, wrong method, body
 * too large. `code` is stable, like the codes of chatcore's errors.
 *
 * @example
 * ```ts
 * throw new HttpError(405, 'METHOD_NOT_ALLOWED', 'Use GET or POST on /users.');
 * ```
 */
export class HttpError extends Error {
  constructor(readonly status: number, readonly code: string, message: string) {
    super(message);
    this.name = 'HttpError';
  }
}

/** Largest request body accepted, in bytes (a message body is at most 32,000 characters). */
export const MAX_BODY_BYTES = 256 * 1024;

/**
 * The request body as a JSON object. Not JSON, or not an object, is a
 * `ValidationError` (400); larger than `MAX_BODY_BYTES` is 413.
 *
 * @example
 * ```ts
 * const input = await readJson(req); // Record<string, unknown>
 * ```
 */
export async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new HttpError(413, 'PAYLOAD_TOO_LARGE', `The request body is larger than ${MAX_BODY_BYTES} bytes.`);
    chunks.push(chunk);
  }
  let value: unknown;
  try {
    value = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch (cause) {
    throw new ValidationError([{ path: 'body', message: 'is not valid JSON' }], { context: 'request body', cause });
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new ValidationError([{ path: 'body', message: 'must be a JSON object' }], { context: 'request body' });
  }
  return value as Record<string, unknown>;
}

/**
 * Only these keys may appear in `input`; any other is a `ValidationError`
 * naming it. Returns the present keys (absent ones stay absent).
 *
 * @example
 * ```ts
 * const { name, handle } = pick(await readJson(req), ['name', 'handle', 'email']);
 * ```
 */
export function pick<K extends string>(input: Record<string, unknown>, allowed: readonly K[]): Partial<Record<K, unknown>> {
  const unknown = Object.keys(input).filter((k) => !(allowed as readonly string[]).includes(k));
  if (unknown.length) {
    throw new ValidationError(unknown.map((k) => ({ path: k, message: `unknown field; allowed: ${allowed.join(', ')}` })), { context: 'request body' });
  }
  const out: Partial<Record<K, unknown>> = {};
  for (const k of allowed) if (Object.hasOwn(input, k) && input[k] !== undefined) out[k] = input[k];
  return out;
}

/**
 * Send `body` as JSON with `status`.
 *
 * @example
 * ```ts
 * sendJson(res, 201, user);
 * ```
 */
export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store' });
  res.end(text);
}
