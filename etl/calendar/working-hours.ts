import Holidays from 'date-holidays';
import { ZoneClock, zoneClock } from './wall-clock.js';
import { DEFAULT_TIMEZONE } from '../../common/definitions/timezone.js';

/**
 * The Turkish business calendar that SLA clocks run on (mesai saatleri).
 *
 * Working time is Monday–Friday, 08:30–17:30 in the business time zone (DEFAULT_TIMEZONE by default), minus Turkish public
 * holidays (date-holidays, country TR, type public: the national days plus Ramazan and Kurban
 * Bayramı). Arife days — the eve of both bayrams and 28 Ekim, the eve of Cumhuriyet Bayramı —
 * are half days: by Law 2429 the holiday starts at 13:00, so work ends then.
 *
 * Everything here is pure and cached: holidays per year, working windows per local day. The
 * SLA arithmetic loops over days, never minutes, so a million tickets cost seconds.
 */

export interface WorkingHoursOptions {
  /** IANA zone the working day is defined in (PANO_TIMEZONE). Default DEFAULT_TIMEZONE. */
  timezone?: string;
  /** Start of the working day, 'HH:MM'. Default '08:30'. */
  dayStart?: string;
  /** End of the working day, 'HH:MM'. Default '17:30'. */
  dayEnd?: string;
  /** End of work on an arife (half) day, 'HH:MM'. Default '13:00'. */
  halfDayEnd?: string;
  /** Days off every week as ISO weekdays (1 = Monday … 7 = Sunday). Default [6, 7]. */
  weekendDays?: number[];
  /** Extra closed days 'YYYY-MM-DD', e.g. an idari izin bridging day the government declares. */
  extraClosedDays?: string[];
  /** Count public holidays as closed. Default true; false gives a plain Mon–Fri calendar. */
  publicHolidays?: boolean;
}

export interface Holiday {
  /** Local date 'YYYY-MM-DD'. */
  date: string;
  /** Turkish name, e.g. 'Ramazan Bayramı (1. gün)', 'Cumhuriyet Bayramı Arifesi'. */
  name: string;
  /** True for arife days: a working morning, closed from `halfDayEnd`. */
  halfDay: boolean;
}

export interface CalendarDay {
  date: string;
  /** ISO weekday, 1 = Monday. */
  isoWeekday: number;
  /** True if any work happens that day (half days included). */
  isWorkingDay: boolean;
  /** Working hours that day under the calendar's options (9, 4.5 or 0 by default). */
  workingHours: number;
  holidayName: string | null;
  halfDay: boolean;
}

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
/** No calendar closes for ten years; beyond this something is misconfigured. */
const MAX_SEARCH_DAYS = 3660;

// ---------------------------------------------------------------------------------------------
// Holidays

const ISLAMIC_DAYS: Array<{ pattern: RegExp; days: number }> = [
  { pattern: /Shawwal/, days: 3 }, // Ramazan Bayramı: 1–3 Şevval
  { pattern: /Dhu al-Hijjah/, days: 4 }, // Kurban Bayramı: 10–13 Zilhicce
];
/** Rules whose eve is a half day besides the two bayrams. */
const ARIFE_RULES = new Set(['10-29']);

let holidaySource: Holidays | undefined;
const holidaysByYear = new Map<number, readonly Holiday[]>();
const holidayIndexByYear = new Map<number, ReadonlyMap<string, Holiday>>();

/**
 * Turkish public holidays of `year`, one row per local date, sorted — the rows of a calendar
 * table. Multi-day bayrams give one row per day; arife days are included with `halfDay: true`.
 * When a half day coincides with a full holiday the full holiday wins.
 */
export function turkishHolidays(year: number): Holiday[] {
  if (!Number.isInteger(year) || year < 1900 || year > 2200) throw new RangeError(`Year ${year} out of range`);
  let list = holidaysByYear.get(year);
  if (!list) {
    list = Object.freeze(computeHolidays(year));
    holidaysByYear.set(year, list);
  }
  return list.map((h) => ({ ...h }));
}

