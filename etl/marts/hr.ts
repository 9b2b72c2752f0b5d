import type { DuckDBConnection } from '@duckdb/node-api';
import { EMPLOYMENT_TYPE_LABELS, GENDER_LABELS, LEAVE_TYPE_LABELS } from '../sources/hr/values.js';
import { DEFAULT_TIMEZONE } from '../../common/definitions/timezone.js';
import { timeZoneSql, type MartBuilder, type MartContext } from './mart-builder.js';
import { SOURCE_IDS } from '../source-ids.js';

/**
 * HR marts, rebuilt from raw_hr.* in every snapshot:
 *
 *   marts.dim_employees          one row per person (person_key = keyed hash of the TC Kimlik No):
 *                                their latest employment period, unit, type, gender, birth year, age band
 *   marts.fct_headcount_monthly  per month × unit × employment type × gender: staff in post at month end
 *                                (the as-of day for the current month), hires and exits in the month,
 *                                training hours (by training date) and leave days (by leave start) in the
 *                                month, so per-employee ratios need no second fact table
 *   marts.fct_trainings          one row per training attendance, with the person's unit, type, gender
 *   marts.fct_leaves             one row per leave, with the person's unit, type, gender
 *
 * Enough for the HR KPIs: headcount by type / unit / gender, hires and exits, IT staff per 100
 * employees (is_it_staff: unit BILGI_ISLEM), training hours per employee, leave days used.
 * Every row carries unit_code (row-level security). Person-level members (person_key) are for the
 * ik and admin roles only (model access policies).
 *
 * Dates are calendar dates (DATE) in business time (PANO_TIMEZONE). The as-of date is the day of
 * the personnel extraction in that zone. A person's unit is the one of the export: transfers
 * between units are not historised, so past months count people in their current (or last) unit.
 */

/** Months of headcount history kept (10 years). */
export const HEADCOUNT_MONTHS = 120;
export const IT_UNIT_CODE = 'BILGI_ISLEM';

const q = (s: string) => `'${s.replace(/'/g, "''")}'`;
const caseOf = (col: string, labels: Record<string, string>, otherwise: string) =>
  `CASE ${Object.entries(labels)
    .map(([k, v]) => `WHEN ${col} = ${q(k)} THEN ${q(v)}`)
    .join(' ')} ELSE ${q(otherwise)} END`;

/** A person's periods, latest first; ties on the start date broken by every other column of hr_periods (a total order). */
const PERIOD_ORDER = (p: string) =>
  `${p}start_date DESC, ${p}end_date DESC NULLS FIRST, ${p}unit_code, ${p}employment_type, ${p}title, ${p}gender, ${p}birth_year`;

const GENDER_LABEL = (col: string) => caseOf(col, GENDER_LABELS, 'Belirtilmemiş');
const TYPE_LABEL = (col: string) => caseOf(col, EMPLOYMENT_TYPE_LABELS, 'Bilinmiyor');

