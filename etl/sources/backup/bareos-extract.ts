import knexFactory, { type Knex } from 'knex';
import pg from 'pg';
import { ConfigError, errorMessage, SourceUnavailableError } from '../../../common/errors.js';
import { describeUrl, knexConfigFromUrl, redactUrl } from '../../../common/db/knex-url.js';
import type { Logger } from '../../../common/logger.js';

/**
 * The Bareos/Bacula connector's I/O: the catalog database (PostgreSQL, MySQL/MariaDB, or SQLite for the
 * demo), read through knex with one SQL text for all three. Identifiers are written unquoted in the
 * catalog's own spelling (`Job`, `JobId`): PostgreSQL folds them to the lower-case names its DDL created,
 * MySQL matches its case-sensitive table names as Bareos creates them, SQLite ignores case. Result columns
 * get lower-case aliases, so every driver hands back the same keys.
 */

/** The catalog database is reachable but is not (a complete) Bareos/Bacula catalog. Retrying will not help. */
export class NotBareosCatalogError extends SourceUnavailableError {
  override readonly code: string = 'source_not_bareos';
  override readonly retryable: boolean = false;
}

/** Tables the extract query needs; JobHisto (long-term job statistics) is read when it exists. */
export const BAREOS_TABLES_REQUIRED = ['Job', 'Client', 'Pool', 'FileSet', 'Status'] as const;
export const BAREOS_HISTORY_TABLE = 'JobHisto';

/** One catalog job as the query returns it (driver differences already smoothed out). Times are wall-clock text. */
export interface RawBareosJob {
  job_id: number;
  job: string | null;
  name: string | null;
  type: string | null;
  level: string | null;
  client_id: number | null;
  client_name: string | null;
  client_uname: string | null;
  job_status: string | null;
  job_status_long: string | null;
  sched_time: string | null;
  start_time: string | null;
  end_time: string | null;
  real_end_time: string | null;
  job_files: number | null;
  job_bytes: number | null;
  read_bytes: number | null;
  job_errors: number | null;
  job_missing_files: number | null;
  pool_name: string | null;
  fileset_name: string | null;
  prior_job_id: number | null;
  comment: string | null;
  /** True when the row came from JobHisto (pruned from Job). */
  from_histo: boolean;
}

export interface ConnectBareosOptions {
  /** SQLite only: open read-only (default true). */
  readonly?: boolean;
  logger?: Pick<Logger, 'warn' | 'debug'>;
}

/** PostgreSQL type ids whose text Pano wants unparsed: timestamp, timestamptz, date. */
const PG_TEXT_TYPES = new Set([1114, 1184, 1082]);

/**
 * Opens the catalog and checks it: reachable (else SourceUnavailableError naming host/port/database,
 * never the password) and a Bareos/Bacula catalog (else NotBareosCatalogError naming the missing table).
 */
export async function connectBareos(url: string, opts: ConnectBareosOptions = {}): Promise<Knex> {
  const where = describeUrl(url);
  let config: Knex.Config;
  try {
    config = knexConfigFromUrl(url);
  } catch (e) {
    throw new ConfigError(`PANO_BAREOS_URL: ${errorMessage(e)}`, e);
  }
  if (config.client === 'better-sqlite3') {
    const file = (config.connection as { filename: string }).filename;
    config = { ...config, connection: { filename: file, options: { readonly: opts.readonly ?? true, fileMustExist: true } } as Knex.Sqlite3ConnectionConfig };
  } else if (config.client === 'pg') {
    config = {
      ...config,
      connection: {
        ...(config.connection as object),
        options: '-c DateStyle=ISO,MDY -c TimeZone=UTC',
        types: { getTypeParser: (oid: number, format?: string) => (PG_TEXT_TYPES.has(oid) ? (v: string) => v : pgTypeParser(oid, format)) },
      } as Knex.PgConnectionConfig,
      acquireConnectionTimeout: 15_000,
    };
  } else if (config.client === 'mysql2') {
    config = {
      ...config,
      connection: {
        ...(config.connection as object),
        dateStrings: true,
        supportBigNumbers: true,
        bigNumberStrings: true,
        charset: 'utf8mb4',
      } as Knex.MySql2ConnectionConfig,
      acquireConnectionTimeout: 15_000,
    };
  }
  const db = knexFactory({ ...config, log: driverLog(where, opts.logger) });
  try {
    await db.raw('select 1 as ok');
  } catch (e) {
    await db.destroy().catch(() => undefined);
    throw new SourceUnavailableError(`Bareos catalog at ${where} is unreachable: ${clean(errorMessage(e), url)}`, e);
  }
  const missing: string[] = [];
  for (const table of BAREOS_TABLES_REQUIRED) {
    try {
      await db.raw(`SELECT 1 AS ok FROM ${table} WHERE 1 = 0`);
    } catch (e) {
      if (isNoSuchTable(e)) missing.push(table);
      else {
        await db.destroy().catch(() => undefined);
        throw new SourceUnavailableError(`Bareos catalog at ${where} cannot be read: ${clean(errorMessage(e), url)}`, e);
      }
    }
  }
  if (missing.length) {
    await db.destroy().catch(() => undefined);
    throw new NotBareosCatalogError(
      `Bareos catalog at ${where} does not look like a Bareos/Bacula catalog: table${missing.length > 1 ? 's' : ''} ${missing.join(', ')} not found`,
    );
  }
  return db;
}