function computeHolidays(year: number): Holiday[] {
  holidaySource ??= new Holidays('TR', { languages: ['tr'], types: ['public'] });
  const byDate = new Map<string, Holiday[]>();
  const add = (date: string, name: string, halfDay: boolean) => {
    if (!date.startsWith(`${year}-`)) return;
    const list = byDate.get(date) ?? [];
    list.push({ date, name, halfDay });
    byDate.set(date, list);
  };
  // Bayrams near New Year can put an arife or a bayram day in the neighbouring year.
  for (const y of [year - 1, year, year + 1]) {
    for (const h of holidaySource.getHolidays(y, 'tr')) {
      if (h.type !== 'public') continue;
      const first = h.date.slice(0, 10);
      const islamic = ISLAMIC_DAYS.find((i) => i.pattern.test(h.rule));
      const days = islamic?.days ?? 1;
      for (let i = 0; i < days; i++) add(shiftDate(first, i), days > 1 ? `${h.name} (${i + 1}. gün)` : h.name, false);
      if (islamic || ARIFE_RULES.has(h.rule)) add(shiftDate(first, -1), `${h.name} Arifesi`, true);
    }
  }
  const out: Holiday[] = [];
  for (const [date, list] of byDate) {
    const full = list.filter((h) => !h.halfDay);
    const chosen = full.length ? full : list;
    out.push({ date, name: [...new Set(chosen.map((h) => h.name))].join(' / '), halfDay: full.length === 0 });
  }
  return out.sort((a, b) => a.date.localeCompare(b.date));
}

function holidayIndex(year: number): ReadonlyMap<string, Holiday> {
  let idx = holidayIndexByYear.get(year);
  if (!idx) {
    idx = new Map(turkishHolidays(year).map((h) => [h.date, h]));
    holidayIndexByYear.set(year, idx);
  }
  return idx;
}

// ---------------------------------------------------------------------------------------------
// The calendar

interface ResolvedOptions {
  timezone: string;
  startMin: number;
  endMin: number;
  halfEndMin: number;
  weekend: ReadonlySet<number>;
  extraClosed: ReadonlySet<string>;
  publicHolidays: boolean;
}

/** A working window [open, close) in epoch ms, or null for a closed day. */
type Window = readonly [number, number] | null;

export class WorkingCalendar {
  readonly options: Readonly<ResolvedOptions>;
  private readonly clock: ZoneClock;
  /** Local day number (days since 1970-01-01 in the zone) → working window. */
  private readonly windows = new Map<number, Window>();

  constructor(opts: WorkingHoursOptions = {}) {
    this.options = resolveOptions(opts);
    this.clock = zoneClock(this.options.timezone);
  }

  /** Local day number of an instant. */
  dayOf(ts: number): number {
    return Math.floor(this.clock.epochToLocal(ts) / DAY_MS);
  }

  /** The working window of a local day number; null when the day is closed. */
  window(day: number): Window {
    let w = this.windows.get(day);
    if (w === undefined) {
      w = this.computeWindow(day);
      if (this.windows.size > 500_000) this.windows.clear();
      this.windows.set(day, w);
    }
    return w;
  }

  /** Holiday (or half day) on a local date, if any. */
  holidayOn(date: string): Holiday | null {
    if (this.options.extraClosed.has(date)) return { date, name: 'Ek tatil', halfDay: false };
    if (!this.options.publicHolidays) return null;
    return holidayIndex(+date.slice(0, 4)).get(date) ?? null;
  }

  /** True if some work happens on the local day of `date` (an instant or a 'YYYY-MM-DD'). */
  isWorkingDay(date: Date | string): boolean {
    return this.window(this.dayNumber(date)) !== null;
  }

