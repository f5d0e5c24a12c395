import { randomBytes } from 'node:crypto';
import { createPool, postgres } from '@chatcore/postgres';

/** The shared test server (trust auth); CHATCORE_PG_URL overrides. */
export const PG_URL = process.env.CHATCORE_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** A database of its own on the test server, dropped by `drop()`. */
export async function freshDatabase(): Promise<{ url: string; name: string; drop: () => Promise<void> }> {
  const name = `migrate_${randomBytes(5).toString('hex')}`;
  const admin = createPool({ url: PG_URL, poolSize: 1 });
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(PG_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    drop: async () => {
      const pool = createPool({ url: PG_URL, poolSize: 1 });
      await pool.query(`drop database if exists ${name} with (force)`);
      await pool.end();
    },
  };
}

/** A PostgreSQL driver on `url`. */
export function pgDriver(url: string, poolSize = 4) {
  return postgres({ url, poolSize });
}
