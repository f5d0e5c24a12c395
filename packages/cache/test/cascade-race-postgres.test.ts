import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createDatabase, defineRepository, f, ForeignKeyError } from '@chatcore/core';
import type { Plugin } from '@chatcore/core/plugin';
import { requireService } from '@chatcore/core/testing';
import { postgres } from '@chatcore/postgres';
import { cache } from '../src/index.js';
import { TABLE_SUFFIX, randomNamespace, sleep } from './helpers/fixtures.js';
import { PG_URL } from './helpers/coherence-suite.js';

await requireService('redis');
await requireService('postgres');

// Two instances on one PostgreSQL database and one Redis. While instance A
// deletes a chat, after core has run its cascade (or `set null`) through
// the plugins and before the chat's own DELETE, instance B writes a new
// record naming that chat. Had B's write committed, the foreign key's own
// ON DELETE would remove (or clear) it behind every plugin's back, and the
// cache would go on serving it. The chat's row is locked before the delete
// is planned, so B's write waits and then fails with ForeignKeyError; and a
// delete by filter deletes only the rows it locked.

const redisUrl = 'redis://127.0.0.1:6379';
const chats = defineRepository('chats', { id: f.id(), title: f.string() }, { table: `cache_race_chats_${TABLE_SUFFIX}` });
const lines = defineRepository('lines', {
  id: f.id(),
  chatId: f.string().references('chats', { onDelete: 'cascade' }),
  body: f.text(),
}, { table: `cache_race_lines_${TABLE_SUFFIX}` });
const pins = defineRepository('pins', {
  id: f.id(),
  chatId: f.string().optional().references('chats', { onDelete: 'set null' }),
  label: f.string(),
}, { table: `cache_race_pins_${TABLE_SUFFIX}` });
const repositories = { chats, lines, pins };

/** Holds the first write of `repository` of kind `kind` after it returned, while armed, until released. */
function pauseAfter(repository: string, kind: 'delete' | 'update') {
  let armed = false;
  let reached!: () => void;
  let release!: () => void;
  const paused = new Promise<void>((r) => (reached = r));
  const released = new Promise<void>((r) => (release = r));
  const plugin: Plugin = {
    name: 'pause',
    async around(op, _ctx, next) {
      const result = await next(op);
      if (armed && op.schema.name === repository && op.kind === kind) {
        armed = false;
        reached();
        await released;
      }
      return result;
    },
  };
  return { plugin, arm: () => { armed = true; }, paused, release };
}

async function open(namespace: string, extra: Plugin[]) {
  const db = createDatabase({ driver: postgres({ url: PG_URL, poolSize: 4 }), repositories, plugins: [...extra, cache({ redisUrl, namespace, redisTimeout: '2s' })] });
  await db.connect();
  return db;
}

type Db = Awaited<ReturnType<typeof open>>;

/** Settled within `ms`: the outcome; otherwise 'pending'. */
async function within<T>(p: Promise<T>, ms: number): Promise<{ value: T } | { error: unknown } | 'pending'> {
  const outcome = p.then((value) => ({ value }), (error: unknown) => ({ error }));
  return Promise.race([outcome, sleep(ms).then(() => 'pending' as const)]);
}

async function race(
  what: string,
  pause: ReturnType<typeof pauseAfter>,
  a: Db,
  b: Db,
  remove: (chatId: string) => Promise<unknown>,
  write: (chatId: string) => Promise<{ id: string }>,
  read: (id: string) => Promise<unknown>,
): Promise<void> {
  const chat = await a.chats.create({ title: what });
  await a.lines.create({ chatId: chat.id, body: 'before' });
  await a.pins.create({ chatId: chat.id, label: 'before' });
  pause.arm();
  const deleting = remove(chat.id);
  await pause.paused;
  const writing = write(chat.id);
  const early = await within(writing, 300);
  // Had the write committed in the gap, a reader would cache it now (the second read is a hit).
  if (early !== 'pending' && 'value' in early) for (let i = 0; i < 2; i++) await read(early.value.id);
  pause.release();
  await deleting;
  const settled = await within(writing, 5000);
  if (settled !== 'pending' && 'value' in settled) {
    const served = await read(settled.value.id);
    assert.unreachable(`B's write committed between the cascade and the chat's delete; the database then removed or cleared it unseen, and the cache serves ${JSON.stringify(served)}`);
  }
  assert.is(early, 'pending', 'the write naming the chat waits for the delete');
  assert.ok(settled !== 'pending' && 'error' in settled && settled.error instanceof ForeignKeyError, `then fails with ForeignKeyError, got ${JSON.stringify(settled)}`);
  assert.equal(await b.lines.find({ where: { chatId: chat.id } }), [], 'no line of the deleted chat is served');
  assert.equal(await a.lines.find({ where: { chatId: chat.id } }, { cache: false }), [], 'and none is stored');
  assert.equal(await a.pins.find({ where: { chatId: chat.id } }, { cache: false }), [], 'no pin names it');
}