export async function buildHrMarts(conn: DuckDBConnection, present: ReadonlySet<string>, ctx: MartContext = { timezone: DEFAULT_TIMEZONE }): Promise<void> {
  const tz = timeZoneSql(ctx.timezone);
  await conn.run('CREATE SCHEMA IF NOT EXISTS marts');
  await conn.run(`
    CREATE OR REPLACE TEMP TABLE hr_periods AS
    SELECT person_key, unit_code, employment_type, gender, birth_year, title,
           CAST(start_date AS DATE) AS start_date, CAST(end_date AS DATE) AS end_date
    FROM raw_hr.personnel`);
  await conn.run(`
    CREATE OR REPLACE TEMP TABLE hr_asof AS
    SELECT coalesce(CAST(timezone(${tz}, max(_extracted_at)) AS DATE), (SELECT max(start_date) FROM hr_periods)) AS as_of
    FROM raw_hr.personnel`);

  await conn.run(`
    CREATE OR REPLACE TABLE marts.dim_employees AS
    WITH ranked AS (
      SELECT p.*,
             -- the latest period; two periods starting the same day: a total order over the shown columns, so the pick
             -- does not depend on row order (issue #19, item 7)
             row_number() OVER (PARTITION BY person_key ORDER BY ${PERIOD_ORDER('')}) AS rn,
             count(*) OVER (PARTITION BY person_key) AS periods,
             min(start_date) OVER (PARTITION BY person_key) AS first_start
      FROM hr_periods p
    )
    SELECT r.person_key,
           r.unit_code,
           r.employment_type,
           ${TYPE_LABEL('r.employment_type')} AS employment_type_label,
           r.gender,
           ${GENDER_LABEL('r.gender')} AS gender_label,
           r.birth_year,
           CASE WHEN r.birth_year IS NULL THEN NULL ELSE year(a.as_of) - r.birth_year END AS age,
           CASE
             WHEN r.birth_year IS NULL THEN 'Bilinmiyor'
             WHEN year(a.as_of) - r.birth_year < 30 THEN '18-29'
             WHEN year(a.as_of) - r.birth_year < 40 THEN '30-39'
             WHEN year(a.as_of) - r.birth_year < 50 THEN '40-49'
             WHEN year(a.as_of) - r.birth_year < 60 THEN '50-59'
             ELSE '60+'
           END AS age_band,
           r.title,
           r.start_date,
           r.end_date,
           r.first_start AS first_start_date,
           CAST(r.periods AS INTEGER) AS employment_periods,
           (r.start_date <= a.as_of AND (r.end_date IS NULL OR r.end_date >= a.as_of)) AS is_active,
           r.unit_code = ${q(IT_UNIT_CODE)} AS is_it_staff,
           a.as_of AS as_of_date
    FROM ranked r CROSS JOIN hr_asof a
    WHERE r.rn = 1`);

  // Training hours and leave days per month and cell (with the person's unit, type and gender as in
  // fct_trainings / fct_leaves), so "per employee" ratios share one grain with the headcount. NULL when the
  // stream is not in this snapshot (never a misleading 0).
  const trainings = present.has(SOURCE_IDS.hrTrainings);
  const leaves = present.has(SOURCE_IDS.hrLeaves);
  const th = trainings ? 'CAST(0 AS DOUBLE)' : 'CAST(NULL AS DOUBLE)';
  const ld = leaves ? 'CAST(0 AS DOUBLE)' : 'CAST(NULL AS DOUBLE)';
  await conn.run(`
    CREATE OR REPLACE TABLE marts.fct_headcount_monthly AS
    WITH bounds AS (
      SELECT as_of,
             CAST(date_trunc('month', as_of) AS DATE) AS last_month,
             CAST(greatest(date_trunc('month', (SELECT min(start_date) FROM hr_periods)),
                           date_trunc('month', as_of) - INTERVAL ${HEADCOUNT_MONTHS - 1} MONTH) AS DATE) AS first_month
      FROM hr_asof
    ),
    months AS (
      SELECT CAST(m AS DATE) AS month,
             least(CAST(m + INTERVAL 1 MONTH - INTERVAL 1 DAY AS DATE), b.as_of) AS snapshot_date
      FROM bounds b, range(b.first_month, b.last_month + INTERVAL 1 MONTH, INTERVAL 1 MONTH) AS t(m)
    ),
    in_post AS (
      SELECT m.month, p.person_key, p.unit_code, p.employment_type, p.gender
      FROM months m JOIN hr_periods p ON p.start_date <= m.snapshot_date AND (p.end_date IS NULL OR p.end_date >= m.snapshot_date)
      QUALIFY row_number() OVER (PARTITION BY m.month, p.person_key ORDER BY ${PERIOD_ORDER('p.')}) = 1
    ),
    events AS (
      SELECT month, unit_code, employment_type, gender, 1 AS headcount, 0 AS hires, 0 AS exits, ${th} AS training_hours, ${ld} AS leave_days FROM in_post
      UNION ALL
      SELECT m.month, p.unit_code, p.employment_type, p.gender, 0, 1, 0, ${th}, ${ld}
      FROM months m JOIN hr_periods p ON p.start_date BETWEEN m.month AND m.snapshot_date
      UNION ALL
      SELECT m.month, p.unit_code, p.employment_type, p.gender, 0, 0, 1, ${th}, ${ld}
      FROM months m JOIN hr_periods p ON p.end_date BETWEEN m.month AND m.snapshot_date${
        trainings
          ? `
      UNION ALL
      SELECT m.month, d.unit_code, d.employment_type, d.gender, 0, 0, 0, t.hours, ${ld}
      FROM months m JOIN raw_hr.trainings t ON CAST(t.training_date AS DATE) BETWEEN m.month AND m.snapshot_date
      JOIN marts.dim_employees d ON d.person_key = t.person_key`
          : ''
      }${
        leaves
          ? `
      UNION ALL
      SELECT m.month, d.unit_code, d.employment_type, d.gender, 0, 0, 0, ${th}, l.days
      FROM months m JOIN raw_hr.leaves l ON CAST(l.start_date AS DATE) BETWEEN m.month AND m.snapshot_date
      JOIN marts.dim_employees d ON d.person_key = l.person_key`
          : ''
      }
    )
    SELECT e.month,
           m.snapshot_date,
           e.unit_code,
           e.employment_type,
           ${TYPE_LABEL('e.employment_type')} AS employment_type_label,
           e.gender,
           ${GENDER_LABEL('e.gender')} AS gender_label,
           e.unit_code = ${q(IT_UNIT_CODE)} AS is_it_staff,
           CAST(sum(e.headcount) AS INTEGER) AS headcount,
           CAST(sum(e.hires) AS INTEGER) AS hires,
           CAST(sum(e.exits) AS INTEGER) AS exits,
           CAST(sum(e.training_hours) AS DOUBLE) AS training_hours,
           CAST(sum(e.leave_days) AS DOUBLE) AS leave_days
    FROM events e JOIN months m USING (month)
    GROUP BY ALL
    ORDER BY e.month, e.unit_code, e.employment_type, e.gender`);

  if (present.has(SOURCE_IDS.hrTrainings)) {
    await conn.run(`
      CREATE OR REPLACE TABLE marts.fct_trainings AS
      SELECT row_number() OVER (ORDER BY t.training_date, t.person_key, t.course, t.hours) AS training_id,
             t.person_key, e.unit_code, e.employment_type, e.employment_type_label, e.gender, e.gender_label, e.is_it_staff,
             t.course, t.hours, CAST(t.training_date AS DATE) AS training_date
      FROM raw_hr.trainings t JOIN marts.dim_employees e USING (person_key)`);
  }
  if (present.has(SOURCE_IDS.hrLeaves)) {
    await conn.run(`
      CREATE OR REPLACE TABLE marts.fct_leaves AS
      SELECT row_number() OVER (ORDER BY l.start_date, l.person_key, l.leave_type, l.end_date, l.days, l.leave_type_as_exported) AS leave_id,
             l.person_key, e.unit_code, e.employment_type, e.employment_type_label, e.gender, e.gender_label, e.is_it_staff,
             l.leave_type, ${caseOf('l.leave_type', LEAVE_TYPE_LABELS, 'Diğer')} AS leave_type_label, l.leave_type_as_exported,
             CAST(l.start_date AS DATE) AS start_date, CAST(l.end_date AS DATE) AS end_date,
             CAST(date_diff('day', CAST(l.start_date AS DATE), CAST(l.end_date AS DATE)) + 1 AS INTEGER) AS calendar_days,
             l.days
      FROM raw_hr.leaves l JOIN marts.dim_employees e USING (person_key)`);
  }
  await conn.run('DROP TABLE IF EXISTS hr_periods');
  await conn.run('DROP TABLE IF EXISTS hr_asof');
}

/** The HR mart builder: needs the personnel stream; trainings and leaves marts when their streams are present. */
export const hrMarts: MartBuilder = {
  name: 'hr',
  requires: [SOURCE_IDS.hrPersonnel],
  build: buildHrMarts,
};
