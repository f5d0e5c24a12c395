import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createHmac, createSecretKey, randomBytes, type KeyObject } from 'node:crypto';
import { inspect } from 'node:util';
import { createDatabase, defineRepository, f } from '@chatcore/core';
import type { FieldMeta, SearchNormalization } from '@chatcore/core/plugin';
import { pglite } from '@chatcore/pglite';
import { encryption, Keyring, localKeyProvider } from '../src/index.js';
import { BlindIndexer, BLIND_INDEX_BYTES } from '../src/crypto/blind-index.js';
import { encodeValue } from '../src/crypto/plaintext-codec.js';
import { pluginState } from '../src/encryption-plugin.js';
import { sqlAccess } from './helpers/raw-access.js';
import { randomKey } from './helpers/keys.js';

/** Blind indexes as first written (a createHmac per value): every stored `_bidx` value was made this way. */
function reference(key: KeyObject | Buffer, meta: FieldMeta, value: unknown, normalize?: SearchNormalization): string | null {
  if (value === null || value === undefined) return null;
  let v = value;
  if (typeof v === 'string' && normalize?.trim) v = v.trim();
  if (typeof v === 'string' && normalize?.caseFold) v = v.normalize('NFKC').toLowerCase();
  return createHmac('sha256', key).update(encodeValue(v, meta.type, meta.items)).digest().toString('base64url', 0, BLIND_INDEX_BYTES);
}

const meta = (type: FieldMeta['type'], items?: FieldMeta): FieldMeta => ({ type, optional: false, unique: false, indexed: false, secret: false, ...(items ? { items } : {}) }) as FieldMeta;

const text = [
  '', ' ', 'a', 'ada@example.com', '  Ada@Example.COM  ', '\tTabs\n', 'x'.repeat(55), 'y'.repeat(64), 'z'.repeat(1023),
  'Zoë Ünïcödé', 'ÅNGSTRÖM', 'straße', 'İstanbul', 'ﬁne', 'Ｆｕｌｌ　ｗｉｄｔｈ', 'e\u0301', 'é', '日本語のメール', '😀 emoji 👩‍👩‍👧',
  '\ud800 lone surrogate', 'a\u0000nul', 'Ω'.repeat(6000), 'ü'.repeat(20_000), 'long '.repeat(60_000),
];
const normalizations: (SearchNormalization | undefined)[] = [undefined, {}, { trim: true }, { caseFold: true }, { trim: true, caseFold: true }];
const others: [FieldMeta, unknown[]][] = [
  [meta('integer'), [0, -0, 1, -1, 42, Number.MAX_SAFE_INTEGER, -2147483648]],
  [meta('number'), [0.1, -1.5e300, Number.MIN_VALUE, Infinity, Number.NaN]],
  [meta('bigint'), [0n, -1n, 12345678901234567890123n]],
  [meta('boolean'), [true, false]],
  [meta('timestamp'), [new Date(0), new Date('2026-12-04T13:00:00.123Z'), new Date(-1e12)]],
  [meta('bytes'), [new Uint8Array(0), new Uint8Array([0, 255, 1]), new Uint8Array(randomBytes(5000))]],
  [meta('json'), [{}, { a: 1, b: ['ü', null] }, [1, 'two'], 'str', 3]],
  [meta('array', meta('string')), [[], ['a'], ['Ada', 'ü', '']]],
];

test('blind indexes equal the createHmac ones for every type, normalisation and length (stored indexes keep matching)', () => {
  const key = createSecretKey(randomBytes(32));
  const indexer = new BlindIndexer(key);
  let compared = 0;
  // Twice over: the second pass runs after the buffer grew past its resident limit and was dropped.
  for (let pass = 0; pass < 2; pass++) {
    for (const type of ['string', 'text', 'enum', 'id'] as const) {
      for (const normalize of normalizations) {
        for (const v of text) {
          assert.is(indexer.of(meta(type), v, normalize), reference(key, meta(type), v, normalize), `${type} ${JSON.stringify(normalize)} ${v.slice(0, 20)} (${v.length})`);
          compared++;
        }
      }
    }
    for (const [m, values] of others) {
      for (const v of values) {
        assert.is(indexer.of(m, v, { trim: true, caseFold: true }), reference(key, m, v), `${m.type} ${String(v)}`);
        compared++;
      }
    }
  }
  assert.ok(compared > 500);
});

test('blind indexes equal the createHmac ones for many random values, under a KeyObject and under raw key bytes', () => {
  const bytes = randomBytes(32);
  const fromKey = new BlindIndexer(createSecretKey(bytes));
  const fromBytes = new BlindIndexer(bytes);
  for (let i = 0; i < 2000; i++) {
    const v = randomBytes(i % 300).toString(i % 3 === 0 ? 'latin1' : i % 3 === 1 ? 'base64' : 'utf8');
    const want = reference(bytes, meta('string'), v, { trim: true, caseFold: true });
    assert.is(fromKey.of(meta('string'), v, { trim: true, caseFold: true }), want);
    assert.is(fromBytes.of(meta('string'), v, { trim: true, caseFold: true }), want);
  }
  assert.ok(bytes.some((b) => b !== 0), 'the caller\'s key bytes are left alone');
});

