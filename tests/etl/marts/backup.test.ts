import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { backupMarts } from '../../../etl/marts/backup.js';
import { BAREOS_COLUMNS, BAREOS_SOURCE_ID, VEEAM_COLUMNS, VEEAM_SOURCE_ID } from '../../../etl/sources/backup/pipeline.js';
import { appendRows, createTableSql, type Column } from '../../../etl/warehouse/duckdb.js';

/** The backup marts over hand-made raw rows, with the snapshot time ("now") injected through `_extracted_at`. */
const NOW = new Date('2026-11-25T09:00:00Z');
const H = 3_600_000;
const ago = (hours: number) => new Date(NOW.getTime() - hours * H);
const META: Column[] = [
  { name: '_run_id', type: 'VARCHAR' },
  { name: '_extracted_at', type: 'TIMESTAMPTZ' },
];

let instance: DuckDBInstance;
let conn: DuckDBConnection;
beforeEach(async () => {
  instance = await DuckDBInstance.create(':memory:');
  conn = await instance.connect();
  await conn.run("SET TimeZone = 'UTC'");
  await conn.run('CREATE SCHEMA raw_backup');
  await conn.run(createTableSql('raw_backup', 'veeam_sessions', [...VEEAM_COLUMNS, ...META]));
  await conn.run(createTableSql('raw_backup', 'bareos_jobs', [...BAREOS_COLUMNS, ...META]));
});
afterEach(() => {
  conn.closeSync();
  instance.closeSync();
});

let seq = 0;
const veeam = (server: string, job: string, status: string, startedHoursAgo: number, extra: Record<string, unknown> = {}) => ({
  session_key: `veeam:${++seq}`,
  source_file: 'x.csv',
  source_line: seq,
  export_shape: 'em_api',
  job_name: job,
  object_name: server,
  object_type: 'vm',
  server,
  service: server.split('-')[0],
  unit_code: 'BILGI_ISLEM',
  rpo_target_hours: 24,
  status,
  started_at: ago(startedHoursAgo),
  ended_at: status === 'running' ? null : new Date(ago(startedHoursAgo).getTime() + 600_000),
  duration_sec: status === 'running' ? null : 600,
  data_bytes: 1000,
  _run_id: 'r1',
  _extracted_at: NOW,
  ...extra,
});
const bareos = (server: string | null, job: string, type: string, status: string, startedHoursAgo: number, extra: Record<string, unknown> = {}) => ({
  job_id: ++seq,
  job_name: job,
  job_type: type,
  server,
  service: server ? 'dosya' : null,
  unit_code: 'FEN_ISLERI',
  rpo_target_hours: 24,
  status,
  job_status: status === 'success' ? 'T' : 'E',
  job_status_long: status === 'success' ? 'Completed successfully' : 'Terminated with errors',
  sched_at: ago(startedHoursAgo),
  started_at: ago(startedHoursAgo),
  ended_at: ago(startedHoursAgo - 0.5),
  duration_sec: 1800,
  job_bytes: 5000,
  job_files: 10,
  from_histo: false,
  _run_id: 'r1',
  _extracted_at: NOW,
  ...extra,
});

async function load(v: Array<Record<string, unknown>>, b: Array<Record<string, unknown>>) {
  await appendRows(conn, 'raw_backup', 'veeam_sessions', [...VEEAM_COLUMNS, ...META], v);
  await appendRows(conn, 'raw_backup', 'bareos_jobs', [...BAREOS_COLUMNS, ...META], b);
}
const rows = async (sql: string) => (await conn.runAndReadAll(sql)).getRowObjectsJson() as Array<Record<string, any>>;

