import pg from 'pg';
import { errorMessage } from '../../../../common/errors.js';
import type { Logger } from '../../../../common/logger.js';
import { connectPostgres as connect, PANO_LOCK_CLASS, READ_LOCK, SNAPSHOT_CHANNEL, type SnapshotManifest } from '../../../../common/warehouse/index.js';
import { NoSnapshotError, yieldToEventLoop, type Warehouse } from './reader.js';

/**
 * Serves queries from the PostgreSQL warehouse (PANO_WAREHOUSE_URL) that the ETL publishes into
 * (etl/warehouse/postgres.ts). Every query runs in a short read-only transaction that first takes the shared
 * read lock and reads the current snapshot id: the publisher's schema swap waits for it, so a query sees one
 * snapshot whole, and its result is stamped with exactly that snapshot. The manifest is cached; the current id
 * is polled at most once a second and pushed by NOTIFY after each swap.
 */
export class PostgresWarehouseReader implements Warehouse {
  readonly dbType = 'postgres' as const;
  private readonly pool: pg.Pool;
  private current: SnapshotManifest | null = null;
  private lastCheck = 0;
  private checking: Promise<void> | null = null;
  private listener: pg.Client | null = null;
  private relisten: NodeJS.Timeout | null = null;
  private closed = false;

  constructor(
    private readonly url: string,
    private readonly logger: Logger,
    private readonly opts: { poolSize?: number; checkEveryMs?: number } = {},
  ) {
    this.pool = new pg.Pool({
      connectionString: url,
      max: opts.poolSize ?? 8,
      application_name: 'pano-api',
      // UTC session: timestamps without zone read as UTC and Cube's `::timestamptz` casts behave as on DuckDB
      options: '-c TimeZone=UTC',
      idleTimeoutMillis: 30_000,
    });
    this.pool.on('error', (e) => this.logger.warn({ err: e.message }, 'warehouse.postgres.idle_client_error'));
  }

  async start(): Promise<void> {
    await this.refresh(true);
    await this.listen();
  }

  manifest(): SnapshotManifest | null {
    return this.current;
  }

  /** Reads the current snapshot id (at most once per checkEveryMs unless forced) and loads its manifest when it changed. */
  async refresh(force = false): Promise<void> {
    const every = this.opts.checkEveryMs ?? 1000;
    if (!force && Date.now() - this.lastCheck < every) return;
    if (this.checking) return this.checking;
    this.lastCheck = Date.now();
    this.checking = (async () => {
      let id: string | null = null;
      try {
        const r = await this.pool.query<{ snapshot_id: string }>('SELECT snapshot_id FROM pano_meta.snapshots WHERE is_current');
        id = r.rows[0]?.snapshot_id ?? null;
      } catch (e) {
        if (!isMissingMeta(e)) throw e;
      }
      if (id === (this.current?.snapshotId ?? null)) return;
      const next = id ? await this.fetchManifest(this.pool, id) : null;
      this.adopt(next);
    })().finally(() => {
      this.checking = null;
    });
    return this.checking;
  }

  /** Runs SQL (Cube's PostgreSQL dialect, `$n` parameters) on the serving marts; rows shaped as the DuckDB path shapes them. */
  async query<T = Record<string, unknown>>(
    sql: string,
    values: unknown[] = [],
    mapRow?: (row: Record<string, unknown>) => T,
  ): Promise<{ rows: T[]; manifest: SnapshotManifest }> {
    await this.refresh();
    const client = await this.pool.connect();
    let broken: Error | undefined;
    try {
      // One round trip: read-only transaction, shared read lock (the swap waits for it), the id serving this query.
      const pre = (await client.query(
        `BEGIN READ ONLY; SELECT pg_advisory_xact_lock_shared(${PANO_LOCK_CLASS}, ${READ_LOCK}); SELECT snapshot_id FROM pano_meta.snapshots WHERE is_current`,
      )) as unknown as Array<pg.QueryResult<{ snapshot_id: string }>>;
      const id = pre[2]?.rows[0]?.snapshot_id;
      if (!id) throw new NoSnapshotError();
      const manifest = id === this.current?.snapshotId ? this.current : await this.fetchManifest(client, id);
      const result = await client.query({ text: sql, values, types: CUBE_VALUE_TYPES });
      await client.query('COMMIT');
      if (manifest.snapshotId !== this.current?.snapshotId) this.adopt(manifest);
      if (!mapRow) return { rows: result.rows as T[], manifest };
      const rows: T[] = new Array(result.rows.length);
      for (let i = 0; i < result.rows.length; i++) {
        rows[i] = mapRow(result.rows[i]);
        if (i % 8192 === 8191) await yieldToEventLoop();
      }
      return { rows, manifest };
    } catch (e) {
      await client.query('ROLLBACK').catch((err: Error) => {
        broken = err;
      });
      if (isMissingMeta(e)) throw new NoSnapshotError();
      throw e;
    } finally {
      client.release(broken);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.relisten) clearTimeout(this.relisten);
    const l = this.listener;
    this.listener = null;
    await l?.end().catch(() => undefined);
    await this.pool.end();
  }

