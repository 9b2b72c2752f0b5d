import type { DuckDBConnection } from '@duckdb/node-api';
import pg from 'pg';
import { errorMessage, PanoError } from '../../common/errors.js';
import type { Logger } from '../../common/logger.js';
import { connect, PANO_LOCK_CLASS, PUBLISH_LOCK, READ_LOCK, SNAPSHOT_CHANNEL } from '../../common/warehouse/postgres.js';
import type { SnapshotManifest } from '../../common/warehouse/snapshots.js';

export { PANO_LOCK_CLASS, READ_LOCK } from '../../common/warehouse/postgres.js';

/**
 * The PostgreSQL warehouse (PANO_WAREHOUSE_URL). DuckDB stays the build engine: raw tables, quarantine,
 * carry-over, checks and marts are built in the DuckDB snapshot as always. Publishing then copies every
 * `marts.*` table into a fresh PostgreSQL schema and swaps it in with one transaction:
 *
 *   marts_build_<id>   the schema a publish loads into (invisible to readers; dropped when the publish fails)
 *   marts              the serving marts (what the model's `sql_table: marts.…` reads)
 *   marts_old_<id>     earlier snapshots kept for rollback (the newest `keep - 1`)
 *   pano_meta.snapshots   one row per kept snapshot: manifest JSON, schema, which one is current
 *
 * Readers that follow Pano's protocol (the API's PostgresWarehouseReader) take the shared advisory lock
 * READ_LOCK in each query's transaction; the swap takes it exclusively, so a reader's transaction sees the
 * old marts or the new ones, never some of each, and never a missing table.
 */

const META_SQL = `
  CREATE SCHEMA IF NOT EXISTS pano_meta;
  CREATE TABLE IF NOT EXISTS pano_meta.snapshots (
    snapshot_id  text PRIMARY KEY,
    run_id       text NOT NULL,
    published_at timestamptz NOT NULL,
    schema_name  text NOT NULL,
    is_current   boolean NOT NULL DEFAULT false,
    manifest     json NOT NULL,
    tables       json NOT NULL,
    copy_ms      integer NOT NULL
  );
  CREATE UNIQUE INDEX IF NOT EXISTS snapshots_one_current ON pano_meta.snapshots (is_current) WHERE is_current;`;

export class PostgresPublishError extends PanoError {
  constructor(message: string, cause?: unknown) {
    super(message, { code: 'warehouse_postgres_publish', retryable: true, cause });
  }
}

export interface PostgresPublishOptions {
  url: string;
  /** The manifest of the snapshot being published (the same one the DuckDB store writes). */
  manifest: SnapshotManifest;
  /** Snapshots to keep, the serving one included (PANO_SNAPSHOTS_KEEP). */
  keep: number;
  logger: Logger;
  /** How long the swap may wait, in all, for running reader transactions before the publish fails (default 60 s). */
  swapLockTimeoutMs?: number;
  /** Test seam: runs inside the swap transaction, after the renames, just before COMMIT. */
  beforeCommit?: (info: { pid: number }) => Promise<void>;
}

export interface PostgresPublishResult {
  snapshotId: string;
  tables: Array<{ table: string; rows: number }>;
  /** Creating the build schema, copying the rows, indexes and ANALYZE. */
  copyMs: number;
  /** The whole publish, swap and pruning included. */
  durationMs: number;
  dropped: string[];
}

interface MartColumn {
  name: string;
  duckType: string;
  pgType: string;
}

/**
 * Copies the marts of the DuckDB build `conn` into PostgreSQL and makes them the serving `marts` in one
 * transaction. Throws PostgresPublishError on any failure before the commit; the previous marts keep serving
 * and the build schema is dropped.
 */
