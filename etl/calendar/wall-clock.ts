import { IANAZone } from 'luxon';
import { DEFAULT_TIMEZONE } from '../../common/definitions/timezone.js';

/**
 * Fast conversion between UTC instants and local wall-clock strings ('YYYY-MM-DD HH:MM:SS')
 * in an IANA time zone. Source databases (GLPI's DATETIME/TIMESTAMP columns) hand us local
 * wall-clock text; the warehouse stores instants. Luxon answers the zone's offset, but each
 * answer costs microseconds, so offsets are cached per UTC day: with 1 M tickets × 6 datetimes
 * that is the difference between seconds and minutes.
 */

const DAY_MS = 86_400_000;
const MIN_MS = 60_000;

/** Matches 'YYYY-MM-DD HH:MM[:SS[.fff]]' (also with a 'T'). */
const WALL_CLOCK_RE = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?)?$/;

export class ZoneClock {
  readonly zone: string;
  private readonly iana: IANAZone;
  /** UTC day number → offset in minutes valid for the whole day, or NaN when the day has a transition. */
  private readonly dayOffsets = new Map<number, number>();

  constructor(zone: string) {
    if (!IANAZone.isValidZone(zone)) throw new RangeError(`Unknown time zone "${zone}"`);
    this.zone = zone;
    this.iana = IANAZone.create(zone);
  }

  /** UTC offset of the zone at instant `ts` (epoch ms), in minutes (Istanbul: 180). */
  offsetMinutes(ts: number): number {
    const day = Math.floor(ts / DAY_MS);
    let o = this.dayOffsets.get(day);
    if (o === undefined) {
      const a = this.iana.offset(day * DAY_MS);
      const b = this.iana.offset((day + 1) * DAY_MS - 1);
      o = a === b ? a : Number.NaN;
      if (this.dayOffsets.size > 200_000) this.dayOffsets.clear();
      this.dayOffsets.set(day, o);
    }
    return Number.isNaN(o) ? this.iana.offset(ts) : o;
  }

  /** Epoch ms of the local wall-clock time given as "local ms" (the wall clock read as if it were UTC). */
  localToEpoch(localMs: number): number {
    // Luxon's fixOffset: guess, correct once, and on a DST gap/overlap pick the earlier instant.
    const o = this.offsetMinutes(localMs);
    let utcGuess = localMs - o * MIN_MS;
    const o2 = this.offsetMinutes(utcGuess);
    if (o === o2) return utcGuess;
    utcGuess -= (o2 - o) * MIN_MS;
    const o3 = this.offsetMinutes(utcGuess);
    if (o2 === o3) return utcGuess;
    return localMs - Math.min(o2, o3) * MIN_MS;
  }

  /** The instant as local wall-clock "local ms" (its UTC fields are the local fields). */
  epochToLocal(ts: number): number {
    return ts + this.offsetMinutes(ts) * MIN_MS;
  }

  /** 'YYYY-MM-DD HH:MM:SS' in this zone (seconds truncated, like a DATETIME column). */
  format(ts: number | Date): string {
    const t = typeof ts === 'number' ? ts : ts.getTime();
    if (!Number.isFinite(t)) throw new RangeError('Invalid date');
    const d = new Date(this.epochToLocal(t));
    const y = d.getUTCFullYear();
    if (y < 0 || y > 9999) throw new RangeError(`Year ${y} out of range`);
    return `${pad(y, 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
  }

  /** 'YYYY-MM-DD' of the local day containing the instant. */
  formatDate(ts: number | Date): string {
    return this.format(ts).slice(0, 10);
  }

  /**
   * Parses a local wall-clock string into epoch ms; `null` when it is not a valid date-time
   * (including MySQL's zero date '0000-00-00 00:00:00').
   */
  parse(s: string): number | null {
    const local = parseWallClockToLocalMs(s);
    return local === null ? null : this.localToEpoch(local);
  }
}

/** The wall-clock fields read as UTC epoch ms, or null if `s` is not a real calendar date-time. */
export function parseWallClockToLocalMs(s: string): number | null {
  const m = WALL_CLOCK_RE.exec(s.trim());
  if (!m) return null;
  const y = +m[1],
    mo = +m[2],
    d = +m[3];
  const h = m[4] ? +m[4] : 0,
    mi = m[5] ? +m[5] : 0,
    sec = m[6] ? +m[6] : 0;
  const ms = m[7] ? Math.floor(+`0.${m[7]}` * 1000) : 0;
  if (y < 1 || mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || sec > 59) return null;
  const t = Date.UTC(y, mo - 1, d, h, mi, sec, ms);
  // Date.UTC maps years 0–99 to 1900–1999; those never occur in real data, reject them.
  if (y < 100) return null;
  if (new Date(t).getUTCDate() !== d) return null; // 2024-02-30 and the like
  return t;
}

const clocks = new Map<string, ZoneClock>();

/** A shared, cached ZoneClock for `zone`. Throws RangeError for an unknown zone. */
export function zoneClock(zone: string): ZoneClock {
  let c = clocks.get(zone);
  if (!c) {
    c = new ZoneClock(zone);
    clocks.set(zone, c);
  }
  return c;
}

/** Date → 'YYYY-MM-DD HH:MM:SS' local wall clock in `zone`. */
export function toWallClock(date: Date, zone = DEFAULT_TIMEZONE): string {
  return zoneClock(zone).format(date);
}

/** Local wall clock in `zone` → Date; null for empty, zero or invalid values. */
export function fromWallClock(s: string | null | undefined, zone = DEFAULT_TIMEZONE): Date | null {
  if (s === null || s === undefined || s === '') return null;
  const t = zoneClock(zone).parse(s);
  return t === null ? null : new Date(t);
}

function pad(n: number, w = 2): string {
  return String(n).padStart(w, '0');
}
