import fs from 'node:fs';
import path from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import type { AppDb } from '../common/db/app-db.js';
import { DEFAULT_TIMEZONE } from '../common/definitions/timezone.js';
import { errorMessage } from '../common/errors.js';
import type { Logger } from '../common/logger.js';
import { keepJsHeapUnder, releaseJsGarbage } from '../common/memory.js';
import { buildMarts } from './marts/build-marts.js';
import type { QualityCheckResult, SourceDefinition } from './source.js';
import { createTableSql, openWarehouseForWrite, TableAppender, type Column, type WarehouseSettings } from './warehouse/duckdb.js';
import { SnapshotStore, type SnapshotManifest, type SourceStatus } from './warehouse/snapshots.js';
import { publishMartsToPostgres, type PostgresPublishOptions } from './warehouse/postgres.js';

export interface EtlProgress {
  source: string;
  phase: 'extract' | 'check' | 'done' | 'failed';
  rowsRead: number;
  rowsRejected: number;
}

export interface RunEtlOptions {
  /** Every configured source; each new snapshot holds all of them. */
  sources: SourceDefinition<any>[];
  /** Run only these (source ids or systems); the others keep their data from the serving snapshot. */
  only?: string[];
  /** Reload incremental sources from scratch. */
  full?: boolean;
  store: SnapshotStore;
  appDb: AppDb;
  logger: Logger;
  keep: number;
  now?: () => Date;
  onProgress?: (p: EtlProgress) => void;
  /** DuckDB memory limit, threads and spill folder of the build (PANO_DUCKDB_*). */
  duckdb?: WarehouseSettings;
  /** PANO_WAREHOUSE_URL: the marts are published into PostgreSQL before the DuckDB snapshot is. */
  postgres?: Pick<PostgresPublishOptions, 'url' | 'swapLockTimeoutMs' | 'beforeCommit'>;
  /** PANO_TIMEZONE: the business time zone the marts' dates are taken in. Default DEFAULT_TIMEZONE. */
  timezone?: string;
}

export interface EtlRunResult {
  runId: string;
  /** The snapshot published by this run, or null when nothing was published (the previous one keeps serving). */
  manifest: SnapshotManifest | null;
  sources: SourceStatus[];
  /** True when any source failed: the CLI exits non-zero. */
  failed: boolean;
  /** Why the built snapshot was not published (the PostgreSQL publish failed); the previous one keeps serving. */
  publishError?: string;
  durationMs: number;
}

/**
 * A source's state, in one vocabulary for every output that tells people about a run (`pano etl run`,
 * `pano etl status`): tamam — loaded, every check passed; uyarı — loaded, a `warn` check failed; hata — not
 * loaded (its last good data kept, if any); sürüyor — the run is still at it (or never finished).
 */
export type SourceState = SourceStatus['status'] | 'running';

/** The words of each state, Turkish first, English in brackets. */
export const SOURCE_STATE_WORDS: Record<SourceState, string> = {
  ok: 'tamam (ok)',
  warn: 'uyarı (warning)',
  failed: 'hata (failed)',
  running: 'sürüyor (running)',
};

/** How a source's checks read: "5/7 (freshness, no_success_7d)" — passed of all, the failed ones by name. */
export function describeChecks(checks: ReadonlyArray<{ name: string; passed: boolean }>): string {
  if (!checks.length) return '–';
  const failed = checks.filter((c) => !c.passed).map((c) => c.name);
  return `${checks.length - failed.length}/${checks.length}${failed.length ? ` (${failed.join(', ')})` : ''}`;
}

/**
 * The state of a run log row (etl_runs). The log keeps `running | succeeded | failed` and the checks as JSON: a
 * run that succeeded with a failed check is a warning — the same state its SourceStatus had in the run.
 */
