import { createDatabase, defineRepository, f } from '@chatcore/core';
import { postgres } from '@chatcore/postgres';
import { encryption } from './src/index.js';
import { randomBytes } from 'node:crypto';
const sfx = randomBytes(3).toString('hex');
const enc = defineRepository(`penc_${sfx}`, { id: f.id(), name: f.string(), email: f.string().unique().sensitive({ searchable: true }), ssn: f.string().sensitive(), phone: f.string().sensitive(), version: f.version() });
const url = 'postgres://postgres@127.0.0.1:5432/test';
const dbE = createDatabase({ driver: postgres({ url, poolSize: 16 }), repositories: { r: enc }, plugins: [encryption({ keys: [{ id: 'k1', key: randomBytes(32).toString('base64') }] })] });
await dbE.connect();
const idsE = (await dbE.r.createMany(Array.from({ length: 5000 }, (_, i) => ({ name: `n${i}`, email: `user${i}@example.com`, ssn: `123-45-${i}`, phone: `+44 ${i}` })))).map((r) => r.id);
for (let r = 0; r < 6; r++) { let i = 0; await Promise.all(Array.from({ length: 16 }, async () => { while (i < 5000) { const k = i++; await dbE.r.get(idsE[k]!); } })); }
await dbE.close();
const kk = postgres({ url }); await kk.connect(); await kk.executor.execute({ sql: `drop table "${enc.schema.table}"`, parameters: [] }); await kk.close();
