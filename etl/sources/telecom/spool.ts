import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Column } from '../../warehouse/duckdb.js';

/**
 * Newline-delimited JSON files that hold the rows of a source's further raw tables (invoice headers,
 * tax subtotals, the file manifest) while its main rows stream through the runner. After the load they
 * are read into the new warehouse in one statement each (DuckDB's read_json), then deleted.
 */
export class NdjsonSpool {
  readonly dir: string;
  private readonly fds = new Map<string, number>();
  private readonly buffers = new Map<string, string[]>();
  private readonly sizes = new Map<string, number>();
  private readonly counts = new Map<string, number>();

  constructor(prefix = 'pano-spool-') {
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  }

  file(name: string): string {
    return path.join(this.dir, `${name}.ndjson`);
  }

  write(name: string, row: Record<string, unknown>): void {
    let buf = this.buffers.get(name);
    if (!buf) {
      buf = [];
      this.buffers.set(name, buf);
      this.fds.set(name, fs.openSync(this.file(name), 'w'));
    }
    const line = JSON.stringify(row);
    buf.push(line);
    const size = (this.sizes.get(name) ?? 0) + line.length;
    this.sizes.set(name, size);
    this.counts.set(name, (this.counts.get(name) ?? 0) + 1);
    if (size > 1 << 20) this.flush(name);
  }

  count(name: string): number {
    return this.counts.get(name) ?? 0;
  }

  flush(name?: string): void {
    for (const n of name ? [name] : [...this.buffers.keys()]) {
      const buf = this.buffers.get(n);
      if (!buf?.length) continue;
      fs.writeSync(this.fds.get(n)!, `${buf.join('\n')}\n`);
      buf.length = 0;
      this.sizes.set(n, 0);
    }
  }

  /** Flushes and closes the files; they stay readable until remove(). */
  close(): void {
    this.flush();
    for (const fd of this.fds.values()) fs.closeSync(fd);
    this.fds.clear();
  }

  remove(): void {
    try {
      this.close();
    } finally {
      fs.rmSync(this.dir, { recursive: true, force: true });
    }
  }
}

const sqlString = (s: string) => `'${s.replace(/'/g, "''")}'`;

/** CREATE TABLE for a spooled raw table, with the runner's `_run_id` / `_extracted_at` columns. */
export function createSpooledTableSql(schema: string, table: string, columns: Column[]): string {
  const cols = [...columns, { name: '_run_id', type: 'VARCHAR' }, { name: '_extracted_at', type: 'TIMESTAMPTZ' }];
  return `CREATE TABLE ${schema}.${table} (${cols.map((c) => `"${c.name}" ${c.type}`).join(', ')})`;
}

/** INSERT … SELECT from a spool file; columns absent from a JSON line read as NULL. */
export function insertFromSpoolSql(schema: string, table: string, columns: Column[], file: string, runId: string, extractedAt: Date): string {
  const spec = columns.map((c) => `${sqlString(c.name)}: ${sqlString(c.type)}`).join(', ');
  const list = columns.map((c) => `"${c.name}"`).join(', ');
  return `INSERT INTO ${schema}.${table} (${list}, "_run_id", "_extracted_at")
    SELECT ${list}, ${sqlString(runId)}, TIMESTAMPTZ ${sqlString(extractedAt.toISOString())}
    FROM read_json(${sqlString(file)}, format = 'newline_delimited', columns = {${spec}}, maximum_object_size = 16777216)`;
}
