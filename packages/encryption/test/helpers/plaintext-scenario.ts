import * as assert from 'uvu/assert';
import { createDatabase, defineRepository, f, UniqueViolationError, ValidationError } from '@chatcore/core';
import { type Driver } from '@chatcore/core/driver';
import { type RepositorySchema } from '@chatcore/core/plugin';
import { encryption } from '../../src/index.js';
import { KEY_A, highEntropy } from './keys.js';
import { findLeaks } from './plaintext-scan.js';
import { countingDriver } from './counting-driver.js';

/** Repositories with a per-run suffix (tables on a shared server never collide). */
export function scenarioRepos(suffix: string) {
  const people = defineRepository(`people_${suffix}`, {
    id: f.id(),
    name: f.string(),
    email: f.string().unique().sensitive({ searchable: true, normalize: { caseFold: true } }),
    ssn: f.string().optional().sensitive(),
    salary: f.bigint().optional().sensitive(),
    apiKey: f.string().optional(),
    password: f.string().secret().optional(),
    version: f.version(),
  });
  const chats = defineRepository(`chats_${suffix}`, {
    id: f.id(),
    conversationId: f.string().indexed(),
    body: f.text(),
    author: f.string().sensitive({ searchable: true }),
    createdAt: f.timestamp().createdAt(),
    version: f.version(),
  }, { plugins: { encryption: { seal: true, clear: ['conversationId'] } } });
  return { people, chats };
}

/** What a scenario run leaves for backend-specific checks. */
export interface ScenarioResult {
  readonly secrets: string[];
  readonly schemas: ReadonlyMap<string, RepositorySchema>;
  readonly lookupEmail: string;
}

/**
 * Writes through every path (create, createMany, update, updateMany, upsert,
 * sealed records), runs blind-index queries, checks reads return plaintext
 * and refused queries send nothing, then searches `dump()` for every
 * sensitive value in plain, base64, base64url and hex.
 */
export async function plaintextScenario(base: Driver, suffix: string, dump: (schemas: ReadonlyMap<string, RepositorySchema>) => Promise<string>): Promise<ScenarioResult> {
  const { people, chats } = scenarioRepos(suffix);
  const { driver, calls } = countingDriver(base);
  const db = createDatabase({ driver, repositories: { people, chats }, plugins: [encryption({ keys: [{ id: 'k1', key: KEY_A }], sensitiveFields: ['api_key'] })] });
  await db.connect();
  const secrets: string[] = [];
  const s = (prefix: string) => {
    const v = highEntropy(prefix);
    secrets.push(v);
    return v;
  };
  try {
    const password = s('pw');
    const a = await db.people.create({ name: 'a', email: `${s('e')}@x.io`, ssn: s('ssn'), salary: 123456789012345n, apiKey: s('sk'), password });
    const many = await db.people.createMany(Array.from({ length: 200 }, (_, i) => ({ name: `m${i % 3}`, email: `${s('e')}@m.io`, ssn: s('ssn'), apiKey: s('sk') })));
    await db.people.update(a.id, { ssn: s('ssn'), email: `${s('e')}@x.io` });
    assert.is(await db.people.updateMany({ name: 'm1' }, { ssn: s('ssn') }), many.filter((m) => m.name === 'm1').length);
    await db.people.upsert({ name: 'u', email: `${s('e')}@u.io`, ssn: s('ssn') }, { conflict: ['email'] });
    const upEmail = `${s('e')}@u2.io`;
    await db.people.upsert({ name: 'u2', email: upEmail, ssn: s('ssn') }, { conflict: ['email'] });
    await db.people.upsert({ name: 'u2b', email: upEmail, ssn: s('ssn') }, { conflict: ['email'] });
    const chat = await db.chats.create({ conversationId: 'c1', body: s('body'), author: s('author') });
    await db.chats.createMany([{ conversationId: 'c1', body: s('body'), author: s('author') }, { conversationId: 'c2', body: s('body'), author: chat.author }]);
    await db.chats.update(chat.id, { body: s('body') });

    const target = many[57]!;
    assert.equal((await db.people.find({ where: { email: target.email.toUpperCase() } })).map((r) => r.id), [target.id]);
    const trio = [many[1]!, many[100]!, many[199]!];
    const found = await db.people.find({ where: { email: { in: [...trio.map((t) => t.email), `${s('e')}@none.io`] } } });
    assert.equal(found.map((r) => r.id).sort(), trio.map((t) => t.id).sort());
    assert.is((await db.people.findOne({ where: { email: upEmail } }))!.name, 'u2b');
    assert.is(await db.people.count({ email: { in: [a.email, target.email] } }), 1);
    assert.is((await db.chats.find({ where: { author: chat.author } })).length, 2);
    const total = await db.people.count({});
    try {
      await db.people.create({ name: 'dup', email: target.email.toUpperCase() });
      assert.unreachable('duplicate email accepted');
    } catch (e) {
      assert.instance(e, UniqueViolationError);
      // Named as declared, not by its blind-index storage field.
      assert.equal((e as UniqueViolationError).info.fields, ['email']);
      assert.match((e as Error).message, /same email already exists/);
    }
    for (const write of [() => db.people.update(a.id, { email: target.email }), () => db.people.upsert({ id: a.id, name: a.name, email: target.email }, { conflict: ['id'] })]) {
      try {
        await write();
        assert.unreachable('duplicate email accepted');
      } catch (e) {
        assert.instance(e, UniqueViolationError);
        assert.equal((e as UniqueViolationError).info.fields, ['email']);
      }
    }
    assert.is(await db.people.count({}), total);
    const read = (await db.people.get(target.id))!;
    assert.equal([read.email, read.ssn, read.apiKey], [target.email, target.ssn, target.apiKey]);
    assert.not.ok('password' in read);
    assert.ok(await db.people.verifySecret(a.id, 'password', password));

    const before = calls();
    // apiKey is encrypted through sensitiveFields, body is sealed: core refuses both like a .sensitive() field.
    for (const [run, refusal] of [
      [() => db.people.find({ where: { apiKey: { startsWith: 'sk' } } }), ValidationError],
      [() => db.people.find({ where: { apiKey: { gte: 'a' } } }), ValidationError],
      [() => db.people.find({ orderBy: { apiKey: 'asc' } }), ValidationError],
      [() => db.people.count({ apiKey: 'x' }), ValidationError],
      [() => db.chats.find({ where: { body: 'x' } }), ValidationError],
      [() => db.people.updateMany({ apiKey: { lt: 'z' } }, { name: 'x' }), ValidationError],
      [() => db.people.deleteMany({ apiKey: { ne: 'x' } }), ValidationError],
      [() => db.people.count({ not: { email: target.email } }), ValidationError],
    ] as const) {
      try {
        await run();
        assert.unreachable('refused query ran');
      } catch (e) {
        assert.instance(e, refusal);
      }
    }
    assert.is(calls(), before, 'no statement sent for refused queries');

    const text = await dump(db.schemas);
    assert.ok(text.length > 1000, 'the dump holds the data');
    assert.equal(findLeaks(text, secrets), []);
    return { secrets, schemas: db.schemas, lookupEmail: target.email };
  } finally {
    await db.close();
  }
}