export async function publishMartsToPostgres(conn: DuckDBConnection, opts: PostgresPublishOptions): Promise<PostgresPublishResult> {
  const started = Date.now();
  const { manifest, logger } = opts;
  const build = `marts_build_${schemaSuffix(manifest.snapshotId)}`;
  let client: pg.Client | undefined;
  let phase = 'connect';
  let buildCreated = false;
  try {
    client = await connect(opts.url, 'pano-etl-publish');
    phase = 'lock';
    await client.query('SELECT pg_advisory_lock($1, $2)', [PANO_LOCK_CLASS, PUBLISH_LOCK]);
    await client.query(META_SQL);
    await dropAbandonedBuilds(client, logger);

    phase = 'copy';
    await conn.run("SET TimeZone = 'UTC'"); // TIMESTAMPTZ → text in UTC, whatever the connection was set to
    const marts = await martTables(conn);
    if (!marts.length) throw new Error('the DuckDB snapshot has no marts.* tables to publish');
    const columnsOf = new Map<string, MartColumn[]>();
    for (const t of marts) columnsOf.set(t, await martColumns(conn, t)); // type check first: fail before any copy
    await client.query(`CREATE SCHEMA ${ident(build)}`);
    buildCreated = true;
    const tables: PostgresPublishResult['tables'] = [];
    for (const t of marts) {
      const cols = columnsOf.get(t)!;
      const rows = await copyTable(conn, client, build, t, cols);
      tables.push({ table: t, rows });
    }
    phase = 'index';
    for (const t of marts) await indexTable(client, build, t, columnsOf.get(t)!);
    for (const t of marts) await client.query(`ANALYZE ${ident(build)}.${ident(t)}`);
    const copyMs = Date.now() - started;
    logger.info(
      { snapshot_id: manifest.snapshotId, schema: build, tables: tables.length, rows: tables.reduce((n, t) => n + t.rows, 0), copy_ms: copyMs },
      'etl.postgres.copied',
    );

    phase = 'swap';
    await swapIn(client, build, manifest, tables, copyMs, opts);
    buildCreated = false;

    // committed: from here on nothing fails the publish
    const dropped = await pruneOld(client, opts.keep, logger).catch((e) => {
      logger.warn({ err: errorMessage(e) }, 'etl.postgres.prune_deferred');
      return [] as string[];
    });
    const durationMs = Date.now() - started;
    logger.info({ snapshot_id: manifest.snapshotId, copy_ms: copyMs, duration_ms: durationMs, dropped }, 'etl.postgres.published');
    return { snapshotId: manifest.snapshotId, tables, copyMs, durationMs, dropped };
  } catch (e) {
    logger.error({ snapshot_id: manifest.snapshotId, phase, err: errorMessage(e) }, 'etl.postgres.failed');
    if (buildCreated) await dropBuildSchema(opts.url, build, logger);
    throw new PostgresPublishError(`PostgreSQL ambarına yayım başarısız (PostgreSQL publish failed at ${phase}): ${errorMessage(e)}`, e);
  } finally {
    await client?.end().catch(() => undefined);
  }
}

/** DuckDB column type → PostgreSQL column type; throws for types the PostgreSQL warehouse cannot hold. */
export function postgresTypeOf(duckType: string): string {
  const t = duckType.trim().toUpperCase();
  const dec = /^DECIMAL\((\d+),\s*(\d+)\)$/.exec(t) ?? /^NUMERIC\((\d+),\s*(\d+)\)$/.exec(t);
  if (dec) return `numeric(${dec[1]},${dec[2]})`;
  const simple: Record<string, string> = {
    VARCHAR: 'text',
    BIGINT: 'bigint',
    INTEGER: 'integer',
    SMALLINT: 'smallint',
    TINYINT: 'smallint',
    UTINYINT: 'smallint',
    USMALLINT: 'integer',
    UINTEGER: 'bigint',
    UBIGINT: 'numeric(20,0)',
    HUGEINT: 'numeric(38,0)',
    DOUBLE: 'double precision',
    FLOAT: 'real',
    BOOLEAN: 'boolean',
    DATE: 'date',
    'TIMESTAMP WITH TIME ZONE': 'timestamptz',
    TIMESTAMP: 'timestamp',
    TIMESTAMP_S: 'timestamp',
    TIMESTAMP_MS: 'timestamp',
    TIMESTAMP_NS: 'timestamp',
    TIME: 'time',
    INTERVAL: 'interval',
    UUID: 'uuid',
  };
  const pgType = simple[t];
  if (!pgType) throw new Error(`DuckDB type ${duckType} has no PostgreSQL mapping (use VARCHAR, a number, BOOLEAN, DATE or TIMESTAMP in marts)`);
  return pgType;
}

/** A snapshot id as a lower-case identifier part: 20261128T030000Z-1a2b3c → 20261128t030000z_1a2b3c. */
export function schemaSuffix(snapshotId: string): string {
  return snapshotId
    .toLowerCase()
    .replace(/[^a-z0-9_]/g, '_')
    .slice(0, 40);
}

