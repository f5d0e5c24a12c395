import { test } from 'uvu';
import type { Driver } from '@chatcore/core/driver';
import { pglite } from '@chatcore/pglite';
import { cache } from '../src/index.js';
import { randomNamespace } from './helpers/fixtures.js';
import { invalidationSuite } from './helpers/invalidation-suite.js';

// The embedded default: PGlite with keyv's in-memory shared tier, no server at all.
// One PGlite instance for the file (a fresh one takes seconds); each test's
// database "closes" a handle whose close() does nothing, and the file closes the real one at the end.
const shared = pglite();
const handle = (): Driver => new Proxy(shared, {
  get(target, prop, receiver) {
    if (prop === 'close') return async () => undefined;
    const v = Reflect.get(target, prop, receiver);
    return typeof v === 'function' ? v.bind(target) : v;
  },
});

invalidationSuite('pglite + in-memory tiers', () => cache({ namespace: randomNamespace() }), handle);
invalidationSuite('pglite + in-memory shared tier only', () => cache({ namespace: randomNamespace(), local: false }), handle);
test.after(async () => { await shared.close(); });
test.run();
