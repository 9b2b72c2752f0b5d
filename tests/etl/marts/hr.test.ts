import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { buildHrMarts, hrMarts } from '../../../etl/marts/hr.js';
import { LEAVE_COLUMNS, PERSONNEL_COLUMNS, TRAINING_COLUMNS } from '../../../etl/sources/hr/index.js';
import { appendRows, createTableSql, type Column } from '../../../etl/warehouse/duckdb.js';

/**
 * The HR marts on a hand-made raw_hr, every number worked out by hand. As-of day: 2026-11-25
 * (the extraction at 09:00 UTC is 12:00 in Istanbul).
 */

const META: Column[] = [
  { name: '_run_id', type: 'VARCHAR' },
  { name: '_extracted_at', type: 'TIMESTAMPTZ' },
];
const EXTRACTED = new Date('2026-11-25T09:00:00Z');

const P = (
  person_key: string,
  unit_code: string,
  employment_type: string,
  gender: string | null,
  birth_year: number,
  start_date: string,
  end_date: string | null,
) => ({
  person_key,
  unit_code,
  employment_type,
  gender,
  birth_year,
  start_date,
  end_date,
  title: 'x',
  unit_as_exported: unit_code,
  employment_type_as_exported: employment_type,
  weekly_hours: 40,
  source_ref: 'test',
  _run_id: 'r',
  _extracted_at: EXTRACTED,
});

const PERSONNEL = [
  P('p1', 'BILGI_ISLEM', 'memur', 'K', 1985, '2015-03-01', null),
  P('p2', 'FEN_ISLERI', 'kadrolu_isci', 'E', 1970, '2010-06-15', '2026-09-30'),
  P('p3', 'ZABITA', 'sozlesmeli', 'E', 1994, '2026-10-15', null),
  P('p4', 'TEMIZLIK', 'gecici_isci', 'E', 1990, '2025-04-01', '2025-09-30'),
  P('p4', 'TEMIZLIK', 'gecici_isci', 'E', 1990, '2026-04-01', '2026-11-30'),
  P('p5', 'MALI_HIZMETLER', 'memur', null, 1960, '2020-01-01', null),
  P('p5', 'MALI_HIZMETLER', 'sozlesmeli', null, 1960, '2024-01-01', null),
];

let inst: DuckDBInstance;
let conn: DuckDBConnection;
const q = async (sql: string) => (await conn.runAndReadAll(sql)).getRowObjectsJson() as Array<Record<string, any>>;

async function table(name: string, columns: Column[], rows: Array<Record<string, unknown>>) {
  await conn.run(createTableSql('raw_hr', name, [...columns, ...META]));
  await appendRows(conn, 'raw_hr', name, [...columns, ...META], rows);
}

beforeEach(async () => {
  inst = await DuckDBInstance.create(':memory:');
  conn = await inst.connect();
  await conn.run("SET TimeZone = 'UTC'");
  await conn.run('CREATE SCHEMA raw_hr');
  await table('personnel', PERSONNEL_COLUMNS, PERSONNEL);
  await table('trainings', TRAINING_COLUMNS, [
    { person_key: 'p1', course: 'KVKK', hours: 2.5, training_date: '2026-05-12', source_ref: 't', _run_id: 'r', _extracted_at: EXTRACTED },
    { person_key: 'p1', course: 'İSG', hours: 8, training_date: '2026-06-01', source_ref: 't', _run_id: 'r', _extracted_at: EXTRACTED },
    { person_key: 'nobody', course: 'İSG', hours: 8, training_date: '2026-06-01', source_ref: 't', _run_id: 'r', _extracted_at: EXTRACTED },
  ]);
  await table('leaves', LEAVE_COLUMNS, [
    {
      person_key: 'p3',
      leave_type: 'yillik',
      leave_type_as_exported: 'Yıllık İzin',
      start_date: '2026-11-02',
      end_date: '2026-11-06',
      days: 5,
      source_ref: 'l',
      _run_id: 'r',
      _extracted_at: EXTRACTED,
    },
  ]);
  await buildHrMarts(conn, new Set(['hr_personnel', 'hr_trainings', 'hr_leaves']));
});
afterEach(() => {
  conn.closeSync();
  inst.closeSync();
});

