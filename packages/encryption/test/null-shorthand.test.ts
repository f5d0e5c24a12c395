import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { defineRepository, f } from '@chatcore/core';
import { BACKENDS, useBackends } from './helpers/backends.js';
import { suffix } from './helpers/every-backend.js';

// queries.md: `eq: null` is the same as `isNull`; encryption.md: `not: { ssn: null }`
// is allowed. On an encrypted field without a blind index, declared in the schema
// or named in the plugin's sensitiveFields, every spelling of the null test is
// the isNull test, on every backend.
function repos(s: string) {
  const declared = defineRepository('declared', {
    id: f.id(), ssn: f.string().optional().sensitive(), email: f.string().optional().sensitive({ searchable: true }),
  }, { table: `encnull_declared_${s}` });
  const named = defineRepository('named', { id: f.id(), ssn: f.string().optional(), email: f.string().optional() }, { table: `encnull_named_${s}` });
  return { declared, named };
}

const backends = await useBackends();
test.after(() => backends.close());

for (const name of BACKENDS) {
  test(`${name}: null, eq null and not null on an encrypted field match as isNull does`, async () => {
    const db = await backends.open(name, repos(suffix()), { encrypted: true, plugin: { sensitiveFields: ['named.ssn', { field: 'named.email', searchable: true }] } });
    for (const key of ['declared', 'named'] as const) {
      const repo = db[key] as unknown as { createMany(rows: object[]): Promise<unknown>; find(q: object): Promise<{ id: string }[]> };
      await repo.createMany([{ id: 'a', ssn: '123-45-6789', email: 'a@example.com' }, { id: 'b', ssn: null, email: null }, { id: 'c', ssn: '987-65-4321', email: null }]);
      const ids = async (where: object) => (await repo.find({ where, orderBy: { id: 'asc' } })).map((r) => r.id);
      for (const field of ['ssn', 'email']) {
        const nulls = await ids({ [field]: { isNull: true } });
        const values = await ids({ not: { [field]: { isNull: true } } });
        assert.equal(await ids({ [field]: null }), nulls, `${key}: ${field}: null`);
        assert.equal(await ids({ [field]: { eq: null } }), nulls, `${key}: ${field}: { eq: null }`);
        assert.equal(await ids({ not: { [field]: null } }), values, `${key}: not: { ${field}: null }`);
        assert.equal(await ids({ not: { [field]: { eq: null } } }), values, `${key}: not: { ${field}: { eq: null } }`);
      }
      assert.equal(await ids({ ssn: null }), ['b'], `${key}: the null ssn`);
      assert.equal(await ids({ not: { ssn: null } }), ['a', 'c'], `${key}: the ssns that are set`);
      assert.equal(await ids({ email: null, not: { ssn: null } }), ['c'], `${key}: with a null test of a searchable field`);
      // A value stays refused on a field without a blind index.
      await repo.find({ where: { ssn: '123-45-6789' } }).then(
        () => assert.unreachable('eq of a value was accepted'),
        (e: Error) => assert.match(e.message, /operator eq is not available on an encrypted field/),
      );
    }
  });
}

test.run();
