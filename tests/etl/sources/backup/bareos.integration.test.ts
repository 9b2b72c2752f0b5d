import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import mysql from 'mysql2/promise';
import { SourceUnavailableError } from '../../../../common/errors.js';
import {
  connectBareos,
  extractBareosJobs,
  NotBareosCatalogError,
  ObjectResolver,
  parseBackupConfig,
  type RawBareosJob,
} from '../../../../etl/sources/backup/index.js';
import { BAREOS_SQLITE_DDL, BAREOS_STATUS_ROWS } from '../../../../etl/demo/bareos-sqlite-ddl.js';
import { bareosJobsSource, validateBareosRecord } from '../../../../etl/sources/backup/pipeline.js';
import { createTempPgDatabase, SKIP_POSTGRES, type TempPgDatabase } from '../../../helpers/postgres.js';
import { createTempDatabase, SKIP_MARIADB, type TempDatabase } from '../../../helpers/mariadb.js';
import { BAREOS_MYSQL_DDL, EXPECTED_ORDER, fixtureInserts, JOBS } from './bareos-fixture.js';
import { createEtlHome, type EtlHome } from './helpers.js';

/**
 * The Bareos catalog connector against a REAL PostgreSQL catalog built from Bareos' own DDL (samples README:
 * bareos/bareos @ 015652a, core/src/cats/ddl/creates/postgresql.sql), the SQLite catalog of the demo, and a
 * MariaDB catalog with Bareos' MySQL column types — one SQL text, the same rows out of all three.
 */
const PG_DDL = fs.readFileSync(path.resolve(__dirname, '../../../../../shared/samples/backup/bareos/bareos-catalog-postgresql-excerpt.sql'), 'utf8');
const TZ = 'Europe/Istanbul';
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pano-bareos-'));
const Sqlite = createRequire(import.meta.url)('better-sqlite3') as new (f: string) => {
  exec(s: string): void;
  prepare(s: string): { run(...a: unknown[]): void };
  close(): void;
};

async function extractAll(url: string, pageSize = 4): Promise<RawBareosJob[]> {
  const db = await connectBareos(url);
  try {
    const out: RawBareosJob[] = [];
    for await (const page of extractBareosJobs(db, { pageSize })) {
      expect(page.length).toBeLessThanOrEqual(pageSize);
      out.push(...page);
    }
    return out;
  } finally {
    await db.destroy();
  }
}

function sqliteCatalog(file: string, nullTime: string): string {
  const db = new Sqlite(file);
  db.exec('PRAGMA foreign_keys = OFF'); // as in Bareos' own SQLite catalog
  for (const s of BAREOS_SQLITE_DDL) db.exec(s);
  const st = db.prepare('INSERT INTO Status (JobStatus, JobStatusLong, Severity) VALUES (?, ?, ?)');
  for (const r of BAREOS_STATUS_ROWS) st.run(...r);
  for (const s of fixtureInserts({ nullTime })) db.exec(s);
  db.close();
  return `sqlite:${file}`;
}

