import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createHmac, createSecretKey, randomBytes } from 'node:crypto';
import { IntegrityError } from '@chatcore/core';
import { OneShotHmac } from '../src/crypto/one-shot-hmac.js';
import { RowAuthenticator } from '../src/crypto/row-authenticator.js';

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

test('RowAuthenticator writes and accepts the same a1 authenticators as before (rows already stored stay readable)', () => {
  const key = randomBytes(32);
  const auth = new RowAuthenticator(createSecretKey(key), ['email', 'phone', 'ssn'], 'version', 'contacts');
  const row = { id: '0190f3a2-7c4e-7d1a-9b2e-1234567890ab', version: 4, email: randomBytes(50).toString('base64url'), phone: null, ssn: 'é'.repeat(400) };
  const ref = referenceAuth(key, row, ['email', 'phone', 'ssn']);
  assert.is(auth.compute(row), ref);
  auth.check({ ...row, rowAuth: ref }, false);
  for (const bad of [{ ...row, version: 5 }, { ...row, phone: row.email }, { ...row, rowAuth: ref.slice(0, -1) + (ref.endsWith('A') ? 'B' : 'A') }, { ...row, rowAuth: ref + 'A' }, { ...row, rowAuth: 'a2' + ref.slice(2) }]) {
    const checked = { rowAuth: ref, ...bad };
    assert.throws(() => auth.check(checked, false), (e: unknown) => e instanceof IntegrityError && /does not match its row authenticator/.test((e as Error).message));
  }
});

test('RowAuthenticator gives the a1 authenticator of every message shape: ASCII in one write, anything else piece by piece', () => {
  const key = randomBytes(32);
  const slots = ['email', 'phone', 'ssn'];
  const auth = new RowAuthenticator(createSecretKey(key), slots, 'version', 'contacts');
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
    const ref = referenceAuth(key, row, slots);
    assert.is(auth.compute(row), ref, `row ${row.id}`);
    auth.check({ ...row, rowAuth: ref }, false);
    // Each piece's length counts: moving characters from one value to the next changes the authenticator.
    if (typeof row.email === 'string' && typeof row.ssn === 'string' && row.email.length > 1) {
      const moved = { ...row, email: row.email.slice(0, -1), ssn: row.email.slice(-1) + row.ssn, rowAuth: ref };
      assert.throws(() => auth.check(moved, false), (e: unknown) => e instanceof IntegrityError);
    }
  }
});

test('RowAuthenticator checks a row written before a rename under the old field name, and only then', () => {
  const key = randomBytes(32);
  const before = { id: 'r1', version: 2, email: 'ct-email', ssn: 'ct-ssn' };
  const stored = referenceAuth(key, before, ['email', 'ssn']);
  const auth = new RowAuthenticator(createSecretKey(key), ['contact', 'ssn'], 'version', 'contacts');
  const now = { id: 'r1', version: 2, contact: null, ssn: 'ct-ssn', rowAuth: stored };
  auth.check(now, false, [{ slot: 'contact', name: 'email', value: 'ct-email' }]);
  assert.throws(() => auth.check(now, false), (e: unknown) => e instanceof IntegrityError);
  assert.throws(() => auth.check(now, false, [{ slot: 'contact', name: 'email', value: 'ct-other' }]), (e: unknown) => e instanceof IntegrityError);
  assert.throws(() => auth.check({ ...now, ssn: 'ct-ssn-old' }, false, [{ slot: 'contact', name: 'email', value: 'ct-email' }]), (e: unknown) => e instanceof IntegrityError);
});

test.run();
