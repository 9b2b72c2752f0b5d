import knexFactory, { type Knex } from 'knex';
import { ConfigError, SourceUnavailableError, errorMessage } from '../../../common/errors.js';
import { describeUrl, knexConfigFromUrl, redactUrl } from '../../../common/db/knex-url.js';
import { HrDatabaseSchemaError } from './errors.js';
import type { HrField, HrKind } from './headers.js';
import { makeHrRecord, type HrRecord } from './records.js';
import { maskDigitRuns } from './text.js';

/**
 * The HR database path: the same three streams read from PostgreSQL tables (or views) instead of
 * export files, through knex. Every column is read as text (`CAST(… AS text)`), so a row is exactly
 * what a CSV row is and goes through the same validation. Names (ad, soyad) are never selected.
 */

export interface HrTableSpec {
  table: string;
  /** Field → column. */
  columns: Partial<Record<HrField, string>>;
  /** Fields whose column may be absent (read as NULL then). */
  optional: HrField[];
}

export const HR_DB_TABLES: Record<HrKind, HrTableSpec> = {
  personnel: {
    table: 'personel',
    columns: {
      tckn: 'tc_kimlik_no',
      unit: 'birim',
      title: 'unvan',
      employment_type: 'istihdam_turu',
      start_date: 'ise_baslama',
      end_date: 'ayrilis',
      gender: 'cinsiyet',
      birth_year: 'dogum_yili',
      weekly_hours: 'haftalik_calisma_saati',
    },
    optional: ['title', 'weekly_hours'],
  },
  training: {
    table: 'egitim',
    columns: { tckn: 'tc_kimlik_no', course: 'egitim_adi', hours: 'sure_saat', date: 'tarih' },
    optional: [],
  },
  leave: {
    table: 'izin',
    columns: { tckn: 'tc_kimlik_no', leave_type: 'izin_turu', start_date: 'baslangic', end_date: 'bitis', days: 'gun' },
    optional: [],
  },
};

/**
 * The reference schema of the HR database (PostgreSQL). A site whose HR software has other tables
 * creates views with these names and columns (see README). `ad`/`soyad` exist for completeness of
 * the demo database; Pano never reads them.
 */
export const HR_DB_SCHEMA_SQL = `
CREATE TABLE personel (
  id                     serial PRIMARY KEY,
  tc_kimlik_no           varchar(20)  NOT NULL,
  ad                     varchar(100),
  soyad                  varchar(100),
  birim                  varchar(200) NOT NULL,
  unvan                  varchar(200),
  istihdam_turu          varchar(60)  NOT NULL,
  ise_baslama            date         NOT NULL,
  ayrilis                date,
  cinsiyet               varchar(10),
  dogum_yili             smallint,
  haftalik_calisma_saati numeric(4,1)
);
CREATE TABLE egitim (
  id            serial PRIMARY KEY,
  tc_kimlik_no  varchar(20)  NOT NULL,
  egitim_adi    varchar(300) NOT NULL,
  sure_saat     numeric(6,1) NOT NULL,
  tarih         date         NOT NULL
);
CREATE TABLE izin (
  id            serial PRIMARY KEY,
  tc_kimlik_no  varchar(20)  NOT NULL,
  izin_turu     varchar(100) NOT NULL,
  baslangic     date         NOT NULL,
  bitis         date         NOT NULL,
  gun           numeric(5,1) NOT NULL
);
`;

/** Accepts only PostgreSQL URLs (the HR database Pano supports and tests). */
export function checkHrDbUrl(url: string): void {
  if (!/^postgres(ql)?:\/\//.test(url)) {
    throw new ConfigError(`PANO_HR_DB_URL: "${redactUrl(url)}" must be postgres://user:password@host:5432/database`);
  }
}

/**
 * Opens the HR database and checks that it answers. Unreachable, refused, unknown database, wrong
 * password: SourceUnavailableError naming host:port/database, never the password.
 */
