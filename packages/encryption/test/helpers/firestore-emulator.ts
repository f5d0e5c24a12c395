import { useFirestoreEmulator } from '@chatcore/core/testing';

/**
 * The Firestore emulator on FIRESTORE_EMULATOR_HOST when one answers, else
 * one started on a free port (stopped by `stop`). Without the binary: skip
 * the file, or fail under CHATCORE_REQUIRE_SERVICES=1.
 */
export async function startEmulator(): Promise<{ host: string; stop: () => void }> {
  const emulator = await useFirestoreEmulator();
  return { host: emulator.host, stop: () => void emulator.stop() };
}

/** Every document of the given collections, as the emulator's REST API returns them (raw stored values). */
export async function firestoreDump(host: string, projectId: string, collections: readonly string[]): Promise<string> {
  const parts: string[] = [];
  for (const c of collections) {
    let pageToken = '';
    do {
      const url = `http://${host}/v1/projects/${projectId}/databases/(default)/documents/${c}?pageSize=300${pageToken ? `&pageToken=${encodeURIComponent(pageToken)}` : ''}`;
      const res = await fetch(url, { headers: { Authorization: 'Bearer owner' } });
      const body = await res.text();
      parts.push(body);
      pageToken = (JSON.parse(body) as { nextPageToken?: string }).nextPageToken ?? '';
    } while (pageToken);
  }
  return parts.join('\n');
}
