import knexFactory, { type Knex } from 'knex';
import { knexConfigFromUrl } from './knex-url.js';
import { migrationSource } from './migrations.js';

export type AppDb = Knex;

/** Opens the app database (SQLite by default, PostgreSQL by URL) and brings its schema up to date. */
export async function openAppDb(url: string): Promise<AppDb> {
  const db = knexFactory(knexConfigFromUrl(url));
  if (db.client.config.client === 'better-sqlite3') {
    await db.raw('PRAGMA journal_mode = WAL');
    await db.raw('PRAGMA busy_timeout = 5000');
    await db.raw('PRAGMA foreign_keys = ON');
  }
  await db.migrate.latest({ migrationSource });
  return db;
}

export async function audit(db: AppDb, username: string | null, action: string, detail: unknown): Promise<void> {
  await db('audit_log').insert({ username, action, detail_json: JSON.stringify(detail ?? null) });
}