/** Two databases on one cache namespace, A pausing after its cascade `kind` of `repository`; closed after `fn`. */
async function withPair(repository: string, kind: 'delete' | 'update', fn: (pause: ReturnType<typeof pauseAfter>, a: Db, b: Db) => Promise<void>): Promise<void> {
  const namespace = randomNamespace();
  const pause = pauseAfter(repository, kind);
  const a = await open(namespace, [pause.plugin]);
  const b = await open(namespace, []);
  try {
    await fn(pause, a, b);
  } finally {
    pause.release();
    await a.close();
    await b.close();
  }
}

test('a line written during a chat delete waits, then fails with ForeignKeyError (cascade, delete by id)', async () => {
  await withPair('lines', 'delete', async (pause, a, b) => {
    await race('by id', pause, a, b, (id) => a.chats.delete(id), (chatId) => b.lines.create({ chatId, body: 'late' }), (id) => b.lines.get(id));
  });
});

test('a pin written during a chats deleteMany waits, then fails with ForeignKeyError (set null, delete by filter)', async () => {
  await withPair('pins', 'update', async (pause, a, b) => {
    await race('by filter', pause, a, b, () => a.chats.deleteMany({ title: 'by filter' }), (chatId) => b.pins.create({ chatId, label: 'late' }), (id) => b.pins.get(id));
  });
});

test('a line moved onto a chat being deleted waits, then fails with ForeignKeyError (update of the reference)', async () => {
  await withPair('lines', 'delete', async (pause, a, b) => {
    const other = await b.chats.create({ title: 'other' });
    const line = await b.lines.create({ chatId: other.id, body: 'moving' });
    await race('moved', pause, a, b, (id) => a.chats.delete(id), (chatId) => b.lines.update(line.id, { chatId }), (id) => b.lines.get(id));
    assert.is((await b.lines.get(line.id))?.chatId, other.id, 'the moved line is unchanged');
  });
});

test('a chat that matches a deleteMany filter only after its rows were locked is kept, with its lines', async () => {
  await withPair('lines', 'delete', async (pause, a, b) => {
    const chat = await a.chats.create({ title: 'late match' });
    await a.lines.create({ chatId: chat.id, body: 'before' });
    pause.arm();
    const deleting = a.chats.deleteMany({ title: 'late match' });
    await pause.paused;
    // Committed in the gap: not among the rows the delete locked, so it must not be deleted (with its line,
    // by the foreign key, behind the cache) by the delete's own statement.
    const late = await b.chats.create({ title: 'late match' });
    const line = await b.lines.create({ chatId: late.id, body: 'kept' });
    for (let i = 0; i < 2; i++) await b.lines.get(line.id);
    pause.release();
    assert.is(await deleting, 1, 'deleteMany deleted the chat it matched and locked');
    assert.is((await a.chats.get(late.id, { cache: false }))?.id, late.id, 'the late chat is kept');
    assert.is((await a.lines.get(line.id, { cache: false }))?.body, 'kept', 'and its line is stored');
    assert.is((await b.lines.get(line.id))?.body, 'kept', 'and served');
    assert.equal(await a.lines.find({ where: { chatId: chat.id } }, { cache: false }), [], 'the deleted chat has no line left');
  });
});

test.run();