export function stateOfRunLog(row: { status: string; checks_json?: string | null }): { state: SourceState; checks: Array<{ name: string; passed: boolean }> } {
  let checks: Array<{ name: string; passed: boolean }> = [];
  try {
    const parsed = row.checks_json ? JSON.parse(row.checks_json) : [];
    if (Array.isArray(parsed)) checks = parsed.filter((c) => c && typeof c.name === 'string').map((c) => ({ name: c.name, passed: c.passed !== false }));
  } catch {
    checks = [];
  }
  const state: SourceState = row.status === 'running' ? 'running' : row.status === 'failed' ? 'failed' : checks.some((c) => !c.passed) ? 'warn' : 'ok';
  return { state, checks };
}

/**
 * Garbage the extract may leave on the JS heap before it is collected (see keepJsHeapUnder), so a large
 * source's heap does not sit mostly as garbage beside DuckDB's memory; at most one forced collection every two
 * seconds, so a source that keeps much alive (the invoice reader's files parsed ahead) is not marked again and
 * again. `npm run bench:etl` shows each source's peak (README "Configuration").
 */
const JS_HEAP_BUDGET = 256 * 1024 * 1024;
const JS_HEAP_GC_INTERVAL_MS = 2000;

const META_COLUMNS: Column[] = [
  { name: '_run_id', type: 'VARCHAR' },
  { name: '_extracted_at', type: 'TIMESTAMPTZ' },
];

/**
 * One ETL run: every source is extracted, validated (bad rows quarantined with their reason), staged into a
 * new warehouse file, checked, and the whole file is published as the next snapshot in one atomic step.
 * A source that fails keeps its last good data (carried over from the serving snapshot) and is marked failed.
 * If no source produced data, nothing is published and the serving snapshot stays as it was.
 */
export async function runEtl(opts: RunEtlOptions): Promise<EtlRunResult> {
  const now = opts.now ?? (() => new Date());
  const runId = SnapshotStore.newId(now());
  // One build at a time per warehouse: a second run (the scheduler's while `pano etl run` works, say) would
  // take the first one's build and spill folder for a crashed run's leftovers. It is refused, naming the first.
  const lock = opts.store.lockBuild(runId, now());
  if (lock.tookOver) {
    const { holder, state } = lock.tookOver;
    opts.logger.warn(
      {
        run_id: runId,
        holder_run_id: holder.runId,
        holder_pid: holder.pid,
        holder_host: holder.host,
        holder_started_at: holder.startedAt,
        reason: state === 'reused' ? 'pid_reused' : 'process_gone',
      },
      'etl.lock.taken_over',
    );
  }
  try {
    return await buildSnapshot(opts, runId, now);
  } finally {
    lock.release();
  }
}

