import { test } from 'uvu';
import type { Driver } from '@chatcore/core/driver';
import { requireService } from '@chatcore/core/testing';
import { pglite } from '@chatcore/pglite';
import { tamperSuite } from './helpers/tamper-suite.js';

await requireService('redis');

// One PGlite for the file; each database closes a handle whose close() does nothing.
const shared = pglite();
const handle = (): Driver => new Proxy(shared, {
  get(target, prop, receiver) {
    if (prop === 'close') return async () => undefined;
    const v = Reflect.get(target, prop, receiver);
    return typeof v === 'function' ? v.bind(target) : v;
  },
});
tamperSuite('pglite + redis: tampered shared tier', handle);
test.after(async () => { await shared.close(); });
test.run();
