import { ChatcoreError, type ComponentHealth } from '@chatcore/core';
import type { VerifyResult } from './verify-job.js';

/**
 * The encryption plugin's health component: down when the keys are not
 * loaded, or when a sample of the stored data says the configured keys do
 * not match it (the error is the diagnosis); up otherwise. A sample that
 * cannot be read because the database does not answer leaves it up (the
 * driver's component reports that); one that fails otherwise (a query the
 * backend refuses, a missing table) makes it degraded: the keys were not
 * checked. Either way `keyCheck` says why, in full.
 *
 * @example
 * ```ts
 * const [c] = await keyHealth('encryption', { activeKeyId: 'k2', keys: 2 }, () => enc.checkKeys());
 * ```
 */
export async function keyHealth(name: string, ring: { activeKeyId: string; keys: number } | undefined, check: () => Promise<VerifyResult>): Promise<ComponentHealth[]> {
  if (!ring) return [{ name, status: 'down', details: { error: 'not connected' } }];
  let result: VerifyResult;
  try {
    result = await check();
  } catch (error) {
    // The database not answering is the driver's component to report; any other failure hides the key check itself.
    const unreachable = error instanceof ChatcoreError && (error.code === 'CONNECTION' || error.code === 'TIMEOUT' || error.code === 'ABORTED');
    return [{ name, status: unreachable ? 'up' : 'degraded', details: { ...ring, keyCheck: `not run: ${(error as Error).message}` } }];
  }
  if (!result.keysMismatch) return [{ name, status: 'up', details: { ...ring, keyCheck: result.failed ? 'some rows fail (see verify)' : 'ok', sampledRows: result.scanned } }];
  return [{ name, status: 'down', error: result.diagnosis, details: { ...ring, sampledRows: result.scanned, failed: result.failed } }];
}