  /** Working hours (fractional) between two instants; 0 when `end` is not after `start`. */
  hoursBetween(start: Date | number, end: Date | number): number {
    return this.msBetween(toMs(start), toMs(end)) / HOUR_MS;
  }

  /** Working milliseconds between two epoch instants. */
  msBetween(a: number, b: number): number {
    if (!(b > a)) return 0;
    const lastDay = this.dayOf(b);
    let total = 0;
    for (let day = this.dayOf(a); day <= lastDay; day++) {
      const w = this.window(day);
      if (!w) continue;
      const from = a > w[0] ? a : w[0];
      const to = b < w[1] ? b : w[1];
      if (to > from) total += to - from;
    }
    return total;
  }

  /**
   * The instant `hours` working hours after `start` (an SLA due date). Time before opening,
   * after closing, at weekends and on holidays does not count; a due date that falls exactly
   * at closing time stays there rather than moving to the next morning.
   */
  addHours(start: Date | number, hours: number): Date {
    if (!Number.isFinite(hours) || hours < 0) throw new RangeError(`hours must be a finite number ≥ 0, got ${hours}`);
    return new Date(this.addMs(toMs(start), Math.round(hours * HOUR_MS)));
  }

  addMs(a: number, ms: number): number {
    if (ms <= 0) return a;
    let remaining = ms;
    const firstDay = this.dayOf(a);
    for (let day = firstDay; day < firstDay + MAX_SEARCH_DAYS; day++) {
      const w = this.window(day);
      if (!w) continue;
      const from = a > w[0] ? a : w[0];
      if (from >= w[1]) continue;
      const available = w[1] - from;
      if (remaining <= available) return from + remaining;
      remaining -= available;
    }
    throw new RangeError(`No working time within ${MAX_SEARCH_DAYS} days after ${new Date(a).toISOString()}`);
  }

  /** One row per local date from `from` to `to` inclusive ('YYYY-MM-DD'), for a calendar table. */
  days(from: string, to: string): CalendarDay[] {
    const a = this.dayNumber(from);
    const b = this.dayNumber(to);
    const out: CalendarDay[] = [];
    for (let day = a; day <= b; day++) {
      const date = dateOfDay(day);
      const w = this.window(day);
      const h = this.holidayOn(date);
      out.push({
        date,
        isoWeekday: isoWeekdayOfDay(day),
        isWorkingDay: w !== null,
        workingHours: w ? (w[1] - w[0]) / HOUR_MS : 0,
        holidayName: h?.name ?? null,
        halfDay: h?.halfDay ?? false,
      });
    }
    return out;
  }

  private dayNumber(date: Date | string): number {
    if (typeof date === 'string') {
      const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
      if (!m) throw new RangeError(`Expected a date 'YYYY-MM-DD', got "${date}"`);
      return Math.floor(Date.UTC(+m[1], +m[2] - 1, +m[3]) / DAY_MS);
    }
    const t = date.getTime();
    if (!Number.isFinite(t)) throw new RangeError('Invalid date');
    return this.dayOf(t);
  }

  private computeWindow(day: number): Window {
    const o = this.options;
    if (o.weekend.has(isoWeekdayOfDay(day))) return null;
    const h = this.holidayOn(dateOfDay(day));
    if (h && !h.halfDay) return null;
    const end = h?.halfDay ? Math.min(o.halfEndMin, o.endMin) : o.endMin;
    if (end <= o.startMin) return null;
    const midnight = day * DAY_MS;
    return [this.clock.localToEpoch(midnight + o.startMin * 60_000), this.clock.localToEpoch(midnight + end * 60_000)];
  }
}