export async function connectHrDatabase(url: string): Promise<Knex> {
  checkHrDbUrl(url);
  // The driver's own console logging is switched off: a failure is thrown once, with the host named.
  const quiet = { warn() {}, error() {}, deprecate() {}, debug() {} };
  const knex = knexFactory(knexConfigFromUrl(url, { pool: { min: 0, max: 2 }, log: quiet }));
  try {
    await knex.raw('SELECT 1');
  } catch (e) {
    await knex.destroy().catch(() => undefined);
    throw new SourceUnavailableError(`HR database at ${describeUrl(url)} is unreachable: ${maskDigitRuns(errorMessage(e))}`, e);
  }
  return knex;
}

/** Which columns of a stream's table exist; throws HrDatabaseSchemaError naming the missing ones. */
export async function hrTableColumns(knex: Knex, kind: HrKind, where: string): Promise<Set<string>> {
  const spec = HR_DB_TABLES[kind];
  let info: Record<string, unknown>;
  try {
    info = await knex(spec.table).columnInfo();
  } catch (e) {
    throw new SourceUnavailableError(`HR database at ${where}: table ${spec.table} cannot be read: ${maskDigitRuns(errorMessage(e))}`, e);
  }
  const have = new Set(Object.keys(info).map((c) => c.toLowerCase()));
  if (have.size === 0)
    throw new HrDatabaseSchemaError(`HR database at ${where}: table ${spec.table} not found (see etl/sources/hr/README.md for the tables Pano reads)`);
  const missing = [
    'id',
    ...Object.entries(spec.columns)
      .filter(([f]) => !spec.optional.includes(f as HrField))
      .map(([, c]) => c!),
  ].filter((c) => !have.has(c));
  if (missing.length) {
    throw new HrDatabaseSchemaError(`HR database at ${where}: table ${spec.table} lacks column${missing.length > 1 ? 's' : ''} ${missing.join(', ')}`);
  }
  return have;
}

export interface DbReadOptions {
  secret: string;
  /** Names the database in messages: host:port/database. */
  where: string;
  pageSize?: number;
  cache?: Map<string, string>;
}

/** Streams one table as HrRecords, page by page (keyset on `id`). */
export async function* readHrTable(knex: Knex, kind: HrKind, opts: DbReadOptions): AsyncGenerator<HrRecord[]> {
  const spec = HR_DB_TABLES[kind];
  const have = await hrTableColumns(knex, kind, opts.where);
  const pageSize = opts.pageSize ?? 5000;
  const selects: Knex.Raw[] = [knex.raw('?? AS _id', ['id'])];
  for (const [field, column] of Object.entries(spec.columns) as Array<[HrField, string]>) {
    selects.push(have.has(column) ? knex.raw('CAST(?? AS text) AS ??', [column, field]) : knex.raw('CAST(NULL AS text) AS ??', [field]));
  }
  let last: number | string | null = null;
  for (;;) {
    let rows: Array<Record<string, unknown>>;
    try {
      const q = knex.select(selects).from(spec.table).orderBy('id').limit(pageSize);
      if (last !== null) q.where('id', '>', last);
      rows = await q;
    } catch (e) {
      throw new SourceUnavailableError(`HR database at ${opts.where}: table ${spec.table} cannot be read: ${maskDigitRuns(errorMessage(e))}`, e);
    }
    if (!rows.length) return;
    yield rows.map((r) => {
      const cells: Partial<Record<HrField, string | null>> = {};
      for (const field of Object.keys(spec.columns) as HrField[]) cells[field] = (r[field] as string | null) ?? null;
      return makeHrRecord(kind, `${spec.table}.id=${String(r._id)}`, cells, opts.secret, { cache: opts.cache });
    });
    last = rows[rows.length - 1]._id as number | string;
    if (rows.length < pageSize) return;
  }
}
