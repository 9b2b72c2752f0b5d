import type { Validated } from '../../source.js';
import type { Column } from '../../warehouse/duckdb.js';
import type { HrRecord } from './records.js';
import { foldText, maskDigitRuns, show } from './text.js';
import { resolveHrUnit, type HrUnitMap } from './units.js';
import {
  cellText,
  daysBetween,
  leaveTypeLabel,
  parseBirthYear,
  parseDate,
  parseDecimal,
  parseEmploymentType,
  parseGender,
  parseLeaveType,
  trDate,
} from './values.js';

/**
 * Row rules of the three HR streams: an HrRecord becomes the landed raw row, or is refused with every
 * problem in one reason. Validators are stateful for one run only (a new one per run): they remember
 * rows already accepted to refuse duplicates, and count refusals by kind for the quality checks.
 * Calendar dates land as 'YYYY-MM-DD' text (the warehouse writer has no DATE type); marts cast them.
 */

export const PERSONNEL_COLUMNS: Column[] = [
  { name: 'person_key', type: 'VARCHAR' },
  { name: 'unit_code', type: 'VARCHAR' },
  { name: 'unit_as_exported', type: 'VARCHAR' },
  { name: 'title', type: 'VARCHAR' },
  { name: 'employment_type', type: 'VARCHAR' },
  { name: 'employment_type_as_exported', type: 'VARCHAR' },
  { name: 'start_date', type: 'VARCHAR' },
  { name: 'end_date', type: 'VARCHAR' },
  { name: 'gender', type: 'VARCHAR' },
  { name: 'birth_year', type: 'INTEGER' },
  { name: 'weekly_hours', type: 'DOUBLE' },
  { name: 'source_ref', type: 'VARCHAR' },
];

export const TRAINING_COLUMNS: Column[] = [
  { name: 'person_key', type: 'VARCHAR' },
  { name: 'course', type: 'VARCHAR' },
  { name: 'hours', type: 'DOUBLE' },
  { name: 'training_date', type: 'VARCHAR' },
  { name: 'source_ref', type: 'VARCHAR' },
];

export const LEAVE_COLUMNS: Column[] = [
  { name: 'person_key', type: 'VARCHAR' },
  { name: 'leave_type', type: 'VARCHAR' },
  { name: 'leave_type_as_exported', type: 'VARCHAR' },
  { name: 'start_date', type: 'VARCHAR' },
  { name: 'end_date', type: 'VARCHAR' },
  { name: 'days', type: 'DOUBLE' },
  { name: 'source_ref', type: 'VARCHAR' },
];

/** Why rows were refused, counted per run for the quality checks. */
export type RefusalKind = 'structure' | 'tckn' | 'unit' | 'values' | 'duplicate' | 'person_unknown' | 'person_refused';

export class RefusalStats {
  readonly counts: Record<RefusalKind, number> = { structure: 0, tckn: 0, unit: 0, values: 0, duplicate: 0, person_unknown: 0, person_refused: 0 };
  /** Unit texts that did not resolve, with counts (masked). */
  readonly unknownUnits = new Map<string, number>();
  add(kind: RefusalKind): void {
    this.counts[kind]++;
  }
}

/** The first and last birth years accepted: 1920, and 14 years before the start date. */
export const MIN_BIRTH_YEAR = 1920;
export const MIN_AGE_AT_START = 14;
export const MAX_TRAINING_HOURS = 1000;
export const MAX_WEEKLY_HOURS = 80;

type Collector = { problems: string[]; kinds: Set<RefusalKind> };

function start(rec: HrRecord): Collector {
  const c: Collector = { problems: [], kinds: new Set() };
  if (rec.problem) {
    c.problems.push(rec.problem);
    c.kinds.add('structure');
  }
  if (!rec.person_key) {
    c.problems.push(rec.tckn_error ?? 'TC Kimlik No is missing');
    c.kinds.add('tckn');
  }
  return c;
}

function refuse(c: Collector, stats: RefusalStats): Validated {
  for (const k of c.kinds) stats.add(k);
  return { ok: false, reason: maskDigitRuns(c.problems.join('; ')) };
}

function text(v: unknown, max = 200): string | null {
  const s = cellText(v as never).replace(/\s+/g, ' ');
  return s ? s.slice(0, max) : null;
}

/** A coded cell in Pano's words: the column map's translation when it has one, else the cell as exported. */
function word(rec: HrRecord, field: 'employment_type' | 'gender' | 'leave_type') {
  return rec.mapped?.[field] ?? rec.values[field];
}

/** A person as the personnel stream left them: accepted (with their row) or refused (where). */
export type PersonStatus = { ok: true } | { ok: false; ref: string };

/** A 53-bit hash of a string (two 32-bit multiplicative mixes, combined). */
function hash53(s: string): number {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < s.length; i++) {
    const ch = s.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}

/**
 * The row keys one run has accepted, kept compactly for duplicate detection at a million rows: a
 * 53-bit hash of the key → the first row's locator (file part interned, line number as a number),
 * about 40 bytes a row instead of two strings. A false duplicate needs two different keys with the
 * same 53-bit hash: about one chance in 20 000 at a million rows, and the reason names the row it
 * was taken for.
 */