async function buildSnapshot(opts: RunEtlOptions, runId: string, now: () => Date): Promise<EtlRunResult> {
  const started = Date.now();
  const { store, appDb, logger } = opts;
  store.prune(opts.keep); // removes builds abandoned by a crashed run (the build lock says no run is under way)
  // …and their spill folders: DuckDB's spill files and the fast lane's UTF-8 copies of exports
  if (opts.duckdb?.tempDir && fs.existsSync(opts.duckdb.tempDir)) {
    for (const d of fs.readdirSync(opts.duckdb.tempDir)) fs.rmSync(path.join(opts.duckdb.tempDir, d), { recursive: true, force: true });
  }
  const previous = store.current();
  const buildFile = store.beginBuild(runId);
  // each build spills into a folder of its own: DuckDB's spill file names are not unique across processes
  const spillDir = opts.duckdb?.tempDir ? path.join(opts.duckdb.tempDir, runId) : undefined;
  const { instance, conn } = await openWarehouseForWrite(buildFile, { ...opts.duckdb, tempDir: spillDir });
  let closed = false;
  const closeDb = () => {
    if (closed) return;
    closed = true;
    conn.closeSync();
    instance.closeSync();
    if (spillDir) fs.rmSync(spillDir, { recursive: true, force: true });
  };
  logger.info({ run_id: runId, sources: opts.sources.map((s) => s.id), previous: previous?.snapshotId ?? null }, 'etl.run.start');

  try {
    if (previous) {
      await conn.run(`ATTACH '${store.pathOf(previous).replace(/'/g, "''")}' AS prev (READ_ONLY)`);
    }
    const statuses: SourceStatus[] = [];
    const selected = (s: SourceDefinition<any>) => !opts.only?.length || opts.only.includes(s.id) || opts.only.includes(s.system);
    for (const source of opts.sources) {
      const ctx = { runId, conn, appDb, logger, now, previous, onProgress: opts.onProgress, full: Boolean(opts.full), tempDir: spillDir };
      if (selected(source)) statuses.push(await runSource(source, ctx));
      else {
        const kept = await keepPrevious(source, ctx);
        if (kept) statuses.push(kept);
      }
    }
    const fresh = statuses.some((s) => s.loadedByRun === runId);
    const failed = statuses.some((s) => s.status === 'failed');
    if (!fresh) {
      closeDb();
      removeBuild(buildFile);
      logger.error({ run_id: runId }, 'etl.run.nothing_published');
      return { runId, manifest: null, sources: statuses, failed: true, durationMs: Date.now() - started };
    }
    if (previous) await conn.run('DETACH prev');
    releaseJsGarbage(); // the marts are DuckDB's work: what the extract left on the JS heap need not stay resident meanwhile
    await buildMarts(conn, new Set(statuses.filter((s) => s.loadedByRun !== null).map((s) => s.source)), { timezone: opts.timezone ?? DEFAULT_TIMEZONE });
    await conn.run('CHECKPOINT');
    const publishedAt = now();
    if (opts.postgres) {
      // PostgreSQL first: the DuckDB snapshot is published only when the API's warehouse has it too.
      const file = buildFile.replace(/^.*[\\/]/, '').replace(/\.building$/, '');
      const pgManifest = { snapshotId: runId, runId, sources: statuses, file, publishedAt: publishedAt.toISOString() };
      try {
        await publishMartsToPostgres(conn, { ...opts.postgres, manifest: pgManifest, keep: opts.keep, logger });
      } catch (e) {
        closeDb();
        removeBuild(buildFile);
        return { runId, manifest: null, sources: statuses, failed: true, publishError: errorMessage(e), durationMs: Date.now() - started };
      }
    }
    closeDb();
    const manifest = store.publish(buildFile, { snapshotId: runId, runId, sources: statuses }, publishedAt);
    store.prune(opts.keep);
    logger.info({ run_id: runId, snapshot_id: manifest.snapshotId, failed, duration_ms: Date.now() - started }, 'etl.run.published');
    return { runId, manifest, sources: statuses, failed, durationMs: Date.now() - started };
  } catch (e) {
    closeDb();
    removeBuild(buildFile);
    logger.error({ run_id: runId, err: errorMessage(e) }, 'etl.run.failed');
    throw e;
  }
}

interface SourceRunContext {
  runId: string;
  conn: DuckDBConnection;
  appDb: AppDb;
  logger: Logger;
  now: () => Date;
  previous: SnapshotManifest | null;
  onProgress?: (p: EtlProgress) => void;
  full?: boolean;
  tempDir?: string;
}

