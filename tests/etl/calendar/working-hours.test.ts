import { describe, expect, it } from 'vitest';
import { addWorkingHours, calendarDays, isWorkingDay, turkishHolidays, WorkingCalendar, workingHoursBetween } from '../../../etl/calendar/working-hours.js';
import { DemoRandom } from '../../../etl/demo/demo-random.js';

/** Istanbul wall clock 'YYYY-MM-DD HH:MM' → Date (UTC+3 all year since 2016). */
const ist = (s: string) => new Date(`${s.replace(' ', 'T')}:00+03:00`);
const fmt = (d: Date) => new Date(d.getTime() + 3 * 3_600_000).toISOString().slice(0, 16).replace('T', ' ');

describe('workingHoursBetween', () => {
  it.each([
    ['inside one day', '2025-01-06 09:00', '2025-01-06 11:30', 2.5],
    ['weekend is skipped (Fri 17:00 → Mon 09:00)', '2025-01-03 17:00', '2025-01-06 09:00', 1],
    ['a weekend alone is zero', '2025-01-04 10:00', '2025-01-05 15:00', 0],
    ['start after hours', '2025-01-06 18:00', '2025-01-07 10:00', 1.5],
    ['before opening counts nothing', '2025-01-06 07:00', '2025-01-06 08:30', 0],
    ['start before opening', '2025-01-06 07:00', '2025-01-06 09:00', 0.5],
    ['29 Ekim closed, 28 Ekim arife ends 13:00', '2025-10-28 08:00', '2025-10-30 09:30', 5.5],
    ['arife afternoon is closed', '2025-10-28 13:00', '2025-10-28 17:30', 0],
    ['arife morning counts', '2025-10-28 12:00', '2025-10-28 14:00', 1],
    ['Ramazan Bayramı 2026 (arife Thu, bayram Fri–Sun)', '2026-03-19 08:30', '2026-03-23 17:30', 13.5],
    ['Ramazan Bayramı 2025 (Mon–Tue closed)', '2025-03-28 09:00', '2025-04-02 10:00', 10],
    ['Kurban Bayramı 2025 (arife Thu half, Fri and Mon closed)', '2025-06-04 17:00', '2025-06-10 09:00', 5.5],
    ['span across months', '2025-01-31 16:30', '2025-02-03 09:30', 2],
    ['span across the year (Yılbaşı closed)', '2025-12-31 16:00', '2026-01-02 10:00', 3],
    ['15 Temmuz is closed', '2025-07-15 00:00', '2025-07-16 00:00', 0],
    ['23 Nisan is closed', '2025-04-23 08:00', '2025-04-23 18:00', 0],
    ['end before start gives zero', '2025-01-07 10:00', '2025-01-06 10:00', 0],
  ])('%s', (_label, from, to, hours) => {
    expect(workingHoursBetween(ist(from), ist(to))).toBeCloseTo(hours, 9);
  });

  it('counts 2250 working hours in 2025 (249 full days × 9 h + 2 arife × 4.5 h)', () => {
    expect(workingHoursBetween(ist('2025-01-01 00:00'), ist('2026-01-01 00:00'))).toBeCloseTo(2250, 9);
  });

  it('honours custom hours, extra closed days and a plain Mon–Fri calendar', () => {
    expect(workingHoursBetween(ist('2025-01-06 08:00'), ist('2025-01-06 10:00'), { dayStart: '09:00', dayEnd: '18:00' })).toBeCloseTo(1, 9);
    expect(workingHoursBetween(ist('2025-01-06 00:00'), ist('2025-01-07 00:00'), { extraClosedDays: ['2025-01-06'] })).toBe(0);
    expect(workingHoursBetween(ist('2025-10-29 00:00'), ist('2025-10-30 00:00'), { publicHolidays: false })).toBeCloseTo(9, 9);
    expect(workingHoursBetween(ist('2025-10-28 00:00'), ist('2025-10-29 00:00'), { halfDayEnd: '12:00' })).toBeCloseTo(3.5, 9);
  });

  it('reads the working day in the configured time zone', () => {
    // 08:30–17:30 UTC is 11:30–20:30 in Istanbul.
    expect(workingHoursBetween(new Date('2025-01-06T08:00:00Z'), new Date('2025-01-06T10:00:00Z'), { timezone: 'UTC' })).toBeCloseTo(1.5, 9);
    expect(workingHoursBetween(new Date('2025-01-06T08:00:00Z'), new Date('2025-01-06T10:00:00Z'))).toBeCloseTo(2, 9);
  });

  it('rejects nonsense options', () => {
    expect(() => workingHoursBetween(ist('2025-01-06 08:00'), ist('2025-01-06 10:00'), { dayStart: '18:00', dayEnd: '08:00' })).toThrow(RangeError);
    expect(() => workingHoursBetween(ist('2025-01-06 08:00'), ist('2025-01-06 10:00'), { dayStart: '8.30' })).toThrow(/dayStart/);
    expect(() => workingHoursBetween(ist('2025-01-06 08:00'), ist('2025-01-06 10:00'), { timezone: 'Mars/Olympus' })).toThrow(/time zone/);
    expect(() => workingHoursBetween(new Date(Number.NaN), ist('2025-01-06 10:00'))).toThrow(/Invalid date/);
  });
});

