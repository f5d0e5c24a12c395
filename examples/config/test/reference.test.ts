import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { configKeys, configSections } from '@chatcore/core/config';
import '@chatcore/encryption';
import '@chatcore/cache';
import '@chatcore/audit';
import '@chatcore/metrics';

const docs = readFileSync(new URL('../../../docs/configuration.md', import.meta.url), 'utf8');
const example = readFileSync(new URL('../chatcore.yaml', import.meta.url), 'utf8');
const CONFIG_SECTIONS = configSections();
const keys = configKeys(CONFIG_SECTIONS);

test('docs/configuration.md names every YAML key and its TypeScript name', () => {
  const missing: string[] = [];
  for (const k of keys) {
    const leaf = k.path.split('.').pop()!.replace('[]', '');
    const tsLeaf = k.typescript.split('.').pop()!.replace('[]', '');
    if (leaf === '<name>') continue;
    // Plugin sections are generated tables that name the path inside the section (`sinks.console`).
    const rel = k.path.slice(k.path.indexOf('.') + 1);
    const tsRel = k.typescript.slice(k.typescript.indexOf('.') + 1);
    if (!docs.includes(`\`${leaf}\``) && !docs.includes(`\`${rel}\``)) missing.push(k.path);
    if (!docs.includes(`\`${tsLeaf}\``) && !docs.includes(`\`${tsRel}\``) && !docs.includes(`{ ${tsLeaf}`) && !docs.includes(`, ${tsLeaf}`)) missing.push(k.typescript);
  }
  assert.equal(missing, []);
  assert.ok(keys.length > 50, `${keys.length} keys`);
});

test('every secret key is marked secret in the reference', () => {
  const secrets = keys.filter((k) => k.secret && !k.path.endsWith('[]')).map((k) => k.path);
  assert.ok(secrets.includes('database.password'));
  assert.ok(secrets.includes('database.url'));
  assert.ok(secrets.includes('encryption.root_key'));
  assert.ok(secrets.includes('encryption.keys[].key'));
  assert.ok(secrets.includes('cache.redis_url'));
  for (const path of secrets) {
    const leaf = path.split('.').pop()!;
    const row = docs.split('\n').find((l) => l.startsWith(`| \`${leaf}\``));
    if (row) assert.match(row, /secret/, path);
  }
});

test('the example file uses every section', () => {
  for (const section of Object.keys(CONFIG_SECTIONS)) assert.match(example, new RegExp(`^${section}:`, 'm'), section);
});

test.run();