/** Does the catalog have JobHisto? */
export async function hasJobHisto(db: Knex): Promise<boolean> {
  try {
    await db.raw(`SELECT 1 AS ok FROM ${BAREOS_HISTORY_TABLE} WHERE 1 = 0`);
    return true;
  } catch (e) {
    if (isNoSuchTable(e)) return false;
    throw e;
  }
}

const SELECT_LIST = (t: string) => `
  ${t}.JobId AS job_id, ${t}.Job AS job, ${t}.Name AS name, ${t}.Type AS type, ${t}.Level AS level,
  ${t}.ClientId AS client_id, c.Name AS client_name, c.UName AS client_uname,
  ${t}.JobStatus AS job_status, s.JobStatusLong AS job_status_long,
  ${t}.SchedTime AS sched_time, ${t}.StartTime AS start_time, ${t}.EndTime AS end_time, ${t}.RealEndTime AS real_end_time,
  ${t}.JobFiles AS job_files, ${t}.JobBytes AS job_bytes, ${t}.ReadBytes AS read_bytes,
  ${t}.JobErrors AS job_errors, ${t}.JobMissingFiles AS job_missing_files,
  p.Name AS pool_name, f.FileSet AS fileset_name, ${t}.PriorJobId AS prior_job_id, ${t}.Comment AS comment`;

const JOINS = (t: string) => `
  LEFT JOIN Client c ON c.ClientId = ${t}.ClientId
  LEFT JOIN Pool p ON p.PoolId = ${t}.PoolId
  LEFT JOIN FileSet f ON f.FileSetId = ${t}.FileSetId
  LEFT JOIN Status s ON s.JobStatus = ${t}.JobStatus`;

/** Job rows, keyset-paged on the primary key. */
export const JOB_PAGE_SQL = `SELECT ${SELECT_LIST('j')} FROM Job j ${JOINS('j')} WHERE j.JobId > ? ORDER BY j.JobId LIMIT ?`;

/** JobHisto rows not (any more) in Job, one StartTime window at a time (StartTime is JobHisto's only index). */
export const HISTO_WINDOW_SQL = `SELECT ${SELECT_LIST('h')} FROM JobHisto h ${JOINS('h')}
  WHERE h.StartTime >= ? AND h.StartTime < ? AND NOT EXISTS (SELECT 1 FROM Job x WHERE x.JobId = h.JobId)
  ORDER BY h.StartTime, h.JobId`;
export const HISTO_UNDATED_SQL = `SELECT ${SELECT_LIST('h')} FROM JobHisto h ${JOINS('h')}
  WHERE (h.StartTime IS NULL OR h.StartTime < ?) AND NOT EXISTS (SELECT 1 FROM Job x WHERE x.JobId = h.JobId)
  ORDER BY h.JobId`;
const HISTO_RANGE_SQL = `SELECT MIN(StartTime) AS lo, MAX(StartTime) AS hi FROM JobHisto WHERE StartTime >= ?`;

/** Before this, a catalog time means "not set" (SQLite's 0, MySQL's zero date). */
export const EPOCH_FLOOR = '1971-01-01 00:00:00';

export interface ExtractBareosOptions {
  /** Rows per page. Default 5000. */
  pageSize?: number;
  /** Read JobHisto too (default: when the table exists). */
  history?: boolean;
}

/**
 * Every job of the catalog: Job (keyset pages on JobId), then the jobs only JobHisto still has
 * (pruned from Job; a JobId in both is read once, from Job). Never holds more than a page (or one month
 * of JobHisto) in memory.
 */
