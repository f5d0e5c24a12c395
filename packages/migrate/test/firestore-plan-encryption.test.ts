import { test } from 'uvu';
import { fsDriver } from './helpers/fs-database.js';
import { planEncryptionTests } from './helpers/plan-encryption.js';

planEncryptionTests(test, async (scope) => fsDriver(`chatcore-migrate-plan-${scope}`));
test.run();
