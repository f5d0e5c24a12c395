import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ConfigError, createDatabase, defineRepository, f } from '@chatcore/core';
import { memoryDriver } from '@chatcore/core/testing';

/** The message of the ConfigError defineRepository throws for field `v` (declared without the types' checks). */
function refusal(field: unknown): string {
  try {
    defineRepository('things', { id: f.id(), v: field } as never);
  } catch (error) {
    assert.instance(error, ConfigError);
    return (error as Error).message;
  }
  assert.unreachable('defineRepository accepted the field');
  return '';
}
const accepts = (field: unknown) => defineRepository('things', { id: f.id(), v: field } as never).schema.fields.v;

test('min above max is refused for every bounded type: no value would fit', () => {
  const why = /things\.v declares min .* above max .*: no value fits; swap them or widen the range/;
  assert.match(refusal(f.string({ min: 5, max: 3 })), why);
  assert.match(refusal(f.text({ min: 5, max: 3 })), why);
  assert.match(refusal(f.integer({ min: 10, max: 1 })), why);
  assert.match(refusal(f.number({ min: 1, max: 0 })), why);
  assert.match(refusal(f.bigint({ min: 5n, max: 1n })), why);
  assert.equal(accepts(f.integer({ min: 3, max: 3 }))?.max, 3);
  assert.equal(accepts(f.bigint({ min: -1n, max: 1n }))?.min, -1n);
});

test('a string length is a whole, non-negative number of characters', () => {
  assert.match(refusal(f.string({ min: -1 })), /things\.v declares min -1: a length is a whole, non-negative number of characters; write e\.g\. min: 0/);
  assert.match(refusal(f.string({ max: 2.5 })), /things\.v declares max 2\.5: .*write e\.g\. max: 3/);
  assert.match(refusal(f.text({ max: Infinity })), /things\.v declares max Infinity/);
  assert.match(refusal(f.bytes({ max: -1 })), /a length is a whole, non-negative number of bytes/);
  assert.equal(accepts(f.string({ min: 0, max: 0 }))?.max, 0);
});

test('a number bound is finite: NaN and ±Infinity are refused (they once reached the SQL increment guard as bare words)', () => {
  assert.match(refusal(f.number({ min: NaN })), /things\.v declares min NaN: a number field holds finite numbers only.*leave min out/);
  assert.match(refusal(f.number({ max: Infinity })), /things\.v declares max Infinity/);
  assert.match(refusal(f.number({ min: -Infinity })), /things\.v declares min -Infinity/);
  assert.equal(accepts(f.number({ min: -Number.MAX_VALUE, max: Number.MAX_VALUE }))?.max, Number.MAX_VALUE);
});

test('an integer bound is a finite whole number (wider than int32 is a bigint column); a bigint bound fits int64', () => {
  assert.match(refusal(f.integer({ max: 1.5 })), /things\.v declares max 1\.5: an integer field's bound is a finite whole number; write e\.g\. max: 2.*f\.number\(\) for fractions/);
  assert.match(refusal(f.integer({ min: -Infinity })), /things\.v declares min -Infinity: .*write e\.g\. min: 0/);
  assert.match(refusal(f.integer({ max: NaN })), /things\.v declares max NaN/);
  assert.match(refusal(f.integer({ min: 1n } as never)), /things\.v declares min 1/);
  assert.match(refusal(f.bigint({ max: 2n ** 63n })), /things\.v declares max 9223372036854775808: .*within -\(2\^63\) to 2\^63 - 1/);
  assert.match(refusal(f.bigint({ min: -(2n ** 63n) - 1n })), /things\.v declares min -9223372036854775809/);
  assert.match(refusal(f.bigint({ min: 0 } as never)), /things\.v declares min 0: a bigint field's bound is a bigint/);
  assert.equal(accepts(f.integer({ min: 0, max: 10_000_000_000 }))?.max, 10_000_000_000);
  // Past ±(2^53 - 1) a bound stops nothing the safe integer range does not (the conformance suite declares one).
  assert.equal(accepts(f.integer({ min: -(2 ** 60), max: 2 ** 60 }))?.max, 2 ** 60);
  assert.equal(accepts(f.bigint({ min: -(2n ** 63n), max: 2n ** 63n - 1n }))?.max, 2n ** 63n - 1n);
});

test('an enum lists at least one value, each once', () => {
  assert.match(refusal(f.enum([] as never)), /things\.v is f\.enum\(\[\]\) with no values: .*list at least one/);
  assert.match(refusal(f.enum(['a', 'b', 'a'] as never)), /things\.v lists the enum value "a" twice; list each value once/);
  assert.equal(accepts(f.enum(['', 'a']))?.values, ['', 'a']);
});

test('an array item is checked as a field of its own', () => {
  assert.match(refusal(f.array(f.string({ min: 5, max: 3 }))), /the items of things\.v declares min 5 above max 3/);
  assert.match(refusal(f.array(f.enum(['x', 'x'] as never))), /the items of things\.v lists the enum value "x" twice/);
});

test('a default value its own rules refuse is refused where it is declared, not at the first insert', () => {
  const why = /things\.v has a default\(\) its own rules refuse \((.*)\): change the default or the rules/;
  assert.match(refusal(f.integer({ max: 5 }).default(10)), why);
  assert.match(refusal(f.string({ max: 2 }).default('abc')), /\(longer than the maximum of 2 characters \(3\)\)/);
  assert.match(refusal(f.enum(['a']).default('b' as never)), /\(expected one of "a"\)/);
  assert.match(refusal(f.integer().default(1.5)), /\(expected an integer, got/);
  assert.match(refusal(f.array(f.integer({ min: 0 })).default([1, -1])), why);
  assert.equal(accepts(f.integer({ max: 5 }).default(5))?.default, 5);
  // A function default is called per insert; its values are checked there, as inputs are.
  assert.type(accepts(f.integer({ max: 5 }).default(() => 10))?.default, 'function');
});

test('two repositories stored in one table are refused by createDatabase, naming both', () => {
  const alpha = defineRepository('alpha', { id: f.id(), name: f.string() }, { table: 'shared_decl' });
  const beta = defineRepository('beta', { id: f.id(), count: f.integer() }, { table: 'shared_decl' });
  const gamma = defineRepository('gamma', { id: f.id() });
  try {
    createDatabase({ driver: memoryDriver(), repositories: { alpha, gamma, beta } });
    assert.unreachable('createDatabase accepted two repositories in one table');
  } catch (error) {
    assert.instance(error, ConfigError);
    assert.match((error as Error).message, /Repositories alpha and beta are both stored in table shared_decl: .*give one of them another table/);
  }
  const db = createDatabase({ driver: memoryDriver(), repositories: { alpha, gamma } });
  assert.equal([...db.schemas.keys()], ['alpha', 'gamma']);
});

test.run();
