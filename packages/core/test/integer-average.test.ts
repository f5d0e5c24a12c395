import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { randomBytes } from 'node:crypto';
import { integerAverage } from '../src/driver/index.js';
import { memoryDriver } from '../src/driver/index.js';
import { createDatabase, defineRepository, f } from '../src/index.js';

// integerAverage returns the double nearest sum / count (ties to even), which every backend's integer average uses.

/** A finite double as an exact fraction [numerator, denominator]. */
function fraction(x: number): [bigint, bigint] {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const bits = view.getBigUint64(0);
  const sign = bits >> 63n ? -1n : 1n;
  const exponent = Number((bits >> 52n) & 0x7ffn);
  let mantissa = bits & ((1n << 52n) - 1n);
  if (exponent !== 0) mantissa |= 1n << 52n;
  const e = (exponent === 0 ? 1 : exponent) - 1075;
  return e >= 0 ? [sign * (mantissa << BigInt(e)), 1n] : [sign * mantissa, 1n << BigInt(-e)];
}

function neighbour(x: number, up: boolean): number {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const bits = view.getBigUint64(0);
  view.setBigUint64(0, (x >= 0) === up ? bits + 1n : bits - 1n);
  return view.getFloat64(0);
}

/** |a/b - c/d| compared as exact fractions: the sign of |sum/count - x| - |sum/count - y|. */
function closer(sum: bigint, count: bigint, x: number, y: number): number {
  const dist = (v: number) => {
    const [n, d] = fraction(v);
    const diff = sum * d - n * count; // (sum/count - n/d) * count * d
    return [diff < 0n ? -diff : diff, count * d] as const;
  };
  const [a, ad] = dist(x);
  const [b, bd] = dist(y);
  const l = a * bd;
  const r = b * ad;
  return l < r ? -1 : l > r ? 1 : 0;
}

function isNearest(sum: bigint, count: bigint, v: number): boolean {
  for (const n of [neighbour(v, true), neighbour(v, false)]) {
    const c = closer(sum, count, v, n);
    if (c > 0) return false;
    if (c === 0 && (fraction(v)[0] & 1n) === 1n && Math.abs(v) >= 2 ** -1022) return false; // a tie goes to the even mantissa
  }
  return true;
}

function randomBig(bits: number): bigint {
  const bytes = randomBytes(Math.ceil(bits / 8) + 1);
  let v = 0n;
  for (const b of bytes) v = (v << 8n) | BigInt(b);
  v &= (1n << BigInt(bits)) - 1n;
  return bytes[0]! & 1 ? -v : v;
}

test('the nearest double to sum / count, over small, 53-bit-edge and 64-bit-plus sums and counts', () => {
  const cases: Array<[bigint, bigint]> = [
    [2531715510n, 11n], [2n ** 53n + 1n, 1n], [3n * (2n ** 53n + 1n), 3n], [2n ** 53n + 3n, 2n], [-(2n ** 63n), 3n],
    [1n, 3n], [-1n, 3n], [0n, 5n], [2n ** 64n * 7n + 1n, 7n], [1n, 2n ** 62n], [(2n ** 54n) + 2n, 4n],
  ];
  for (let i = 0; i < 4000; i++) {
    cases.push([randomBig(1 + (i % 90)), 1n + (randomBig(1 + (i % 40)) < 0n ? -randomBig(1 + (i % 40)) : randomBig(1 + (i % 40)))]);
  }
  for (const [sum, count] of cases) {
    if (count <= 0n) continue;
    const v = integerAverage(sum, count);
    assert.ok(isNearest(sum, count, v), `${sum} / ${count} gave ${v}`);
  }
  assert.is(integerAverage(2531715510n, 11n), 230155955.45454547);
  assert.is(integerAverage(3n * (2n ** 53n + 1n), 3n), 9007199254740992);
  assert.throws(() => integerAverage(1n, 0n), /count must be positive/);
});

test('memory driver: the average of bigints past 2^53 is the nearest double, not Number(sum) / count', async () => {
  const db = createDatabase({ driver: memoryDriver(), repositories: { r: defineRepository('r', { id: f.id(), b: f.bigint() }) } });
  await db.connect();
  await db.r.createMany([{ b: 2n ** 53n + 1n }, { b: 2n ** 53n + 1n }, { b: 2n ** 53n + 1n }]);
  const [row] = await db.r.aggregate({ avg: ['b'] });
  assert.is(row!.avg.b, 9007199254740992);
  await db.close();
});

test.run();
