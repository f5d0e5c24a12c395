import { createDatabase, defineRepository, f } from '@chatcore/core';
import { postgres } from '@chatcore/postgres';
import { encryption } from './src/index.js';
import { randomBytes } from 'node:crypto';
const sfx = randomBytes(3).toString('hex');
const mk = (name: string, sens: boolean) => defineRepository(`${name}_${sfx}`, { id: f.id(), name: f.string(), email: sens ? f.string().unique().sensitive({ searchable: true }) : f.string().unique(), ssn: sens ? f.string().sensitive() : f.string(), phone: sens ? f.string().sensitive() : f.string(), version: f.version() });
const plain = mk('qplain', false), enc = mk('qenc', true);
const url = 'postgres://postgres@127.0.0.1:5432/test';
const dbP = createDatabase({ driver: postgres({ url, poolSize: 16 }), repositories: { r: plain } });
const dbE = createDatabase({ driver: postgres({ url, poolSize: 16 }), repositories: { r: enc }, plugins: [encryption({ keys: [{ id: 'k1', key: randomBytes(32).toString('base64') }] })] });
await dbP.connect(); await dbE.connect();
const rows = (n: number) => Array.from({ length: n }, (_, i) => ({ name: `n${i}`, email: `user${i}@example.com`, ssn: `123-45-${i}`, phone: `+44 ${i}` }));
const idsP = (await dbP.r.createMany(rows(5000))).map((r) => r.id);
const idsE = (await dbE.r.createMany(rows(5000))).map((r) => r.id);
async function inflight(label: string, fn: (k: number) => Promise<unknown>) {
  let i = 0; const c = process.cpuUsage(); const t = performance.now();
  await Promise.all(Array.from({ length: 16 }, async () => { while (i < 5000) { const k = i++; await fn(k); } }));
  const u = process.cpuUsage(c);
  console.log(label.padEnd(10), 'wall µs/op', ((performance.now() - t) * 1000 / 5000).toFixed(0).padStart(5), ' node cpu µs/op', ((u.user + u.system) / 5000).toFixed(0));
}
for (let r = 0; r < 3; r++) {
  await inflight('getP', (k) => dbP.r.get(idsP[k]!));
  await inflight('getE', (k) => dbE.r.get(idsE[k]!));
  await inflight('eqP', (k) => dbP.r.findOne({ where: { email: `user${k}@example.com` } }));
  await inflight('bidxE', (k) => dbE.r.findOne({ where: { email: `user${k}@example.com` } }));
}
await dbP.close(); await dbE.close();
const kk = postgres({ url }); await kk.connect(); for (const t of [plain.schema.table, enc.schema.table]) await kk.executor.execute({ sql: `drop table "${t}"`, parameters: [] }); await kk.close();
