import { requireService } from '@chatcore/core/testing';
import { registerDataSuite, registerDerivedColumnSuite, registerForeignKeySuite, registerIncrementOverflowSuite, registerSafetySuite, registerSchemaSuite } from '@chatcore/sql/testing';
import { createPool, PoolExecutor } from '../src/index.js';
import { testConfig } from './helpers/pg-config.js';

await requireService('postgres');

const options = { name: 'postgres', createExecutor: () => new PoolExecutor(createPool(testConfig())) };
registerDataSuite(options).run();
registerSafetySuite(options).run();
registerSchemaSuite(options).run();
registerDerivedColumnSuite(options).run();
registerForeignKeySuite(options).run();
registerIncrementOverflowSuite(options).run();
