import { PassThrough } from 'node:stream';
import { randomBytes } from 'node:crypto';
import { ConnectionError, createDatabase, defineRepository, f } from '@chatcore/core';
import { memoryDriver, type Driver } from '@chatcore/core/driver';
import { type Plugin } from '@chatcore/core/plugin';
import { pglite } from '@chatcore/pglite';
import { postgres } from '@chatcore/postgres';
import { firestore } from '@chatcore/firestore';
import { audit, type AuditOptions, type AuditPlugin } from '@chatcore/audit';


export type Backend = 'memory' | 'pglite' | 'postgres' | 'firestore';

/** Repositories with a random suffix, so runs on a shared server do not collide. */
export function repositories(tag = randomBytes(3).toString('hex')) {
  const users = defineRepository(`users_${tag}`, {
    id: f.id(),
    name: f.string({ max: 200 }),
    email: f.string({ max: 400 }).unique().sensitive({ searchable: true }),
    password: f.string().secret().optional(),
    age: f.integer().optional(),
    note: f.text().optional(),
    createdAt: f.timestamp().createdAt(),
    updatedAt: f.timestamp().updatedAt(),
    version: f.version(),
  });
  return { users };
}

export function driverFor(backend: Backend, options: { dataDir?: string } = {}): Driver {
  switch (backend) {
    case 'memory': return memoryDriver();
    case 'pglite': return pglite(options.dataDir ? { dataDir: options.dataDir } : {});
    case 'postgres': return postgres({ url: process.env.CHATCORE_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test', poolSize: 20 });
    case 'firestore': return firestore({ projectId: `chatcore-audit-${randomBytes(4).toString('hex')}`, emulatorHost: process.env.FIRESTORE_EMULATOR_HOST });
  }
}

/** Collects what the console sink writes, as parsed events. */
export class CapturedSink {
  readonly stream = new PassThrough();
  text = '';
  /** Everything ever written, across clear(). */
  all = '';
  constructor() {
    this.stream.on('data', (d: Buffer) => { const s = d.toString('utf8'); this.text += s; this.all += s; });
  }
  events(all = false): Array<Record<string, unknown>> {
    return (all ? this.all : this.text).split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as Record<string, unknown>);
  }
  operations(): Array<Record<string, unknown>> {
    return this.events().filter((e) => e.type === 'operation');
  }
  clear(): void {
    this.text = '';
  }
}

/**
 * A plugin that fails an operation below the audit plugin when the call
 * options carry `fault: '<secret text>'`: the error's cause quotes the text,
 * as a careless driver error might quote a value.
 */
export function faultPlugin(): Plugin {
  return {
    name: 'fault',
    callOptions: ['fault'],
    async around(op, ctx, next) {
      const fault = ctx.options.fault;
      if (typeof fault === 'string') throw new ConnectionError(`injected failure near ${fault}`, { cause: new Error(`row value ${fault}`) });
      return next(op);
    },
  };
}

/** Outbox table names of one test run, so files running at once on a shared server do not share a chain. */
export function outboxTables(tag: string) {
  return { table: `audit_events_${tag}`, linkTable: `audit_links_${tag}`, headTable: `audit_chain_${tag}`, checkpointTable: `audit_checkpoints_${tag}` };
}

export async function openDb(backend: Backend, auditOptions: AuditOptions, extra: { dataDir?: string; plugins?: Plugin[]; tag?: string } = {}) {
  const tag = extra.tag ?? randomBytes(3).toString('hex');
  const repos = repositories(tag);
  const outbox = auditOptions.sinks?.outbox === true ? outboxTables(tag) : auditOptions.sinks?.outbox;
  const plugin = audit(outbox ? { ...auditOptions, sinks: { ...auditOptions.sinks, outbox } } : auditOptions);
  const db = createDatabase({
    driver: driverFor(backend, extra),
    repositories: repos,
    plugins: [plugin, ...(extra.plugins ?? [faultPlugin()])],
    allowPlaintextSensitive: true,
  });
  await db.connect();
  return { db, plugin: plugin as AuditPlugin, repos };
}

/** A random high-entropy value in plain, base64 and hex spellings. */
export function secretValues(): string[] {
  const raw = randomBytes(24);
  return [`s3cr3t-${raw.toString('base64url')}`, raw.toString('base64'), raw.toString('hex')];
}
