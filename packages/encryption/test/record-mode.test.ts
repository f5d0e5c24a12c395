import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createDatabase, defineRepository, f, ConfigError, ValidationError } from '@chatcore/core';
import { memoryDriver } from '@chatcore/core/driver';
import { encryption } from '../src/index.js';
import { keyIdOf } from '../src/crypto/ciphertext-format.js';
import { KEY_A, highEntropy } from './helpers/keys.js';
import { messages } from './helpers/schemas.js';
import { findLeaks } from './helpers/plaintext-scan.js';

const notes = defineRepository('notes', {
  id: f.id(),
  owner: f.string(),
  title: f.string(),
  stars: f.integer().default(0),
  pin: f.string().secret().optional(),
  createdAt: f.timestamp().createdAt(),
}, {});

const driver = memoryDriver();
const db = createDatabase({
  driver,
  repositories: { messages, notes },
  plugins: [encryption({ keys: [{ id: 'k1', key: KEY_A }], repositories: { notes: { seal: true, clear: ['owner'] } } })],
});
await db.connect();
const raw = (n: string) => driver.query(db.schemas.get(n)!, { orderBy: [{ field: 'id', direction: 'asc' }] }, {});

test('the storage schema keeps id, version, timestamps and clear fields, and one envelope', () => {
  const s = db.schemas.get('messages')!;
  assert.equal(Object.keys(s.fields).sort(), ['authorBidx', 'conversationId', 'createdAt', 'id', 'rowAuth', 'sealed', 'version']);
  assert.is(s.fields.sealed!.storedAs, 'sealed-envelope');
  assert.is(s.fields.sealed!.type, 'text');
  // What core reads to validate queries on the sealed fields.
  assert.equal(s.fields.sealed!.holds, { role: { searchable: false }, body: { searchable: false }, tokens: { searchable: false }, author: { searchable: true } });
  assert.ok(s.indexes.some((i) => i.fields[0] === 'conversationId'));
  assert.equal(Object.keys(db.schemas.get('notes')!.fields).sort(), ['createdAt', 'id', 'owner', 'pin', 'rowAuth', 'sealed']);
});

test('records are sealed whole and read back, with clear fields queryable', async () => {
  const body = highEntropy('body-');
  const author = highEntropy('author-');
  const m = await db.messages.create({ conversationId: 'conv-1', role: 'assistant', body, tokens: 12, author });
  assert.is(m.body, body);
  const stored = (await raw('messages')).find((r) => r.id === m.id)!;
  assert.is(keyIdOf(Buffer.from(stored.sealed as string, 'base64url').subarray(1 + 2 + 5 + 5 + 7 + 7).toString('base64url')), 'k1');
  assert.equal(findLeaks(JSON.stringify(stored, (_, v) => (typeof v === 'bigint' ? String(v) : v)), [body, author, 'assistant']), []);
  const read = (await db.messages.get(m.id))!;
  assert.equal(read, m);
  const inConv = await db.messages.find({ where: { conversationId: 'conv-1' }, orderBy: { createdAt: 'asc' } });
  assert.ok(inConv.some((r) => r.id === m.id && r.body === body && r.tokens === 12));
  assert.is((await db.messages.findOne({ where: { author } }))!.id, m.id);
});

test('projections of sealed fields open the envelope; projections of clear fields do not need it', async () => {
  const m = await db.messages.create({ conversationId: 'conv-p', role: 'user', body: 'projected' });
  assert.equal(await db.messages.find({ where: { id: m.id }, select: ['body'] }), [{ id: m.id, body: 'projected' }]);
  assert.equal(await db.messages.find({ where: { id: m.id }, select: ['conversationId'] }), [{ id: m.id, conversationId: 'conv-p' }]);
});

test('updates merge into the envelope, including increments of sealed numbers, and bump the version', async () => {
  const m = await db.messages.create({ conversationId: 'conv-u', role: 'user', body: 'before', tokens: 1 });
  const u = await db.messages.update(m.id, { body: 'after', tokens: { increment: 5 } }, { expectedVersion: 1 });
  assert.is(u.body, 'after');
  assert.is(u.tokens, 6);
  assert.is(u.role, 'user');
  assert.is(u.version, 2);
  assert.is(await db.messages.updateMany({ conversationId: 'conv-u' }, { role: 'system' }), 1);
  const r = (await db.messages.get(m.id))!;
  assert.equal([r.body, r.tokens, r.role, r.version], ['after', 6, 'system', 3]);
});