test('a blind index is the first 16 bytes of the HMAC, as 22 base64url characters; null stays null', () => {
  const key = randomBytes(32);
  const index = new BlindIndexer(key).of(meta('string'), 'ada@example.com')!;
  assert.is(index.length, 22);
  assert.match(index, /^[A-Za-z0-9_-]{22}$/);
  const full = createHmac('sha256', key).update(encodeValue('ada@example.com', 'string')).digest();
  assert.equal(Buffer.from(index, 'base64url'), full.subarray(0, BLIND_INDEX_BYTES));
  assert.is(new BlindIndexer(key).of(meta('string'), null), null);
  assert.is(new BlindIndexer(key).of(meta('integer'), undefined), null);
});

test('every key configuration indexes with the index key only: default first key, indexKeyId, a separate blind-index key, after rotation', async () => {
  const [k1, k2, k3, separate] = [randomKey(), randomKey(), randomKey(), randomKey()];
  const keys = [{ id: 'k1', key: k1 }, { id: 'k2', key: k2 }, { id: 'k3', key: k3 }];
  const configs = [
    { keys, activeKeyId: 'k1' },
    { keys, activeKeyId: 'k3' },
    { keys, activeKeyId: 'k1', indexKeyId: 'k2' },
    { keys, activeKeyId: 'k2', indexKey: separate },
  ];
  const seen = new Set<string>();
  for (const config of configs) {
    const ring = await Keyring.load(config, localKeyProvider());
    for (const [repository, field] of [['users', 'email'], ['users', 'phone'], ['contacts', 'email']] as const) {
      const key = ring.indexKey(repository, field);
      const indexer = new BlindIndexer(key);
      for (const v of ['Ada@Example.com', 'ü', '']) {
        const got = indexer.of(meta('string'), v, { caseFold: true })!;
        assert.is(got, reference(key, meta('string'), v, { caseFold: true }));
        seen.add(`${config.indexKeyId ?? (config.indexKey ? 'separate' : 'k1')}/${repository}/${field}/${got}`);
      }
      ring.activate('k3');
      assert.is(new BlindIndexer(ring.indexKey(repository, field)).of(meta('string'), 'ü'), indexer.of(meta('string'), 'ü'), 'rotating the active key leaves indexes unchanged');
    }
    ring.wipe();
  }
  // k1 as index key twice (active k1, active k3): same indexes; k2 and the separate key: their own.
  assert.is(seen.size, 3 * 3 * 3);
});

test('a blind indexer prints and serializes no key material and matches nothing once wiped', () => {
  const key = randomBytes(32);
  const indexer = new BlindIndexer(key);
  const before = indexer.of(meta('string'), 'x');
  const printed = inspect(indexer, { depth: 10, showHidden: true }) + JSON.stringify(indexer) + String(indexer);
  assert.not.ok(printed.includes(key.toString('hex')) || printed.includes(key.toString('base64')));
  indexer.wipe();
  assert.is.not(indexer.of(meta('string'), 'x'), before);
});

test('PGlite: stored blind indexes are the createHmac ones, and lookups in any case and spacing find the row', async () => {
  const people = defineRepository(`bidx_people_${randomBytes(3).toString('hex')}`, {
    id: f.id(),
    email: f.string().sensitive({ searchable: true, normalize: { caseFold: true, trim: true } }),
    age: f.integer().optional().sensitive({ searchable: true }),
  });
  const root = randomKey();
  const enc = encryption({ rootKey: root });
  const driver = pglite();
  const db = createDatabase({ driver, repositories: { people }, plugins: [enc] });
  await db.connect();
  try {
    const rows = await db.people.createMany([{ email: '  Zoë@Example.COM ', age: 41 }, { email: 'ada@example.com' }]);
    const { ring, plans } = pluginState(enc);
    const plan = plans.get(people.schema.name)!;
    const raw = sqlAccess(driver);
    const emailKey = ring!.indexKey(plan.name, 'email');
    assert.is(await raw.read(plan.storage!, rows[0]!.id, 'emailBidx'), reference(emailKey, meta('string'), '  Zoë@Example.COM ', { caseFold: true, trim: true }));
    assert.is(await raw.read(plan.storage!, rows[0]!.id, 'ageBidx'), reference(ring!.indexKey(plan.name, 'age'), meta('integer'), 41));
    assert.is(await raw.read(plan.storage!, rows[1]!.id, 'ageBidx'), null);
    assert.is((await db.people.findOne({ where: { email: 'zoë@example.com' } }))?.id, rows[0]!.id);
    assert.is((await db.people.findOne({ where: { email: ' ADA@EXAMPLE.COM' } }))?.id, rows[1]!.id);
    assert.is((await db.people.findOne({ where: { age: 41 } }))?.id, rows[0]!.id);
    assert.is(await db.people.findOne({ where: { email: 'nobody@example.com' } }), null);
  } finally {
    await db.close();
  }
});

test.run();