describe('RPO per protected object, at the snapshot time', () => {
  beforeEach(async () => {
    await load(
      [
        veeam('ebys-db', 'DB 4 saatlik', 'success', 2, { rpo_target_hours: 6 }),
        veeam('ebys-db', 'DB 4 saatlik', 'success', 6, { rpo_target_hours: 6 }),
        veeam('ebys-db', 'DB 4 saatlik', 'running', 0.2, { rpo_target_hours: 6 }),
        veeam('kamera-nvr01', 'Kamera-NVR01 Yedek', 'success', 250),
        ...Array.from({ length: 10 }, (_, i) => veeam('kamera-nvr01', 'Kamera-NVR01 Yedek', 'failed', 6.5 + 24 * i)),
        veeam('web01', 'Web', 'success', 72),
        veeam('web01', 'Web', 'warning', 20),
        veeam('old-srv', 'Eski', 'success', 40 * 24),
        veeam('ebys-db', 'DB 4 saatlik', 'success', -3, { rpo_target_hours: 6 }), // after the snapshot: ignored
      ],
      [
        bareos('dosya-fen-isleri', 'dosya-fen-isleri-yedek', 'backup', 'failed', 100),
        bareos('dosya-fen-isleri', 'dosya-fen-isleri-yedek', 'backup', 'failed', 4),
        bareos('dosya-fen-isleri', 'RestoreFiles', 'restore', 'success', 1),
        bareos(null, 'eski-muhasebe-sistem', 'backup', 'success', 5),
      ],
    );
    await backupMarts.build(conn, new Set([VEEAM_SOURCE_ID, BAREOS_SOURCE_ID]), { timezone: 'Europe/Istanbul' });
  });

  it('rpo_hours, target, breach, last run and last good, per tool and server', async () => {
    const objects = await rows(
      `SELECT object_key, rpo_hours, rpo_target_hours, rpo_breached, is_active, last_run_status, last_good_at::VARCHAR AS last_good_at, last_success_at::VARCHAR AS last_success_at, unit_code
       FROM marts.dim_protected_objects ORDER BY object_key`,
    );
    expect(objects).toEqual([
      {
        object_key: 'bareos:dosya-fen-isleri',
        rpo_hours: null,
        rpo_target_hours: 24,
        rpo_breached: true,
        is_active: true,
        last_run_status: 'failed',
        last_good_at: null,
        last_success_at: null,
        unit_code: 'FEN_ISLERI',
      },
      {
        object_key: 'veeam:ebys-db',
        rpo_hours: 2,
        rpo_target_hours: 6,
        rpo_breached: false,
        is_active: true,
        last_run_status: 'running',
        last_good_at: '2026-11-25 07:00:00+00',
        last_success_at: '2026-11-25 07:00:00+00',
        unit_code: 'BILGI_ISLEM',
      },
      {
        object_key: 'veeam:kamera-nvr01',
        rpo_hours: 250,
        rpo_target_hours: 24,
        rpo_breached: true,
        is_active: true,
        last_run_status: 'failed',
        last_good_at: '2026-11-14 23:00:00+00',
        last_success_at: '2026-11-14 23:00:00+00',
        unit_code: 'BILGI_ISLEM',
      },
      {
        object_key: 'veeam:old-srv',
        rpo_hours: 960,
        rpo_target_hours: 24,
        rpo_breached: false,
        is_active: false,
        last_run_status: 'success',
        last_good_at: '2026-10-16 09:00:00+00',
        last_success_at: '2026-10-16 09:00:00+00',
        unit_code: 'BILGI_ISLEM',
      },
      {
        object_key: 'veeam:web01',
        rpo_hours: 20,
        rpo_target_hours: 24,
        rpo_breached: false,
        is_active: true,
        last_run_status: 'warning',
        last_good_at: '2026-11-24 13:00:00+00',
        last_success_at: '2026-11-22 09:00:00+00',
        unit_code: 'BILGI_ISLEM',
      },
    ]);
  });

  it('30-day counts and good rate; restores and jobs without a server are not protected objects', async () => {
    const [k] = await rows(
      `SELECT outcomes_30d, failed_30d, success_30d, good_rate_30d, snapshot_at::VARCHAR AS snapshot_at FROM marts.dim_protected_objects WHERE server = 'kamera-nvr01'`,
    );
    expect(k).toEqual({ outcomes_30d: '11', failed_30d: '10', success_30d: '1', good_rate_30d: 0.0909, snapshot_at: '2026-11-25 09:00:00+00' });
    expect(
      await rows(`SELECT count(*) AS n FROM marts.dim_protected_objects WHERE server IS NULL OR tool = 'bareos' AND server <> 'dosya-fen-isleri'`),
    ).toEqual([{ n: '0' }]);
  });

  it('jobs: no good run in 24 h / 7 days, only for backup jobs that still run', async () => {
    const jobs = await rows(
      `SELECT job_key, job_type, no_success_24h, no_success_7d, is_active, hours_since_good, sessions_30d FROM marts.dim_backup_jobs ORDER BY job_key`,
    );
    expect(jobs).toEqual([
      {
        job_key: 'bareos:RestoreFiles',
        job_type: 'restore',
        no_success_24h: null,
        no_success_7d: null,
        is_active: true,
        hours_since_good: 1,
        sessions_30d: '1',
      },
      {
        job_key: 'bareos:dosya-fen-isleri-yedek',
        job_type: 'backup',
        no_success_24h: true,
        no_success_7d: true,
        is_active: true,
        hours_since_good: null,
        sessions_30d: '2',
      },
      {
        job_key: 'bareos:eski-muhasebe-sistem',
        job_type: 'backup',
        no_success_24h: false,
        no_success_7d: false,
        is_active: true,
        hours_since_good: 5,
        sessions_30d: '1',
      },
      {
        job_key: 'veeam:DB 4 saatlik',
        job_type: 'backup',
        no_success_24h: false,
        no_success_7d: false,
        is_active: true,
        hours_since_good: 2,
        sessions_30d: '3',
      },
      { job_key: 'veeam:Eski', job_type: 'backup', no_success_24h: false, no_success_7d: false, is_active: false, hours_since_good: 960, sessions_30d: '0' },
      {
        job_key: 'veeam:Kamera-NVR01 Yedek',
        job_type: 'backup',
        no_success_24h: true,
        no_success_7d: true,
        is_active: true,
        hours_since_good: 250,
        sessions_30d: '11',
      },
      { job_key: 'veeam:Web', job_type: 'backup', no_success_24h: false, no_success_7d: false, is_active: true, hours_since_good: 20, sessions_30d: '2' },
    ]);
  });

  it('fct_backup_sessions: one row per session of both tools, outcome flags, Istanbul business date', async () => {
    const [t] = await rows(
      `SELECT count(*) AS n, count(DISTINCT session_key) AS keys, sum(is_outcome::INT) AS outcomes, sum(is_good::INT) AS good FROM marts.fct_backup_sessions`,
    );
    expect(t).toEqual({ n: '22', keys: '22', outcomes: '21', good: '9' }); // 18 Veeam + 4 Bareos; one running; the session after the snapshot is a fact too
    const [late] = await rows(
      `SELECT status_label, session_date::VARCHAR AS d, source_locator FROM marts.fct_backup_sessions WHERE tool = 'veeam' AND server = 'kamera-nvr01' ORDER BY started_at LIMIT 1`,
    );
    expect(late).toMatchObject({ status_label: 'Başarılı', d: '2026-11-15' }); // 23:00 UTC is the next day in Istanbul
    expect(late.source_locator).toMatch(/^x\.csv:line \d+$/);
    const [b] = await rows(
      `SELECT session_key, status_label, message, source_locator FROM marts.fct_backup_sessions WHERE tool = 'bareos' AND job_type = 'restore'`,
    );
    expect(b).toMatchObject({ status_label: 'Başarılı', message: 'Completed successfully' });
    expect(b.session_key).toMatch(/^bareos:\d+$/);
    expect(b.source_locator).toMatch(/^Job\.JobId=\d+$/);
  });
});

describe('which streams the marts are built from', () => {
  it('only the streams present in the snapshot; nothing without either', async () => {
    await load([veeam('dc01', 'AD', 'success', 3)], []);
    await backupMarts.build(conn, new Set(), { timezone: 'Europe/Istanbul' });
    expect(await rows(`SELECT count(*) AS n FROM duckdb_tables() WHERE schema_name = 'marts'`)).toEqual([{ n: '0' }]);
    await backupMarts.build(conn, new Set([VEEAM_SOURCE_ID]), { timezone: 'Europe/Istanbul' });
    expect(await rows(`SELECT tool, count(*) AS n FROM marts.fct_backup_sessions GROUP BY tool`)).toEqual([{ tool: 'veeam', n: '1' }]);
    expect(await rows(`SELECT table_name FROM duckdb_tables() WHERE schema_name = 'marts' ORDER BY 1`)).toEqual([
      { table_name: 'dim_backup_jobs' },
      { table_name: 'dim_protected_objects' },
      { table_name: 'fct_backup_sessions' },
    ]);
  });
});
