import { execFileSync } from 'node:child_process';
import { requireService } from '@chatcore/core/testing';
import { postgres } from '@chatcore/postgres';
import { cache } from '../src/index.js';
import { TABLE_SUFFIX, randomNamespace, TEST_REDIS_TIMEOUT } from './helpers/fixtures.js';
import { invalidationSuite } from './helpers/invalidation-suite.js';
import { PG_URL } from './helpers/coherence-suite.js';

await requireService('redis');
await requireService('postgres');

const redisUrl = 'redis://127.0.0.1:6379';
const driver = () => postgres({ url: PG_URL, poolSize: 4 });
invalidationSuite('postgres + redis: both tiers', () => cache({ redisUrl, redisTimeout: TEST_REDIS_TIMEOUT, namespace: randomNamespace() }), driver);
invalidationSuite('postgres + redis: shared tier only', () => cache({ redisUrl, redisTimeout: TEST_REDIS_TIMEOUT, namespace: randomNamespace(), local: false }), driver);
process.on('exit', () => {
  execFileSync('psql', [PG_URL, '-q', '-c', `DROP TABLE IF EXISTS "cache_users_${TABLE_SUFFIX}", "cache_notes_${TABLE_SUFFIX}"`], { stdio: 'ignore' });
});
