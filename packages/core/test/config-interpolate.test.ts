import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { interpolateEnv, loadConfig, parseDuration } from '@chatcore/core/config';
import { ConfigError, ValidationError } from '@chatcore/core';

test('${VAR} is replaced; several in one string; text around is kept', () => {
  const r = interpolateEnv('postgres://${U}:${P}@${H}:5432/db', { U: 'app', P: 'pw', H: 'db.internal' });
  assert.is(r.value, 'postgres://app:pw@db.internal:5432/db');
  assert.ok(r.substituted);
  assert.equal(r.missing, []);
});

test('${VAR:-default} falls back when VAR is unset or empty, as a shell does', () => {
  assert.is(interpolateEnv('${A:-x}', {}).value, 'x');
  assert.is(interpolateEnv('${A:-x}', { A: '' }).value, 'x');
  assert.is(interpolateEnv('${A:-x}', { A: 'set' }).value, 'set');
  assert.is(interpolateEnv('${A:-}', {}).value, '');
  assert.is(interpolateEnv('${A:-redis://h:6379}', {}).value, 'redis://h:6379');
});

test('an unset ${VAR} without default is reported by name; an empty one is kept', () => {
  const r = interpolateEnv('${MISSING_ONE}/${SET}/${MISSING_TWO}', { SET: 'ok' });
  assert.equal(r.missing, ['MISSING_ONE', 'MISSING_TWO']);
  assert.is(interpolateEnv('${EMPTY}', { EMPTY: '' }).value, '');
  assert.equal(interpolateEnv('${EMPTY}', { EMPTY: '' }).missing, []);
});

test('$${ writes a literal ${ and substituted values are not interpolated again', () => {
  assert.is(interpolateEnv('$${HOME} and ${X}', { X: '${HOME}', HOME: '/root' }).value, '${HOME} and ${HOME}');
  assert.not.ok(interpolateEnv('$${HOME}', {}).substituted);
  assert.is(interpolateEnv('price: $5', {}).value, 'price: $5');
});

test('malformed references are reported without echoing their text', () => {
  const bad = interpolateEnv('${secret value here}', {});
  assert.is(bad.malformed.length, 1);
  assert.not.ok(bad.malformed[0]!.includes('secret value here'));
  assert.is(interpolateEnv('abc ${UNCLOSED', {}).malformed.length, 1);
  assert.is(interpolateEnv('${1BAD}', {}).malformed.length, 1);
});

test('names of Object.prototype members (${constructor}, ${__proto__}, ...) are unset variables, not JavaScript built-ins', () => {
  const names = ['constructor', 'toString', '__proto__', 'hasOwnProperty', 'valueOf', 'isPrototypeOf', 'toLocaleString'];
  for (const name of names) {
    for (const env of [{}, process.env]) {
      const r = interpolateEnv(`\${${name}}`, env);
      assert.equal(r.missing, [name], name);
      assert.is(r.value, '', name);
      assert.is(interpolateEnv(`\${${name}:-fallback}`, env).value, 'fallback', name);
    }
    // In a stack file too: an unset variable is a ConfigError naming it.
    assert.throws(() => loadConfig(`database:\n  data_dir: \${${name}}\n`, { env: {} }), (e: unknown) => e instanceof ConfigError && e.message.includes(name), name);
  }
  // A variable really set under such a name is still read.
  assert.is(interpolateEnv('${constructor}', { constructor: 'set' } as Record<string, string>).value, 'set');
});

test('parseDuration reads ms numbers and unit strings and rejects the rest with ValidationError', () => {
  assert.is(parseDuration(250), 250);
  assert.is(parseDuration('500ms'), 500);
  assert.is(parseDuration('30s'), 30_000);
  assert.is(parseDuration('2m'), 120_000);
  assert.is(parseDuration('1h'), 3_600_000);
  assert.is(parseDuration('1d'), 86_400_000);
  for (const bad of [-1, NaN, Infinity, '', 'soon', '10 parsecs', '-5s']) {
    assert.throws(() => parseDuration(bad as number | string), (e: unknown) => e instanceof ValidationError, String(bad));
  }
});

test.run();
