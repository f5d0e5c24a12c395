// Which prelude each example sees, and which sources may still fail.
//
// A prelude (preludes/<name>.ts) declares what the fragments of a page or a
// package take for granted (`db`, `users`, a `driver`, ...). Preludes declare
// variables and types only, never `any`, and are compiled with the examples.
// A block gets from its prelude just the names it uses and does not declare
// or import itself, so a block that imports a name checks that import.

/** Prelude of each Markdown page; pages not listed use `app`. */
export const PAGE_PRELUDES = {
  'docs/drivers.md': 'driver-author',
  'docs/plugins.md': 'plugin-author',
  'examples/plugin-soft-delete/README.md': 'soft-delete',
  'docs/configuration.md': 'config',
  'docs/sql.md': 'sql',
  'packages/sql/README.md': 'sql',
  'packages/pglite/README.md': 'sql',
  'packages/postgres/README.md': 'postgres',
  'docs/postgres.md': 'postgres',
  'packages/firestore/README.md': 'firestore',
  'docs/firestore.md': 'firestore',
  'docs/cli.md': 'cli',
  'packages/cli/README.md': 'cli',
};

/** Prelude of the doc comments of each package (by its directory). */
export const PACKAGE_PRELUDES = {
  'packages/core': 'core',
  'packages/sql': 'sql',
  'packages/pglite': 'sql',
  'packages/postgres': 'postgres',
  'packages/firestore': 'firestore',
  'packages/cache': 'plugins',
  'packages/audit': 'plugins',
  'packages/encryption': 'plugins',
  'packages/metrics': 'plugins',
  'packages/cli': 'cli',
  'examples/plugin-soft-delete': 'soft-delete',
};

/**
 * Pending: pages and packages being rewritten on other branches. Their blocks
 * are compiled and their failures counted ("pending: N blocks fail in X"),
 * but they do not fail the check. Empty this list as those branches merge.
 */
export const PENDING = {};

/** The prelude a block uses. */
export function preludeOf(block) {
  if (block.kind === 'page') return PAGE_PRELUDES[block.file] ?? 'app';
  const pkg = block.file.split('/').slice(0, 2).join('/');
  return PACKAGE_PRELUDES[pkg] ?? 'core';
}

/** The pending entry covering a file, if any. */
export function pendingOf(file) {
  return Object.keys(PENDING).find((p) => file === p || file.startsWith(`${p}/`));
}
