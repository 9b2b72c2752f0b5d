import { zoneClock } from '../../calendar/wall-clock.js';

/**
 * Value parsers for backup exports. Pure functions: each returns the value or a `ParseFailure`
 * whose `reason` says what was wrong, in words a user can act on.
 *
 * A file's *culture* is the Windows culture of the host that wrote it (PowerShell formats numbers
 * and dates with it): `en-US` (`7/27/2020 1:05:49 PM`, `1.88`), `tr-TR` (`27.07.2020 13:05:49`,
 * `1,88`), or `iso` (the Enterprise Manager API export: ISO-8601 UTC times and byte counts).
 */
export type Culture = 'en-US' | 'tr-TR' | 'iso';

export interface ParseFailure {
  fail: string;
}
export const isFailure = (v: unknown): v is ParseFailure => typeof v === 'object' && v !== null && 'fail' in v;

const EN_US_DATE = /^(\d{1,2})\/(\d{1,2})\/(\d{4})\s+(\d{1,2}):(\d{2})(?::(\d{2}))?(?:\.(\d{1,7}))?\s*([AaPp])\.?\s*[Mm]\.?$/;
const TR_DATE = /^(\d{1,2})\.(\d{1,2})\.(\d{4})\s+(\d{1,2}):(\d{2})(?::(\d{2}))?(?:[.,](\d{1,7}))?$/;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:?\d{2})?$/i;
const SLASH_24H = /^\d{1,2}\/\d{1,2}\/\d{4}\s+\d{1,2}:\d{2}/;

/** The culture a date value was written in, or null when it is none Pano reads. */
export function cultureOfDate(value: string): Culture | null {
  const v = value.trim();
  if (ISO_DATE.test(v)) return 'iso';
  if (EN_US_DATE.test(v)) return 'en-US';
  if (TR_DATE.test(v)) return 'tr-TR';
  return null;
}

/** Why a date value is not readable, for a file-level error. */
export function describeUnreadableDate(value: string): string {
  const v = value.trim();
  if (SLASH_24H.test(v)) {
    return `date "${v}" uses slashes without AM/PM (a day-first en-GB style?); Pano reads en-US "M/d/yyyy h:mm:ss AM/PM", Turkish "dd.MM.yyyy HH:mm:ss" and ISO 8601`;
  }
  return `"${v}" is not a date Pano reads (en-US "M/d/yyyy h:mm:ss AM/PM", Turkish "dd.MM.yyyy HH:mm:ss" or ISO 8601)`;
}

/**
 * A date-time value as epoch ms. Local (en-US, tr-TR) values are wall-clock times of `timezone`
 * (the Veeam server's zone); ISO values carry their own offset (`Z`), or are read in `timezone`
 * when they carry none. Empty → null.
 */
export function parseDateTime(value: string | undefined, culture: Culture, timezone: string, column: string): number | null | ParseFailure {
  const v = (value ?? '').trim();
  if (v === '') return null;
  let y: number, mo: number, d: number, h: number, mi: number, s: number, frac: string | undefined;
  let m = ISO_DATE.exec(v);
  if (m) {
    [y, mo, d, h, mi, s] = [+m[1], +m[2], +m[3], +m[4], +m[5], m[6] ? +m[6] : 0];
    frac = m[7];
    const zone = m[8];
    const local = checkedUtc(y, mo, d, h, mi, s, frac);
    if (local === null) return { fail: `${column} "${v}" is not a real date-time` };
    if (!zone) return zoneClock(timezone).localToEpoch(local);
    if (zone.toUpperCase() === 'Z') return local;
    const zm = /^([+-])(\d{2}):?(\d{2})$/.exec(zone)!;
    const off = (zm[1] === '-' ? -1 : 1) * (+zm[2] * 60 + +zm[3]);
    return local - off * 60_000;
  }
  if (culture === 'en-US' || culture === 'iso') {
    m = EN_US_DATE.exec(v);
    if (m) {
      [mo, d, y, h, mi, s] = [+m[1], +m[2], +m[3], +m[4], +m[5], m[6] ? +m[6] : 0];
      frac = m[7];
      const pm = m[8].toUpperCase() === 'P';
      if (h < 1 || h > 12) return { fail: `${column} "${v}": hour ${h} is not a 12-hour clock hour` };
      h = (h % 12) + (pm ? 12 : 0);
      const local = checkedUtc(y, mo, d, h, mi, s, frac);
      if (local === null) return { fail: `${column} "${v}" is not a real date-time (en-US month/day/year)` };
      return zoneClock(timezone).localToEpoch(local);
    }
  }
  if (culture === 'tr-TR' || culture === 'iso') {
    m = TR_DATE.exec(v);
    if (m) {
      [d, mo, y, h, mi, s] = [+m[1], +m[2], +m[3], +m[4], +m[5], m[6] ? +m[6] : 0];
      frac = m[7];
      const local = checkedUtc(y, mo, d, h, mi, s, frac);
      if (local === null) return { fail: `${column} "${v}" is not a real date-time (day.month.year)` };
      return zoneClock(timezone).localToEpoch(local);
    }
  }
  const expected =
    culture === 'tr-TR'
      ? 'dd.MM.yyyy HH:mm:ss like the rest of the file'
      : culture === 'en-US'
        ? 'M/d/yyyy h:mm:ss AM/PM like the rest of the file'
        : 'ISO 8601';
  return { fail: `${column} "${v}" is not a date-time in the file's format (${expected})` };
}

