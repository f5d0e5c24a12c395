import type { ComponentHealth, HealthReport } from '@chatcore/core';
import { EXIT } from '../exit-codes.js';
import type { CommandResult } from '../output.js';
import { withDatabase, type CommandContext } from '../command-context.js';
import { backendLocation, withLocation } from '../backend-location.js';
import { connectWithin } from '../reachable-backend.js';
import { planSchema } from './schema-check.js';

function errorText(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).slice(0, 300);
}

function schemaHint(destructive: boolean): string {
  return destructive
    ? 'write a migration for these differences (docs/migrations.md), then run `chatcore migrate up`'
    : 'run `chatcore schema apply` or `chatcore migrate up` to create what is missing';
}

/** A plugin check that could not read its tables ("not run: <backend error>") points at the schema component instead. */
function explainSkippedCheck(c: ComponentHealth): ComponentHealth {
  if (!c.details || !Object.values(c.details).some((v) => typeof v === 'string' && v.startsWith('not run: '))) return c;
  const details = Object.fromEntries(Object.entries(c.details).map(([k, v]) => [k, typeof v === 'string' && v.startsWith('not run: ') ? 'not run: the schema differs from the repositories (see schema)' : v]));
  return { ...c, details };
}

function line(c: ComponentHealth): string {
  const latency = c.latencyMs === undefined ? '' : ` ${c.latencyMs.toFixed(1)} ms`;
  const details = c.details && Object.keys(c.details).length ? ` ${JSON.stringify(c.details)}` : '';
  return `  ${c.status.padEnd(8)} ${c.name}${latency}${c.error ? `: ${c.error}` : ''}${details}`;
}

/**
 * `chatcore health`: connect (without touching the schema), report every
 * component (servers, pool, breaker, each plugin) and whether the schema
 * matches the repositories. Exit 1 when a component is down. A server
 * (PostgreSQL, Firestore) is asked once first: when it does not answer
 * within its health check's bound (5 s) the report is that check's, and
 * the connect's error when one came meanwhile, naming where the server
 * was looked for, with no plugin or schema line.
 *
 * @example
 * ```ts
 * const result = await healthCommand(ctx);
 * result.exitCode; // 0 when nothing is down
 * ```
 */
export async function healthCommand(ctx: CommandContext): Promise<CommandResult> {
  const report = await withDatabase(ctx, { connect: false, reach: false }, async (db, { config }): Promise<HealthReport> => {
    const components: ComponentHealth[] = [];
    const where = backendLocation(config, ctx.env);
    const connectDown = (error: unknown): ComponentHealth => ({ name: 'connect', status: 'down', error: errorText(withLocation(error, where)) });
    // The driver connects (bounded by connectWithin) while a server is asked once, within its health
    // check's bound: one that does not answer is reported down, naming where it was looked for, without
    // waiting out the driver's connect retries, and with the connect's own error when it came meanwhile.
    const connecting = connectWithin(db, config, ctx.env).then(() => undefined, (error: unknown) => ({ error }));
    if (where !== undefined) {
      const first = await db.driver.health();
      if (first.status === 'down') {
        const failed = await connecting;
        const servers = first.components.map((c) => (c.status === 'down' && c.error !== undefined ? { ...c, error: `${where}: ${c.error}` } : c));
        return { status: 'down', components: [...(failed ? [connectDown(failed.error)] : []), ...servers] };
      }
    }
    // The schema is checked whenever the backend answers, even when a plugin fails to connect.
    // Firestore's connect() contacts nothing and compares the schema locally: its health check
    // is what tells whether it answered, so a backend reported down gets no schema verdict.
    let connected = false;
    const failed = await connecting;
    if (failed) components.push(connectDown(failed.error));
    else {
      connected = true;
      try {
        await db.connect();
      } catch (error) {
        components.push(connectDown(error));
      }
    }
    try {
      const health = await db.health();
      components.push(...health.components);
      // db.health() is down only when the driver is (a plugin down makes it degraded).
      if (health.status === 'down') connected = false;
    } catch (error) {
      components.push({ name: db.driver.name, status: 'down', error: errorText(error) });
      connected = false;
    }
    if (connected) {
      try {
        // Thorough as `schema verify`, so both agree (on Firestore: documents lacking a declared field).
        const plan = await planSchema(db, { thorough: true });
        const differences = [...plan.destructive, ...plan.additive.map((s) => s.description)];
        // Additive gaps are filled at the application's next start when it runs with schema_mode: apply.
        const status = differences.length === 0 ? 'up' : plan.destructive.length === 0 && config.database.schemaMode === 'apply' ? 'degraded' : 'down';
        components.push({ name: 'schema', status, ...(differences.length ? { details: { differences, hint: schemaHint(plan.destructive.length > 0) } } : {}) });
        // A check that read a table the schema lacks says so, not the backend's error about it.
        if (differences.length) components.forEach((c, i) => { components[i] = explainSkippedCheck(c); });
      } catch (error) {
        components.push({ name: 'schema', status: 'down', error: errorText(error) });
      }
    }
    const status = components.some((c) => c.status === 'down') ? 'down' : components.some((c) => c.status === 'degraded') ? 'degraded' : 'up';
    return { status, components };
  });
  const down = report.components.filter((c) => c.status === 'down');
  return {
    exitCode: down.length ? EXIT.CHECK_FAILED : EXIT.OK,
    json: report,
    text: [`status: ${report.status}`, ...report.components.map(line)],
  };
}
