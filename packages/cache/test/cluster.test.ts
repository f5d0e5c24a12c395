import { requireService } from '@chatcore/core/testing';
import { cache } from '../src/index.js';
import { randomNamespace, TEST_REDIS_TIMEOUT } from './helpers/fixtures.js';
import { invalidationSuite } from './helpers/invalidation-suite.js';
import { coherenceSuite } from './helpers/coherence-suite.js';
import { startRedisCluster } from './helpers/redis-cluster.js';

await requireService('redis');
await requireService('postgres');

// A port range of our own, so parallel test files never collide.
const base = 27000 + (process.pid % 300) * 3;
const cluster = startRedisCluster(base);
const delays: number[] = [];

invalidationSuite('redis cluster: both tiers', () => cache({ cluster, redisTimeout: TEST_REDIS_TIMEOUT, namespace: randomNamespace() }));
invalidationSuite('redis cluster: shared tier only', () => cache({ cluster, redisTimeout: TEST_REDIS_TIMEOUT, namespace: randomNamespace(), local: false }));
coherenceSuite('redis cluster: two processes', () => ({ cluster, namespace: randomNamespace(), redisTimeout: TEST_REDIS_TIMEOUT }), delays);
process.on('exit', () => console.log(`cluster cross-process invalidation delays (ms): ${delays.map((d) => d.toFixed(1)).join(', ')}`));