export async function* extractBareosJobs(db: Knex, opts: ExtractBareosOptions = {}): AsyncGenerator<RawBareosJob[]> {
  const pageSize = opts.pageSize ?? 5000;
  if (!Number.isInteger(pageSize) || pageSize < 1) throw new RangeError(`pageSize must be a positive integer, got ${pageSize}`);
  let last = 0;
  for (;;) {
    const rows = rowsOf(await db.raw(JOB_PAGE_SQL, [last, pageSize])).map((r) => normalize(r, false));
    if (rows.length === 0) break;
    last = rows[rows.length - 1].job_id;
    yield rows;
    if (rows.length < pageSize) break;
  }
  if (!(opts.history ?? (await hasJobHisto(db)))) return;
  const [range] = rowsOf(await db.raw(HISTO_RANGE_SQL, [EPOCH_FLOOR]));
  const lo = textOf(range?.lo);
  const hi = textOf(range?.hi);
  if (lo && hi) {
    let from = monthStart(lo);
    while (from <= hi) {
      const to = nextMonth(from);
      const rows = rowsOf(await db.raw(HISTO_WINDOW_SQL, [from, to])).map((r) => normalize(r, true));
      for (let i = 0; i < rows.length; i += pageSize) yield rows.slice(i, i + pageSize);
      from = to;
    }
  }
  const undated = rowsOf(await db.raw(HISTO_UNDATED_SQL, [EPOCH_FLOOR])).map((r) => normalize(r, true));
  for (let i = 0; i < undated.length; i += pageSize) yield undated.slice(i, i + pageSize);
}

function monthStart(wallClock: string): string {
  return `${wallClock.slice(0, 7)}-01 00:00:00`;
}
function nextMonth(from: string): string {
  let y = Number(from.slice(0, 4));
  let m = Number(from.slice(5, 7)) + 1;
  if (m > 12) {
    m = 1;
    y++;
  }
  return `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-01 00:00:00`;
}

/** knex.raw results differ per driver: pg → {rows}, mysql2 → [rows, fields], better-sqlite3 → rows. */
function rowsOf(result: unknown): Array<Record<string, unknown>> {
  if (Array.isArray(result)) return (Array.isArray(result[0]) ? result[0] : result) as Array<Record<string, unknown>>;
  return ((result as { rows?: unknown[] }).rows ?? []) as Array<Record<string, unknown>>;
}

/** Buffers (MySQL's TINYBLOB/BINARY columns) → text; numeric strings (BIGINT) → numbers; Date → wall-clock text. */
function textOf(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  if (Buffer.isBuffer(v)) return v.toString('utf8');
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? null : v.toISOString().replace('T', ' ').slice(0, 19);
  return String(v);
}
function numOf(v: unknown): number | null {
  if (v === null || v === undefined || v === '') return null;
  const n = typeof v === 'number' ? v : typeof v === 'bigint' ? Number(v) : Number(textOf(v));
  return Number.isFinite(n) ? n : Number.NaN;
}

function normalize(r: Record<string, unknown>, fromHisto: boolean): RawBareosJob {
  return {
    job_id: numOf(r.job_id) as number,
    job: textOf(r.job),
    name: textOf(r.name),
    type: textOf(r.type),
    level: textOf(r.level),
    client_id: numOf(r.client_id),
    client_name: textOf(r.client_name),
    client_uname: textOf(r.client_uname),
    job_status: textOf(r.job_status),
    job_status_long: textOf(r.job_status_long),
    sched_time: textOf(r.sched_time),
    start_time: textOf(r.start_time),
    end_time: textOf(r.end_time),
    real_end_time: textOf(r.real_end_time),
    job_files: numOf(r.job_files),
    job_bytes: numOf(r.job_bytes),
    read_bytes: numOf(r.read_bytes),
    job_errors: numOf(r.job_errors),
    job_missing_files: numOf(r.job_missing_files),
    pool_name: textOf(r.pool_name),
    fileset_name: textOf(r.fileset_name),
    prior_job_id: numOf(r.prior_job_id),
    comment: textOf(r.comment),
    from_histo: fromHisto,
  };
}

/** pg's own parser for every other type (ints, numerics …). */
function pgTypeParser(oid: number, format?: string): (v: string) => unknown {
  return pg.types.getTypeParser(oid, (format ?? 'text') as 'text') as (v: string) => unknown;
}

function driverLog(where: string, logger?: Pick<Logger, 'warn' | 'debug'>): Knex.Config['log'] {
  const warn = (message: unknown) => {
    const text = String(message);
    if (text.startsWith('Acquire connection error'))
      logger?.debug({ source: 'bareos', where, message: text.split('\n')[0] }, 'etl.bareos.connect_attempt_failed');
    else if (logger) logger.warn({ source: 'bareos', where, message: text }, 'etl.bareos.driver_warning');
  };
  return { warn, error: warn, deprecate: warn, debug: () => undefined };
}

function isNoSuchTable(e: unknown): boolean {
  const err = e as { code?: string; errno?: number; message?: string };
  return err?.errno === 1146 || err?.code === 'ER_NO_SUCH_TABLE' || err?.code === '42P01' || /no such table|does not exist/i.test(err?.message ?? '');
}

/** Error text without the password (drivers sometimes echo the connection string). */
function clean(message: string, url: string): string {
  let out = message.replace(/\s+/g, ' ').trim();
  try {
    const pw = new URL(url).password;
    if (pw) out = out.split(decodeURIComponent(pw)).join('***').split(pw).join('***');
  } catch {
    /* not a URL (sqlite:) */
  }
  return redactUrl(out).slice(0, 300);
}
