import { suite } from 'uvu';
import { runConformanceSuite } from '@chatcore/core/conformance';
import { pglite } from '../src/index.js';
import { shared } from './helpers/shared-pglite.js';

// One PGlite for the whole file (each start takes about two seconds); the
// drivers the suite creates share it and leave it open.
await runConformanceSuite({ name: 'pglite', createDriver: () => pglite({ client: shared }) });

const teardown = suite('pglite: teardown');
teardown('the shared PGlite closes', async () => {
  await shared.close();
});
teardown.run();
