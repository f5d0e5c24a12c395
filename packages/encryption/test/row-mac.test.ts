import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createHash, createHmac, createSecretKey, randomBytes } from 'node:crypto';
import { IntegrityError } from '@chatcore/core';
import { OneShotHmac } from '../src/crypto/one-shot-hmac.js';
import { RowAuthenticator } from '../src/crypto/row-authenticator.js';
import { PrefixMac } from '../src/crypto/prefix-mac.js';

function macOf(mac: OneShotHmac, message: Buffer): Buffer {
  const buf = mac.message(OneShotHmac.MESSAGE_AT + message.length);
  message.copy(buf, OneShotHmac.MESSAGE_AT);
  return mac.digest(OneShotHmac.MESSAGE_AT + message.length);
}

test('OneShotHmac matches RFC 4231 test case 2 (HMAC-SHA256)', () => {
  const mac = new OneShotHmac(Buffer.from('Jefe'));
  assert.is(macOf(mac, Buffer.from('what do ya want for nothing?')).toString('hex'), '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843');
});

test('OneShotHmac matches RFC 4231 test case 6 (key longer than a block)', () => {
  const mac = new OneShotHmac(Buffer.alloc(131, 0xaa));
  assert.is(macOf(mac, Buffer.from('Test Using Larger Than Block-Size Key - Hash Key First')).toString('hex'), '60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54');
});

test('OneShotHmac equals createHmac for KeyObjects and messages from 0 bytes to past the resident limit', () => {
  const keyBytes = randomBytes(32);
  const mac = new OneShotHmac(createSecretKey(keyBytes));
  for (const n of [0, 1, 55, 64, 1000, 1024, 5000, 300_000, 17]) {
    const m = randomBytes(n);
    assert.is(macOf(mac, m).toString('hex'), createHmac('sha256', keyBytes).update(m).digest('hex'), `message of ${n} bytes`);
  }
});

test('OneShotHmac keeps its padded keys out of util.inspect and zeroes them on wipe', async () => {
  const { inspect } = await import('node:util');
  const keyBytes = randomBytes(32);
  const mac = new OneShotHmac(keyBytes);
  const printed = inspect(mac, { depth: 5, showHidden: true });
  assert.not.ok(printed.includes(keyBytes.toString('hex')));
  mac.wipe();
  assert.is.not(macOf(mac, Buffer.from('x')).toString('hex'), createHmac('sha256', keyBytes).update('x').digest('hex'));
});

/** The row authenticator as first written (createHmac over the same length-prefixed message): stored rows must keep verifying. */
function referenceAuth(key: Buffer, row: Record<string, unknown>, slots: string[]): string {
  const parts: Buffer[] = [];
  const put = (t: string) => {
    const b = Buffer.from(t, 'utf8');
    const len = Buffer.alloc(4);
    len.writeUInt32BE(b.length);
    parts.push(len, b);
  };
  put(String(row.id));
  put(String(row.version ?? ''));
  for (const s of slots) if (row[s] != null) { put(s); put(String(row[s])); }
  return 'a1.' + createHmac('sha256', key).update(Buffer.concat(parts)).digest().toString('base64url', 0, 16);
}

/** The a2 authenticator written by hand: SHA-256 over the 64-byte key and `<byte length>:<utf8>` pieces, first 16 bytes. */
function referenceAuthV2(key: Buffer, row: Record<string, unknown>, slots: string[]): string {
  const parts: Buffer[] = [key];
  const put = (t: string) => {
    const b = Buffer.from(t, 'utf8');
    parts.push(Buffer.from(`${b.length}:`, 'latin1'), b);
  };
  put(String(row.id));
  put(String(row.version ?? ''));
  for (const s of slots) if (row[s] != null) { put(s); put(String(row[s])); }
  return 'a2.' + createHash('sha256').update(Buffer.concat(parts)).digest().toString('base64url', 0, 16);
}

/** An authenticator with both formats' keys: `v2` (64 bytes) written, `v1` (32 bytes) accepted. */
function authenticator(slots: string[]) {
  const v2 = randomBytes(64);
  const v1 = randomBytes(32);
  return { v1, v2, auth: new RowAuthenticator({ key: createSecretKey(v2), v1Key: createSecretKey(v1) }, slots, 'version', 'contacts') };
}

const mismatch = (e: unknown) => e instanceof IntegrityError && /does not match its row authenticator/.test((e as Error).message);

test('RowAuthenticator writes a2 authenticators (keyed SHA-256 over netstring pieces) and checks them', () => {
  const { v2, auth } = authenticator(['email', 'phone', 'ssn']);
  const row = { id: '0190f3a2-7c4e-7d1a-9b2e-1234567890ab', version: 4, email: randomBytes(50).toString('base64url'), phone: null, ssn: 'é'.repeat(400) };
  const ref = referenceAuthV2(v2, row, ['email', 'phone', 'ssn']);
  assert.is(auth.compute(row), ref);
  assert.is(auth.compute({ ...row, ssn: 'plain' }), referenceAuthV2(v2, { ...row, ssn: 'plain' }, ['email', 'phone', 'ssn']));
  auth.check({ ...row, rowAuth: ref }, false);
  const flip = ref.slice(0, -1) + (ref.endsWith('A') ? 'B' : 'A');
  for (const bad of [{ version: 5 }, { phone: row.email }, { rowAuth: flip }, { rowAuth: ref + 'A' }, { rowAuth: 'a1' + ref.slice(2) }, { rowAuth: 'a3' + ref.slice(2) }, { rowAuth: ref.slice(0, -1) + 'Ā' }]) {
    const checked = { ...row, rowAuth: ref, ...bad };
    assert.throws(() => auth.check(checked, false), mismatch, JSON.stringify(bad));
  }
});