  private adopt(next: SnapshotManifest | null): void {
    const previous = this.current?.snapshotId ?? null;
    this.current = next;
    this.logger.info({ snapshot_id: next?.snapshotId ?? null, previous, warehouse: 'postgres' }, 'warehouse.switched');
  }

  private async fetchManifest(db: pg.Pool | pg.PoolClient, id: string): Promise<SnapshotManifest> {
    const r = await db.query<{ manifest: SnapshotManifest }>('SELECT manifest FROM pano_meta.snapshots WHERE snapshot_id = $1', [id]);
    if (!r.rows[0]) throw new NoSnapshotError();
    return r.rows[0].manifest;
  }

  /** LISTEN for swaps so the manifest (and the response cache key) moves at once; polling still covers a lost connection. */
  private async listen(): Promise<void> {
    if (this.closed) return;
    const retry = () => {
      if (this.closed || this.relisten) return;
      this.listener = null;
      this.relisten = setTimeout(() => {
        this.relisten = null;
        void this.listen();
      }, 5000);
      this.relisten.unref();
    };
    try {
      const c = await connect(this.url, 'pano-api-listen');
      c.on('notification', () => void this.refresh(true).catch((e) => this.logger.error({ err: errorMessage(e) }, 'warehouse.switch.failed')));
      c.on('error', retry);
      c.on('end', retry);
      await c.query(`LISTEN ${SNAPSHOT_CHANNEL}`);
      if (this.closed) await c.end();
      else this.listener = c;
    } catch (e) {
      this.logger.warn({ err: errorMessage(e) }, 'warehouse.postgres.listen_failed');
      retry();
    }
  }
}

function isMissingMeta(e: unknown): boolean {
  const code = (e as { code?: string })?.code;
  return code === '42P01' || code === '3F000'; // undefined_table, invalid_schema_name: nothing published yet
}

// ── Values as Cube's DuckDB driver gives them (./reader.ts), so both warehouses answer alike ──

const TIMESTAMP_TEXT = /^(\d{4})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d)(?:\.(\d{1,6}))?([+-]\d\d(?::\d\d){0,2})?$/;

/** '2026-11-01 08:30:00.123456+00' → '2026-11-01T08:30:00.123Z' (milliseconds truncated, as DuckDB's converter does). */
export function isoFromPgTimestamp(text: string): string {
  const m = TIMESTAMP_TEXT.exec(text);
  if (!m) return text; // infinity, BC dates: as PostgreSQL prints them
  const local = `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}.${(m[7] ?? '').padEnd(3, '0').slice(0, 3)}`;
  const offset = m[8];
  if (!offset || /^\+00(:00){0,2}$/.test(offset)) return `${local}Z`;
  const [hh, mm = '00', ss = '00'] = offset.slice(1).split(':');
  const shiftMs = (offset[0] === '-' ? -1 : 1) * ((Number(hh) * 60 + Number(mm)) * 60 + Number(ss)) * 1000;
  return new Date(Date.parse(`${local}Z`) - shiftMs).toISOString();
}

/** '2026-11-01' → '2026-11-01T00:00:00.000Z', DuckDB's DATE conversion. */
export function isoFromPgDate(text: string): string {
  return /^\d{4}-\d\d-\d\d$/.test(text) ? `${text}T00:00:00.000Z` : text;
}

/**
 * numeric as text. Integers and exact decimals (≤ 15 significant digits: sums, averages, money) keep their digits
 * without trailing zeros, as DuckDB's DECIMAL conversion prints them; a longer fraction is a computed ratio that
 * DuckDB computes in DOUBLE, so it is printed as that double.
 */
export function textFromPgNumeric(text: string): string {
  if (!text.includes('.')) return text;
  const trimmed = text.replace(/0+$/, '').replace(/\.$/, '');
  if (!trimmed.includes('.')) return trimmed === '-0' ? '0' : trimmed;
  const significant = trimmed.replace(/^-/, '').replace('.', '').replace(/^0+/, '').length;
  return significant <= 15 ? trimmed : String(Number(trimmed));
}

const asText = (v: string) => v;
const PARSERS: Record<number, (v: string) => unknown> = {
  16: (v) => v === 't', // bool
  20: asText, // int8
  21: asText, // int2
  23: asText, // int4
  26: asText, // oid
  700: (v) => String(Number(v)), // float4
  701: (v) => String(Number(v)), // float8
  1700: textFromPgNumeric, // numeric
  1082: isoFromPgDate, // date
  1114: isoFromPgTimestamp, // timestamp
  1184: isoFromPgTimestamp, // timestamptz
};

/** Per-query type parsers (pg's global ones stay untouched for other users of pg in the process). */
export const CUBE_VALUE_TYPES = {
  getTypeParser(oid: number, format?: string): (v: string) => unknown {
    return PARSERS[oid] ?? (pg.types.getTypeParser(oid, (format ?? 'text') as 'text') as (v: string) => unknown);
  },
};
