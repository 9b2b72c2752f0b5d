import type { DuckDBConnection } from '@duckdb/node-api';
import { SOURCE_IDS } from '../source-ids.js';
import { timeZoneSql, type MartBuilder, type MartContext } from './mart-builder.js';

/**
 * Backup marts, rebuilt whole in every snapshot from raw_backup.* (either stream is enough):
 *
 * - `marts.fct_backup_sessions` — one row per session of one protected object: a Veeam VM task (or a job
 *   session in job-level exports) or a Bareos catalog job. Tool, job, server, service, unit, level,
 *   status, start/end, duration, bytes. `month_end_protected_bytes` is set on the last backup session of
 *   each protected object (tool + server) in each business month only: the object's newest known size up to
 *   then (Veeam object size, else the newest good full backup's bytes), so summing it over one month gives
 *   the protected data volume at month end (the model's protected-volume trend).
 * - `marts.dim_protected_objects` — one row per protected object (tool + server): last run, last good
 *   backup, RPO in hours at the snapshot time, the target and whether it is breached.
 * - `marts.dim_backup_jobs` — one row per job (tool + job name): last run and last good run, "no good
 *   run in 24 h / 7 days" flags, 30-day counts and average duration.
 *
 * A *good* session left a usable restore point: Başarılı (success) or Uyarı (warning). RPO is the age of
 * the newest good backup's start (the moment its data is from). The snapshot time is the extraction time
 * of the backup sources in this snapshot (`_extracted_at`), so marts do not move with the wall clock.
 */

/** An object or job that has not run for this long is retired: no breach, no "no success" flag. */
export const ACTIVE_DAYS = 30;

const STATUS_LABEL_SQL = `CASE status WHEN 'success' THEN 'Başarılı' WHEN 'warning' THEN 'Uyarı' WHEN 'failed' THEN 'Başarısız'
  WHEN 'cancelled' THEN 'İptal edildi' WHEN 'running' THEN 'Sürüyor' END`;

const VEEAM_SELECT = `
  SELECT session_key, 'veeam' AS tool, job_name, 'backup' AS job_type, server, service, unit_code, object_type,
    level_kind, level, status, started_at, ended_at, duration_sec,
    data_bytes AS bytes, stored_bytes, object_size_bytes AS protected_bytes,
    CAST(NULL AS BIGINT) AS files, CAST(NULL AS INTEGER) AS errors, reason AS message,
    source_file || ':line ' || source_line AS source_locator, rpo_target_hours, _extracted_at
  FROM raw_backup.veeam_sessions`;

const BAREOS_SELECT = `
  SELECT 'bareos:' || job_id AS session_key, 'bareos' AS tool, job_name, job_type, server, service, unit_code,
    CASE WHEN server IS NULL THEN NULL ELSE 'client' END AS object_type,
    level_kind, level, status, coalesce(started_at, sched_at) AS started_at, ended_at, duration_sec,
    job_bytes AS bytes, CAST(NULL AS BIGINT) AS stored_bytes, CAST(NULL AS BIGINT) AS protected_bytes,
    job_files AS files, job_errors AS errors, job_status_long AS message,
    CASE WHEN from_histo THEN 'JobHisto' ELSE 'Job' END || '.JobId=' || job_id AS source_locator, rpo_target_hours, _extracted_at
  FROM raw_backup.bareos_jobs`;

