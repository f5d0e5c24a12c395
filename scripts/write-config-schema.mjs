#!/usr/bin/env node
// Writes schema/chatcore.schema.json, the JSON Schema of chatcore.yaml,
// from the section definitions of core and the plugin packages (run
// `pnpm run build` first). Example configs reference it for editor completion.
// Usage: node scripts/write-config-schema.mjs [--check]   (--check: fail if the file is out of date)
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadSections, root } from './config-sections.mjs';

const { config, sections } = await loadSections();
const file = join(root, 'schema', 'chatcore.schema.json');
const text = `${JSON.stringify(config.configJsonSchema(sections), null, 2)}\n`;
if (process.argv.includes('--check')) {
  if (!existsSync(file) || readFileSync(file, 'utf8') !== text) {
    console.error('schema/chatcore.schema.json is out of date: run node scripts/write-config-schema.mjs and commit it');
    process.exit(1);
  }
  console.log('schema/chatcore.schema.json is up to date');
} else {
  mkdirSync(join(root, 'schema'), { recursive: true });
  writeFileSync(file, text);
  console.log('wrote schema/chatcore.schema.json');
}
