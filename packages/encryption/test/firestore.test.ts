import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { randomBytes } from 'node:crypto';
import { firestore } from '@chatcore/firestore';
import { useFirestoreEmulator } from '@chatcore/firestore/testing';
import { firestoreDump } from './helpers/firestore-emulator.js';
import { plaintextScenario } from './helpers/plaintext-scenario.js';
import { indexAttackScenario, type RawAccess } from './helpers/index-attack-scenario.js';
import { plantedIncludeScenario } from './helpers/planted-include-scenario.js';
import { rollbackScenario } from './helpers/rollback-scenario.js';
import { writeIntegrityScenario } from './helpers/write-integrity-scenario.js';

const emulator = await useFirestoreEmulator();

test('Firestore: no sensitive value in the stored documents after every write path and blind-index query', async () => {
  const projectId = `chatcore-enc-${randomBytes(4).toString('hex')}`;
  const driver = firestore({ projectId, emulatorHost: emulator.host });
  const result = await plaintextScenario(driver, randomBytes(3).toString('hex'), async (schemas) => {
    const dump = await firestoreDump(emulator.host, projectId, [...schemas.values()].map((s) => s.table));
    assert.match(dump, /emailBidx|email_bidx/);
    return dump;
  });
  assert.ok(result.secrets.length > 400);
});

test('Firestore: a blind index copied with a raw document write never returns another record', async () => {
  const driver = firestore({ projectId: `chatcore-bidx-${randomBytes(4).toString('hex')}`, emulatorHost: emulator.host });
  await indexAttackScenario(driver, randomBytes(3).toString('hex'), {
    read: async (schema, id, field) => (await driver.firestore.collection(schema.table).doc(id).get()).get(field),
    write: async (schema, id, set) => void (await driver.firestore.collection(schema.table).doc(id).update(set)),
  });
});

test('Firestore: a planted blind index does not hide the real match of an include limited per parent', async () => {
  const driver = firestore({ projectId: `chatcore-pinc-${randomBytes(4).toString('hex')}`, emulatorHost: emulator.host });
  await plantedIncludeScenario(driver, randomBytes(3).toString('hex'), {
    read: async (schema, id, field) => (await driver.firestore.collection(schema.table).doc(id).get()).get(field),
    write: async (schema, id, set) => void (await driver.firestore.collection(schema.table).doc(id).update(set)),
  });
});

test('Firestore: an older ciphertext or envelope written back with a raw document write fails with IntegrityError', async () => {
  const projectId = `chatcore-rb-${randomBytes(4).toString('hex')}`;
  // Raw writes through a client of their own: the scenario closes and reopens the database's driver.
  const direct = firestore({ projectId, emulatorHost: emulator.host });
  const raw: RawAccess = {
    read: async (schema, id, field) => (await direct.firestore.collection(schema.table).doc(id).get()).get(field),
    write: async (schema, id, set) => void (await direct.firestore.collection(schema.table).doc(id).update(set)),
  };
  try {
    await rollbackScenario(firestore({ projectId, emulatorHost: emulator.host }), randomBytes(3).toString('hex'), raw, () => firestore({ projectId, emulatorHost: emulator.host }));
  } finally {
    await direct.close();
  }
});

test('Firestore: a write that finds its record tampered (raw document write) raises IntegrityError, writes nothing and reports one integrity_failure event', async () => {
  const driver = firestore({ projectId: `chatcore-wi-${randomBytes(4).toString('hex')}`, emulatorHost: emulator.host });
  await writeIntegrityScenario(driver, randomBytes(3).toString('hex'), {
    read: async (schema, id, field) => (await driver.firestore.collection(schema.table).doc(id).get()).get(field) ?? null,
    write: async (schema, id, set) => void (await driver.firestore.collection(schema.table).doc(id).update(set)),
  }, 'console');
});

test.after(() => emulator.stop());
test.run();
