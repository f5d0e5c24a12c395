import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { IntegrityError } from '@chatcore/core';
import { type FieldMeta, type FieldType } from '@chatcore/core/plugin';
import { Keyring, localKeyProvider } from '../src/index.js';
import { ValueCipher } from '../src/crypto/value-cipher.js';
import { RecordAad, buildAad, contextBytes } from '../src/crypto/aad.js';
import { headerFor } from '../src/crypto/ciphertext-format.js';
import { decodeValue, encodeTransient, encodeValue } from '../src/crypto/plaintext-codec.js';
import { fieldList, openRecord, sealRecord } from '../src/record/record-envelope.js';
import { resealEnvelope } from '../src/record/reseal.js';
import { KEY_A, KEY_B } from './helpers/keys.js';

// The per-value hot path writes into reused buffers;
// these tests pin it to the straightforward computations it replaces.

test('RecordAad produces the bytes of buildAad for ASCII, non-ASCII, long and alternating ids', () => {
  const header = headerFor('k1');
  const prefix = contextBytes(['users', 'email']);
  const aad = new RecordAad(header, prefix);
  const ids = ['0b9c5f9e-2f6c-4a7c-9a36-1b2d3e4f5a6b', 'ünïcødé-id', 'x'.repeat(400), '0b9c5f9e-2f6c-4a7c-9a36-1b2d3e4f5a6b', 'a', 'a'];
  for (const id of ids) assert.is(aad.of(id).toString('hex'), buildAad(header, prefix, id).toString('hex'), id);
});

test('RecordAad refuses a record id over 65535 UTF-8 bytes before writing anything: the cached AAD of the previous id stays right', () => {
  const header = headerFor('k1');
  const prefix = contextBytes(['users', 'email']);
  const aad = new RecordAad(header, prefix);
  const id = '0b9c5f9e-2f6c-4a7c-9a36-1b2d3e4f5a6b';
  const expected = buildAad(header, prefix, id).toString('hex');
  assert.is(aad.of(id).toString('hex'), expected);
  assert.throws(() => aad.of('é'.repeat(40_000)), RangeError);
  assert.is(aad.of(id).toString('hex'), expected);
});

test('values opened one after another are independent buffers, at every length', async () => {
  const ring = await Keyring.load({ keys: [{ id: 'k1', key: KEY_A }] }, localKeyProvider());
  const c = new ValueCipher(ring, 'users', 'ssn');
  const values = Array.from({ length: 40 }, (_, i) => 'v'.repeat(i * 7) + i);
  values.push('w'.repeat(70_000)); // past the reused buffers: the allocating path
  const texts = values.map((v, i) => c.seal(encodeTransient(v, 'string'), `id-${i}`));
  const opened = texts.map((t, i) => c.open(t, `id-${i}`));
  opened.forEach((bytes, i) => assert.is(decodeValue(bytes, 'string'), values[i]));
});

test('a value under a retired-from-active key opens through the general path; tampering there and on the fast path fails', async () => {
  const ring = await Keyring.load({ keys: [{ id: 'k1', key: KEY_A }, { id: 'k2', key: KEY_B }], activeKeyId: 'k1' }, localKeyProvider());
  const c = new ValueCipher(ring, 'users', 'ssn');
  const old = c.seal(encodeValue('under k1', 'string'), 'r1');
  ring.activate('k2');
  const fresh = c.seal(encodeValue('under k2', 'string'), 'r1');
  assert.is(decodeValue(c.open(old, 'r1'), 'string'), 'under k1');
  assert.is(decodeValue(c.open(fresh, 'r1'), 'string'), 'under k2');
  for (const text of [old, fresh]) {
    const bytes = Buffer.from(text, 'base64url');
    bytes[bytes.length - 1] = bytes[bytes.length - 1]! ^ 1;
    assert.throws(() => c.open(bytes.toString('base64url'), 'r1'), (e: unknown) => e instanceof IntegrityError);
    assert.throws(() => c.open(text, 'r2'), (e: unknown) => e instanceof IntegrityError);
  }
});

test('encodeTransient writes the bytes of encodeValue for every type', () => {
  const item: FieldMeta = { type: 'string', optional: false, unique: false, indexed: false, secret: false };
  const cases: [unknown, FieldType, FieldMeta?][] = [
    ['ada', 'string'], ['', 'text'], ['x'.repeat(20_000), 'string'], ['a', 'enum'], [42.5, 'number'], [7, 'integer'], [3, 'version'],
    [new Date(1_700_000_000_000), 'timestamp'], [true, 'boolean'], [12345678901234567890n, 'bigint'],
    [new Uint8Array([1, 2, 3]), 'bytes'], [{ a: [1] }, 'json'], [['p', 'q'], 'array', item], [null, 'string'],
  ];
  for (const [v, type, items] of cases) assert.is(encodeTransient(v, type, items).toString('hex'), encodeValue(v, type, items).toString('hex'), type);
});

test('sealed envelopes built in reused buffers open on the allocating path too, small and past the buffers\' limit', async () => {
  const ring = await Keyring.load({ keys: [{ id: 'k1', key: KEY_A }] }, localKeyProvider());
  const c = new ValueCipher(ring, 'notes', '$record');
  const meta = (type: FieldType): FieldMeta => ({ type, optional: true, unique: false, indexed: false, secret: false });
  const metas = { title: meta('string'), body: meta('text'), pins: meta('integer') };
  const names = ['title', 'body', 'pins'];
  const list = fieldList(names);
  const rows = [
    { title: 'short', body: 'b', pins: 3 },
    { title: 'long', body: 'ß'.repeat(300_000), pins: null },
    { title: '', body: 'after the large one', pins: -1 },
  ];
  const texts = rows.map((r, i) => sealRecord(c, names, list, metas, r, `n${i}`));
  texts.forEach((t, i) => {
    assert.equal(openRecord(c, metas, t, `n${i}`), rows[i]);
    // resealEnvelope opens and seals through openBytes/sealBytes, which allocate: same bytes understood.
    assert.equal(openRecord(c, metas, resealEnvelope(c, t, `n${i}`), `n${i}`), rows[i]);
    assert.throws(() => openRecord(c, metas, t, 'other'), (e: unknown) => e instanceof IntegrityError);
  });
});

test.run();