function checkedUtc(y: number, mo: number, d: number, h: number, mi: number, s: number, frac?: string): number | null {
  if (y < 1970 || y > 9999 || mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || s > 59) return null;
  const ms = frac ? Math.floor(Number(`0.${frac}`) * 1000) : 0;
  const t = Date.UTC(y, mo - 1, d, h, mi, s, ms);
  if (new Date(t).getUTCDate() !== d) return null; // 31.09., 2/30 …
  return t;
}

const EN_NUMBER = /^[-+]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?$/;
const TR_NUMBER = /^[-+]?(?:\d{1,3}(?:\.\d{3})+|\d+)(?:,\d+)?$/;

/** A decimal in the file's culture: `1,234.5` (en-US) or `1.234,5` (tr-TR). Empty → null. */
export function parseDecimal(value: string | undefined, culture: Culture, column: string): number | null | ParseFailure {
  const v = (value ?? '').trim();
  if (v === '') return null;
  if (culture === 'tr-TR') {
    if (TR_NUMBER.test(v)) return Number(v.replace(/\./g, '').replace(',', '.'));
  } else if (EN_NUMBER.test(v)) {
    return Number(v.replace(/,/g, ''));
  }
  const example = culture === 'tr-TR' ? '1.234,56' : '1,234.56';
  return { fail: `${column} "${v}" is not a number (expected ${example} in this file)` };
}

/** A whole, non-negative byte count (`58987184128`). Empty → null. */
export function parseByteCount(value: string | undefined, column: string): number | null | ParseFailure {
  const v = (value ?? '').trim();
  if (v === '') return null;
  if (!/^\d+$/.test(v)) return { fail: `${column} "${v}" is not a byte count (a whole number of bytes)` };
  const n = Number(v);
  if (!Number.isSafeInteger(n)) return { fail: `${column} "${v}" is too large` };
  return n;
}

const GIB = 1024 ** 3;

/** A size in GB (PowerShell's 1GB = 1024³ bytes, as Veeam's report script divides by) → bytes. */
export function parseGigabytes(value: string | undefined, culture: Culture, column: string): number | null | ParseFailure {
  const n = parseDecimal(value, culture, column);
  if (n === null || isFailure(n)) return n;
  if (n < 0) return { fail: `${column} "${value}" is negative` };
  return Math.round(n * GIB);
}

const UNIT_POWER: Record<string, number> = { B: 0, KB: 1, MB: 2, GB: 3, TB: 4, PB: 5, KIB: 1, MIB: 2, GIB: 3, TIB: 4, PIB: 5 };
const SIZE_RE = /^([-+]?[\d.,]+)\s*([KMGTP]?I?B)$/i;

/**
 * A human size as Veeam prints it (`30 GB`, `9.18 GB`, `17,04 MB`, `64 B`) → bytes. Veeam's units are
 * binary (1 KB = 1024 B), whatever they are called.
 */
export function parseHumanSize(value: string | undefined, culture: Culture, column: string): number | null | ParseFailure {
  const v = (value ?? '').trim();
  if (v === '') return null;
  const m = SIZE_RE.exec(v);
  const power = m ? UNIT_POWER[m[2].toUpperCase()] : undefined;
  if (!m || power === undefined) return { fail: `${column} "${v}" is not a size (expected e.g. "30 GB", "17.04 MB", "64 B")` };
  const n = parseDecimal(m[1], culture, column);
  if (n === null) return null;
  if (isFailure(n)) return { fail: `${column} "${v}" is not a size (number part "${m[1]}" does not fit the file's culture)` };
  if (n < 0) return { fail: `${column} "${v}" is negative` };
  return Math.round(n * 1024 ** power);
}

/** A ratio like `3.3x` or `1,62x` → 3.3. Empty → null. */
export function parseRatio(value: string | undefined, culture: Culture, column: string): number | null | ParseFailure {
  const v = (value ?? '').trim();
  if (v === '') return null;
  const m = /^([\d.,]+)\s*x$/i.exec(v);
  if (!m) return { fail: `${column} "${v}" is not a ratio (expected e.g. "1.5x")` };
  const n = parseDecimal(m[1], culture, column);
  if (n === null || isFailure(n)) return { fail: `${column} "${v}" is not a ratio (expected e.g. "1.5x")` };
  return n;
}

const TIMESPAN = /^(-)?(?:(\d+)[.:])?(\d{1,2}):(\d{2}):(\d{2})(?:[.,](\d{1,7}))?$/;

/** A .NET TimeSpan (`00:01:35.8830000`, `1.02:03:04`, culture form `0:01:35,883`) → seconds. Empty → null. */
export function parseTimeSpan(value: string | undefined, column: string): number | null | ParseFailure {
  const v = (value ?? '').trim();
  if (v === '') return null;
  const m = TIMESPAN.exec(v);
  if (!m || +m[4] > 59 || +m[5] > 59 || +m[3] > 23) return { fail: `${column} "${v}" is not a duration (expected hh:mm:ss like 00:01:35.8830000)` };
  if (m[1]) return { fail: `${column} "${v}" is negative` };
  const secs = (m[2] ? +m[2] : 0) * 86400 + +m[3] * 3600 + +m[4] * 60 + +m[5] + (m[6] ? Number(`0.${m[6]}`) : 0);
  return Math.round(secs * 1000) / 1000;
}
