import { requireService } from '@chatcore/core/testing';
import { randomNamespace, TEST_REDIS_TIMEOUT } from './helpers/fixtures.js';
import { coherenceSuite } from './helpers/coherence-suite.js';

await requireService('redis');
await requireService('postgres');

const delays: number[] = [];
coherenceSuite('two processes on one Redis', () => ({ redisUrl: 'redis://127.0.0.1:6379', namespace: randomNamespace(), redisTimeout: TEST_REDIS_TIMEOUT }), delays);
process.on('exit', () => console.log(`cross-process invalidation delays (ms): ${delays.map((d) => d.toFixed(1)).join(', ')}`));