let pg: TempPgDatabase | undefined;
afterAll(async () => {
  await pg?.drop();
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe.skipIf(SKIP_POSTGRES)('Bareos catalog on PostgreSQL (real DDL) and SQLite: one code path, same rows', () => {
  let fromPg: RawBareosJob[];
  let fromSqlite: RawBareosJob[];

  beforeAll(async () => {
    pg = await createTempPgDatabase({ schemaSql: PG_DDL });
    await pg.exec(fixtureInserts().join(';\n'));
    fromPg = await extractAll(pg.url);
    fromSqlite = await extractAll(sqliteCatalog(path.join(tmp, 'catalog.sqlite'), '0'));
  }, 60_000);

  it('reads Job by JobId, then the JobHisto-only jobs by StartTime (JobHisto copies of Job rows once)', () => {
    expect(fromPg.map((r) => r.job_id)).toEqual(EXPECTED_ORDER);
    expect(fromPg.filter((r) => r.from_histo).map((r) => r.job_id)).toEqual([101, 102, 103, 104, 105]);
  });

  it('gives the same rows from PostgreSQL and SQLite (SQLite`s 0 times read as "not set" downstream)', () => {
    const zeroToNull = (r: RawBareosJob) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, /_time$/.test(k) && v === '0' ? null : v]));
    expect(fromSqlite.map(zeroToNull)).toEqual(fromPg.map(zeroToNull));
  });

  it('joins Client, Pool, FileSet and the Status text; wall-clock times come back as text, byte counts as numbers', () => {
    expect(fromPg[0]).toEqual({
      job_id: 1,
      job: 'ebys-db-dump.2024-03-05_01.30.05_01',
      name: 'ebys-db-dump',
      type: 'B',
      level: 'F',
      client_id: 1,
      client_name: 'ebys-db-fd',
      client_uname: '24.0.1 (x86_64-pc-linux-gnu,ubuntu,Ubuntu 22.04 LTS)',
      job_status: 'T',
      job_status_long: 'Completed successfully',
      sched_time: '2024-03-05 01:30:05',
      start_time: '2024-03-05 01:30:05',
      end_time: '2024-03-05 01:40:07',
      real_end_time: '2024-03-05 01:40:07',
      job_files: 120,
      job_bytes: 5_000_000_001,
      read_bytes: 7_000_000_001,
      job_errors: 0,
      job_missing_files: 0,
      pool_name: 'Full',
      fileset_name: 'LinuxAll',
      prior_job_id: 0,
      comment: null,
      from_histo: false,
    });
  });

  it('maps every row: status, level, type, server; refuses the two bad rows with their reason', () => {
    const cfg = parseBackupConfig({ veeamDir: tmp, bareosUrl: pg!.url, bareosTimezone: TZ });
    const resolver = new ObjectResolver(null, { unitCode: 'BILGI_ISLEM', rpoTargetHours: 24 });
    const seen = new Set<number>();
    const out = fromPg.map((r) => [r.job_id, validateBareosRecord(r, cfg, resolver, seen)] as const);
    const refused = out.filter(([, v]) => !v.ok).map(([id, v]) => [id, (v as { reason: string }).reason]);
    expect(refused).toEqual([
      [14, 'JobStatus "X" is not a Bareos/Bacula job status (T, W, E, e, f, A, R, C, …)'],
      [15, 'RealEndTime 2024-03-07 00:30:07 is before StartTime 2024-03-07 01:30:05'],
    ]);
    const rows = new Map(out.filter(([, v]) => v.ok).map(([id, v]) => [id, (v as { row: Record<string, any> }).row]));
    const pick = (id: number) => {
      const r = rows.get(id)!;
      return [r.status, r.job_type, r.level, r.server];
    };
    expect([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 16].map(pick)).toEqual([
      ['success', 'backup', 'Tam', 'ebys-db'],
      ['warning', 'backup', 'Artımlı', 'dosya-fen-isleri'],
      ['failed', 'backup', 'Fark', 'dosya-fen-isleri'],
      ['failed', 'backup', 'Artımlı', 'web01'],
      ['failed', 'backup', 'Artımlı', 'web01'],
      ['cancelled', 'backup', 'Artımlı', 'web01'],
      ['running', 'backup', 'Artımlı', 'ebys-db'],
      ['running', 'backup', 'Artımlı', 'ebys-db'],
      ['success', 'restore', null, 'dosya-fen-isleri'],
      ['warning', 'verify', 'Doğrulama', 'ebys-db'],
      ['success', 'copy', 'Tam', 'ebys-db'],
      ['success', 'backup', 'Sentetik tam', 'dosya-fen-isleri'],
      ['success', 'backup', 'Tam', null],
      ['failed', 'backup', 'Tam', 'ebys-db'],
    ]);
    const first = rows.get(1)!;
    expect(first.started_at.toISOString()).toBe('2024-03-04T22:30:05.000Z'); // director in Istanbul
    expect(first.duration_sec).toBe(602);
    expect(rows.get(6)!.started_at).toBeNull();
    expect(rows.get(6)!.sched_at.toISOString()).toBe('2024-03-07T18:30:00.000Z');
    expect(rows.get(7)!.ended_at).toBeNull();
    expect(rows.get(12)!.prior_job_id).toBe(2);
    expect(rows.get(13)).toMatchObject({ client_id: 99, client_name: null, server: null, unit_code: 'BILGI_ISLEM' });
  });

  it('a catalog that is not Bareos: NotBareosCatalogError naming the missing tables', async () => {
    const empty = await createTempPgDatabase();
    try {
      const e = await connectBareos(empty.url).catch((x) => x);
      expect(e).toBeInstanceOf(NotBareosCatalogError);
      expect(e.retryable).toBe(false);
      expect(e.message).toBe(
        `Bareos catalog at 127.0.0.1:5432/${empty.name} does not look like a Bareos/Bacula catalog: tables Job, Client, Pool, FileSet, Status not found`,
      );
    } finally {
      await empty.drop();
    }
  });
});

describe('Bareos catalog down', () => {
  it.each([
    ['postgres://pano:gizli-parola@127.0.0.1:1/bareos', /^Bareos catalog at 127\.0\.0\.1:1\/bareos is unreachable: .*ECONNREFUSED/],
    ['mysql://pano:gizli-parola@127.0.0.1:1/bareos', /^Bareos catalog at 127\.0\.0\.1:1\/bareos is unreachable: .*ECONNREFUSED/],
    [`sqlite:${path.join(tmp, 'yok', 'catalog.sqlite')}`, /^Bareos catalog at .*yok\/catalog\.sqlite is unreachable: /],
  ])('%s → SourceUnavailableError naming the host, never the password', async (url, message) => {
    const e = await connectBareos(url).catch((x) => x);
    expect(e).toBeInstanceOf(SourceUnavailableError);
    expect(e.retryable).toBe(true);
    expect(e.message).toMatch(message);
    expect(e.message).not.toContain('gizli');
  });
});

