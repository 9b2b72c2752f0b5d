import crypto from 'node:crypto';
import pg from 'pg';

/**
 * Throw-away PostgreSQL databases for integration tests (HR database, Bareos catalog, PostgreSQL warehouse).
 * Server: PANO_TEST_POSTGRES_URL (default postgres://postgres@127.0.0.1:5432/postgres, trust auth here).
 * A missing server fails the tests loudly; PANO_TEST_SKIP_POSTGRES=1 skips them on machines without one.
 */
export const POSTGRES_SERVER_URL = process.env.PANO_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const SKIP_POSTGRES = process.env.PANO_TEST_SKIP_POSTGRES === '1';

export interface TempPgDatabase {
  name: string;
  /** postgres://…/pano_t_<hex> */
  url: string;
  /** Runs SQL (several statements allowed) in the database. */
  exec(sql: string): Promise<void>;
  drop(): Promise<void>;
}

export async function createTempPgDatabase(opts: { schemaSql?: string } = {}): Promise<TempPgDatabase> {
  const name = `pano_t_${crypto.randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: POSTGRES_SERVER_URL, connectionTimeoutMillis: 5000 });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const u = new URL(POSTGRES_SERVER_URL);
  u.pathname = `/${name}`;
  const url = u.toString();
  const exec = async (sql: string) => {
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    try {
      await c.query(sql);
    } finally {
      await c.end();
    }
  };
  if (opts.schemaSql) await exec(opts.schemaSql);
  let dropped = false;
  return {
    name,
    url,
    exec,
    async drop() {
      if (dropped) return;
      dropped = true;
      const a = new pg.Client({ connectionString: POSTGRES_SERVER_URL });
      await a.connect();
      try {
        await a.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await a.end();
      }
    },
  };
}
