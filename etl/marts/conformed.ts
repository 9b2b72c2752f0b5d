import type { DuckDBConnection } from '@duckdb/node-api';
import { UNITS } from '../../common/units.js';
import { calendarDays } from '../calendar/working-hours.js';
import { appendRows, createTableSql, type Column } from '../warehouse/duckdb.js';

/** The conformed dimensions every domain's marts join: units (the key of row-level security) and the calendar. */
/** The calendar covers these years: history well before any source, and the year after today for plans. */
const CALENDAR_FIRST_YEAR = 2010;

const MONTH_NAMES = ['Ocak', 'Şubat', 'Mart', 'Nisan', 'Mayıs', 'Haziran', 'Temmuz', 'Ağustos', 'Eylül', 'Ekim', 'Kasım', 'Aralık'];
const DAY_NAMES = ['Pazartesi', 'Salı', 'Çarşamba', 'Perşembe', 'Cuma', 'Cumartesi', 'Pazar'];

const CALENDAR_COLUMNS: Column[] = [
  { name: 'date', type: 'VARCHAR' }, // appended as 'YYYY-MM-DD', then typed DATE below
  { name: 'year', type: 'INTEGER' },
  { name: 'quarter', type: 'INTEGER' },
  { name: 'month', type: 'INTEGER' },
  { name: 'month_name', type: 'VARCHAR' },
  { name: 'iso_week', type: 'INTEGER' },
  { name: 'iso_weekday', type: 'INTEGER' },
  { name: 'day_name', type: 'VARCHAR' },
  { name: 'is_weekend', type: 'BOOLEAN' },
  { name: 'is_holiday', type: 'BOOLEAN' },
  { name: 'is_half_day', type: 'BOOLEAN' },
  { name: 'holiday_name', type: 'VARCHAR' },
  { name: 'is_working_day', type: 'BOOLEAN' },
  { name: 'working_hours', type: 'DOUBLE' },
];

/**
 * marts.dim_calendar: one row per day with the Turkish business calendar (the one SLA clocks run on):
 * weekends, public holidays and arife half days, working hours — so "per working day" KPIs and holiday
 * filters read the same calendar the ETL's working-hour arithmetic used.
 */
async function buildCalendar(conn: DuckDBConnection): Promise<void> {
  const lastYear = new Date().getUTCFullYear() + 1;
  const days = calendarDays(`${CALENDAR_FIRST_YEAR}-01-01`, `${lastYear}-12-31`);
  await conn.run(createTableSql('marts', 'dim_calendar', CALENDAR_COLUMNS));
  await appendRows(
    conn,
    'marts',
    'dim_calendar',
    CALENDAR_COLUMNS,
    days.map((d) => {
      const [y, m, dd] = d.date.split('-').map(Number);
      return {
        date: d.date,
        year: y,
        quarter: Math.floor((m - 1) / 3) + 1,
        month: m,
        month_name: MONTH_NAMES[m - 1],
        iso_week: isoWeek(y, m, dd),
        iso_weekday: d.isoWeekday,
        day_name: DAY_NAMES[d.isoWeekday - 1],
        is_weekend: d.isoWeekday >= 6,
        is_holiday: d.holidayName !== null && !d.halfDay,
        is_half_day: d.halfDay,
        holiday_name: d.holidayName,
        is_working_day: d.isWorkingDay,
        working_hours: d.workingHours,
      };
    }),
  );
  await conn.run('ALTER TABLE marts.dim_calendar ALTER COLUMN "date" TYPE DATE');
}

/** ISO 8601 week number of a calendar date. */
function isoWeek(y: number, m: number, d: number): number {
  const t = new Date(Date.UTC(y, m - 1, d));
  const weekday = t.getUTCDay() || 7;
  t.setUTCDate(t.getUTCDate() + 4 - weekday);
  const yearStart = Date.UTC(t.getUTCFullYear(), 0, 1);
  return Math.ceil(((t.getTime() - yearStart) / 86_400_000 + 1) / 7);
}

const UNIT_COLUMNS: Column[] = [
  { name: 'unit_code', type: 'VARCHAR' },
  { name: 'unit_name', type: 'VARCHAR' },
  { name: 'staff_count', type: 'INTEGER' },
];

export async function buildConformedDimensions(conn: DuckDBConnection): Promise<void> {
  await conn.run(createTableSql('marts', 'dim_units', UNIT_COLUMNS));
  await appendRows(
    conn,
    'marts',
    'dim_units',
    UNIT_COLUMNS,
    UNITS.map((u) => ({ unit_code: u.code, unit_name: u.name, staff_count: u.staff })),
  );
  await buildCalendar(conn);
}
