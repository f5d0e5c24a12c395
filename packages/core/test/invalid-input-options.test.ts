import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createDatabase, defineRepository, f } from '@chatcore/core';
import { memoryDriver } from '@chatcore/core/driver';
import type { Plugin } from '@chatcore/core/plugin';
import { RepositoryImpl } from '../src/repository/repository.js';
import { OPTIONS_ARGUMENT, type RepositoryMethod } from '../src/repository/options-position.js';

const accounts = defineRepository('accounts', { id: f.id(), name: f.string(), pin: f.string().secret(), version: f.version() });

test('every public repository method states where its options are (a method added without an entry fails here)', () => {
  const methods = Object.getOwnPropertyNames(RepositoryImpl.prototype).filter((m) => m !== 'constructor').sort();
  assert.equal(Object.keys(OPTIONS_ARGUMENT).sort(), methods);
});

test('each stated position is the last parameter of its method, counted without defaults', () => {
  for (const [method, at] of Object.entries(OPTIONS_ARGUMENT)) {
    const fn = (RepositoryImpl.prototype as unknown as Record<string, (...args: unknown[]) => unknown>)[method]!;
    const params = /^[^(]*\(([^)]*)\)/.exec(fn.toString())![1]!.split(',').map((p) => p.trim()).filter(Boolean);
    assert.is(params.length - 1, at, `${method}(${params.join(', ')})`);
  }
});

test('rejected input of every method reaches onInvalidInput with the actor of that call\'s options', async () => {
  const seen = new Map<string, string | undefined>();
  const watcher: Plugin = { name: 'watcher', onInvalidInput: ({ method, context }) => void seen.set(method, context.actor) };
  const db = createDatabase({ driver: memoryDriver(), repositories: { accounts }, plugins: [watcher] });
  await db.connect();
  const a = await db.accounts.create({ name: 'a', pin: '1234' });
  const o = (method: RepositoryMethod) => ({ actor: `actor:${method}` });
  const bad = { nope: 1 } as never;
  const calls: Record<RepositoryMethod, () => unknown> = {
    create: () => db.accounts.create(bad, o('create')),
    createMany: () => db.accounts.createMany([bad], o('createMany')),
    get: () => db.accounts.get(42 as never, o('get')),
    getMany: () => db.accounts.getMany([42 as never], o('getMany')),
    find: () => db.accounts.find({ where: bad }, o('find')),
    findPage: () => db.accounts.findPage({ where: bad }, o('findPage')),
    findOne: () => db.accounts.findOne({ where: bad }, o('findOne')),
    count: () => db.accounts.count(bad, o('count')),
    exists: () => db.accounts.exists(bad, o('exists')),
    aggregate: () => db.accounts.aggregate(bad, o('aggregate')),
    update: () => db.accounts.update(a.id, bad, o('update')),
    updateMany: () => db.accounts.updateMany({}, bad, o('updateMany')),
    upsert: () => db.accounts.upsert(bad, o('upsert')),
    delete: () => db.accounts.delete(42 as never, o('delete')),
    deleteMany: () => db.accounts.deleteMany(bad, o('deleteMany')),
    iterate: () => db.accounts.iterate({ where: bad }, o('iterate')),
    verifySecret: () => db.accounts.verifySecret(a.id, 'name' as never, 'x', o('verifySecret')),
    query: () => db.accounts.query(bad, o('query')),
  };
  for (const call of Object.values(calls)) {
    try {
      await call();
    } catch {
      // Every call is rejected; what matters is what the watcher heard.
    }
  }
  await new Promise((r) => setImmediate(r));
  for (const method of Object.keys(OPTIONS_ARGUMENT) as RepositoryMethod[]) assert.is(seen.get(method), `actor:${method}`, method);
  await db.close();
});

test.run();