export function ident(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

async function martTables(conn: DuckDBConnection): Promise<string[]> {
  const rows = (
    await conn.runAndReadAll(
      `SELECT table_name FROM duckdb_tables() WHERE database_name = current_database() AND schema_name = 'marts' AND NOT temporary
     UNION SELECT view_name FROM duckdb_views() WHERE database_name = current_database() AND schema_name = 'marts' AND NOT temporary
     ORDER BY 1`,
    )
  ).getRowObjectsJson() as Array<{ table_name: string }>;
  return rows.map((r) => r.table_name);
}

async function martColumns(conn: DuckDBConnection, table: string): Promise<MartColumn[]> {
  const rows = (
    await conn.runAndReadAll(
      `SELECT column_name, data_type FROM duckdb_columns() WHERE database_name = current_database() AND schema_name = 'marts' AND table_name = $1 ORDER BY column_index`,
      [table],
    )
  ).getRowObjectsJson() as Array<{ column_name: string; data_type: string }>;
  return rows.map((r) => {
    try {
      return { name: r.column_name, duckType: r.data_type, pgType: postgresTypeOf(r.data_type) };
    } catch (e) {
      throw new Error(`marts.${table}.${r.column_name}: ${errorMessage(e)}`);
    }
  });
}

/** Values per INSERT statement (rows × columns): large enough to amortise the round trip, small enough for memory. */
const VALUES_PER_BATCH = 200_000;

/** Read from DuckDB as JS numbers (far cheaper than strings); every other type is read as its text form. */
const NUMERIC_TYPES = /^(BIGINT|INTEGER|SMALLINT|TINYINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|HUGEINT|DOUBLE|FLOAT)$/;

const encodeNumber = (v: unknown): string => (v === null ? 'NULL' : Object.is(v, -0) ? '-0' : String(v));
const encodeBoolean = (v: unknown): string => (v === null ? 'NULL' : v ? 't' : 'f');

/** DuckDB SQL: a value as an element of a PostgreSQL array literal ("…" with \ and " escaped, or NULL). */
function arrayElementSql(column: string): string {
  return `CASE WHEN ${column} IS NULL THEN 'NULL' ELSE '"' || replace(replace(CAST(${column} AS VARCHAR), '\\', '\\\\'), '"', '\\"') || '"' END`;
}

/**
 * Streams one mart out of DuckDB and inserts it in batches of column arrays:
 * INSERT … SELECT * FROM unnest($1::bigint[], $2::text[], …) — one array literal per column, so each batch is one
 * round trip far below the protocol's parameter limit. Numbers and booleans are read typed; every other value is
 * rendered by DuckDB as an escaped array element (its text form, which PostgreSQL's input functions read back
 * exactly), all of a row's in one NUL-separated string: reading one string per row instead of one per value is
 * what makes this fast. (COPY FROM STDIN would be faster still; it needs the pg-copy-streams package.)
 */
async function copyTable(conn: DuckDBConnection, client: pg.Client, schema: string, table: string, cols: MartColumn[]): Promise<number> {
  await client.query(`CREATE TABLE ${ident(schema)}.${ident(table)} (${cols.map((c) => `${ident(c.name)} ${c.pgType}`).join(', ')})`);
  const insert = `INSERT INTO ${ident(schema)}.${ident(table)} SELECT * FROM unnest(${cols.map((c, i) => `$${i + 1}::${c.pgType}[]`).join(', ')})`;
  const typedIdx = cols.flatMap((c, i) => (NUMERIC_TYPES.test(c.duckType.toUpperCase()) || c.pgType === 'boolean' ? [i] : []));
  const textIdx = cols.flatMap((_c, i) => (typedIdx.includes(i) ? [] : [i]));
  const encoders = typedIdx.map((i) => (cols[i].pgType === 'boolean' ? encodeBoolean : encodeNumber));
  const select = [
    ...typedIdx.map((i) => ident(cols[i].name)),
    ...(textIdx.length ? [`concat_ws(chr(0), ${textIdx.map((i) => arrayElementSql(ident(cols[i].name))).join(', ')})`] : []),
  ];
  const result = await conn.stream(`SELECT ${select.join(', ')} FROM marts.${ident(table)}`);
  const rowsPerBatch = Math.max(2048, Math.floor(VALUES_PER_BATCH / Math.max(cols.length, 1)));
  let batch: string[][] = cols.map(() => []);
  let pending = 0;
  let total = 0;
  const flush = async () => {
    if (!pending) return;
    const res = await client.query(
      insert,
      batch.map((parts) => `{${parts.join(',')}}`),
    );
    if (res.rowCount !== pending) throw new Error(`marts.${table}: inserted ${res.rowCount} of ${pending} rows`);
    total += pending;
    batch = cols.map(() => []);
    pending = 0;
  };
  for (;;) {
    const chunk = await result.fetchChunk();
    if (!chunk || chunk.rowCount === 0) break;
    const columns = chunk.getColumns();
    for (let k = 0; k < typedIdx.length; k++) {
      const target = batch[typedIdx[k]];
      const encode = encoders[k];
      for (const v of columns[k]) target.push(encode(v));
    }
    if (textIdx.length) {
      for (const row of columns[typedIdx.length] as string[]) {
        const parts = row.split('\0');
        if (parts.length !== textIdx.length) {
          const col = cols[textIdx[parts.findIndex((p) => !/^(NULL|".*")$/s.test(p))]]?.name ?? '?';
          throw new Error(`marts.${table}.${col}: a text value contains a NUL character, which PostgreSQL cannot store`);
        }
        for (let k = 0; k < textIdx.length; k++) batch[textIdx[k]].push(parts[k]);
      }
    }
    pending += chunk.rowCount;
    if (pending >= rowsPerBatch) await flush();
  }
  await flush();
  const [{ n }] = (await conn.runAndReadAll(`SELECT count(*)::BIGINT AS n FROM marts.${ident(table)}`)).getRowObjectsJson() as Array<{ n: string }>;
  if (Number(n) !== total) throw new Error(`marts.${table}: copied ${total} rows, DuckDB has ${n}`);
  return total;
}

/** The main date of a mart: the first DATE/TIMESTAMP column (opened_at, month, date …), as the marts put it first. */
function mainDateColumn(cols: MartColumn[]): MartColumn | undefined {
  return cols.find((c) => /^(date|timestamp|timestamptz)$/.test(c.pgType));
}

async function indexTable(client: pg.Client, schema: string, table: string, cols: MartColumn[]): Promise<void> {
  const targets = [cols.find((c) => c.name === 'unit_code'), mainDateColumn(cols)].filter((c): c is MartColumn => Boolean(c));
  for (const c of targets) {
    await client.query(`CREATE INDEX ${ident(`${table}_${c.name}_idx`.slice(0, 63))} ON ${ident(schema)}.${ident(table)} (${ident(c.name)})`);
  }
}

/** How long one swap attempt waits for the read lock: while it waits, new reader queries queue behind it. */
const SWAP_ATTEMPT_WAIT_MS = 2000;

/**
 * Swaps the build in, retrying while long reader transactions hold the read lock: each attempt waits at most
 * SWAP_ATTEMPT_WAIT_MS, so a slow query delays the publish but never stalls the API's other queries for long.
 */
async function swapIn(
  client: pg.Client,
  build: string,
  manifest: SnapshotManifest,
  tables: PostgresPublishResult['tables'],
  copyMs: number,
  opts: PostgresPublishOptions,
): Promise<void> {
  const deadline = Date.now() + (opts.swapLockTimeoutMs ?? 60_000);
  for (;;) {
    const wait = Math.max(1, Math.min(SWAP_ATTEMPT_WAIT_MS, deadline - Date.now()));
    try {
      return await swapOnce(client, build, manifest, tables, copyMs, wait, opts);
    } catch (e) {
      const lockTimeout = (e as { code?: string })?.code === '55P03';
      if (!lockTimeout || Date.now() >= deadline)
        throw lockTimeout ? new Error(`readers held the marts for more than ${opts.swapLockTimeoutMs ?? 60_000} ms`, { cause: e }) : e;
      opts.logger.warn({ snapshot_id: manifest.snapshotId }, 'etl.postgres.swap_waiting_for_readers');
      await new Promise((r) => setTimeout(r, 250)); // let the queued readers run
    }
  }
}

/**
 * The one transaction that publishes: wait for running reader transactions (exclusive READ_LOCK), rename the
 * serving marts to marts_old_<its id>, the build to marts, record the manifest as current, notify, commit.
 */
async function swapOnce(
  client: pg.Client,
  build: string,
  manifest: SnapshotManifest,
  tables: PostgresPublishResult['tables'],
  copyMs: number,
  waitMs: number,
  opts: PostgresPublishOptions,
): Promise<void> {
  await client.query('BEGIN');
  try {
    await client.query(`SET LOCAL lock_timeout = ${Math.round(waitMs)}`);
    await client.query('SELECT pg_advisory_xact_lock($1, $2)', [PANO_LOCK_CLASS, READ_LOCK]);
    const serving = await client.query<{ snapshot_id: string }>('SELECT snapshot_id FROM pano_meta.snapshots WHERE is_current FOR UPDATE');
    const hasMarts = (await client.query(`SELECT 1 FROM pg_namespace WHERE nspname = 'marts'`)).rowCount! > 0;
    if (hasMarts) {
      // marts not published by Pano (no current row) is kept too, under the new snapshot's name
      const old = `marts_old_${schemaSuffix(serving.rows[0]?.snapshot_id ?? `pre_${manifest.snapshotId}`)}`;
      await client.query(`DROP SCHEMA IF EXISTS ${ident(old)} CASCADE`);
      await client.query(`ALTER SCHEMA marts RENAME TO ${ident(old)}`);
      await client.query('UPDATE pano_meta.snapshots SET is_current = false, schema_name = $1 WHERE is_current', [old]);
    }
    await client.query(`ALTER SCHEMA ${ident(build)} RENAME TO marts`);
    await client.query(
      `INSERT INTO pano_meta.snapshots (snapshot_id, run_id, published_at, schema_name, is_current, manifest, tables, copy_ms)
       VALUES ($1, $2, $3, 'marts', true, $4, $5, $6)
       ON CONFLICT (snapshot_id) DO UPDATE SET run_id = EXCLUDED.run_id, published_at = EXCLUDED.published_at, schema_name = 'marts',
         is_current = true, manifest = EXCLUDED.manifest, tables = EXCLUDED.tables, copy_ms = EXCLUDED.copy_ms`,
      [manifest.snapshotId, manifest.runId, manifest.publishedAt, JSON.stringify(manifest), JSON.stringify(tables), copyMs],
    );
    await client.query('SELECT pg_notify($1, $2)', [SNAPSHOT_CHANNEL, manifest.snapshotId]);
    if (opts.beforeCommit) await opts.beforeCommit({ pid: (client as unknown as { processID: number }).processID });
    await client.query('COMMIT');
  } catch (e) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw e;
  }
}

