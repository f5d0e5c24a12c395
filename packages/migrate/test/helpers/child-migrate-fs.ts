// Run by the Firestore concurrency tests in a process of its own: migrate(project, which).
import { createDatabase } from '@chatcore/core';
import { migrate } from '../../src/index.js';
import { bumpOnce, jobsV2, slowFill } from './jobs.js';
import { fsDriver, TEST_LEASE } from './fs-database.js';

const [project, which] = process.argv.slice(2);
const db = createDatabase({ driver: fsDriver(project!, TEST_LEASE), repositories: { jobs: jobsV2 }, schemaMode: 'verify' });
const result = await migrate(db, { migrations: [which === 'slow' ? slowFill : bumpOnce], concurrency: 1 });
console.log(JSON.stringify(result));
await db.close();
