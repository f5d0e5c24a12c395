import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { Keyring, localKeyProvider } from '../src/index.js';
import { gcmOpen, gcmSeal } from '../src/crypto/aes-gcm.js';
import { ValueCipher } from '../src/crypto/value-cipher.js';
import { decodeValue } from '../src/crypto/plaintext-codec.js';
import { BlindIndexer } from '../src/crypto/blind-index.js';
import { headerFor, parseCiphertext } from '../src/crypto/ciphertext-format.js';
import { contextBytes } from '../src/crypto/aad.js';
import { rowBinding } from '../src/crypto/row-binding.js';
import { encodeValue } from '../src/crypto/plaintext-codec.js';
import { openRecord } from '../src/record/record-envelope.js';

// AES-256-GCM test cases 13-16 of "The Galois/Counter Mode of Operation (GCM)"
// (McGrew and Viega, the GCM submission to NIST), 96-bit IVs.
const K15 = 'feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308';
const P = 'd9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b391aafd255';
const C = '522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662898015ad';
const vectors = [
  { name: 'test case 13', key: '00'.repeat(32), iv: '00'.repeat(12), pt: '', aad: '', ct: '', tag: '530f8afbc74536b9a963b4f1c4cb738b' },
  { name: 'test case 14', key: '00'.repeat(32), iv: '00'.repeat(12), pt: '00'.repeat(16), aad: '', ct: 'cea7403d4d606b6e074ec5d3baf39d18', tag: 'd0d1c8a799996bf0265b98b5d48ab919' },
  { name: 'test case 15', key: K15, iv: 'cafebabefacedbaddecaf888', pt: P, aad: '', ct: C, tag: 'b094dac5d93471bdec1a502270e3cc6c' },
  {
    name: 'test case 16', key: K15, iv: 'cafebabefacedbaddecaf888', pt: P.slice(0, 120), aad: 'feedfacedeadbeeffeedfacedeadbeefabaddad2',
    ct: C.slice(0, 120), tag: '76fc6ece0f4e1768cddf8853bb2d551b',
  },
];

for (const v of vectors) {
  test(`AES-256-GCM primitive matches the published ${v.name}`, () => {
    const hex = (s: string) => Buffer.from(s, 'hex');
    const out = gcmSeal(hex(v.key), Buffer.alloc(0), hex(v.aad), hex(v.pt), hex(v.iv));
    assert.is(out.subarray(0, 12).toString('hex'), v.iv);
    assert.is(out.subarray(12, 28).toString('hex'), v.tag);
    assert.is(out.subarray(28).toString('hex'), v.ct);
    assert.is(gcmOpen(hex(v.key), hex(v.iv), hex(v.tag), hex(v.aad), hex(v.ct)).toString('hex'), v.pt);
  });
}

const fixture = JSON.parse(readFileSync(new URL('./fixtures/v1-ciphertext.json', import.meta.url), 'utf8'));

test('the committed v1 field ciphertext fixture decrypts to its committed plaintext', async () => {
  const ring = await Keyring.load({ keys: [{ id: fixture.keyId, key: fixture.rootKey }] }, localKeyProvider());
  const cipher = new ValueCipher(ring, fixture.field.repository, fixture.field.field);
  const plain = decodeValue(cipher.open(fixture.field.ciphertext, fixture.recordId), 'string');
  assert.is(plain, fixture.field.plaintext);
  const parts = parseCiphertext(Buffer.from(fixture.field.ciphertext, 'base64url'));
  assert.is(parts.version, 1);
  assert.is(parts.algorithm, 1);
  assert.is(parts.keyId, fixture.keyId);
  assert.is(parts.nonce.length, 12);
  assert.is(parts.tag.length, 16);
});

test('the committed blind index fixture is reproduced (lookups keep matching across releases)', async () => {
  const ring = await Keyring.load({ keys: [{ id: fixture.keyId, key: fixture.rootKey }] }, localKeyProvider());
  const meta = { type: 'string', optional: false, unique: true, indexed: false, secret: false } as const;
  assert.is(new BlindIndexer(ring.indexKey('users', 'email')).of(meta, `  ${fixture.field.plaintext.toUpperCase()}`, fixture.field.normalize), fixture.field.blindIndex);
});

test('the committed v1 sealed-record fixture opens to its committed values', async () => {
  const ring = await Keyring.load({ keys: [{ id: fixture.keyId, key: fixture.rootKey }] }, localKeyProvider());
  const cipher = new ValueCipher(ring, fixture.record.repository, '$record');
  const metas = {
    role: { type: 'enum', values: ['user'], optional: false, unique: false, indexed: false, secret: false },
    body: { type: 'text', optional: false, unique: false, indexed: false, secret: false },
    tokens: { type: 'integer', optional: false, unique: false, indexed: false, secret: false },
  } as const;
  assert.equal(openRecord(cipher, metas, fixture.record.envelope, fixture.recordId), fixture.record.values);
});

test('a value bound to its row (b1) has the documented AAD: header, ctx(repository, field), ctx(id), ctx(rowAuth ":" version)', async () => {
  const ring = await Keyring.load({ keys: [{ id: fixture.keyId, key: fixture.rootKey }] }, localKeyProvider());
  const cipher = new ValueCipher(ring, 'users', 'email');
  const binding = rowBinding('b1.2.AAAAAAAAAAAA', 7);
  assert.is(binding, 'b1.2.AAAAAAAAAAAA:7');
  const text = cipher.seal(encodeValue('ada@example.com', 'string'), 'r1', binding);
  const parts = parseCiphertext(Buffer.from(text, 'base64url'));
  const aad = Buffer.concat([headerFor(fixture.keyId), contextBytes(['users', 'email']), contextBytes(['r1']), contextBytes([binding])]);
  const plain = gcmOpen(ring.encryptionKey(fixture.keyId, 'users', 'email'), parts.nonce, parts.tag, aad, parts.body);
  assert.is(decodeValue(plain, 'string'), 'ada@example.com');
  assert.is(decodeValue(cipher.open(text, 'r1', binding), 'string'), 'ada@example.com');
  // Without the binding, or with another state's, it does not open.
  for (const other of [undefined, rowBinding('b1.2.AAAAAAAAAAAA', 8), rowBinding('b1.1.AAAAAAAAAAAA', 7)]) assert.throws(() => cipher.open(text, 'r1', other), /does not match its row authenticator|failed authentication/);
});

test.run();
