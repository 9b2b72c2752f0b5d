import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../common/config.js';
import { createTableSql, openWarehouseForWrite, TableAppender, type Column } from '../../../etl/warehouse/duckdb.js';

const dirs: string[] = [];
const tempDir = () => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'pano-duckdb-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

const COLUMNS: Column[] = [
  { name: 'id', type: 'BIGINT' },
  { name: 'name', type: 'VARCHAR' },
  { name: 'amount', type: 'DOUBLE' },
  { name: 'ok', type: 'BOOLEAN' },
  { name: 'seen_at', type: 'TIMESTAMPTZ' },
];

async function open(settings: Parameters<typeof openWarehouseForWrite>[1] = {}) {
  const file = path.join(tempDir(), 'w.duckdb');
  const db = await openWarehouseForWrite(file, settings);
  const query = async (sql: string) => (await db.conn.runAndReadAll(sql)).getRowObjectsJson() as Array<Record<string, unknown>>;
  const close = () => {
    db.conn.closeSync();
    db.instance.closeSync();
  };
  return { ...db, query, close };
}

describe('openWarehouseForWrite: DuckDB settings of the ETL build', () => {
  it('applies the memory limit, threads and spill folder, and pins the session to UTC', async () => {
    const spill = path.join(tempDir(), 'spill');
    const db = await open({ memoryLimit: '256MB', threads: 1, tempDir: spill });
    try {
      const [s] = await db.query(
        "SELECT current_setting('memory_limit') AS mem, current_setting('threads') AS threads, current_setting('temp_directory') AS tmp, current_setting('TimeZone') AS tz",
      );
      // DuckDB reports the limit in its own units (256MB → 244.1 MiB)
      expect(String(s.mem)).toMatch(/^244\.1 MiB$/);
      expect(Number(s.threads)).toBe(1);
      expect(s.tmp).toBe(spill);
      expect(s.tz).toBe('UTC');
      expect(fs.existsSync(spill)).toBe(true);
    } finally {
      db.close();
    }
  });

  it('refuses a memory limit that is not a size', async () => {
    await expect(open({ memoryLimit: 'lots' })).rejects.toThrow(/not a size/);
  });

  it('PANO_DUCKDB_MEMORY_LIMIT defaults to 512MB, spills under the data dir, and a bad value is a config error', () => {
    const dataDir = tempDir();
    const c = loadConfig({ PANO_MODE: 'demo', PANO_DATA_DIR: dataDir });
    expect(c.duckdb).toEqual({ memoryLimit: '512MB', threads: undefined, tempDir: path.join(dataDir, 'duckdb-tmp') });
    expect(loadConfig({ PANO_MODE: 'demo', PANO_DATA_DIR: dataDir, PANO_DUCKDB_MEMORY_LIMIT: '1.5 GB', PANO_DUCKDB_THREADS: '2' }).duckdb).toMatchObject({
      memoryLimit: '1.5GB',
      threads: 2,
    });
    expect(() => loadConfig({ PANO_MODE: 'demo', PANO_DATA_DIR: dataDir, PANO_DUCKDB_MEMORY_LIMIT: 'half' })).toThrow(/PANO_DUCKDB_MEMORY_LIMIT/);
  });
});

describe('TableAppender: one appender for a whole load', () => {
  const row = (i: number) => ({ id: i, name: i % 3 ? `satır ${i}` : null, amount: i / 4, ok: i % 2 === 0, seen_at: new Date(Date.UTC(2025, 0, 1) + i * 1000) });

  it('appends batch after batch, typed, and flush() makes the rows visible before close', async () => {
    const db = await open();
    try {
      await db.conn.run('CREATE SCHEMA raw_x');
      await db.conn.run(createTableSql('raw_x', 't', COLUMNS));
      const appender = await TableAppender.open(db.conn, 'raw_x', 't', COLUMNS);
      expect(appender.append([row(1), row(2)])).toBe(2);
      appender.flush();
      expect((await db.query('SELECT count(*) AS n FROM raw_x.t'))[0].n).toBe('2');
      expect(appender.append([row(3), row(4), row(5)])).toBe(3);
      appender.close();
      appender.close(); // a second close is a no-op
      const rows = await db.query('SELECT id, name, amount, ok, CAST(seen_at AS VARCHAR) AS seen_at FROM raw_x.t ORDER BY id');
      expect(rows.map((r) => r.id)).toEqual(['1', '2', '3', '4', '5']);
      expect(rows[2]).toEqual({ id: '3', name: null, amount: 0.75, ok: false, seen_at: '2025-01-01 00:00:03+00' });
      expect(rows[1].name).toBe('satır 2');
    } finally {
      db.close();
    }
  });

  it('rows appended inside a transaction that is rolled back leave nothing behind', async () => {
    const db = await open();
    try {
      await db.conn.run('CREATE SCHEMA raw_x');
      await db.conn.run(createTableSql('raw_x', 't', COLUMNS));
      await db.conn.run('BEGIN TRANSACTION');
      const appender = await TableAppender.open(db.conn, 'raw_x', 't', COLUMNS);
      appender.append([row(1), row(2), row(3)]);
      appender.flush();
      appender.abandon();
      await db.conn.run('ROLLBACK');
      expect((await db.query('SELECT count(*) AS n FROM raw_x.t'))[0].n).toBe('0');
    } finally {
      db.close();
    }
  });
});
