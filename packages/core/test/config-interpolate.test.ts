import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { interpolateEnv, loadConfig, parseDuration, readYaml } from '@chatcore/core/config';
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

/** The plain values readYaml makes (maps without prototypes), as ordinary objects for deep equality. */
const plain = (text: string, env: Record<string, string>) => {
  const src = readYaml(text, env, 'inline');
  return { value: JSON.parse(JSON.stringify(src.value)) as Record<string, unknown>, problems: src.problems };
};

test('${VAR} works inside flow maps and lists, with defaults and $${, and a missing one keeps its path and line', () => {
  const yaml = [
    'url: ${URL:-memory://x}',
    'map: { a: ${A}, b: "${B:-two}", c: ${C:-}, d: $${LITERAL}, e: pre-${A}-post }',
    'list: [${A}, ${B:-b}]',
    'nested: { in: [ { deep: ${A} } ] }',
    '',
  ].join('\n');
  const r = plain(yaml, { A: 'one' });
  assert.equal(r.problems, []);
  assert.equal(r.value, {
    url: 'memory://x',
    map: { a: 'one', b: 'two', c: '', d: '${LITERAL}', e: 'pre-one-post' },
    list: ['one', 'b'],
    nested: { in: [{ deep: 'one' }] },
  });
  const missing = readYaml('first: 1\nmap: { a: ${NOT_SET_HERE} }\n', {}, 'inline');
  assert.equal(missing.problems.map((p) => [p.path, p.line]), [['map.a', 2]]);
  assert.match(missing.problems[0]!.message, 'NOT_SET_HERE');
  // Through loadConfig as well: the section's flow map is read.
  const cfg = loadConfig('database: { backend: pglite, data_dir: "${DIR:-/tmp/x}" }\n', { env: {} });
  assert.is(cfg.database.dataDir, '/tmp/x');
});

test('a value substituted in a flow map stays one string: environment text cannot add YAML structure', () => {
  const values = ['eu # west', 'a: b', 'x, y: z', '}, injected: 1, {', '] , [', 'x\ny: 2', '"quoted"', "'single'", '*alias', '&anchor v', '!!binary eA==', '1.5', 'null', 'true', '${OTHER}'];
  for (const v of values) {
    const r = plain('map: { a: ${V}, b: [${V}] }\n', { V: v, OTHER: 'no' });
    assert.equal(r.problems, [], JSON.stringify(v));
    assert.equal(r.value, { map: { a: v, b: [v] } }, JSON.stringify(v));
  }
});

test('a ${...} in a key is not interpolated, in block and flow style alike', () => {
  const r = plain('map: { ${K}: v }\nblock:\n  ${K}: w\n', { K: 'k' });
  assert.equal(r.value, { map: { '${K}': 'v' }, block: { '${K}': 'w' } });
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
