// `npm run demo` runs the built demo (dist/): it starts about a second sooner
// than the TypeScript sources through tsx (docs/benchmarks.md). Without a
// build, say what to run rather than fail on a missing module.
import { existsSync } from 'node:fs';

const main = new URL('./dist/main.js', import.meta.url);
if (!existsSync(main)) {
  console.error('The demo is not built yet: run `npm run build` first (`npm run quickstart` installs and builds),\nor `npm run demo:source` to run it from the TypeScript sources.');
  process.exit(1);
}
await import(main.href);