async function runSource(source: SourceDefinition<any>, ctx: SourceRunContext): Promise<SourceStatus> {
  const { runId, conn, appDb, logger, now } = ctx;
  const startedAt = now();
  const startedMono = Date.now();
  const [logId] = await appDb('etl_runs')
    .insert({ run_id: runId, source: source.id, status: 'running', started_at: startedAt.toISOString() })
    .returning('id')
    .then((ids) => ids.map((r: any) => (typeof r === 'object' ? r.id : r)));
  const qualified = `${source.raw.schema}.${source.raw.table}`;
  const columns = [...source.raw.columns, ...META_COLUMNS];
  let rowsRead = 0;
  let rowsLoaded = 0;
  let rowsRejected = 0;
  let rowsInBulk = 0;
  const report = (phase: EtlProgress['phase']) => ctx.onProgress?.({ source: source.id, phase, rowsRead, rowsRejected });

  const finish = async (status: SourceStatus) => {
    status.durationMs = Date.now() - startedMono; // wall time, whatever clock the run was given
    await appDb('etl_runs')
      .where({ id: logId })
      .update({
        status: status.status === 'failed' ? 'failed' : 'succeeded', // the log's word; people see stateOfRunLog's
        finished_at: now().toISOString(),
        rows_read: rowsRead,
        rows_loaded: rowsLoaded,
        rows_rejected: rowsRejected,
        data_as_of: status.dataAsOf,
        watermark: status.watermark ?? null,
        checks_json: JSON.stringify(status.checks),
        message: status.message ?? null,
        snapshot_id: runId,
      });
    return status;
  };

  let handle: unknown;
  let appender: TableAppender | null = null;
  let inTransaction = false;
  try {
    await conn.run(`CREATE SCHEMA IF NOT EXISTS ${source.raw.schema}`);
    // The source's whole load is one transaction: one commit instead of one per batch, and a failure
    // leaves nothing half-loaded behind (the catch below rolls back, then carries the last good data over).
    await conn.run('BEGIN TRANSACTION');
    inTransaction = true;
    handle = await source.open();
    // Incremental: start from the serving snapshot's rows and take only what changed since its watermark.
    let since: Date | undefined;
    const inc = source.incremental;
    // A raw table that gained columns since the serving snapshot reloads in full: old rows lack the new fields.
    if (inc && !ctx.full && (await carryOver(source, ctx, { sameColumns: true }))) {
      const [w] = (await conn.runAndReadAll(`SELECT max("${inc.watermark}") AS w FROM ${qualified}`)).getRowObjectsJson() as Array<{ w: string | null }>;
      since = w.w ? new Date(w.w) : undefined;
      if (since && inc.removedSince) {
        const removed = await inc.removedSince(handle, since);
        await deleteKeys(conn, qualified, inc.key, removed);
      }
    } else {
      await conn.run(createTableSql(source.raw.schema, source.raw.table, columns));
    }
    const extractedAt = now();
    report('extract');
    appender = await TableAppender.open(conn, source.raw.schema, source.raw.table, columns);
    const records = source.bulkExtract
      ? source.bulkExtract(handle, {
          conn,
          tempDir: ctx.tempDir,
          flush: () => appender!.flush(),
          rowByRow: (file, why) => logger.debug({ run_id: runId, source: source.id, file, why }, 'etl.source.row_by_row'),
          insert: async (select) => {
            appender!.flush(); // rows already appended come first, as they would in the file
            const r = await conn.run(
              `INSERT INTO ${qualified} BY NAME SELECT *, '${runId}' AS _run_id, '${extractedAt.toISOString()}'::TIMESTAMPTZ AS _extracted_at FROM (${select})`,
            );
            const n = Number(r.rowsChanged);
            rowsInBulk += n;
            rowsRead += n;
            rowsLoaded += n;
            report('extract');
            return n;
          },
        })
      : source.extract(handle, { since });
    for await (const batch of records) {
      if (since && inc) {
        appender.flush(); // a key changed twice in this run: its row from an earlier batch must be there to be replaced
        await deleteKeys(
          conn,
          qualified,
          inc.key,
          batch.map((r) => r[sourceKeyField(source, r)] as string | number),
        );
      }
      const good: Array<Record<string, unknown>> = [];
      const bad: Array<Record<string, unknown>> = [];
      for (const record of batch) {
        rowsRead++;
        const v = source.validate(record);
        if (v.ok) {
          // the row object is the source's own fresh object: add the meta fields in place (no per-row copy)
          v.row._run_id = runId;
          v.row._extracted_at = extractedAt;
          good.push(v.row);
        } else {
          rowsRejected++;
          bad.push({
            run_id: runId,
            source: source.id,
            location: source.location,
            locator: source.locator(record),
            record_json: JSON.stringify(source.mask(record)),
            reason: v.reason,
          });
        }
      }
      rowsLoaded += appender.append(good);
      if (bad.length) await appDb.batchInsert('quarantine', bad, 200);
      report('extract');
      keepJsHeapUnder(JS_HEAP_BUDGET, JS_HEAP_GC_INTERVAL_MS);
    }
    appender.close();
    if (source.afterLoad) {
      await source.afterLoad({
        run: async (sql) => {
          await conn.run(sql);
        },
        query: async (sql) => (await conn.runAndReadAll(sql)).getRowObjectsJson() as Array<Record<string, unknown>>,
        hasPrevious: ctx.previous !== null,
        runId,
        now: now(),
      });
    }
    report('check');
    const [{ n: totalCount }] = (await conn.runAndReadAll(`SELECT count(*) AS n FROM ${qualified}`)).getRowObjectsJson() as Array<{ n: string }>;
    const totalRows = Number(totalCount);
    const prevStatus = ctx.previous?.sources.find((s) => s.source === source.id);
    const checks: QualityCheckResult[] = source.checks
      ? await source.checks({
          query: async (sql) => (await conn.runAndReadAll(sql)).getRowObjectsJson() as Array<Record<string, unknown>>,
          rowsRead,
          rowsLoaded: totalRows,
          rowsRejected,
          previousRowsLoaded: prevStatus?.rowsLoaded ?? null,
          now: now(),
        })
      : [];
    const failedChecks = checks.filter((c) => !c.passed);
    if (failedChecks.some((c) => c.severity === 'fail')) {
      const why = failedChecks
        .filter((c) => c.severity === 'fail')
        .map((c) => `${c.name}: ${c.detail}`)
        .join('; ');
      throw new QualityGateError(`${source.title}: quality check failed (${why})`, checks);
    }
    await conn.run('COMMIT');
    inTransaction = false;
    const status: SourceStatus = {
      source: source.id,
      title: source.title,
      status: failedChecks.length ? 'warn' : 'ok',
      dataAsOf: extractedAt.toISOString(),
      rowsRead,
      rowsLoaded: totalRows,
      rowsRejected,
      checks,
      checksFailed: failedChecks.map((c) => c.name),
      loadedByRun: runId,
    };
    if (since) status.watermark = since.toISOString();
    status.mode = since ? 'incremental' : 'full';
    logger.info(
      {
        run_id: runId,
        source: source.id,
        mode: status.mode,
        since: since?.toISOString(),
        rows_read: rowsRead,
        rows_in_bulk: rowsInBulk,
        rows_loaded: rowsLoaded,
        rows_total: totalRows,
        rows_rejected: rowsRejected,
        checks_failed: status.checksFailed,
      },
      'etl.source.done',
    );
    report('done');
    return await finish(status);
  } catch (e) {
    const message = errorMessage(e);
    logger.error({ run_id: runId, source: source.id, err: message }, 'etl.source.failed');
    report('failed');
    appender?.abandon();
    // (a failed COMMIT may already have ended the transaction: then there is nothing to roll back)
    if (inTransaction) await conn.run('ROLLBACK').catch(() => undefined);
    await conn.run(`DROP TABLE IF EXISTS ${qualified}`);
    for (const t of source.extraTables ?? []) await conn.run(`DROP TABLE IF EXISTS ${source.raw.schema}.${t}`);
    const carried = await carryOver(source, ctx);
    const prev = ctx.previous?.sources.find((s) => s.source === source.id);
    const checks = e instanceof QualityGateError ? e.checks : [];
    return await finish({
      source: source.id,
      title: source.title,
      status: 'failed',
      dataAsOf: carried ? (prev?.dataAsOf ?? null) : null,
      rowsRead,
      rowsLoaded: carried ? (prev?.rowsLoaded ?? 0) : 0,
      rowsRejected,
      checks,
      checksFailed: checks.filter((c) => !c.passed).map((c) => c.name),
      message: carried ? `${message} — son başarılı veriler korunuyor` : message,
      loadedByRun: carried ? (prev?.loadedByRun ?? null) : null,
    });
  } finally {
    if (handle !== undefined) await source.close(handle).catch(() => undefined);
  }
}