export class SeenKeys {
  private readonly map = new Map<number, number>();
  private readonly prefixes: string[] = [];
  private readonly prefixIndex = new Map<string, number>();

  get size(): number {
    return this.map.size;
  }

  /** The locator of the first row with this key, or undefined. */
  get(key: string): string | undefined {
    const v = this.map.get(hash53(key));
    if (v === undefined) return undefined;
    const low = v % 4294967296;
    return this.prefixes[Math.floor(v / 4294967296)] + (low ? String(low - 1) : '');
  }

  set(key: string, ref: string): void {
    const m = /^(.*?)(\d{1,9})$/.exec(ref);
    const prefix = m ? m[1] : ref;
    let idx = this.prefixIndex.get(prefix);
    if (idx === undefined) {
      idx = this.prefixes.length;
      this.prefixes.push(prefix);
      this.prefixIndex.set(prefix, idx);
    }
    this.map.set(hash53(key), idx * 4294967296 + (m ? Number(m[2]) + 1 : 0));
  }
}

/** Personnel rows: one row per employment period of a person (a re-hire is a second row). */
export class PersonnelValidator {
  readonly stats = new RefusalStats();
  /** Persons seen with a valid TC Kimlik No: accepted, or refused (with the row's locator). */
  readonly persons = new Map<string, PersonStatus>();
  private readonly seen = new SeenKeys();

  constructor(private readonly unitMap: HrUnitMap) {}

  validate(rec: HrRecord): Validated {
    const c = start(rec);
    const v = rec.values;
    const unit = resolveHrUnit(v.unit, this.unitMap);
    if (!unit.ok) {
      c.problems.push(unit.reason);
      c.kinds.add('unit');
      const name = maskDigitRuns(cellText(v.unit ?? null)) || '(empty)';
      this.stats.unknownUnits.set(name, (this.stats.unknownUnits.get(name) ?? 0) + 1);
    }
    const type = parseEmploymentType(word(rec, 'employment_type'));
    const startDate = parseDate(v.start_date, 'İşe Başlama');
    const endDate = parseDate(v.end_date, 'Ayrılış');
    const gender = parseGender(word(rec, 'gender'));
    const birth = parseBirthYear(v.birth_year);
    const hours = parseDecimal(v.weekly_hours, 'Haftalık Çalışma Saati');
    for (const p of [type, startDate, endDate, gender, birth, hours]) if (!p.ok) (c.problems.push(p.reason), c.kinds.add('values'));
    if (startDate.ok && startDate.value === null) (c.problems.push('İşe Başlama is empty'), c.kinds.add('values'));
    const sd = startDate.ok ? startDate.value : null;
    const ed = endDate.ok ? endDate.value : null;
    if (sd && ed && ed < sd) (c.problems.push(`Ayrılış ${trDate(ed)} is before İşe Başlama ${trDate(sd)}`), c.kinds.add('values'));
    if (birth.ok && birth.value !== null) {
      const latest = sd ? Number(sd.slice(0, 4)) - MIN_AGE_AT_START : 2100;
      if (birth.value < MIN_BIRTH_YEAR || birth.value > latest) {
        c.problems.push(`Doğum Yılı ${birth.value} is not plausible${sd ? ` for a start on ${trDate(sd)}` : ''} (expected ${MIN_BIRTH_YEAR}–${latest})`);
        c.kinds.add('values');
      }
    }
    if (hours.ok && hours.value !== null && !(hours.value > 0 && hours.value <= MAX_WEEKLY_HOURS)) {
      c.problems.push(`Haftalık Çalışma Saati ${show(v.weekly_hours)} is outside 0–${MAX_WEEKLY_HOURS}`);
      c.kinds.add('values');
    }
    if (rec.person_key && sd) {
      const key = `${rec.person_key}|${sd}`;
      const first = this.seen.get(key);
      if (first && !c.problems.length) {
        c.problems.push(`the same person with the same İşe Başlama is already at ${first}`);
        c.kinds.add('duplicate');
      }
    }
    if (c.problems.length) {
      if (rec.person_key && !this.persons.get(rec.person_key)?.ok) this.persons.set(rec.person_key, { ok: false, ref: rec.ref });
      return refuse(c, this.stats);
    }
    this.seen.set(`${rec.person_key}|${sd}`, rec.ref);
    this.persons.set(rec.person_key!, { ok: true });
    return {
      ok: true,
      row: {
        person_key: rec.person_key,
        unit_code: unit.ok ? unit.value : null,
        unit_as_exported: text(v.unit),
        title: text(v.title),
        employment_type: type.ok ? type.value : null,
        employment_type_as_exported: text(v.employment_type),
        start_date: sd,
        end_date: ed,
        gender: gender.ok ? gender.value : null,
        birth_year: birth.ok ? birth.value : null,
        weekly_hours: hours.ok ? hours.value : null,
        source_ref: rec.ref,
      },
    };
  }
}

