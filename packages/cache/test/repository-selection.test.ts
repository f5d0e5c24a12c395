import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ConfigError, createDatabase, defineRepository, f } from '@chatcore/core';
import { createStack } from '@chatcore/core/config';
import type { Operation, Plugin, PluginHost, RepositorySchema } from '@chatcore/core/plugin';
import { cache, type CachePlugin, type CacheOptions } from '../src/index.js';
import { instrument, randomNamespace } from './helpers/fixtures.js';

// Which repositories the cache serves: all of them unless opted out, never a plugin's own.
const posts = defineRepository('posts', { id: f.id(), title: f.string(), version: f.version() });
const drafts = defineRepository('drafts', { id: f.id(), title: f.string(), version: f.version() });
const scratch = defineRepository('scratch', { id: f.id(), title: f.string(), version: f.version() }, { plugins: { cache: false } });

async function open(options: CacheOptions, extra: Plugin[] = []) {
  const ins = instrument();
  const c = cache({ namespace: randomNamespace(), ...options });
  const db = createDatabase({ driver: ins.driver, repositories: { posts, drafts, scratch }, plugins: [...extra, c] });
  await db.connect();
  return { db, c, ins };
}

/** Driver reads made by two gets, two finds and two counts of one repository. */
async function readsOfRepeatedCalls(ins: ReturnType<typeof instrument>, repo: { create(v: { title: string }): Promise<{ id: string }>; get(id: string): Promise<unknown>; find(q: object): Promise<unknown>; count(w: object): Promise<number> }): Promise<number> {
  const row = await repo.create({ title: 't' });
  const before = ins.reads.getByIds + ins.reads.query + ins.reads.count;
  for (let i = 0; i < 2; i++) {
    await repo.get(row.id);
    await repo.find({ where: { title: 't' } });
    await repo.count({ title: 't' });
  }
  return ins.reads.getByIds + ins.reads.query + ins.reads.count - before;
}

test('a cache with no repositories listed caches every repository: the repeat of each read is a hit', async () => {
  const { db, c, ins } = await open({});
  assert.is(await readsOfRepeatedCalls(ins, db.posts), 3, 'one driver read per get, find and count');
  assert.is(await readsOfRepeatedCalls(ins, db.drafts), 3);
  assert.is(c.stats().repositories.posts!.local.hits, 3);
  await db.close();
});

test('repositories: { drafts: false } opts one repository out; { ttl } only changes its settings', async () => {
  const { db, c, ins } = await open({ repositories: { drafts: false, posts: { ttl: '5m' } } });
  assert.is(await readsOfRepeatedCalls(ins, db.drafts), 6, 'every read of drafts reaches the driver');
  assert.is(await readsOfRepeatedCalls(ins, db.posts), 3);
  assert.is(c.stats().repositories.drafts, undefined, 'drafts never touched the cache');
  await db.close();
});

test('a repository opted out in its definition stays out, unless the plugin options name it', async () => {
  const out = await open({});
  assert.is(await readsOfRepeatedCalls(out.ins, out.db.scratch), 6);
  await out.db.close();
  const back = await open({ repositories: { scratch: { ttl: '1m' } } });
  assert.is(await readsOfRepeatedCalls(back.ins, back.db.scratch), 3, 'plugin options win over the definition');
  await back.db.close();
});

/** A plugin that owns a repository and reads it through the plugins below it, as host.execute offers. */
function ownerPlugin(): Plugin & { host?: PluginHost; log?: RepositorySchema } {
  const log = { ...defineRepository('owner_log', { id: f.id(), title: f.string(), version: f.version() }).schema, ownedBy: 'owner' };
  const plugin: Plugin & { host?: PluginHost; log?: RepositorySchema } = {
    name: 'owner',
    extendSchema: (list) => [...list, log],
    connect(host) {
      plugin.host = host;
      plugin.log = host.schema('owner_log');
    },
  };
  return plugin;
}

test('a repository a plugin owns (like the audit outbox) is never cached, even when read through the cache', async () => {
  const owner = ownerPlugin();
  const { db, c, ins } = await open({}, [owner]);
  const insert = { kind: 'insert', schema: owner.log!, rows: [{ id: '0193a5e2-0000-7000-8000-000000000001', title: 'x', version: 1 }] } as unknown as Operation;
  await owner.host!.execute('owner', insert);
  const get = { kind: 'get', schema: owner.log!, ids: ['0193a5e2-0000-7000-8000-000000000001'] } as Operation;
  const before = ins.reads.getByIds;
  for (let i = 0; i < 3; i++) assert.is((await owner.host!.execute('owner', get)).rows.length, 1);
  assert.is(ins.reads.getByIds - before, 3, 'every read reached the driver');
  assert.is(c.stats().repositories.owner_log, undefined);
  await db.close();
});

test('naming a plugin-owned repository in repositories is a ConfigError (false is accepted)', async () => {
  try {
    await open({ repositories: { owner_log: { ttl: '1m' } } }, [ownerPlugin()]);
    assert.unreachable('a plugin-owned repository must be refused');
  } catch (e) {
    assert.instance(e, ConfigError);
    assert.match((e as Error).message, /owner_log belongs to the owner plugin/);
  }
  const { db } = await open({ repositories: { owner_log: false } }, [ownerPlugin()]);
  await db.close();
});

test('YAML: drafts: false opts out, a map overrides, and a scalar other than true/false is refused', async () => {
  const yaml = (repos: string) => `
database:
  backend: memory
cache:
  namespace: ${randomNamespace()}
  repositories:
${repos}
`;
  const db = await createStack({ config: yaml('    drafts: false\n    posts: { ttl: 2m }'), repositories: { posts, drafts, scratch } });
  await db.connect();
  const c = db.plugin<CachePlugin>('cache')!;
  for (const repo of [db.posts, db.drafts]) {
    const row = await repo.create({ title: 'y' });
    await repo.get(row.id);
    await repo.get(row.id);
  }
  assert.is(c.stats().repositories.posts!.local.hits, 1);
  assert.is(c.stats().repositories.drafts, undefined);
  await db.close();
  try {
    await createStack({ config: yaml('    drafts: 3'), repositories: { posts, drafts, scratch } });
    assert.unreachable('drafts: 3 must be refused');
  } catch (e) {
    assert.instance(e, ConfigError);
    assert.match((e as Error).message, /cache\.repositories\.drafts .*expected false, true or a map/);
  }
});

test.run();
