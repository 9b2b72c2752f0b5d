import fs from 'node:fs';
import { DuckDBInstance, DuckDBConnection, DuckDBTimestampValue, type DuckDBAppender } from '@duckdb/node-api';

export type ColumnType = 'BIGINT' | 'INTEGER' | 'DOUBLE' | 'VARCHAR' | 'BOOLEAN' | 'TIMESTAMPTZ';
export interface Column {
  name: string;
  type: ColumnType;
}

/** DuckDB settings of the ETL's write connection (PANO_DUCKDB_MEMORY_LIMIT, PANO_DUCKDB_THREADS). */
export interface WarehouseSettings {
  /** Cap on DuckDB's memory (buffer cache, hash tables), e.g. '1GB'; beyond it DuckDB spills to `tempDir`. */
  memoryLimit?: string;
  threads?: number;
  /** Where DuckDB spills (created when needed); default: DuckDB's own `<file>.tmp`. */
  tempDir?: string;
}

const SIZE = /^\d+(\.\d+)?(KB|MB|GB|TB|KiB|MiB|GiB|TiB)$/i;

/**
 * Opens a DuckDB file for writing (ETL) with the session pinned to UTC, so TIMESTAMPTZ casts never depend on
 * the host, and DuckDB's memory capped: without a limit its buffer cache grows to 80 % of the machine's RAM
 * while a large snapshot is built, crowding out the API and the other jobs on the same server.
 * Insertion order stays preserved (DuckDB's default): raw tables copied over from the serving snapshot keep
 * their row order. Marts never depend on it: every pick within a group has a total order
 * (tests/etl/marts/determinism.integration.test.ts builds the demo twice and compares every mart).
 */
export async function openWarehouseForWrite(file: string, settings: WarehouseSettings = {}): Promise<{ instance: DuckDBInstance; conn: DuckDBConnection }> {
  const options: Record<string, string> = {};
  if (settings.memoryLimit) {
    if (!SIZE.test(settings.memoryLimit)) throw new Error(`DuckDB memory limit "${settings.memoryLimit}" is not a size such as 1GB`);
    options.memory_limit = settings.memoryLimit;
  }
  if (settings.threads) options.threads = String(Math.max(1, Math.floor(settings.threads)));
  if (settings.tempDir) {
    fs.mkdirSync(settings.tempDir, { recursive: true });
    options.temp_directory = settings.tempDir;
  }
  const instance = await DuckDBInstance.create(file, options);
  const conn = await instance.connect();
  await conn.run("SET TimeZone = 'UTC'");
  return { instance, conn };
}

export function createTableSql(schema: string, table: string, columns: Column[]): string {
  return `CREATE TABLE ${schema}.${table} (${columns.map((c) => `"${c.name}" ${c.type}`).join(', ')})`;
}

/**
 * A table's DuckDB appender kept open across batches: appending is per value, the expensive part is the
 * flush (DuckDB converts and stores the buffered rows), so a source's whole load is flushed once (and
 * whenever DuckDB's own buffer fills) instead of once per batch. Each column's append function is chosen
 * once, not per value.
 */
export class TableAppender {
  private closed = false;
  private readonly writers: Array<(v: unknown) => void>;
  private readonly names: string[];

  private constructor(
    private readonly appender: DuckDBAppender,
    columns: Column[],
  ) {
    this.names = columns.map((c) => c.name);
    this.writers = columns.map((c) => valueWriter(appender, c.type));
  }

  static async open(conn: DuckDBConnection, schema: string, table: string, columns: Column[]): Promise<TableAppender> {
    return new TableAppender(await conn.createAppender(table, schema), columns);
  }

  /** Appends rows (objects keyed by column name); returns how many. */
  append(rows: Iterable<Record<string, unknown>>): number {
    const { appender, names, writers } = this;
    const width = names.length;
    let n = 0;
    for (const row of rows) {
      for (let i = 0; i < width; i++) {
        const v = row[names[i]];
        if (v === null || v === undefined) appender.appendNull();
        else writers[i](v);
      }
      appender.endRow();
      n++;
    }
    return n;
  }

  /** Makes the appended rows visible to queries on the same connection (e.g. before deleting keys). */
  flush(): void {
    this.appender.flushSync();
  }

  /** Flushes and closes; a no-op the second time. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.appender.closeSync(); // closing flushes
  }

  /** Closes without caring whether the last flush works (the load failed and is rolled back anyway). */
  abandon(): void {
    try {
      this.close();
    } catch {
      // the transaction is rolled back: what the appender held is discarded with it
    }
  }
}

/** Appends rows (objects keyed by column name) with DuckDB's appender: the fast, typed path for bulk loads. */
export async function appendRows(
  conn: DuckDBConnection,
  schema: string,
  table: string,
  columns: Column[],
  rows: Iterable<Record<string, unknown>>,
): Promise<number> {
  const appender = await TableAppender.open(conn, schema, table, columns);
  try {
    return appender.append(rows);
  } finally {
    appender.close();
  }
}

function valueWriter(a: DuckDBAppender, type: ColumnType): (v: unknown) => void {
  switch (type) {
    case 'BIGINT':
      return (v) => a.appendBigInt(typeof v === 'bigint' ? v : BigInt(v as number));
    case 'INTEGER':
      return (v) => a.appendInteger(Number(v));
    case 'DOUBLE':
      return (v) => a.appendDouble(Number(v));
    case 'BOOLEAN':
      return (v) => a.appendBoolean(Boolean(v));
    case 'VARCHAR':
      return (v) => a.appendVarchar(typeof v === 'string' ? v : String(v));
    case 'TIMESTAMPTZ':
      return (v) => {
        const ms = v instanceof Date ? v.getTime() : new Date(String(v)).getTime();
        // The write connection is pinned to UTC, so the plain timestamp path (much faster) stores the same instant.
        a.appendTimestamp(new DuckDBTimestampValue(BigInt(ms) * 1000n));
      };
  }
}

/**
 * Whether `schema.table` exists in the connection's own database (not in an ATTACHed one), asked on a
 * connection or through a quality check's `query`.
 */
export async function tableExists(on: DuckDBConnection | { query(sql: string): Promise<unknown[]> }, qualified: string): Promise<boolean> {
  const [schema, table] = qualified.split('.');
  const sql = `SELECT 1 FROM duckdb_tables() WHERE database_name = current_database() AND schema_name = '${schema}' AND table_name = '${table}'`;
  const rows = on instanceof DuckDBConnection ? (await on.runAndReadAll(sql)).getRows() : await on.query(sql);
  return rows.length > 0;
}
