import { requireService } from '@chatcore/core/testing';
import { cache } from '../src/index.js';
import { randomNamespace } from './helpers/fixtures.js';
import { invalidationSuite } from './helpers/invalidation-suite.js';

await requireService('redis');
const redisUrl = 'redis://127.0.0.1:6379';
invalidationSuite('redis: both tiers', () => cache({ redisUrl, namespace: randomNamespace() }));
invalidationSuite('redis: shared tier only', () => cache({ redisUrl, namespace: randomNamespace(), local: false }));
