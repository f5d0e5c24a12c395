import { execFileSync } from 'node:child_process';
import { requireService } from '@chatcore/core/testing';
import { postgres } from '@chatcore/postgres';
import { PG_URL } from './helpers/coherence-suite.js';
import { people, tamperSuite } from './helpers/tamper-suite.js';

await requireService('redis');
await requireService('postgres');

tamperSuite('postgres + redis: tampered shared tier', () => postgres({ url: PG_URL, poolSize: 2 }));
process.on('exit', () => {
  execFileSync('psql', [PG_URL, '-q', '-c', `DROP TABLE IF EXISTS "${people.schema.table}"`], { stdio: 'ignore' });
});