function personProblem(rec: HrRecord, persons: ReadonlyMap<string, PersonStatus>, c: Collector): void {
  if (!rec.person_key) return;
  const p = persons.get(rec.person_key);
  if (!p) {
    c.problems.push('the person is not in the personnel export (no personnel row with this TC Kimlik No)');
    c.kinds.add('person_unknown');
  } else if (!p.ok) {
    c.problems.push(`the person's personnel row (${p.ref}) was refused, see its quarantine entry`);
    c.kinds.add('person_refused');
  }
}

/** Training rows (hizmet içi eğitim): one row per person per course per date. */
export class TrainingValidator {
  readonly stats = new RefusalStats();
  private readonly seen = new SeenKeys();
  constructor(readonly persons: ReadonlyMap<string, PersonStatus>) {}

  validate(rec: HrRecord): Validated {
    const c = start(rec);
    const v = rec.values;
    const course = text(v.course, 300);
    if (!course) (c.problems.push('Eğitim Adı is empty'), c.kinds.add('values'));
    const hours = parseDecimal(v.hours, 'Süre (Saat)');
    const date = parseDate(v.date, 'Eğitim Tarihi');
    for (const p of [hours, date]) if (!p.ok) (c.problems.push(p.reason), c.kinds.add('values'));
    if (hours.ok && (hours.value === null || !(hours.value > 0 && hours.value <= MAX_TRAINING_HOURS))) {
      c.problems.push(hours.value === null ? 'Süre (Saat) is empty' : `Süre (Saat) ${show(v.hours)} is outside 0–${MAX_TRAINING_HOURS}`);
      c.kinds.add('values');
    }
    if (date.ok && date.value === null) (c.problems.push('Eğitim Tarihi is empty'), c.kinds.add('values'));
    personProblem(rec, this.persons, c);
    const key = `${rec.person_key}|${course ? foldText(course) : ''}|${date.ok ? date.value : ''}`;
    const first = c.problems.length ? undefined : this.seen.get(key);
    if (first) {
      c.problems.push(`the same person, course and date is already at ${first}`);
      c.kinds.add('duplicate');
    }
    if (c.problems.length) return refuse(c, this.stats);
    this.seen.set(key, rec.ref);
    return {
      ok: true,
      row: { person_key: rec.person_key, course, hours: hours.ok ? hours.value : null, training_date: date.ok ? date.value : null, source_ref: rec.ref },
    };
  }
}

/** Leave rows: one row per person per leave type per start date. */
export class LeaveValidator {
  readonly stats = new RefusalStats();
  private readonly seen = new SeenKeys();
  constructor(readonly persons: ReadonlyMap<string, PersonStatus>) {}

  validate(rec: HrRecord): Validated {
    const c = start(rec);
    const v = rec.values;
    const type = parseLeaveType(word(rec, 'leave_type'));
    const sd = parseDate(v.start_date, 'Başlangıç');
    const ed = parseDate(v.end_date, 'Bitiş');
    const days = parseDecimal(v.days, 'Gün');
    for (const p of [type, sd, ed, days]) if (!p.ok) (c.problems.push(p.reason), c.kinds.add('values'));
    if (sd.ok && sd.value === null) (c.problems.push('Başlangıç is empty'), c.kinds.add('values'));
    if (ed.ok && ed.value === null) (c.problems.push('Bitiş is empty'), c.kinds.add('values'));
    const s = sd.ok ? sd.value : null;
    const e = ed.ok ? ed.value : null;
    if (s && e && e < s) (c.problems.push(`Bitiş ${trDate(e)} is before Başlangıç ${trDate(s)}`), c.kinds.add('values'));
    if (days.ok) {
      if (days.value === null) (c.problems.push('Gün is empty'), c.kinds.add('values'));
      else if (!(days.value > 0)) (c.problems.push(`Gün ${show(v.days)} must be more than 0`), c.kinds.add('values'));
      else if (s && e && e >= s && days.value > daysBetween(s, e) + 1) {
        c.problems.push(`Gün ${show(v.days)} is more than the ${daysBetween(s, e) + 1} calendar days from ${trDate(s)} to ${trDate(e)}`);
        c.kinds.add('values');
      }
    }
    personProblem(rec, this.persons, c);
    const key = `${rec.person_key}|${type.ok ? type.value.code : ''}|${s}`;
    const first = c.problems.length ? undefined : this.seen.get(key);
    if (first) {
      c.problems.push(`the same person, leave type and Başlangıç is already at ${first}`);
      c.kinds.add('duplicate');
    }
    if (c.problems.length) return refuse(c, this.stats);
    this.seen.set(key, rec.ref);
    return {
      ok: true,
      row: {
        person_key: rec.person_key,
        leave_type: type.ok ? type.value.code : null,
        // the label as the export writes it (a column map translates the code's word only)
        leave_type_as_exported: type.ok ? (rec.mapped?.leave_type === undefined ? type.value.label : leaveTypeLabel(v.leave_type)) : null,
        start_date: s,
        end_date: e,
        days: days.ok ? days.value : null,
        source_ref: rec.ref,
      },
    };
  }
}