/** A source not run this time: its data and status come over from the serving snapshot unchanged. */
async function keepPrevious(source: SourceDefinition<any>, ctx: SourceRunContext): Promise<SourceStatus | null> {
  const prev = ctx.previous?.sources.find((s) => s.source === source.id);
  if (!prev || !(await carryOver(source, ctx))) return null;
  return { ...prev };
}

/**
 * Copies the source's raw table from the serving snapshot, so a failed source keeps its last good data.
 * When the source declares columns the old table lacks (a newer Pano), the copy gets them as NULL — or,
 * with `sameColumns`, nothing is copied (an incremental load then reloads in full).
 */
async function carryOver(source: SourceDefinition<any>, ctx: SourceRunContext, opts: { sameColumns?: boolean } = {}): Promise<boolean> {
  if (!ctx.previous) return false;
  const { schema, table } = source.raw;
  const prevColumns = async (t: string) =>
    (
      (
        await ctx.conn.runAndReadAll(
          `SELECT column_name FROM duckdb_columns() WHERE database_name = 'prev' AND schema_name = '${schema}' AND table_name = '${t}'`,
        )
      ).getRowObjectsJson() as Array<{ column_name: string }>
    ).map((r) => r.column_name);
  const mainColumns = await prevColumns(table);
  if (mainColumns.length === 0) return false;
  const declaredColumns = [...source.raw.columns, ...META_COLUMNS];
  const missing = declaredColumns.filter((c) => !mainColumns.includes(c.name));
  if (missing.length && opts.sameColumns) return false;
  await ctx.conn.run(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
  if (missing.length) {
    const declared = new Set(declaredColumns.map((c) => c.name));
    const common = mainColumns
      .filter((c) => declared.has(c))
      .map((c) => `"${c}"`)
      .join(', ');
    await ctx.conn.run(createTableSql(schema, table, declaredColumns));
    await ctx.conn.run(`INSERT INTO ${schema}.${table} BY NAME SELECT ${common} FROM prev.${schema}.${table}`);
  } else {
    await ctx.conn.run(`CREATE TABLE ${schema}.${table} AS SELECT * FROM prev.${schema}.${table}`);
  }
  for (const t of source.extraTables ?? []) {
    if ((await prevColumns(t)).length === 0) continue;
    await ctx.conn.run(`CREATE TABLE ${schema}.${t} AS SELECT * FROM prev.${schema}.${t}`);
  }
  return true;
}

class QualityGateError extends Error {
  constructor(
    message: string,
    readonly checks: QualityCheckResult[],
  ) {
    super(message);
  }
}

/** The record field holding the incremental key: the key column's own name, or `id` as the source calls it. */
function sourceKeyField(source: SourceDefinition<any>, record: Record<string, unknown>): string {
  const key = source.incremental!.key;
  return key in record ? key : 'id';
}

async function deleteKeys(conn: DuckDBConnection, table: string, key: string, keys: Array<string | number>): Promise<void> {
  const clean = keys.filter((k) => k !== undefined && k !== null);
  for (let i = 0; i < clean.length; i += 1000) {
    const chunk = clean.slice(i, i + 1000).map((k) => (typeof k === 'number' ? String(k) : `'${String(k).replace(/'/g, "''")}'`));
    await conn.run(`DELETE FROM ${table} WHERE "${key}" IN (${chunk.join(', ')})`);
  }
}

function removeBuild(file: string): void {
  fs.rmSync(file, { force: true });
  fs.rmSync(`${file}.wal`, { force: true });
}
