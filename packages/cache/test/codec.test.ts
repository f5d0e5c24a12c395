import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { decode, encode } from '../src/index.js';
import { copyValue } from '../src/codec.js';

const sample = () => ({
  at: new Date('2024-02-29T12:34:56.789Z'),
  big: 12345678901234567890123n,
  negBig: -5n,
  buf: Buffer.from([0, 1, 2, 255]),
  bytes: new Uint8Array([9, 8, 7]),
  nested: { list: [1, 'two', null, true, { deep: [new Date(0)] }], empty: {}, arr: [] },
  tagLike: { $d: 5 },
  escaped: { $o: { x: 1 } },
  twoDollar: { $a: 1, $b: 2 },
  neg0: -0,
  inf: Infinity,
  nan: Number.NaN,
  str: 'plain "quoted" \u0000 text',
  nil: null,
});

test('encode/decode round-trips Date, BigInt, Buffer, Uint8Array and nested JSON exactly', () => {
  const back = decode(encode(sample())) as ReturnType<typeof sample>;
  assert.ok(back.at instanceof Date);
  assert.is(back.at.getTime(), sample().at.getTime());
  assert.is(back.big, 12345678901234567890123n);
  assert.is(back.negBig, -5n);
  assert.ok(Buffer.isBuffer(back.buf));
  assert.equal([...back.buf], [0, 1, 2, 255]);
  assert.ok(back.bytes instanceof Uint8Array && !Buffer.isBuffer(back.bytes));
  assert.equal([...back.bytes], [9, 8, 7]);
  assert.equal(back.nested.list.slice(0, 4), [1, 'two', null, true]);
  assert.ok((back.nested.list[4] as { deep: Date[] }).deep[0] instanceof Date);
  assert.equal(back.tagLike, { $d: 5 }, 'a user object shaped like a tag stays an object');
  assert.equal(back.escaped, { $o: { x: 1 } });
  assert.equal(back.twoDollar, { $a: 1, $b: 2 });
  assert.ok(Object.is(back.neg0, -0));
  assert.is(back.inf, Infinity);
  assert.ok(Number.isNaN(back.nan));
  assert.is(back.str, sample().str);
  assert.is(back.nil, null);
});

test('a Uint8Array view over a larger buffer encodes only its own bytes', () => {
  const big = new Uint8Array([1, 2, 3, 4, 5, 6]);
  const view = big.subarray(2, 4);
  assert.equal([...(decode(encode(view)) as Uint8Array)], [3, 4]);
});

test('copyValue gives an independent deep copy with the same types', () => {
  const original = sample();
  const copy = copyValue(original);
  copy.nested.list.push('x');
  copy.buf[0] = 42;
  copy.at.setTime(0);
  (copy.tagLike as { $d: number }).$d = 6;
  assert.is(original.nested.list.length, 5);
  assert.is(original.buf[0], 0);
  assert.is(original.at.getTime(), sample().at.getTime());
  assert.ok(Buffer.isBuffer(copy.buf));
  assert.ok(copy.bytes instanceof Uint8Array && !Buffer.isBuffer(copy.bytes));
  assert.is(original.tagLike.$d, 5);
});

test('values that cannot be cached raise a TypeError instead of being stored wrongly', () => {
  assert.throws(() => encode({ f: () => 1 }), TypeError);
  assert.throws(() => encode({ s: Symbol('x') }), TypeError);
});

test.run();
