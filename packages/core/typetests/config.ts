// Configuration types: DatabaseConfig (camelCase) and the checked sections.
// Each @ts-expect-error line has a twin right below it that compiles.
import { c, createStack, loadConfig, registerBackend, registerSection, type DatabaseConfig, type InferConfig, type ResolvedDatabaseConfig } from '@chatcore/core/config';
// Plugin packages add their sections' types to ChatcoreConfig when imported.
import type { AuditSection } from '@chatcore/audit';
import type { CacheSection } from '@chatcore/cache';
import { metrics, type MetricsSection } from '@chatcore/metrics';
import { memoryDriver } from '@chatcore/core/driver';
import { defineRelations } from '@chatcore/core';
import { conversations, messages, users } from './schema.js';

// DatabaseConfig and the schema of the `database` section name the same keys.
type Diff<A, B> = Exclude<keyof A, keyof B> | Exclude<keyof B, keyof A>;
export const sameKeys: [Diff<DatabaseConfig, ResolvedDatabaseConfig>] extends [never] ? true : false = true;

// @ts-expect-error connectionPoolSize is a number
export const badPool: DatabaseConfig = { backend: 'postgres', connectionPoolSize: '10' };
export const goodPool: DatabaseConfig = { backend: 'postgres', connectionPoolSize: 10, queryTimeout: '30s' };
// @ts-expect-error schemaMode is apply | verify | off
export const badMode: DatabaseConfig = { schemaMode: 'applied' };
export const goodMode: DatabaseConfig = { schemaMode: 'verify', backend: 'my-custom-backend' };
// @ts-expect-error YAML spelling (snake_case) is not the TypeScript name
export const snake: DatabaseConfig = { database_name: 'chat' };
export const camel: DatabaseConfig = { databaseName: 'chat' };

const config = loadConfig('chatcore.yaml');
// @ts-expect-error a resolved queryTimeout is milliseconds, not a string
export const timeoutText: string = config.database.queryTimeout;
export const timeoutMs: number = config.database.queryTimeout;
// @ts-expect-error plugin sections are optional: present only when written
export const ttl: number | undefined = config.cache.ttl;
export const ttlOk: number | undefined = config.cache?.ttl;
// @ts-expect-error audit.queue.overflow is a fixed list
export const overflow: AuditSection = { queue: { overflow: 'spill' } };
export const overflowOk: AuditSection = { queue: { overflow: 'drop' } };
// @ts-expect-error enabled has a default, so it is always present on a checked section
export const cacheNoEnabled: CacheSection = { ttl: 1000 };
export const cacheOk: CacheSection = { enabled: true, ttl: 1000 };

// Extra sections keep their types.
const tenancy = c.object({ header: c.string().default('x-tenant'), strict: c.boolean() });
const withTenancy = loadConfig('chatcore.yaml', { sections: { tenancy } });
// @ts-expect-error header is a string
export const header: number | undefined = withTenancy.tenancy?.header;
export const headerOk: string | undefined = withTenancy.tenancy?.header;
export const inferred: InferConfig<typeof tenancy> = { header: 'x', strict: true };

// @ts-expect-error a section's build receives its own checked type: header is a string
registerSection({ name: 'tenancy', package: 'x', schema: tenancy, rank: 25, build: (s) => ({ name: s.header * 2 + '' }) });
registerSection({ name: 'tenancy', package: 'x', schema: tenancy, rank: 25, build: (s) => ({ name: s.header }) });

// @ts-expect-error a backend factory returns a Driver
registerBackend('kv', () => ({ name: 'not a driver' }));
registerBackend('kv', (cfg) => (cfg.queryTimeout > 0 ? memoryDriver() : memoryDriver()));

// The metrics section and metrics(): registry is own | default; default labels are strings.
// @ts-expect-error registry is 'own' or 'default', not a name of the application's
export const badRegistry: MetricsSection = { enabled: true, registry: 'global' };
export const goodRegistry: MetricsSection = { enabled: true, registry: 'default', defaultLabels: { service: 'chat' } };
// @ts-expect-error a default label value is a string
export const badLabel = metrics({ defaultLabels: { shard: 7 } });
export const goodLabel = metrics({ defaultLabels: { shard: '7' } });
// The span options of metrics() are booleans.
// @ts-expect-error requireParentSpan is true or false, not a string
export const badParentSpan = metrics({ requireParentSpan: 'yes' });
export const goodParentSpan = metrics({ requireParentSpan: true, activeSpan: false });

// createStack takes relations like createDatabase: the stack's reads take include.
const repositories = { users, conversations, messages };
const relations = defineRelations(repositories, {
  conversations: (r) => ({ messages: r.many('messages', { field: 'conversationId' }) }),
});
export async function stackIncludes(): Promise<void> {
  const plain = await createStack({ config: 'chatcore.yaml', repositories });
  // @ts-expect-error without relations a stack's reads have no include
  await plain.conversations.find({ include: { messages: true } });
  await plain.conversations.find({ limit: 1 });
  const db = await createStack({ config: 'chatcore.yaml', repositories, relations });
  // @ts-expect-error include names declared relations only
  await db.conversations.find({ include: { user: true } });
  const [c] = await db.conversations.find({ include: { messages: { limit: 20 } } });
  // @ts-expect-error included messages are records, not ids
  const ids: string[] = c!.messages;
  const bodies: string[] = c!.messages.map((m) => m.body);
  void ids; void bodies;
}
