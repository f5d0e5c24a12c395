import { randomBytes } from 'node:crypto';
import { createDatabase, defineRepository, f, type Driver } from '@chatcore/core';
import { memoryDriver } from '@chatcore/core/driver';
import { postgres } from '@chatcore/postgres';
import { useFirestoreEmulator } from '@chatcore/firestore/testing';
import { firestore } from '@chatcore/firestore';
import { compare, rows } from '../lib/measure.js';

const URL = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const OPS = Number(process.env.BENCH_REF_OPS ?? 300);
const CHILDREN = 50;

function repositories(run: string) {
  const chats = defineRepository('chats', { id: f.id(), title: f.string() }, { table: `bench_ref_chats_${run}` });
  const plain = defineRepository('plain', { id: f.id(), chatId: f.string().indexed(), body: f.text() }, { table: `bench_ref_plain_${run}` });
  const linked = defineRepository('linked', { id: f.id(), chatId: f.string().references('chats', { onDelete: 'cascade' }), body: f.text() }, { table: `bench_ref_linked_${run}` });
  return { plain, linked, chats };
}

/**
 * What `.references()` costs (docs/referential-integrity.md): create of a
 * record whose field references another repository vs the same field
 * without a reference, and deleting a parent with 50 children, cascaded
 * vs deleting the 50 children by filter and then the parent by hand. On
 * PostgreSQL the database checks writes (FOREIGN KEY); on memory and
 * Firestore core reads the referenced id in the write's transaction.
 */
export async function references(out: string[]): Promise<void> {
  const emulator = await useFirestoreEmulator();
  const drivers: Array<[string, () => Driver, number]> = [
    ['memory', () => memoryDriver(), OPS * 10],
    ['postgres', () => postgres({ url: URL, poolSize: 4 }), OPS],
    ['firestore', () => firestore({ projectId: `bench-ref-${randomBytes(3).toString('hex')}`, emulatorHost: emulator.host }), Math.ceil(OPS / 3)],
  ];
  try {
    for (const [name, driver, count] of drivers) {
      const run = randomBytes(3).toString('hex');
      const db = createDatabase({ driver: driver(), repositories: repositories(run) });
      await db.connect();
      try {
        const chat = await db.chats.create({ title: 'bench' });
        const creates = await compare([
          { name: 'create, plain field', op: (i) => db.plain.create({ chatId: chat.id, body: `m${i}` }) },
          { name: 'create, referencing field', op: (i) => db.linked.create({ chatId: chat.id, body: `m${i}` }) },
        ], { count, inFlight: 1, rounds: 5, warmup: Math.min(count, 50) });
        out.push(...rows(`${name}: create one record, 1 in flight`, creates, 'create, plain field'));
        const parents = async () => {
          const p = await db.chats.create({ title: 'p' });
          return p.id;
        };
        const deletes = await compare([
          { name: 'children by hand, then parent', op: async () => {
            const id = await parents();
            await db.plain.createMany(Array.from({ length: CHILDREN }, (_, i) => ({ chatId: id, body: `c${i}` })));
            await db.transaction(async (tx) => { await tx.plain.deleteMany({ chatId: id }); await tx.chats.delete(id); });
          } },
          { name: 'onDelete cascade', op: async () => {
            const id = await parents();
            await db.linked.createMany(Array.from({ length: CHILDREN }, (_, i) => ({ chatId: id, body: `c${i}` })));
            await db.chats.delete(id);
          } },
        ], { count: Math.max(5, Math.ceil(count / 30)), inFlight: 1, rounds: 5, warmup: 3 });
        out.push(...rows(`${name}: create a parent with ${CHILDREN} children and delete it, 1 in flight`, deletes, 'children by hand, then parent'));
      } finally {
        await db.close();
      }
    }
  } finally {
    await emulator.stop();
  }
}
