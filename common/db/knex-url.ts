import path from 'node:path';
import fs from 'node:fs';
import type { Knex } from 'knex';

/**
 * Turns a connection URL into a knex config: `sqlite:<file>`, `mysql://…`/`mariadb://…`, `postgres://…`.
 * One code path for every source and the app database.
 */
export function knexConfigFromUrl(url: string, extra: Partial<Knex.Config> = {}): Knex.Config {
  if (url.startsWith('sqlite:')) {
    const file = url.slice('sqlite:'.length).replace(/^\/\//, '');
    if (file !== ':memory:') fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    return { client: 'better-sqlite3', connection: { filename: file }, useNullAsDefault: true, ...extra };
  }
  if (/^(mysql|mariadb):\/\//.test(url)) {
    return {
      client: 'mysql2',
      connection: { uri: url.replace(/^mariadb:/, 'mysql:'), connectTimeout: 5000 } as unknown as Knex.MySql2ConnectionConfig,
      pool: { min: 0, max: 4 },
      ...extra,
    };
  }
  if (/^postgres(ql)?:\/\//.test(url)) {
    return { client: 'pg', connection: { connectionString: url, connectionTimeoutMillis: 5000 }, pool: { min: 0, max: 4 }, ...extra };
  }
  throw new Error(`Unsupported database URL "${redactUrl(url)}": use sqlite:<file>, mysql://… or postgres://…`);
}

/** The URL without its password, safe for logs and error messages. */
export function redactUrl(url: string): string {
  return url.replace(/(\/\/[^:/@]+):[^@]*@/, '$1:***@');
}

/** Host (and port) or file of a URL, to name a source in an error. */
export function describeUrl(url: string): string {
  if (url.startsWith('sqlite:')) return url.slice('sqlite:'.length);
  try {
    const u = new URL(url);
    return `${u.hostname}${u.port ? `:${u.port}` : ''}${u.pathname}`;
  } catch {
    return redactUrl(url);
  }
}