/** Drops all but the newest keep-1 earlier snapshots. A drop that has to wait for a reader is left to the next run. */
async function pruneOld(client: pg.Client, keep: number, logger: Logger): Promise<string[]> {
  const old = await client.query<{ snapshot_id: string; schema_name: string }>(
    'SELECT snapshot_id, schema_name FROM pano_meta.snapshots WHERE NOT is_current ORDER BY published_at DESC, snapshot_id DESC OFFSET $1',
    [Math.max(keep - 1, 0)],
  );
  const dropped: string[] = [];
  for (const r of old.rows) {
    try {
      await client.query('BEGIN');
      await client.query("SET LOCAL lock_timeout = '5s'");
      await client.query(`DROP SCHEMA IF EXISTS ${ident(r.schema_name)} CASCADE`);
      await client.query('DELETE FROM pano_meta.snapshots WHERE snapshot_id = $1', [r.snapshot_id]);
      await client.query('COMMIT');
      dropped.push(r.schema_name);
    } catch (e) {
      await client.query('ROLLBACK').catch(() => undefined);
      logger.warn({ schema: r.schema_name, err: errorMessage(e) }, 'etl.postgres.prune_deferred');
    }
  }
  return dropped;
}

/** Build schemas left by a killed publish (the publish lock is held, so none is in progress). */
async function dropAbandonedBuilds(client: pg.Client, logger: Logger): Promise<void> {
  const rows = await client.query<{ nspname: string }>(`SELECT nspname FROM pg_namespace WHERE nspname LIKE 'marts\\_build\\_%'`);
  for (const r of rows.rows) {
    await client.query(`DROP SCHEMA ${ident(r.nspname)} CASCADE`);
    logger.warn({ schema: r.nspname }, 'etl.postgres.abandoned_build_dropped');
  }
}

/** After a failure: drop the build schema on a fresh connection (the publishing one may be the thing that died). */
async function dropBuildSchema(url: string, build: string, logger: Logger): Promise<void> {
  try {
    const c = await connect(url, 'pano-etl-cleanup');
    try {
      await c.query(`DROP SCHEMA IF EXISTS ${ident(build)} CASCADE`);
    } finally {
      await c.end().catch(() => undefined);
    }
  } catch (e) {
    logger.warn({ schema: build, err: errorMessage(e) }, 'etl.postgres.cleanup_deferred');
  }
}
