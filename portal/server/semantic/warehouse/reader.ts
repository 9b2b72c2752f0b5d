import fs from 'node:fs';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import type { Logger } from '../../../../common/logger.js';
import { SnapshotDirectory, type SnapshotManifest } from '../../../../common/warehouse/index.js';
import { PanoError } from '../../../../common/errors.js';

import { loadCube } from '../cube-internals.js';

// Cube's own DuckDB value conversion (BIGINT → string, timestamps → ISO …), so results match a stock Cube server.
const { buildTransform, transformChunk, convertDuckDBParams } = loadCube();

interface Handle {
  manifest: SnapshotManifest;
  instance: DuckDBInstance;
  conns: DuckDBConnection[];
  free: DuckDBConnection[];
  waiters: Array<(c: DuckDBConnection) => void>;
  active: number;
  retired: boolean;
}

export class NoSnapshotError extends PanoError {
  constructor() {
    super('No warehouse snapshot has been published yet: run `pano etl run` first', { code: 'no_snapshot', retryable: true });
  }
}

/**
 * What the API needs from a warehouse (DuckDB snapshots, or PostgreSQL with PANO_WAREHOUSE_URL): the serving
 * snapshot's manifest, a cheap refresh before queries, and queries whose rows come out as Cube's DuckDB driver
 * shapes them (numbers as strings, timestamps as ISO strings), stamped with the snapshot that answered.
 */
export interface Warehouse {
  /** Cube's SQL dialect for this warehouse. */
  readonly dbType: 'duckdb' | 'postgres';
  start(): Promise<void>;
  manifest(): SnapshotManifest | null;
  refresh(force?: boolean): Promise<void>;
  /**
   * `mapRow` turns each row as it arrives (a large answer is then never held twice); rows are read in batches with
   * the event loop free between them, so one large answer does not stall other requests.
   */
  query<T = Record<string, unknown>>(
    sql: string,
    values?: unknown[],
    mapRow?: (row: Record<string, unknown>) => T,
  ): Promise<{ rows: T[]; manifest: SnapshotManifest }>;
  close(): Promise<void>;
}

/** Gives the event loop a turn (other requests, the health check) between batches of a large answer. */
export const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Serves queries from the published warehouse snapshot and moves to a new one between queries:
 * a query that started on the old snapshot finishes there; the old one is closed when it drains.
 * Snapshots are opened read-only, so the ETL can read the serving snapshot while building the next.
 */
export class WarehouseReader implements Warehouse {
  readonly dbType = 'duckdb' as const;
  private current: Handle | null = null;
  private switching: Promise<void> | null = null;
  private lastCheck = 0;
  private watcher: fs.FSWatcher | null = null;

  constructor(
    private readonly store: SnapshotDirectory,
    private readonly logger: Logger,
    private readonly opts: { poolSize?: number; checkEveryMs?: number } = {},
  ) {}

  /** Opens the serving snapshot (if any) and watches for new ones. */
  async start(): Promise<void> {
    await this.refresh(true);
    try {
      fs.mkdirSync(this.store.dir, { recursive: true });
      this.watcher = fs.watch(this.store.dir, (_e, file) => {
        if (file === 'current.json') void this.refresh(true).catch((e) => this.logger.error({ err: String(e) }, 'warehouse.switch.failed'));
      });
    } catch {
      // without a watcher the reader still checks before queries
    }
  }

  manifest(): SnapshotManifest | null {
    return this.current?.manifest ?? null;
  }

  /** Checks current.json and switches when it names another snapshot. Cheap; called before queries. */
  async refresh(force = false): Promise<void> {
    const every = this.opts.checkEveryMs ?? 1000;
    if (!force && Date.now() - this.lastCheck < every) return;
    this.lastCheck = Date.now();
    if (this.switching) return this.switching;
    const next = this.store.current();
    if (!next || next.snapshotId === this.current?.manifest.snapshotId) return;
    this.switching = this.open(next)
      .then((handle) => {
        const old = this.current;
        this.current = handle;
        this.logger.info({ snapshot_id: next.snapshotId, previous: old?.manifest.snapshotId ?? null }, 'warehouse.switched');
        if (old) this.retire(old);
      })
      .finally(() => {
        this.switching = null;
      });
    return this.switching;
  }

  /** Runs SQL (with `?` parameters) on the serving snapshot; rows converted the way Cube's DuckDB driver does. */
  async query<T = Record<string, unknown>>(
    sql: string,
    values: unknown[] = [],
    mapRow?: (row: Record<string, unknown>) => T,
  ): Promise<{ rows: T[]; manifest: SnapshotManifest }> {
    await this.refresh();
    const handle = this.current;
    if (!handle) throw new NoSnapshotError();
    handle.active++;
    const conn = await this.acquire(handle);
    try {
      // Streamed: DuckDB hands over one chunk (2 048 rows) at a time; each is converted, then others get a turn.
      const result = await conn.stream(sql, convertDuckDBParams(values));
      const transform = buildTransform(result.columnNames(), result.columnTypes());
      const rows: T[] = [];
      for (let chunk = await result.fetchChunk(); chunk && chunk.rowCount > 0; chunk = await result.fetchChunk()) {
        for (const row of transformChunk(chunk, transform)) rows.push(mapRow ? mapRow(row) : (row as T));
        await yieldToEventLoop();
      }
      return { rows, manifest: handle.manifest };
    } finally {
      this.release(handle, conn);
    }
  }

  async close(): Promise<void> {
    this.watcher?.close();
    if (this.current) this.retire(this.current);
    this.current = null;
  }

  private async open(manifest: SnapshotManifest): Promise<Handle> {
    const file = this.store.pathOf(manifest);
    const instance = await DuckDBInstance.create(file, { access_mode: 'READ_ONLY' });
    const size = this.opts.poolSize ?? 4;
    const conns: DuckDBConnection[] = [];
    for (let i = 0; i < size; i++) {
      const conn = await instance.connect();
      await conn.run("SET TimeZone = 'UTC'");
      conns.push(conn);
    }
    return { manifest, instance, conns, free: [...conns], waiters: [], active: 0, retired: false };
  }

  private acquire(h: Handle): Promise<DuckDBConnection> {
    const c = h.free.pop();
    if (c) return Promise.resolve(c);
    return new Promise((resolve) => h.waiters.push(resolve));
  }

  private release(h: Handle, c: DuckDBConnection): void {
    h.active--;
    const waiter = h.waiters.shift();
    if (waiter) waiter(c);
    else h.free.push(c);
    if (h.retired && h.active === 0) this.dispose(h);
  }

  private retire(h: Handle): void {
    h.retired = true;
    if (h.active === 0) this.dispose(h);
  }

  private dispose(h: Handle): void {
    for (const c of h.conns) c.closeSync();
    h.conns = [];
    h.instance.closeSync();
    this.logger.debug({ snapshot_id: h.manifest.snapshotId }, 'warehouse.closed');
  }
}
