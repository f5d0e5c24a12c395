import { requireService } from '@chatcore/core/testing';
import { cache } from '../src/index.js';
import { randomNamespace, TEST_REDIS_TIMEOUT } from './helpers/fixtures.js';
import { invalidationSuite } from './helpers/invalidation-suite.js';

await requireService('redis');
const redisUrl = 'redis://127.0.0.1:6379';
invalidationSuite('redis: both tiers', () => cache({ redisUrl, redisTimeout: TEST_REDIS_TIMEOUT, namespace: randomNamespace() }));
invalidationSuite('redis: shared tier only', () => cache({ redisUrl, redisTimeout: TEST_REDIS_TIMEOUT, namespace: randomNamespace(), local: false }));
