#!/usr/bin/env node
// Writes the key tables of the plugin sections in docs/configuration.md from
// the section definitions, between `<!-- keys:NAME -->` and `<!-- /keys -->`.
// Usage: node scripts/write-config-docs.mjs [--check]   (--check: fail if the page is out of date)
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadSections, root } from './config-sections.mjs';

const { config, sections } = await loadSections();
const page = join(root, 'docs', 'configuration.md');
const before = readFileSync(page, 'utf8');

const cell = (s) => String(s).replace(/\|/g, '\\|').replace(/\n/g, ' ');
function table(name) {
  const keys = config.configKeys({ [name]: sections[name] }).slice(1);
  const rows = keys.map((k) => {
    const yaml = k.path.slice(name.length + 1);
    const ts = k.typescript.slice(name.length + 1);
    const unit = k.type === "duration" ? " ms" : k.type === "size" ? " bytes" : "";
    const type = `${k.type}${k.constraint ? ` (${k.constraint}${unit})` : ""}${k.secret ? ", secret" : ""}`;
    const def = 'default' in k ? `\`${JSON.stringify(k.default)}\`` : '';
    return `| \`${yaml}\` | \`${ts}\` | ${cell(type)} | ${def} | ${cell(k.doc ?? '')} |`;
  });
  return ['| YAML key | TypeScript | Type | Default | Notes |', '|---|---|---|---|---|', ...rows].join('\n');
}

const after = before.replace(/<!-- keys:([a-z_]+) -->[\s\S]*?<!-- \/keys -->/g, (_, name) => {
  if (!sections[name]) throw new Error(`docs/configuration.md names section ${name}, which no package defines`);
  return `<!-- keys:${name} -->\n${table(name)}\n<!-- /keys -->`;
});
if (process.argv.includes('--check')) {
  if (after !== before) {
    console.error('docs/configuration.md is out of date: run node scripts/write-config-docs.mjs');
    process.exit(1);
  }
  console.log('docs/configuration.md is up to date');
} else {
  writeFileSync(page, after);
  console.log('wrote docs/configuration.md');
}
