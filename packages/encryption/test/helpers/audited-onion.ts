import { PassThrough } from 'node:stream';
import { audit } from '@chatcore/audit';
import { cache, type CacheOptions } from '@chatcore/cache';
import { encryption } from '../../src/index.js';
import { KEY_A } from './keys.js';

/**
 * The standard onion with the real plugins, for stack tests: audit
 * outermost (every read, to a console stream kept here), encryption under
 * key A, the cache next to the driver on the local Redis with generous
 * timeouts for a loaded machine. `readEvents()` flushes audit and returns
 * the read events written since the last call.
 */
export function auditedOnion(cacheOptions: CacheOptions & { namespace: string }) {
  const out = new PassThrough();
  let written = '';
  out.on('data', (d: Buffer) => (written += d.toString('utf8')));
  const auditor = audit({ sinks: { console: { stream: out } }, reads: 'all' });
  const plugins = [
    auditor,
    encryption({ keys: [{ id: 'k1', key: KEY_A }] }),
    cache({ redisUrl: 'redis://127.0.0.1:6379', redisTimeout: '2s', heartbeat: '1s', ...cacheOptions }),
  ];
  return {
    plugins,
    async readEvents(): Promise<Array<Record<string, unknown>>> {
      await auditor.flush();
      const events = written.split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as Record<string, unknown>);
      written = '';
      return events.filter((e) => e.type === 'operation' && e.family === 'read');
    },
  };
}
