import { requireService } from '@chatcore/core/testing';
import { pglite } from '@chatcore/pglite';
import { writtenQueryScenario } from './helpers/written-query-scenario.js';

// The cache of the standard stack needs Redis.
await requireService('redis');
writtenQueryScenario('PGlite', () => pglite()).run();
