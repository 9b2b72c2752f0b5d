import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import mysql from 'mysql2/promise';

/**
 * Throw-away MariaDB/MySQL databases for integration tests. Each test file gets its own
 * database `pano_t_<random>` on the test server, optionally loaded with a real install schema
 * (GLPI 10.0.19's install/mysql/glpi-empty.sql from ../shared/samples/glpi/), and drops it after.
 *
 * Server: PANO_TEST_MARIADB_URL (default mysql://root@127.0.0.1:3306). Set
 * PANO_TEST_SKIP_MARIADB=1 to skip these tests on machines without a server; otherwise a
 * missing server fails the tests loudly rather than passing them silently.
 */

const here = path.dirname(fileURLToPath(import.meta.url));

export const MARIADB_SERVER_URL = (process.env.PANO_TEST_MARIADB_URL ?? 'mysql://root@127.0.0.1:3306').replace(/\/+$/, '');
export const SKIP_MARIADB = process.env.PANO_TEST_SKIP_MARIADB === '1';

/** GLPI 10.0.19's real install schema (samples README: RHILIUS/GLPI-Techwise @ b3c61fe, GPL-3.0-or-later). */
export const GLPI_10_EMPTY_SQL = path.resolve(here, '../../../shared/samples/glpi/glpi-10.0.19-empty.sql');

export interface TempDatabase {
  /** Database name, `pano_t_<hex>`. */
  name: string;
  /** Connection URL of the database, `mysql://root@127.0.0.1:3306/pano_t_…`. */
  url: string;
  /** Drops the database (idempotent). */
  drop(): Promise<void>;
}

/** Creates an empty database and, when `schemaFile` is given, runs that SQL file in it. */
export async function createTempDatabase(opts: { schemaFile?: string } = {}): Promise<TempDatabase> {
  const name = `pano_t_${crypto.randomBytes(6).toString('hex')}`;
  const admin = await mysql.createConnection({ uri: MARIADB_SERVER_URL, multipleStatements: true, connectTimeout: 5000 });
  try {
    await admin.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
    if (opts.schemaFile) {
      const sql = fs.readFileSync(opts.schemaFile, 'utf8');
      await admin.query(`USE \`${name}\`;\n${sql}`);
    }
  } catch (e) {
    await admin.query(`DROP DATABASE IF EXISTS \`${name}\``).catch(() => undefined);
    throw e;
  } finally {
    await admin.end();
  }
  let dropped = false;
  return {
    name,
    url: `${MARIADB_SERVER_URL}/${name}`,
    async drop() {
      if (dropped) return;
      dropped = true;
      const c = await mysql.createConnection({ uri: MARIADB_SERVER_URL, connectTimeout: 5000 });
      try {
        await c.query(`DROP DATABASE IF EXISTS \`${name}\``);
      } finally {
        await c.end();
      }
    },
  };
}

/** A throw-away database holding GLPI 10.0.19's real, empty install schema. */
export function createTempGlpiDatabase(): Promise<TempDatabase> {
  return createTempDatabase({ schemaFile: GLPI_10_EMPTY_SQL });
}
