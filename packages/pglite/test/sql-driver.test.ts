import { registerDataSuite, registerDerivedColumnSuite, registerForeignKeySuite, registerIncrementOverflowSuite, registerSafetySuite, registerSchemaSuite } from '@chatcore/sql/testing';
import { PgliteExecutor } from '../src/index.js';
import { shared } from './helpers/shared-pglite.js';

const options = { name: 'pglite', createExecutor: () => new PgliteExecutor({ client: shared }) };
const data = registerDataSuite(options);
const schema = registerSchemaSuite(options);
const derived = registerDerivedColumnSuite(options);
const safety = registerSafetySuite(options);
const foreignKeys = registerForeignKeySuite(options);
const overflow = registerIncrementOverflowSuite(options);
schema.after(() => shared.close());
data.run();
safety.run();
foreignKeys.run();
overflow.run();
derived.run();
schema.run();