function resolveOptions(opts: WorkingHoursOptions): ResolvedOptions {
  const startMin = parseHHMM(opts.dayStart ?? '08:30', 'dayStart');
  const endMin = parseHHMM(opts.dayEnd ?? '17:30', 'dayEnd');
  const halfEndMin = parseHHMM(opts.halfDayEnd ?? '13:00', 'halfDayEnd');
  if (endMin <= startMin) throw new RangeError(`dayEnd ${opts.dayEnd} must be after dayStart ${opts.dayStart ?? '08:30'}`);
  const weekend = new Set(opts.weekendDays ?? [6, 7]);
  for (const d of weekend) if (!Number.isInteger(d) || d < 1 || d > 7) throw new RangeError(`weekendDays: ${d} is not an ISO weekday 1–7`);
  for (const d of opts.extraClosedDays ?? []) {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(d)) throw new RangeError(`extraClosedDays: "${d}" is not 'YYYY-MM-DD'`);
  }
  return {
    timezone: opts.timezone ?? DEFAULT_TIMEZONE,
    startMin,
    endMin,
    halfEndMin,
    weekend,
    extraClosed: new Set(opts.extraClosedDays ?? []),
    publicHolidays: opts.publicHolidays ?? true,
  };
}

function parseHHMM(s: string, what: string): number {
  const m = /^(\d{1,2}):(\d{2})$/.exec(s);
  if (!m || +m[1] > 24 || +m[2] > 59 || +m[1] * 60 + +m[2] > 1440) throw new RangeError(`${what}: "${s}" is not a time 'HH:MM'`);
  return +m[1] * 60 + +m[2];
}

const calendars = new Map<string, WorkingCalendar>();

/** A shared calendar for these options (cached, so repeated calls reuse the per-day windows). */
export function workingCalendar(opts: WorkingHoursOptions = {}): WorkingCalendar {
  const key = JSON.stringify([
    opts.timezone ?? null,
    opts.dayStart ?? null,
    opts.dayEnd ?? null,
    opts.halfDayEnd ?? null,
    opts.weekendDays ?? null,
    opts.extraClosedDays ?? null,
    opts.publicHolidays ?? null,
  ]);
  let c = calendars.get(key);
  if (!c) {
    c = new WorkingCalendar(opts);
    if (calendars.size > 64) calendars.clear();
    calendars.set(key, c);
  }
  return c;
}

/** Working hours (fractional) between two instants, e.g. a ticket's opening and solving. */
export function workingHoursBetween(start: Date, end: Date, opts?: WorkingHoursOptions): number {
  return workingCalendar(opts).hoursBetween(start, end);
}

/** `start` plus `hours` working hours — the SLA due date of a ticket opened at `start`. */
export function addWorkingHours(start: Date, hours: number, opts?: WorkingHoursOptions): Date {
  return workingCalendar(opts).addHours(start, hours);
}

/** True if the local day (in `tz`) of `date` has working hours; arife half days count as working days. */
export function isWorkingDay(date: Date | string, tz: string | WorkingHoursOptions = DEFAULT_TIMEZONE): boolean {
  return workingCalendar(typeof tz === 'string' ? { timezone: tz } : tz).isWorkingDay(date);
}

/** Calendar-table rows for the local dates `from`…`to` inclusive ('YYYY-MM-DD'). */
export function calendarDays(from: string, to: string, opts?: WorkingHoursOptions): CalendarDay[] {
  return workingCalendar(opts).days(from, to);
}

// ---------------------------------------------------------------------------------------------

function toMs(d: Date | number): number {
  const t = typeof d === 'number' ? d : d.getTime();
  if (!Number.isFinite(t)) throw new RangeError('Invalid date');
  return t;
}

function dateOfDay(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

function isoWeekdayOfDay(day: number): number {
  // 1970-01-01 was a Thursday (ISO 4).
  return ((((day + 3) % 7) + 7) % 7) + 1;
}

function shiftDate(date: string, days: number): string {
  const t = Date.UTC(+date.slice(0, 4), +date.slice(5, 7) - 1, +date.slice(8, 10)) + days * DAY_MS;
  return new Date(t).toISOString().slice(0, 10);
}
