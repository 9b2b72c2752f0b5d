import {
  DuckDBInstance,
  DuckDBConnection,
  DuckDBTimestampValue,
  type DuckDBAppender,
} from '@duckdb/node-api';

export type ColumnType = 'BIGINT' | 'INTEGER' | 'DOUBLE' | 'VARCHAR' | 'BOOLEAN' | 'TIMESTAMPTZ';
export interface Column {
  name: string;
  type: ColumnType;
}

/** Opens a DuckDB file for writing (ETL) with the session pinned to UTC, so TIMESTAMPTZ casts never depend on the host. */
export async function openWarehouseForWrite(file: string): Promise<{ instance: DuckDBInstance; conn: DuckDBConnection }> {
  const instance = await DuckDBInstance.create(file);
  const conn = await instance.connect();
  await conn.run("SET TimeZone = 'UTC'");
  return { instance, conn };
}

export function createTableSql(schema: string, table: string, columns: Column[]): string {
  return `CREATE TABLE ${schema}.${table} (${columns.map((c) => `"${c.name}" ${c.type}`).join(', ')})`;
}

/** Appends rows (objects keyed by column name) with DuckDB's appender: the fast, typed path for bulk loads. */
export async function appendRows(conn: DuckDBConnection, schema: string, table: string, columns: Column[], rows: Iterable<Record<string, unknown>>): Promise<number> {
  const appender = await conn.createAppender(table, schema);
  let n = 0;
  try {
    for (const row of rows) {
      for (const c of columns) appendValue(appender, c.type, row[c.name]);
      appender.endRow();
      n++;
    }
    appender.flushSync();
  } finally {
    appender.closeSync();
  }
  return n;
}

function appendValue(a: DuckDBAppender, type: ColumnType, v: unknown): void {
  if (v === null || v === undefined) return a.appendNull();
  switch (type) {
    case 'BIGINT':
      return a.appendBigInt(BigInt(v as number));
    case 'INTEGER':
      return a.appendInteger(Number(v));
    case 'DOUBLE':
      return a.appendDouble(Number(v));
    case 'BOOLEAN':
      return a.appendBoolean(Boolean(v));
    case 'VARCHAR':
      return a.appendVarchar(String(v));
    case 'TIMESTAMPTZ': {
      const ms = v instanceof Date ? v.getTime() : new Date(String(v)).getTime();
      // The write connection is pinned to UTC, so the plain timestamp path (much faster) stores the same instant.
      return a.appendTimestamp(new DuckDBTimestampValue(BigInt(ms) * 1000n));
    }
  }
}
