import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { ValidationIssue } from '@chatcore/core';
import { c, ConfigChecker, resolveBreakerOptions } from '@chatcore/core/config';
import { booleanOption, collectOption, durationOption, integerOption, sizeOption } from '@chatcore/core/plugin';
import * as driverEntry from '@chatcore/core/driver';
import { configErrorOf } from '@chatcore/core/testing';

test('unset options are undefined, so the caller supplies the default', () => {
  assert.is(integerOption(undefined, 'x.count', { min: 1 }), undefined);
  assert.is(durationOption(undefined, 'x.ttl'), undefined);
  assert.is(sizeOption(undefined, 'x.bytes'), undefined);
  assert.is(booleanOption(undefined, 'x.on'), undefined);
});

test('valid values come back in their unit: integers, ms, bytes, booleans', () => {
  assert.is(integerOption(5, 'x.count', { min: 1, max: 10 }), 5);
  assert.is(durationOption('2m', 'x.ttl'), 120_000);
  assert.is(durationOption(250, 'x.ttl'), 250);
  assert.is(sizeOption('64MiB', 'x.bytes'), 64 * 1024 * 1024);
  assert.is(sizeOption(4096, 'x.bytes'), 4096);
  assert.is(booleanOption(false, 'x.on'), false);
});

test('a bad value is a ConfigError naming the path, with the rule and the value in one wording', () => {
  const e = configErrorOf(() => integerOption(0, 'cache.localMaxEntries', { min: 1 }));
  assert.is(e.message, 'cache.localMaxEntries: expected an integer >= 1, got a number 0.');
  assert.equal(e.problems, [{ path: 'cache.localMaxEntries', message: 'expected an integer >= 1, got a number 0' }]);
  assert.is(configErrorOf(() => integerOption(1.5, 'a.b', { min: 1, max: 9 })).message, 'a.b: expected an integer between 1 and 9, got a number 1.5.');
  assert.is(configErrorOf(() => durationOption(10, 'a.lease', { min: 1000 })).message, 'a.lease: expected a duration >= 1000 ms, got a number 10.');
  assert.match(configErrorOf(() => durationOption(-1, 'a.ttl')).message, /^a\.ttl: expected a duration in milliseconds or like "30s"/);
  assert.is(configErrorOf(() => sizeOption(10, 'a.bytes', { min: 1024 })).message, 'a.bytes: expected a size >= 1024 bytes, got a number 10.');
  assert.is(configErrorOf(() => booleanOption(1, 'a.on')).message, 'a.on: expected true or false, got a number 1.');
});

test('a string in the wrong option is never quoted back (it may be a secret pasted in the wrong place)', () => {
  const secret = 'redis://:hunter2-very-secret@cache:6379';
  for (const check of [() => integerOption(secret, 'a.n'), () => durationOption(secret, 'a.d'), () => sizeOption(secret, 'a.s'), () => booleanOption(secret, 'a.b')]) {
    const e = configErrorOf(check);
    const text = `${e.message} ${JSON.stringify(e.problems)}`;
    assert.not.ok(text.includes('hunter2'), text);
    assert.ok(text.includes('got a string'), text);
  }
});

test('collectOption gathers the problems of several checks and returns the fallbacks', () => {
  const problems: ValidationIssue[] = [];
  const n = collectOption(problems, () => integerOption('x', 'n') ?? 1, 1);
  const d = collectOption(problems, () => durationOption('soon', 'd') ?? 5, 5);
  const ok = collectOption(problems, () => durationOption('1s', 'ok') ?? 5, 5);
  assert.equal([n, d, ok], [1, 5, 1000]);
  assert.equal(problems.map((p) => p.path), ['n', 'd']);
  assert.throws(() => collectOption(problems, () => { throw new TypeError('not a config problem'); }, 0), TypeError);
});

test('the YAML builders and the option rules refuse the same values in the same words', () => {
  const checker = new ConfigChecker({ name: 'inline', lines: new Map(), fromEnv: new Set() }, 'camel');
  c.integer({ min: 1 }).state.read(0, { checker, path: 'x.n', secret: false });
  c.duration({ min: 1000 }).state.read(10, { checker, path: 'x.d', secret: false });
  c.size({ min: 1024 }).state.read(10, { checker, path: 'x.s', secret: false });
  const byPath = Object.fromEntries(checker.problems.map((p) => [p.path, p.message]));
  assert.is(byPath['x.n'], configErrorOf(() => integerOption(0, 'x.n', { min: 1 })).problems[0]!.message);
  assert.is(byPath['x.d'], configErrorOf(() => durationOption(10, 'x.d', { min: 1000 })).problems[0]!.message);
  assert.is(byPath['x.s'], configErrorOf(() => sizeOption(10, 'x.s', { min: 1024 })).problems[0]!.message);
});

test('retry and breaker settings read through the same rules', () => {
  const e = configErrorOf(() => resolveBreakerOptions({ failures: 0 }, 'postgres.breaker'));
  assert.is(e.message, 'postgres.breaker.failures: expected an integer between 1 and 10000, got a number 0.');
});

test('driver authors get the same rules from /driver', () => {
  assert.is(driverEntry.durationOption, durationOption);
  assert.is(driverEntry.integerOption, integerOption);
});

test.run();