test('RowAuthenticator still accepts a1 authenticators (rows stored before a2), and only with the a1 key', () => {
  const { v1, auth } = authenticator(['email', 'phone', 'ssn']);
  const row = { id: '0190f3a2-7c4e-7d1a-9b2e-1234567890ab', version: 4, email: randomBytes(50).toString('base64url'), phone: null, ssn: 'é'.repeat(400) };
  const ref = referenceAuth(v1, row, ['email', 'phone', 'ssn']);
  auth.check({ ...row, rowAuth: ref }, false);
  for (const bad of [{ version: 5 }, { phone: row.email }, { rowAuth: ref.slice(0, -1) + (ref.endsWith('A') ? 'B' : 'A') }, { rowAuth: 'a2' + ref.slice(2) }]) {
    assert.throws(() => auth.check({ ...row, rowAuth: ref, ...bad }, false), mismatch, JSON.stringify(bad));
  }
  // Without the a1 key an a1 row does not verify; an a1 tag made with the a2 key's first half neither.
  const noV1 = new RowAuthenticator({ key: createSecretKey(randomBytes(64)) }, ['email', 'phone', 'ssn'], 'version', 'contacts');
  assert.throws(() => noV1.check({ ...row, rowAuth: ref }, false), mismatch);
});

test('PrefixMac is SHA-256 of the 64-byte key and the message, refuses other key sizes, and hides its key', async () => {
  const { inspect } = await import('node:util');
  const key = randomBytes(64);
  const mac = new PrefixMac(createSecretKey(key));
  for (const n of [0, 1, 55, 64, 1000, 300_000, 17]) {
    const m = randomBytes(n);
    const buf = mac.message(PrefixMac.MESSAGE_AT + n);
    m.copy(buf, PrefixMac.MESSAGE_AT);
    assert.is(Buffer.from(mac.digestLatin1(PrefixMac.MESSAGE_AT + n), 'latin1').toString('hex'), createHash('sha256').update(key).update(m).digest('hex'), `message of ${n} bytes`);
  }
  assert.not.ok(inspect(mac, { depth: 5, showHidden: true }).includes(key.toString('hex')));
  for (const size of [32, 63, 65]) assert.throws(() => new PrefixMac(randomBytes(size)), /exactly 64 bytes/);
  mac.wipe();
  const buf = mac.message(PrefixMac.MESSAGE_AT + 1);
  buf[PrefixMac.MESSAGE_AT] = 0x78;
  assert.is.not(Buffer.from(mac.digestLatin1(PrefixMac.MESSAGE_AT + 1), 'latin1').toString('hex'), createHash('sha256').update(key).update('x').digest('hex'));
});

test('RowAuthenticator gives the a2 authenticator of every message shape and checks a1 ones: ASCII in one write, anything else by bytes', () => {
  const slots = ['email', 'phone', 'ssn'];
  const { v1, v2, auth } = authenticator(slots);
  const ascii = (n: number) => randomBytes(n).toString('base64url').slice(0, n);
  const rows = [
    // lengths whose u32 prefix has bytes of 0x80 and more (127, 128, 255, 256, 65,536 + 200 characters)
    { id: 'r1', version: 1, email: ascii(127), phone: ascii(128), ssn: ascii(255) },
    { id: 'r2', version: 12, email: ascii(256), phone: null, ssn: ascii(65_736) },
    // non-ASCII id, version text, value; a lone surrogate (written as U+FFFD, as before)
    { id: 'ré', version: 3, email: ascii(60), phone: 'x\ud800y', ssn: '日本' },
    { id: 'r4', version: '', email: null, phone: null, ssn: null },
    { id: 'r5', email: ascii(70), phone: ascii(70), ssn: ascii(70) },
  ];
  for (const row of rows) {
    const ref = referenceAuthV2(v2, row, slots);
    assert.is(auth.compute(row), ref, `row ${row.id}`);
    for (const stored of [ref, referenceAuth(v1, row, slots)]) {
      auth.check({ ...row, rowAuth: stored }, false);
      // Each piece's length counts: moving characters from one value to the next changes the authenticator.
      if (typeof row.email === 'string' && typeof row.ssn === 'string' && row.email.length > 1) {
        const moved = { ...row, email: row.email.slice(0, -1), ssn: row.email.slice(-1) + row.ssn, rowAuth: stored };
        assert.throws(() => auth.check(moved, false), (e: unknown) => e instanceof IntegrityError);
      }
    }
  }
});

test('RowAuthenticator checks a row written before a rename under the old field name, and only then (a2 and a1)', () => {
  const { v1, v2, auth } = authenticator(['contact', 'ssn']);
  const before = { id: 'r1', version: 2, email: 'ct-email', ssn: 'ct-ssn' };
  for (const stored of [referenceAuthV2(v2, before, ['email', 'ssn']), referenceAuth(v1, before, ['email', 'ssn'])]) {
    const now = { id: 'r1', version: 2, contact: null, ssn: 'ct-ssn', rowAuth: stored };
    auth.check(now, false, [{ slot: 'contact', name: 'email', value: 'ct-email' }]);
    assert.throws(() => auth.check(now, false), (e: unknown) => e instanceof IntegrityError);
    assert.throws(() => auth.check(now, false, [{ slot: 'contact', name: 'email', value: 'ct-other' }]), (e: unknown) => e instanceof IntegrityError);
    assert.throws(() => auth.check({ ...now, ssn: 'ct-ssn-old' }, false, [{ slot: 'contact', name: 'email', value: 'ct-email' }]), (e: unknown) => e instanceof IntegrityError);
  }
});

test.run();