describe('addWorkingHours', () => {
  it.each([
    ['inside one day', '2025-01-06 09:00', 2, '2025-01-06 11:00'],
    ['over a weekend', '2025-01-03 16:30', 4, '2025-01-06 11:30'],
    ['from before opening', '2025-01-06 07:00', 2, '2025-01-06 10:30'],
    ['from after closing', '2025-01-06 18:00', 1, '2025-01-07 09:30'],
    ['over arife afternoon and 29 Ekim', '2025-10-28 12:00', 2, '2025-10-30 09:30'],
    ['over Ramazan Bayramı 2026', '2026-03-19 10:00', 4, '2026-03-23 09:30'],
    ['a due date at closing time stays there', '2025-01-04 12:00', 9, '2025-01-06 17:30'],
    ['very low priority SLA (40 h)', '2025-01-06 08:30', 40, '2025-01-10 12:30'],
    ['zero hours is the start itself', '2025-01-04 12:00', 0, '2025-01-04 12:00'],
  ])('%s', (_label, from, hours, due) => {
    expect(fmt(addWorkingHours(ist(from), hours))).toBe(due);
  });

  it('is the inverse of workingHoursBetween', () => {
    const rng = new DemoRandom(7);
    const base = ist('2024-01-01 00:00').getTime();
    for (let i = 0; i < 500; i++) {
      const start = new Date(base + Math.floor(rng.next() * 3 * 365 * 86_400_000));
      const hours = Math.round(rng.next() * 200 * 60) / 60;
      const due = addWorkingHours(start, hours);
      expect(workingHoursBetween(start, due)).toBeCloseTo(hours, 6);
      expect(due.getTime()).toBeGreaterThanOrEqual(start.getTime());
    }
  });

  it('rejects negative or non-finite hours', () => {
    expect(() => addWorkingHours(ist('2025-01-06 09:00'), -1)).toThrow(RangeError);
    expect(() => addWorkingHours(ist('2025-01-06 09:00'), Number.POSITIVE_INFINITY)).toThrow(RangeError);
  });

  it('gives up instead of looping forever when nothing is ever open', () => {
    const closed = new WorkingCalendar({ weekendDays: [1, 2, 3, 4, 5, 6, 7] });
    expect(() => closed.addHours(ist('2025-01-06 09:00'), 1)).toThrow(/No working time/);
  });
});

describe('isWorkingDay', () => {
  it.each([
    ['2025-10-29', false, 'Cumhuriyet Bayramı'],
    ['2025-10-28', true, 'arife: a half day is still a working day'],
    ['2025-01-04', false, 'Saturday'],
    ['2025-01-05', false, 'Sunday'],
    ['2025-01-06', true, 'Monday'],
    ['2026-03-20', false, 'Ramazan Bayramı 1. gün'],
    ['2024-06-17', false, 'Kurban Bayramı 2. gün'],
    ['2025-05-19', false, '19 Mayıs'],
  ])('%s → %s (%s)', (date, expected) => {
    expect(isWorkingDay(date)).toBe(expected);
  });

  it('takes the local day of an instant in the given zone', () => {
    const lateOct29Utc = new Date('2025-10-29T22:30:00Z'); // 30 Ekim 01:30 in Istanbul
    expect(isWorkingDay(lateOct29Utc)).toBe(true);
    expect(isWorkingDay(lateOct29Utc, 'UTC')).toBe(false);
  });
});

describe('turkishHolidays', () => {
  it('lists 2025 with bayram days and arife half days', () => {
    const h = turkishHolidays(2025);
    expect(h.map((x) => x.date)).toEqual([
      '2025-01-01',
      '2025-03-29',
      '2025-03-30',
      '2025-03-31',
      '2025-04-01',
      '2025-04-23',
      '2025-05-01',
      '2025-05-19',
      '2025-06-05',
      '2025-06-06',
      '2025-06-07',
      '2025-06-08',
      '2025-06-09',
      '2025-07-15',
      '2025-08-30',
      '2025-10-28',
      '2025-10-29',
    ]);
    expect(h.find((x) => x.date === '2025-10-28')).toEqual({ date: '2025-10-28', name: 'Cumhuriyet Bayramı Arifesi', halfDay: true });
    expect(h.find((x) => x.date === '2025-03-30')).toEqual({ date: '2025-03-30', name: 'Ramazan Bayramı (1. gün)', halfDay: false });
    expect(h.find((x) => x.date === '2025-06-05')).toMatchObject({ name: 'Kurban Bayramı Arifesi', halfDay: true });
    expect(h.filter((x) => x.halfDay)).toHaveLength(3);
  });

  it('covers a bayram that starts in the neighbouring year', () => {
    // Ramazan Bayramı 2033 begins on 2 January; its arife falls on Yılbaşı, where the full holiday wins.
    const h = turkishHolidays(2033);
    expect(h.find((x) => x.date === '2033-01-01')).toMatchObject({ halfDay: false, name: 'Yılbaşı' });
    expect(h.find((x) => x.date === '2033-01-02')).toMatchObject({ name: 'Ramazan Bayramı (1. gün)' });
  });

  it('returns copies, so callers cannot corrupt the cache', () => {
    turkishHolidays(2025)[0].name = 'x';
    expect(turkishHolidays(2025)[0].name).toBe('Yılbaşı');
  });
});

describe('calendarDays', () => {
  it('gives one calendar-table row per day', () => {
    const days = calendarDays('2025-10-27', '2025-11-02');
    expect(days.map((d) => [d.date, d.isoWeekday, d.isWorkingDay, d.workingHours, d.halfDay])).toEqual([
      ['2025-10-27', 1, true, 9, false],
      ['2025-10-28', 2, true, 4.5, true],
      ['2025-10-29', 3, false, 0, false],
      ['2025-10-30', 4, true, 9, false],
      ['2025-10-31', 5, true, 9, false],
      ['2025-11-01', 6, false, 0, false],
      ['2025-11-02', 7, false, 0, false],
    ]);
    expect(days[2].holidayName).toBe('Cumhuriyet Bayramı');
  });
});
