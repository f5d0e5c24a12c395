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
