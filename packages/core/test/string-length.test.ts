import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { defineRepository, f, ValidationError, type ValidationIssue } from '@chatcore/core';
import { validateValue } from '../src/repository/validate-value.js';
import { codePointLength } from '../src/util/code-points.js';

const labels = defineRepository('labels', {
  id: f.id(),
  name: f.string({ max: 10 }),
  code: f.string({ min: 2, max: 4 }).optional(),
  note: f.text({ min: 3 }).optional(),
});
const { name, code, note } = labels.schema.fields;

function check(field: typeof name, value: string): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const out = validateValue(field!, value, 'v', issues);
  if (issues.length === 0) assert.is(out, value, 'an accepted string is stored as given');
  return issues;
}

test('codePointLength counts a surrogate pair once and everything else per code unit', () => {
  assert.is(codePointLength(''), 0);
  assert.is(codePointLength('abc'), 3);
  assert.is(codePointLength('😀'.repeat(10)), 10);
  assert.is(codePointLength('e\u0301'), 2, 'a combining mark is a code point of its own');
  assert.is(codePointLength('🇫🇷'), 2, 'a flag is two regional indicators');
  assert.is(codePointLength('👨‍👩‍👧'), 5, 'three people joined by two ZWJs');
  assert.is(codePointLength('\ud800'), 1, 'a lone high surrogate');
  assert.is(codePointLength('\udc00\ud800'), 2, 'a low then a high surrogate are no pair');
  assert.is(codePointLength('a😀\ud800'), 3, 'a lone high surrogate at the end');
});

test('max counts characters (code points): 10 emoji fit max 10, 11 do not', () => {
  assert.equal(check(name, '😀'.repeat(10)), [], '10 emoji, 20 code units');
  assert.equal(check(name, '🇫🇷'.repeat(5)), [], 'five flags are 10 code points');
  assert.equal(check(name, 'é'.repeat(10)), [], 'precomposed é is one code point');
  assert.equal(check(name, 'a'.repeat(10)), []);
  const [issue] = check(name, '😀'.repeat(11));
  assert.is(issue?.message, 'longer than the maximum of 10 characters (11)');
  assert.is(check(name, 'e\u0301'.repeat(6)).length, 1, 'decomposed é is two code points: 12');
  assert.is(check(name, 'a'.repeat(11)).length, 1);
});

test('min counts characters too: one emoji is shorter than min 2, two are not', () => {
  assert.is(check(code!, '😀')[0]?.message, 'shorter than the minimum of 2 characters');
  assert.equal(check(code!, '😀😀'), []);
  assert.equal(check(code!, '😀😀😀😀'), [], '4 code points, 8 code units, max 4');
  assert.is(check(code!, '😀😀😀😀😀').length, 1);
  assert.is(check(note!, '😀😀').length, 1, 'text min 3: 2 code points (4 code units) are too short');
  assert.equal(check(note!, '😀😀😀'), []);
  assert.equal(check(note!, 'abc'), []);
});

test('a lone surrogate is refused before any length is counted', () => {
  const [issue] = check(name, '\ud800');
  assert.match(issue?.message ?? '', /well-formed UTF-16/);
});

test('create and update apply the same count', async () => {
  const { createDatabase } = await import('@chatcore/core');
  const { memoryDriver } = await import('@chatcore/core/testing');
  const db = createDatabase({ driver: memoryDriver(), repositories: { labels } });
  await db.connect();
  try {
    const r = await db.labels.create({ name: '😀'.repeat(10), code: '😀😀' });
    assert.is(r.name, '😀'.repeat(10));
    const e = await db.labels.update(r.id, { name: '😀'.repeat(11) }).catch((x: unknown) => x);
    assert.instance(e, ValidationError);
    assert.equal((e as ValidationError).issues.map((i) => i.path), ['name']);
  } finally {
    await db.close();
  }
});

test.run();