describe('HR marts', () => {
  it('dim_employees: one row per person, the latest period, age at the as-of day', async () => {
    const rows = await q(
      'SELECT person_key, unit_code, employment_type, gender_label, age, age_band, start_date, end_date, first_start_date, employment_periods, is_active, is_it_staff, as_of_date FROM marts.dim_employees ORDER BY person_key',
    );
    expect(rows).toEqual([
      {
        person_key: 'p1',
        unit_code: 'BILGI_ISLEM',
        employment_type: 'memur',
        gender_label: 'Kadın',
        age: '41',
        age_band: '40-49',
        start_date: '2015-03-01',
        end_date: null,
        first_start_date: '2015-03-01',
        employment_periods: 1,
        is_active: true,
        is_it_staff: true,
        as_of_date: '2026-11-25',
      },
      {
        person_key: 'p2',
        unit_code: 'FEN_ISLERI',
        employment_type: 'kadrolu_isci',
        gender_label: 'Erkek',
        age: '56',
        age_band: '50-59',
        start_date: '2010-06-15',
        end_date: '2026-09-30',
        first_start_date: '2010-06-15',
        employment_periods: 1,
        is_active: false,
        is_it_staff: false,
        as_of_date: '2026-11-25',
      },
      {
        person_key: 'p3',
        unit_code: 'ZABITA',
        employment_type: 'sozlesmeli',
        gender_label: 'Erkek',
        age: '32',
        age_band: '30-39',
        start_date: '2026-10-15',
        end_date: null,
        first_start_date: '2026-10-15',
        employment_periods: 1,
        is_active: true,
        is_it_staff: false,
        as_of_date: '2026-11-25',
      },
      {
        person_key: 'p4',
        unit_code: 'TEMIZLIK',
        employment_type: 'gecici_isci',
        gender_label: 'Erkek',
        age: '36',
        age_band: '30-39',
        start_date: '2026-04-01',
        end_date: '2026-11-30',
        first_start_date: '2025-04-01',
        employment_periods: 2,
        is_active: true,
        is_it_staff: false,
        as_of_date: '2026-11-25',
      },
      {
        person_key: 'p5',
        unit_code: 'MALI_HIZMETLER',
        employment_type: 'sozlesmeli',
        gender_label: 'Belirtilmemiş',
        age: '66',
        age_band: '60+',
        start_date: '2024-01-01',
        end_date: null,
        first_start_date: '2020-01-01',
        employment_periods: 2,
        is_active: true,
        is_it_staff: false,
        as_of_date: '2026-11-25',
      },
    ]);
  });

  it.each([
    // month, headcount, hires, exits, IT headcount
    ['2026-11-01', 4, 0, 0, 1],
    ['2026-10-01', 4, 1, 0, 1],
    ['2026-09-01', 4, 0, 1, 1],
    ['2026-04-01', 4, 1, 0, 1],
    ['2025-10-01', 3, 0, 0, 1],
    ['2025-09-01', 4, 0, 1, 1],
    ['2025-04-01', 4, 1, 0, 1],
    ['2024-01-01', 3, 1, 0, 1],
    ['2019-12-01', 2, 0, 0, 1],
  ])('fct_headcount_monthly %s: headcount %i, hires %i, exits %i, IT %i', async (month, headcount, hires, exits, it) => {
    const [r] = await q(`
      SELECT sum(headcount) AS headcount, sum(hires) AS hires, sum(exits) AS exits, sum(headcount) FILTER (WHERE is_it_staff) AS it
      FROM marts.fct_headcount_monthly WHERE month = DATE '${month}'`);
    expect([Number(r.headcount), Number(r.hires), Number(r.exits), Number(r.it)]).toEqual([headcount, hires, exits, it]);
  });

  it('counts a person once a month even with overlapping periods, with the latest period’s unit and type', async () => {
    const rows = await q(
      `SELECT employment_type, headcount, hires FROM marts.fct_headcount_monthly WHERE month = DATE '2024-06-01' AND unit_code = 'MALI_HIZMETLER'`,
    );
    expect(rows).toEqual([{ employment_type: 'sozlesmeli', headcount: 1, hires: 0 }]);
  });

  it('keeps 10 years of months, ending with the as-of month (snapshot on the as-of day)', async () => {
    const [r] = await q(
      `SELECT min(month) AS first, max(month) AS last, count(DISTINCT month) AS n, max(snapshot_date) AS snap FROM marts.fct_headcount_monthly`,
    );
    expect(r).toEqual({ first: '2016-12-01', last: '2026-11-01', n: '120', snap: '2026-11-25' });
  });

  it('trainings and leaves carry the person’s unit; a training of an unknown person is left out', async () => {
    expect(await q('SELECT person_key, unit_code, is_it_staff, course, hours, training_date FROM marts.fct_trainings ORDER BY training_id')).toEqual([
      { person_key: 'p1', unit_code: 'BILGI_ISLEM', is_it_staff: true, course: 'KVKK', hours: 2.5, training_date: '2026-05-12' },
      { person_key: 'p1', unit_code: 'BILGI_ISLEM', is_it_staff: true, course: 'İSG', hours: 8, training_date: '2026-06-01' },
    ]);
    expect(await q('SELECT unit_code, leave_type, leave_type_label, calendar_days, days FROM marts.fct_leaves')).toEqual([
      { unit_code: 'ZABITA', leave_type: 'yillik', leave_type_label: 'Yıllık izin', calendar_days: 5, days: 5 },
    ]);
  });

  it('is safe to build twice, and without trainings or leaves it builds only what it can', async () => {
    await buildHrMarts(conn, new Set(['hr_personnel']));
    await conn.run('DROP TABLE marts.fct_trainings');
    await buildHrMarts(conn, new Set(['hr_personnel']));
    const tables = await q(`SELECT table_name FROM duckdb_tables() WHERE schema_name = 'marts' ORDER BY 1`);
    expect(tables.map((t) => t.table_name)).toEqual(['dim_employees', 'fct_headcount_monthly', 'fct_leaves']);
    expect(hrMarts.requires).toEqual(['hr_personnel']);
  });
});