/** Session dates are days in the business time zone (`ctx.timezone`, PANO_TIMEZONE). */
async function build(conn: DuckDBConnection, present: ReadonlySet<string>, ctx: MartContext): Promise<void> {
  const tz = timeZoneSql(ctx.timezone);
  const parts = [present.has(SOURCE_IDS.backupVeeam) ? VEEAM_SELECT : null, present.has(SOURCE_IDS.backupBareos) ? BAREOS_SELECT : null].filter(Boolean);
  if (parts.length === 0) return;
  await conn.run('CREATE SCHEMA IF NOT EXISTS marts');
  await conn.run(`
    CREATE OR REPLACE TEMP TABLE backup_union AS ${parts.join(' UNION ALL ')}`);
  await conn.run(`
    CREATE OR REPLACE TABLE marts.fct_backup_sessions AS
    WITH sized AS (
      -- Month-end size of each protected object (tool + server), for the protected-volume trend: the newest
      -- size seen up to its last backup session of the business month (Veeam's object size when exported,
      -- else the bytes of its newest good full backup).
      SELECT session_key,
        last_value(coalesce(protected_bytes, CASE WHEN status IN ('success', 'warning') AND level_kind = 'full' THEN bytes END) IGNORE NULLS)
          OVER (PARTITION BY tool, server ORDER BY started_at, session_key ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS size_so_far,
        row_number() OVER (PARTITION BY tool, server, date_trunc('month', CAST(timezone(${tz}, started_at) AS DATE))
          ORDER BY started_at DESC, session_key DESC) AS from_month_end
      FROM backup_union
      WHERE job_type = 'backup' AND server IS NOT NULL AND started_at IS NOT NULL
    )
    SELECT session_key, tool, job_name, job_type, server, service, unit_code, object_type,
      level_kind, level, status, ${STATUS_LABEL_SQL} AS status_label,
      status IN ('success', 'warning', 'failed') AS is_outcome,
      status IN ('success', 'warning') AS is_good,
      started_at, ended_at,
      CAST(timezone(${tz}, started_at) AS DATE) AS session_date,
      duration_sec, bytes, stored_bytes, protected_bytes, files, errors, message, source_locator,
      CASE WHEN z.from_month_end = 1 THEN z.size_so_far END AS month_end_protected_bytes
    FROM backup_union LEFT JOIN sized z USING (session_key)
    ORDER BY started_at, session_key`);

  const snapshotAt = `(SELECT max(_extracted_at) FROM backup_union)`;
  await conn.run(`
    CREATE OR REPLACE TABLE marts.dim_protected_objects AS
    WITH s AS (SELECT ${snapshotAt} AS snap_at),
    b AS (
      SELECT u.*, s.snap_at FROM backup_union u, s
      WHERE u.job_type = 'backup' AND u.server IS NOT NULL AND u.started_at IS NOT NULL AND u.started_at <= s.snap_at
    ),
    a AS (
      -- "newest" picks order by (started_at, session_key): two sessions starting in the same second (two jobs of
      -- one server) would otherwise give whichever row the parallel aggregation saw last (issue #19, item 7).
      -- The min(...) picks below are of a single value (count(DISTINCT) = 1, or the one snapshot time).
      SELECT tool, server,
        arg_max(service, (started_at, session_key)) AS service,
        arg_max(unit_code, (started_at, session_key)) AS unit_code,
        arg_max(object_type, (started_at, session_key)) AS object_type,
        arg_max(rpo_target_hours, (started_at, session_key)) AS rpo_target_hours,
        count(DISTINCT job_name) AS job_count,
        string_agg(DISTINCT job_name, ', ' ORDER BY job_name) AS jobs,
        min(started_at) AS first_backup_at,
        max(started_at) AS last_run_at,
        arg_max(status, (started_at, session_key)) AS last_run_status,
        max(started_at) FILTER (WHERE status = 'success') AS last_success_at,
        max(started_at) FILTER (WHERE status IN ('success', 'warning')) AS last_good_at,
        arg_max(bytes, (started_at, session_key)) FILTER (WHERE status IN ('success', 'warning')) AS last_good_bytes,
        arg_max(protected_bytes, (started_at, session_key)) FILTER (WHERE protected_bytes IS NOT NULL) AS protected_bytes,
        count(*) FILTER (WHERE started_at >= snap_at - INTERVAL ${ACTIVE_DAYS} DAY AND status IN ('success', 'warning', 'failed')) AS outcomes_30d,
        count(*) FILTER (WHERE started_at >= snap_at - INTERVAL ${ACTIVE_DAYS} DAY AND status = 'success') AS success_30d,
        count(*) FILTER (WHERE started_at >= snap_at - INTERVAL ${ACTIVE_DAYS} DAY AND status = 'warning') AS warning_30d,
        count(*) FILTER (WHERE started_at >= snap_at - INTERVAL ${ACTIVE_DAYS} DAY AND status = 'failed') AS failed_30d,
        min(snap_at) AS snapshot_at
      FROM b GROUP BY tool, server
    )
    SELECT tool || ':' || server AS object_key, tool, server, service, unit_code, object_type, job_count, jobs,
      first_backup_at, last_run_at, last_run_status, last_success_at, last_good_at, last_good_bytes, protected_bytes,
      round(date_diff('second', last_good_at, snapshot_at) / 3600.0, 2) AS rpo_hours,
      rpo_target_hours,
      last_run_at >= snapshot_at - INTERVAL ${ACTIVE_DAYS} DAY AS is_active,
      (last_run_at >= snapshot_at - INTERVAL ${ACTIVE_DAYS} DAY)
        AND (last_good_at IS NULL OR date_diff('second', last_good_at, snapshot_at) > rpo_target_hours * 3600) AS rpo_breached,
      outcomes_30d, success_30d, warning_30d, failed_30d,
      CASE WHEN outcomes_30d > 0 THEN round((success_30d + warning_30d) / outcomes_30d, 4) END AS good_rate_30d,
      snapshot_at
    FROM a
    ORDER BY tool, server`);

  await conn.run(`
    CREATE OR REPLACE TABLE marts.dim_backup_jobs AS
    WITH s AS (SELECT ${snapshotAt} AS snap_at),
    b AS (SELECT u.*, s.snap_at FROM backup_union u, s WHERE u.started_at IS NOT NULL AND u.started_at <= s.snap_at),
    a AS (
      SELECT tool, job_name,
        arg_max(job_type, (started_at, session_key)) AS job_type,
        count(DISTINCT server) AS server_count,
        CASE WHEN count(DISTINCT unit_code) = 1 THEN min(unit_code) ELSE 'BILGI_ISLEM' END AS unit_code,
        CASE WHEN count(DISTINCT service) = 1 THEN min(service) END AS service,
        min(started_at) AS first_run_at,
        max(started_at) AS last_run_at,
        arg_max(status, (started_at, session_key)) AS last_run_status,
        max(started_at) FILTER (WHERE status = 'success') AS last_success_at,
        max(started_at) FILTER (WHERE status IN ('success', 'warning')) AS last_good_at,
        count(*) FILTER (WHERE started_at >= snap_at - INTERVAL ${ACTIVE_DAYS} DAY) AS sessions_30d,
        count(*) FILTER (WHERE started_at >= snap_at - INTERVAL ${ACTIVE_DAYS} DAY AND status = 'failed') AS failed_30d,
        count(*) FILTER (WHERE started_at >= snap_at - INTERVAL ${ACTIVE_DAYS} DAY AND status = 'warning') AS warning_30d,
        avg(duration_sec) FILTER (WHERE started_at >= snap_at - INTERVAL ${ACTIVE_DAYS} DAY AND status IN ('success', 'warning', 'failed')) AS avg_duration_sec_30d,
        min(snap_at) AS snapshot_at
      FROM b GROUP BY tool, job_name
    )
    SELECT tool || ':' || job_name AS job_key, tool, job_name, job_type, server_count, unit_code, service,
      first_run_at, last_run_at, last_run_status, last_success_at, last_good_at,
      round(date_diff('second', last_good_at, snapshot_at) / 3600.0, 2) AS hours_since_good,
      last_run_at >= snapshot_at - INTERVAL ${ACTIVE_DAYS} DAY AS is_active,
      CASE WHEN job_type = 'backup' THEN (last_run_at >= snapshot_at - INTERVAL ${ACTIVE_DAYS} DAY)
        AND (last_good_at IS NULL OR last_good_at < snapshot_at - INTERVAL 24 HOUR) END AS no_success_24h,
      CASE WHEN job_type = 'backup' THEN (last_run_at >= snapshot_at - INTERVAL ${ACTIVE_DAYS} DAY)
        AND (last_good_at IS NULL OR last_good_at < snapshot_at - INTERVAL 7 DAY) END AS no_success_7d,
      sessions_30d, failed_30d, warning_30d, round(avg_duration_sec_30d, 1) AS avg_duration_sec_30d,
      snapshot_at
    FROM a
    ORDER BY tool, job_name`);
  await conn.run('DROP TABLE backup_union');
}

/**
 * The backup marts. `requires` is empty on purpose: either backup stream is enough, and build() reads
 * `present` to union only the streams this snapshot has (nothing is built when it has neither).
 */
export const backupMarts: MartBuilder = { name: 'backup', requires: [], build };
