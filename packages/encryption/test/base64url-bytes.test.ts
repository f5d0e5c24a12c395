import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createHash, randomBytes, randomInt } from 'node:crypto';
import { base64urlLength, writeBase64url } from '../src/crypto/base64url-bytes.js';

test('writeBase64url writes what Buffer.toString(\'base64url\') gives, for 20,000 random inputs of 0 to 64 bytes at random offsets', () => {
  for (let k = 0; k < 20_000; k++) {
    const bytes = randomBytes(randomInt(0, 65));
    const n = randomInt(0, bytes.length + 1);
    const at = randomInt(0, 8);
    const into = Buffer.alloc(at + base64urlLength(n) + 4, 0x2a);
    const end = writeBase64url(bytes.toString('latin1'), n, into, at);
    const want = bytes.toString('base64url', 0, n);
    assert.is(end, at + want.length);
    assert.is(into.toString('latin1', at, end), want, `n=${n} bytes=${bytes.toString('hex')}`);
    // Nothing outside [at, end) is touched.
    assert.ok(into.subarray(0, at).every((b) => b === 0x2a) && into.subarray(end).every((b) => b === 0x2a));
  }
});

test('writeBase64url of a 16-byte SHA-256 prefix (a blind index, a row authenticator) is 22 characters, every byte value covered', () => {
  assert.is(base64urlLength(16), 22);
  const every = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
  const all = Buffer.alloc(base64urlLength(256));
  assert.is(writeBase64url(every.toString('latin1'), 256, all, 0), all.length);
  assert.is(all.toString('latin1'), every.toString('base64url'));
  for (let k = 0; k < 1000; k++) {
    const digest = createHash('sha256').update(randomBytes(24)).digest('latin1');
    const out = Buffer.alloc(25);
    out.write('a1.', 0, 'latin1');
    assert.is(writeBase64url(digest, 16, out, 3), 25);
    assert.is(out.toString('latin1'), `a1.${Buffer.from(digest, 'latin1').toString('base64url', 0, 16)}`);
  }
});

test('writeBase64url refuses a string shorter than n, or a target without room, with a RangeError and writes nothing', () => {
  const digest = createHash('sha256').update('x').digest('latin1');
  for (const [bytes, n, size, at] of [[digest.slice(0, 10), 16, 22, 0], [digest, 16, 21, 0], [digest, 16, 22, 1], [digest, -1, 22, 0], [digest, 16, 30, -1]] as const) {
    const into = Buffer.alloc(size, 0x2a);
    assert.throws(() => writeBase64url(bytes, n, into, at), (e: unknown) => e instanceof RangeError && /writeBase64url/.test((e as Error).message));
    assert.ok(into.every((b) => b === 0x2a), 'the target is unchanged');
  }
});

test.run();
