import type { Knex } from 'knex';

/**
 * Writing the demo's SQLite source databases (GLPI helpdesk and inventory): chunked inserts within
 * SQLite's limits, a per-table row buffer, and "find or create" rows by a natural key.
 */

type Row = Record<string, unknown>;

/**
 * Inserts rows in chunks SQLite accepts (≤ 500 rows per compound insert, < 32 766 bound variables).
 * Rows with different key sets go in separate chunks: knex builds one multi-row INSERT from the first row's keys.
 */
export async function insertChunked(trx: Knex.Transaction, table: string, rows: Row[]): Promise<void> {
  if (!rows.length) return;
  const groups = new Map<string, Row[]>();
  for (const r of rows) {
    const k = Object.keys(r).join(',');
    let g = groups.get(k);
    if (!g) groups.set(k, (g = []));
    g.push(r);
  }
  for (const g of groups.values()) {
    const size = Math.max(1, Math.min(400, Math.floor(30_000 / Object.keys(g[0]).length)));
    for (let i = 0; i < g.length; i += size) await trx(table).insert(g.slice(i, i + size));
  }
}

/** Buffers rows per table and inserts them in chunks once `flushAt` rows are pending, so memory stays flat. */
export class BatchWriter {
  private readonly buffers = new Map<string, Row[]>();
  private pending = 0;
  constructor(
    private readonly trx: Knex.Transaction,
    private readonly flushAt: number,
  ) {}

  /** Buffers a row; call maybeFlush() at a convenient point. */
  push(table: string, row: Row): void {
    let b = this.buffers.get(table);
    if (!b) this.buffers.set(table, (b = []));
    b.push(row);
    this.pending++;
  }

  /** Buffers a row and flushes when enough are pending. */
  async add(table: string, row: Row): Promise<void> {
    this.push(table, row);
    await this.maybeFlush();
  }

  async maybeFlush(): Promise<void> {
    if (this.pending >= this.flushAt) await this.flushAll();
  }

  async flushAll(): Promise<void> {
    for (const [table, rows] of this.buffers) {
      await insertChunked(this.trx, table, rows);
      rows.length = 0;
    }
    this.pending = 0;
  }
}

/**
 * Finds rows by a natural key or inserts the missing ones with ids after the current maximum
 * (or the id `fixedId` gives, when free). Returns key → id and the keys it created.
 */
export async function ensureRows(
  trx: Knex.Transaction,
  table: string,
  key: string,
  rows: Row[],
  fixedId?: (row: Row) => number,
): Promise<{ ids: Map<string, number>; created: Set<string> }> {
  const existing = (await trx(table).select('id', key)) as Row[];
  const ids = new Map(existing.filter((r) => r[key] != null).map((r) => [String(r[key]), Number(r.id)]));
  const used = new Set(existing.map((r) => Number(r.id)));
  let next = Math.max(0, ...used) + 1;
  const created = new Set<string>();
  const toInsert: Row[] = [];
  for (const row of rows) {
    const k = String(row[key]);
    if (ids.has(k)) continue;
    let id = fixedId?.(row);
    if (id === undefined || used.has(id)) id = next;
    used.add(id);
    next = Math.max(next, id + 1);
    ids.set(k, id);
    created.add(k);
    toInsert.push({ id, ...row });
  }
  await insertChunked(trx, table, toInsert);
  return { ids, created };
}