describe.skipIf(SKIP_POSTGRES)('Bareos through the runner', () => {
  let home: EtlHome;
  let catalog: TempPgDatabase;
  const NOW = new Date('2024-03-10T12:00:00Z');
  const sources = (url: string) => [
    bareosJobsSource(parseBackupConfig({ veeamDir: tmp, bareosUrl: url }), new ObjectResolver(null, { unitCode: 'BILGI_ISLEM', rpoTargetHours: 24 })),
  ];

  beforeAll(async () => {
    home = await createEtlHome();
    catalog = await createTempPgDatabase({ schemaSql: PG_DDL });
    await catalog.exec(fixtureInserts().join(';\n'));
  }, 60_000);
  afterAll(async () => {
    await home?.close();
    await catalog?.drop();
  });

  it('loads the catalog, quarantines the bad jobs by JobId, warns about the orphan client', async () => {
    const r = await home.run(sources(catalog.url), NOW);
    const s = r.sources[0];
    expect(s).toMatchObject({
      source: 'backup_bareos',
      status: 'warn',
      rowsRead: EXPECTED_ORDER.length,
      rowsRejected: 2,
      rowsLoaded: EXPECTED_ORDER.length - 2,
    });
    expect(s.checks.find((c) => c.name === 'references_resolve')).toMatchObject({
      passed: false,
      detail: "2 jobs name a client that is not in the catalog's Client table (ClientId 99): their server is unknown",
    });
    expect(s.checks.filter((c) => c.severity === 'fail').every((c) => c.passed)).toBe(true);
    const q = await home.quarantine('backup_bareos');
    expect(q.map((x) => x.locator)).toEqual(['Job.JobId=14', 'Job.JobId=15']);
    expect(q[0].record).toMatchObject({ job_id: 14, job_status: 'X', name: 'ebys-db-dump' });
    const n = await home.query('SELECT count(*) AS n, count(DISTINCT job_id) AS d, sum(from_histo::INT) AS h FROM raw_backup.bareos_jobs');
    expect(n[0]).toEqual({ n: String(JOBS.length + 5 - 2), d: String(JOBS.length + 5 - 2), h: '5' });
  });

  it('catalog down on the next run: the source fails naming the host, the last good data stays', async () => {
    const r = await home.run(sources('postgres://pano:gizli@127.0.0.1:1/bareos'), NOW);
    expect(r.failed).toBe(true);
    expect(r.sources[0].status).toBe('failed');
    expect(r.sources[0].message).toMatch(/^Bareos catalog at 127\.0\.0\.1:1\/bareos is unreachable: .* — son başarılı veriler korunuyor$/);
    expect(r.sources[0].message).not.toContain('gizli');
    expect((await home.query('SELECT count(*) AS n FROM raw_backup.bareos_jobs'))[0].n).toBe(String(JOBS.length + 5 - 2));
  });
});

describe.skipIf(SKIP_MARIADB)('Bareos catalog on MariaDB (Bareos MySQL types: TINYBLOB, BINARY(1))', () => {
  let maria: TempDatabase;
  afterAll(() => maria?.drop());

  it('reads the same rows as PostgreSQL and SQLite: bytes decoded, DATETIME as text', async () => {
    maria = await createTempDatabase();
    const c = await mysql.createConnection({ uri: maria.url, multipleStatements: true });
    try {
      for (const s of BAREOS_MYSQL_DDL) await c.query(s);
      for (const r of BAREOS_STATUS_ROWS) await c.query('INSERT INTO Status VALUES (?, ?, ?)', r);
      for (const s of fixtureInserts()) await c.query(s);
    } finally {
      await c.end();
    }
    const fromMaria = await extractAll(maria.url);
    const fromSqlite = await extractAll(sqliteCatalog(path.join(tmp, 'for-maria.sqlite'), 'NULL'));
    expect(fromMaria.map((r) => r.job_id)).toEqual(EXPECTED_ORDER);
    expect(fromMaria).toEqual(fromSqlite);
    expect(fromMaria[0]).toMatchObject({
      job: 'ebys-db-dump.2024-03-05_01.30.05_01',
      type: 'B',
      level: 'F',
      job_status: 'T',
      client_name: 'ebys-db-fd',
      job_bytes: 5_000_000_001,
    });
  }, 60_000);
});
