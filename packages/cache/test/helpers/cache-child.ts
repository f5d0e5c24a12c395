// A second (third...) process for coherence tests: opens the same PostgreSQL
// table and the same cache namespace as its parent, then answers JSON-line
// commands on stdin. Run with: node --conditions=@chatcore/source --import tsx test/helpers/cache-child.ts '<config json>'
import { createInterface } from 'node:readline';
import { createDatabase, defineRepository, f } from '@chatcore/core';
import { postgres } from '@chatcore/postgres';
import { cache, type CacheOptions } from '../../src/index.js';

interface ChildConfig {
  readonly table: string;
  readonly pgUrl: string;
  readonly cache: CacheOptions;
}

const config = JSON.parse(process.argv[2]!) as ChildConfig;
let unhandled = 0;
process.on('unhandledRejection', () => { unhandled++; });
/** Wall-clock time in ms with sub-ms precision, comparable across processes of one machine. */
const now = () => performance.timeOrigin + performance.now();
const items = defineRepository('items', { id: f.id(), name: f.string(), n: f.integer().default(0), version: f.version() }, { table: config.table, plugins: { cache: { ttl: '5m' } } });
const plugin = cache(config.cache);
const db = createDatabase({ driver: postgres({ url: config.pgUrl, poolSize: 4 }), repositories: { items }, plugins: [plugin] });
await db.connect();

const reply = (id: number, body: unknown) => process.stdout.write(`${JSON.stringify({ id, ...(body as object) })}\n`);
const rl = createInterface({ input: process.stdin });
rl.on('line', async (line) => {
  const msg = JSON.parse(line) as { id: number; cmd: string; args: Record<string, unknown> };
  try {
    switch (msg.cmd) {
      case 'create': reply(msg.id, { value: await db.items.create(msg.args as { name: string }) }); break;
      case 'get': reply(msg.id, { value: await db.items.get(msg.args.id as string) }); break;
      case 'find': reply(msg.id, { value: await db.items.find({ where: { n: msg.args.n as number } }) }); break;
      case 'update': reply(msg.id, { value: await db.items.update(msg.args.id as string, msg.args.patch as { name: string }) }); break;
      case 'updateMany': reply(msg.id, { value: await db.items.updateMany({ n: msg.args.n as number }, msg.args.patch as { name: string }) }); break;
      case 'deleteMany': reply(msg.id, { value: await db.items.deleteMany({ n: msg.args.n as number }) }); break;
      case 'count': reply(msg.id, { value: await db.items.count({ n: msg.args.n as number }) }); break;
      case 'delete': reply(msg.id, { value: await db.items.delete(msg.args.id as string) }); break;
      // Poll until the value changes from `old`, in this process, and say how long it took.
      case 'waitFor': {
        const started = performance.now();
        let polls = 0;
        for (;;) {
          const v = await db.items.get(msg.args.id as string);
          polls++;
          if ((v?.name ?? null) === msg.args.name) { reply(msg.id, { value: msg.args.detail ? { ms: performance.now() - started, polls } : performance.now() - started }); break; }
          if (performance.now() - started > 5000) { reply(msg.id, { error: `still ${v?.name} after 5 s` }); break; }
          await new Promise((r) => setTimeout(r, 2));
        }
        break;
      }
      case 'stats': reply(msg.id, { value: plugin.stats() }); break;
      // Read each id in turn; each answer with the time its read started (or the typed error it raised).
      case 'getAll': {
        const out: Array<{ name: string | null; at: number; error?: string }> = [];
        for (const id of msg.args.ids as string[]) {
          const at = now();
          try {
            out.push({ name: (await db.items.get(id))?.name ?? null, at });
          } catch (e) {
            out.push({ name: null, at, error: e instanceof Error ? e.name : String(e) });
          }
        }
        reply(msg.id, { value: out });
        break;
      }
      case 'diag': reply(msg.id, { value: { unhandled } }); break;
      case 'close':
        await db.close();
        reply(msg.id, { value: true });
        rl.close();
        break;
      default: reply(msg.id, { error: `unknown command ${msg.cmd}` });
    }
  } catch (e) {
    reply(msg.id, { error: e instanceof Error ? `${e.name}: ${e.message}` : String(e) });
  }
});
process.stdout.write(`${JSON.stringify({ ready: true })}\n`);
