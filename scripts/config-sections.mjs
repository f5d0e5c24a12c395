// The sections of chatcore.yaml as the packages define them, loaded from the
// built packages (run `pnpm run build` first). Shared by the scripts that
// write the configuration reference and the JSON Schema.
import { fileURLToPath, pathToFileURL } from 'node:url';
import { join } from 'node:path';

export const root = join(fileURLToPath(import.meta.url), '..', '..');
const load = (path) => import(pathToFileURL(join(root, path)).href);

/** `{ configKeys, configSections, ... }` of @chatcore/core/config, with every plugin section registered. */
export async function loadSections() {
  const config = await load('packages/core/dist/config/index.js');
  for (const pkg of ['encryption', 'cache', 'audit', 'metrics']) await load(`packages/${pkg}/dist/index.js`);
  return { config, sections: config.configSections(), list: config.listSections() };
}
