import { cache } from '../src/index.js';
import { randomNamespace } from './helpers/fixtures.js';
import { invalidationSuite } from './helpers/invalidation-suite.js';

invalidationSuite('in-process + in-memory shared tier', () => cache({ namespace: randomNamespace() }));
invalidationSuite('in-memory shared tier only', () => cache({ namespace: randomNamespace(), local: false }));
invalidationSuite('in-process tier only', () => cache({ namespace: randomNamespace(), shared: false }));
