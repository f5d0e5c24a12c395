import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { parse } from 'yaml';
import { configJsonSchema, configSections } from '@chatcore/core/config';
import '@chatcore/encryption';
import '@chatcore/cache';
import '@chatcore/audit';
import '@chatcore/metrics';

const here = (name: string) => fileURLToPath(new URL(name, import.meta.url));
const committed = JSON.parse(readFileSync(here('../../../schema/chatcore.schema.json'), 'utf8')) as Record<string, unknown>;
const examples = readdirSync(here('..')).filter((f) => /^chatcore.*\.yaml$/.test(f));
const validate = new Ajv2020({ allErrors: true, strict: false }).compile(committed);

test('the committed JSON Schema is the one the section definitions give', () => {
  assert.equal(committed, JSON.parse(JSON.stringify(configJsonSchema(configSections()))));
});

test('every example config names the schema on its first line and validates against it', () => {
  assert.ok(examples.length >= 2, examples.join(', '));
  for (const name of examples) {
    const text = readFileSync(here(`../${name}`), 'utf8');
    assert.is(text.split('\n')[0], '# yaml-language-server: $schema=../../schema/chatcore.schema.json', name);
    const ok = validate(parse(text));
    assert.ok(ok, `${name}: ${JSON.stringify(validate.errors?.slice(0, 3))}`);
  }
});

test('the schema refuses what the loader refuses: unknown keys and sections, wrong types, the old use_ssl', () => {
  for (const bad of [
    { database: { pasword: 'x' } },
    { cahce: {} },
    { cache: { ttl: '30 seconds' } },
    { database: { use_ssl: true } },
    { audit: { reads: 'sometimes' } },
    { cache: { local_max_bytes: '64 megs' } },
  ]) assert.not.ok(validate(bad), JSON.stringify(bad));
  for (const good of [
    { database: { connection_pool_size: '${DB_POOL_SIZE:-20}', ssl: true } },
    { cache: { ttl: '30s', local_max_bytes: '64MiB', repositories: { drafts: false, users: { ttl: '5m' } } } },
    { audit: { reads: { sample_rate: 0.1 } } },
  ]) assert.ok(validate(good), `${JSON.stringify(good)}: ${JSON.stringify(validate.errors?.slice(0, 2))}`);
});

test.run();
