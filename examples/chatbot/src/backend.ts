import type { Driver } from '@chatcore/core';

/**
 * The backend the demo runs on: PostgreSQL when DATABASE_URL is set,
 * Firestore when FIRESTORE_EMULATOR_HOST or FIRESTORE_PROJECT_ID is set,
 * otherwise the embedded default (PGlite in memory, no server needed).
 *
 * @example
 * ```ts
 * const { driver, label } = await chooseDriver();
 * const db = createDatabase({ driver, repositories });
 * ```
 */
export async function chooseDriver(): Promise<{ driver: Driver; label: string }> {
  if (process.env.DATABASE_URL) {
    const { postgres } = await import('@chatcore/postgres');
    return { driver: postgres({ url: process.env.DATABASE_URL }), label: 'PostgreSQL (DATABASE_URL)' };
  }
  if (process.env.FIRESTORE_EMULATOR_HOST || process.env.FIRESTORE_PROJECT_ID) {
    // The emulator needs no credentials: skip asking for a metadata server. Real
    // Firestore may need it (Cloud Run, GCE), so it is left alone there.
    if (process.env.FIRESTORE_EMULATOR_HOST) process.env.METADATA_SERVER_DETECTION ??= 'none';
    const { firestore } = await import('@chatcore/firestore');
    const projectId = process.env.FIRESTORE_PROJECT_ID ?? 'chatcore-demo';
    return { driver: firestore({ projectId }), label: `Firestore (${process.env.FIRESTORE_EMULATOR_HOST ? 'emulator ' + process.env.FIRESTORE_EMULATOR_HOST : projectId})` };
  }
  const { pglite } = await import('@chatcore/pglite');
  return { driver: pglite(), label: 'embedded PGlite (in memory)' };
}
