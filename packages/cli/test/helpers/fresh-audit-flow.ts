import * as assert from 'uvu/assert';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Test } from 'uvu';
import { FIXTURE_REPOSITORIES, jsonOf, runCli, show } from './run-cli.js';

interface Health {
  readonly status: string;
  readonly components: ReadonlyArray<{ name: string; status: string; error?: string; details?: Record<string, unknown> }>;
}

/**
 * Write `dir/chatcore.yaml`: the given `database:` section (its lines after
 * `database:`), encryption under key `${K1}`, and the audit outbox on.
 */
export function writeFreshAuditConfig(dir: string, database: string): void {
  writeFileSync(join(dir, 'chatcore.yaml'), `database:
${database}
encryption:
  keys:
    - id: k1
      key: \${K1}
      active: true
audit:
  sinks:
    outbox: true
`);
}

/** Runs one SQL statement on the test's database (opened while the CLI is not running) and returns its rows. */
export type QueryFn = (sql: string) => Promise<Array<Record<string, unknown>>>;

/**
 * A new database with the audit outbox on, the same on every backend: `dir`
 * holds a chatcore.yaml (encryption, `audit: { sinks: { outbox: true } }`)
 * for an empty database and node_modules for a migration's imports; `env`
 * what it needs. `query` reads the database.
 */
export function freshAuditFlow(test: Test, dir: string, env: NodeJS.ProcessEnv, query: QueryFn): void {
  const cli = (args: string[]) => runCli(args, { cwd: dir, env: { ...env, CHATCORE_REPOSITORIES: FIXTURE_REPOSITORIES }, timeoutMs: 240_000 });
  const tables = async () => (await query(`select table_name from information_schema.tables where table_schema = 'public' order by table_name`)).map((r) => String(r.table_name));
  /** Every row of every table, as JSON text per table (one statement: opening PGlite takes a while). */
  const snapshot = async () => {
    const parts = (await tables()).map((t) => `select '${t}' as t, (select coalesce(json_agg(r)::text, '[]') from (select * from "${t}" order by 1) r) as rows`);
    return Object.fromEntries((await query(parts.join(' union all '))).map((r) => [String(r.t), String(r.rows)]));
  };

  test('audit outbox, empty database: health is degraded through its schema component, the plugins connect', async () => {
    const run = await cli(['health', '--json']);
    // schema_mode is apply (the default): an additive gap is degraded, not down.
    assert.is(run.code, 0, show(run));
    const health = jsonOf<Health>(run);
    assert.is(health.status, 'degraded', show(run));
    assert.not.ok(health.components.some((c) => c.name === 'connect'), show(run));
    const schema = health.components.find((c) => c.name === 'schema');
    assert.is(schema?.status, 'degraded', show(run));
    const differences = (schema!.details!.differences as string[]).join('\n');
    assert.match(differences, /audit_chain/);
    assert.match(differences, /users/);
    assert.match(String(schema!.details!.hint), /chatcore schema apply/);
    const encryption = health.components.find((c) => c.name === 'encryption');
    assert.is(encryption?.details?.keyCheck, 'not run: the schema differs from the repositories (see schema)', show(run));
    assert.not.match(run.stdout, /SQLSTATE/);
  });

  test('empty database: commands that read tables exit 1 naming the missing tables and migrate up, and create nothing', async () => {
    const needed = /tables users, notes, audit_events, audit_links, audit_chain, audit_checkpoints do not exist\. Run `chatcore migrate up`/;
    for (const args of [['stats'], ['keys', 'status'], ['keys', 'verify'], ['keys', 'rotate'], ['keys', 'retire', 'k1']]) {
      const run = await cli(args);
      assert.is(run.code, 1, `${args.join(' ')}: ${show(run)}`);
      assert.match(run.stderr, needed, `${args.join(' ')}: ${show(run)}`);
      // One line: no SQLSTATE, and no plugin warning about the tables it could not reach.
      assert.is(run.stderr.trim().split('\n').length, 1, `${args.join(' ')}: ${show(run)}`);
      assert.not.match(run.stderr, /SQLSTATE|does not exist\)|CHATCORE_AUDIT/, `${args.join(' ')}: ${show(run)}`);
    }
    const audit = await cli(['audit', 'verify', '--json']);
    assert.is(audit.code, 1, show(audit));
    const body = jsonOf<{ ok: boolean; error: { code: string; message: string } }>(audit);
    assert.equal([body.ok, body.error.code], [false, 'SCHEMA'], show(audit));
    assert.match(body.error.message, /tables audit_events, audit_links, audit_chain, audit_checkpoints do not exist\. Run `chatcore migrate up`/);
    assert.not.match(body.error.message, /users/, 'audit verify reads only the outbox tables');
    assert.equal(await tables(), [], 'no table was created');
    assert.not.ok(existsSync(join(dir, 'chatcore.rotation.json')), 'keys rotate wrote no checkpoint');
  });

  test('audit outbox, empty database: migrate up with a migration pending creates the repositories\' and the audit tables', async () => {
    const create = await cli(['migrate', 'create', 'init', '--ext', 'mjs']);
    assert.is(create.code, 0, show(create));
    const up = await cli(['migrate', 'up', '--json']);
    assert.is(up.code, 0, show(up));
    assert.is(jsonOf<{ applied: string[] }>(up).applied.length, 1, show(up));
    // The audit tables exist before the plugin connects: it has nothing to warn about.
    assert.not.match(up.stderr, /CHATCORE_AUDIT/, show(up));
    const names = await tables();
    for (const t of ['users', 'notes', 'audit_events', 'audit_links', 'audit_chain', 'audit_checkpoints']) assert.ok(names.includes(t), `${t} in ${names.join(', ')}`);
    const verify = await cli(['schema', 'verify']);
    assert.is(verify.code, 0, show(verify));
  });

  test('audit outbox, nothing written yet: read-only commands write no row (no audit chain head); audit verify passes', async () => {
    const before = await snapshot();
    assert.ok('audit_chain' in before, Object.keys(before).join(', '));
    for (const args of [['health'], ['stats'], ['schema', 'plan'], ['schema', 'verify'], ['migrate', 'status'], ['keys', 'status'], ['keys', 'verify'], ['audit', 'verify']]) {
      const run = await cli(args);
      assert.is(run.code, 0, `${args.join(' ')}: ${show(run)}`);
      assert.equal(await snapshot(), before, `${args.join(' ')} changed the database`);
    }
    const audit = await cli(['audit', 'verify', '--json']);
    assert.equal([audit.code, jsonOf<{ ok: boolean; events: number }>(audit).events], [0, 0], show(audit));
    assert.equal(JSON.parse(before.audit_chain!), [], 'no chain head');
  });

  test('audit outbox, after migrate up: health up, exit 0', async () => {
    const run = await cli(['health']);
    assert.is(run.code, 0, show(run));
    assert.match(run.stdout, /^status: up$/m);
    assert.match(run.stdout, /up +schema$/m);
    assert.match(run.stdout, /up +encryption .*"keyCheck":"ok"/);
  });
}