test('a stale expected version on a sealed update raises ConflictError and changes nothing', async () => {
  const m = await db.messages.create({ conversationId: 'conv-v', role: 'user', body: 'v1' });
  await db.messages.update(m.id, { body: 'v2' });
  try {
    await db.messages.update(m.id, { body: 'v3' }, { expectedVersion: 1 });
    assert.unreachable();
  } catch (e) {
    assert.is((e as Error).name, 'ConflictError');
  }
  assert.is((await db.messages.get(m.id))!.body, 'v2');
});

test('queries on sealed fields without a blind index are refused before the driver', async () => {
  for (const run of [
    () => db.messages.find({ where: { role: 'user' } }),
    () => db.messages.find({ orderBy: { tokens: 'desc' } }),
    () => db.messages.count({ body: { startsWith: 'a' } }),
    () => db.notes.find({ where: { title: 'x' } }),
  ]) {
    try {
      await run();
      assert.unreachable();
    } catch (e) {
      assert.instance(e, ValidationError, (e as Error).name);
    }
  }
});

test('plugin-option sealing works and secret fields stay hashed by core, outside the envelope', async () => {
  const n = await db.notes.create({ owner: 'ada', title: highEntropy(), stars: 2, pin: '0000-0000' });
  assert.not.ok('pin' in n);
  assert.ok(await db.notes.verifySecret(n.id, 'pin', '0000-0000'));
  assert.is((await db.notes.find({ where: { owner: 'ada' } }))[0]!.title, n.title);
  const upserted = await db.notes.upsert({ id: n.id, owner: 'ada', title: 'replaced', stars: 3 });
  assert.is(upserted.title, 'replaced');
  assert.is((await db.notes.get(n.id))!.stars, 3);
});

test('every logical type round-trips through a sealed envelope', async () => {
  const everything = defineRepository('sealedtypes', {
    id: f.id(), s: f.string(), i: f.integer(), n: f.number().optional(), big: f.bigint(), flag: f.boolean(), at: f.timestamp(),
    raw: f.bytes(), doc: f.json<{ k: number[] }>(), tags: f.array(f.bigint()), maybe: f.string().optional(),
  }, { plugins: { encryption: { seal: true } } });
  const local = createDatabase({ driver: memoryDriver(), repositories: { everything }, plugins: [encryption({ keys: [{ id: 'k1', key: KEY_A }] })] });
  await local.connect();
  const input = { s: 'x', i: 7, n: -0.5, big: 2n ** 63n - 1n, flag: true, at: new Date(86_400_000), raw: new Uint8Array([9, 8]), doc: { k: [1, 2] }, tags: [1n, -2n] };
  const created = await local.everything.create(input);
  const read = (await local.everything.get(created.id))!;
  assert.equal({ ...read, id: undefined }, { ...input, id: undefined, maybe: null });
  assert.ok(read.at instanceof Date && read.raw instanceof Uint8Array);
  await local.close();
});

test('misconfigured sealing is refused at createDatabase', () => {
  const bad = (clear: string[]) => defineRepository('bad', { id: f.id(), a: f.string().sensitive(), b: f.string() }, { plugins: { encryption: { seal: true, clear } } });
  assert.throws(() => createDatabase({ driver: memoryDriver(), repositories: { bad: bad(['a']) }, plugins: [encryption({ keys: [{ id: 'k1', key: KEY_A }] })] }), (e: Error) => e instanceof ConfigError && /sensitive/.test(e.message));
  assert.throws(() => createDatabase({ driver: memoryDriver(), repositories: { bad: bad(['zz']) }, plugins: [encryption({ keys: [{ id: 'k1', key: KEY_A }] })] }), (e: Error) => e instanceof ConfigError && /zz/.test(e.message));
});

test.after(async () => {
  await db.close();
});
test.run();
