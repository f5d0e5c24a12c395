// Run by the concurrency tests in a process of its own: migrate(url, which).
import { createDatabase } from '@chatcore/core';
import { migrate } from '../../src/index.js';
import { bumpOnce, jobsV2, slowFill } from './jobs.js';
import { pgDriver } from './pg-database.js';

const [url, which] = process.argv.slice(2);
const db = createDatabase({ driver: pgDriver(url!), repositories: { jobs: jobsV2 }, schemaMode: 'verify' });
const result = await migrate(db, { migrations: [which === 'slow' ? slowFill : bumpOnce], concurrency: 1 });
console.log(JSON.stringify(result));
await db.close();
