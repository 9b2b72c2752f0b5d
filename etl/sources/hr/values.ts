import type { Parsed } from '../../source.js';
import { foldText, show } from './text.js';

/**
 * Parsers for the values of HR exports, the same for CSV text, XLSX cells and database text.
 * Each returns a Parsed (etl/source.ts): `{ ok: true, value }` (null for an empty cell) or
 * `{ ok: false, reason }`; reasons quote the value masked (show()), so they can go into the quarantine
 * as they are.
 */

/** One cell as a reader hands it over. */
export type Cell = string | number | boolean | Date | null;

const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });
const fail = <T>(reason: string): Parsed<T> => ({ ok: false, reason });

export function isBlank(v: Cell | undefined): boolean {
  return v === null || v === undefined || (typeof v === 'string' && v.trim() === '');
}

export function cellText(v: Cell | undefined): string {
  if (v === null || v === undefined) return '';
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? '' : v.toISOString().slice(0, 10);
  return String(v).trim();
}

// ---------------------------------------------------------------------------------------------
// Dates

const DMY = /^(\d{1,2})[./-](\d{1,2})[./-](\d{4})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$/;
const YMD = /^(\d{4})-(\d{2})-(\d{2})(?:[ T]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}(?::?\d{2})?)?)?$/;
/** Excel's day 0 in the 1900 system (with its 1900 leap-year bug): serial 1 = 1900-01-01, 61 = 1900-03-01. */
const EXCEL_EPOCH_MS = Date.UTC(1899, 11, 30);

function isoDate(y: number, m: number, d: number): string | null {
  if (y < 1900 || y > 2100 || m < 1 || m > 12 || d < 1) return null;
  const t = Date.UTC(y, m - 1, d);
  if (new Date(t).getUTCDate() !== d) return null;
  return `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

/**
 * A calendar date as 'YYYY-MM-DD'. Accepts `dd.MM.yyyy` (also d.M.yyyy, `/` or `-`, with a time part
 * that is ignored), ISO `yyyy-MM-dd` (database text), an Excel date cell (a Date whose UTC fields are
 * the date), and an Excel serial number in a cell not formatted as a date. Two-digit years are refused:
 * '01.02.85' could be 1985 or 2085.
 */
export function parseDate(v: Cell | undefined, label: string): Parsed<string | null> {
  if (isBlank(v)) return ok(null);
  if (v instanceof Date) {
    if (Number.isNaN(v.getTime())) return fail(`${label} is not a valid date`);
    const s = isoDate(v.getUTCFullYear(), v.getUTCMonth() + 1, v.getUTCDate());
    return s ? ok(s) : fail(`${label} ${show(v)} is out of range (1900–2100)`);
  }
  if (typeof v === 'number') {
    if (!Number.isFinite(v) || v < 1 || v > 73050) return fail(`${label} ${show(v)} is not a date (dd.MM.yyyy)`);
    const d = new Date(EXCEL_EPOCH_MS + Math.floor(v) * 86_400_000);
    return ok(isoDate(d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate())!);
  }
  const s = String(v).trim();
  let m = DMY.exec(s);
  if (m) {
    const iso = isoDate(+m[3], +m[2], +m[1]);
    return iso ? ok(iso) : fail(`${label} ${show(s)} is not a real calendar date`);
  }
  m = YMD.exec(s);
  if (m) {
    const iso = isoDate(+m[1], +m[2], +m[3]);
    return iso ? ok(iso) : fail(`${label} ${show(s)} is not a real calendar date`);
  }
  if (/^\d{1,2}[./-]\d{1,2}[./-]\d{2}$/.test(s)) return fail(`${label} ${show(s)} has a two-digit year: write dd.MM.yyyy`);
  return fail(`${label} ${show(s)} is not a date (dd.MM.yyyy)`);
}

/** Days from a to b ('YYYY-MM-DD'), b − a. */
export function daysBetween(a: string, b: string): number {
  const t = (s: string) => Date.UTC(+s.slice(0, 4), +s.slice(5, 7) - 1, +s.slice(8, 10));
  return Math.round((t(b) - t(a)) / 86_400_000);
}

/** 'YYYY-MM-DD' → 'dd.MM.yyyy', for messages users read. */
export function trDate(iso: string): string {
  return `${iso.slice(8, 10)}.${iso.slice(5, 7)}.${iso.slice(0, 4)}`;
}

// ---------------------------------------------------------------------------------------------
// Numbers

/**
 * A decimal number, Turkish or not: '2,5' and '1.234,5' (decimal comma, dot thousands), '2.5'
 * (database text, English exports), '1.234.567' (thousands only), numbers from XLSX cells.
 * A single dot is a decimal point ('1.500' = 1,5): for hours and days that is the only plausible reading.
 */
export function parseDecimal(v: Cell | undefined, label: string): Parsed<number | null> {
  if (isBlank(v)) return ok(null);
  if (typeof v === 'number') return Number.isFinite(v) ? ok(v) : fail(`${label} ${show(v)} is not a number`);
  if (typeof v !== 'string') return fail(`${label} ${show(v)} is not a number`);
  let s = v.trim().replace(/[\s\u00a0]/g, '');
  if (/^-?\d+$/.test(s)) return ok(Number(s));
  if (s.includes(',') && s.includes('.')) {
    if (s.lastIndexOf(',') > s.lastIndexOf('.')) s = s.replace(/\./g, '').replace(',', '.');
    else s = s.replace(/,/g, '');
  } else if (s.includes(',')) {
    if ((s.match(/,/g) ?? []).length > 1) return fail(`${label} ${show(v)} is not a number`);
    s = s.replace(',', '.');
  } else if ((s.match(/\./g) ?? []).length > 1) {
    if (!/^-?\d{1,3}(\.\d{3})+$/.test(s)) return fail(`${label} ${show(v)} is not a number`);
    s = s.replace(/\./g, '');
  }
  if (!/^-?(\d+(\.\d*)?|\.\d+)$/.test(s)) return fail(`${label} ${show(v)} is not a number`);
  return ok(Number(s));
}

// ---------------------------------------------------------------------------------------------
// Employment type

export const EMPLOYMENT_TYPES = ['memur', 'kadrolu_isci', 'gecici_isci', 'sozlesmeli', 'hizmet_alimi'] as const;
export type EmploymentType = (typeof EMPLOYMENT_TYPES)[number];

export const EMPLOYMENT_TYPE_LABELS: Record<EmploymentType, string> = {
  memur: 'Memur',
  kadrolu_isci: 'Kadrolu işçi',
  gecici_isci: 'Geçici işçi',
  sozlesmeli: 'Sözleşmeli personel',
  hizmet_alimi: 'Hizmet alımı',
};

/** Folded spellings (foldText) → code. Law references: 657 DMK 4/A memur, 4/B sözleşmeli, 4/D sürekli işçi. */
const EMPLOYMENT_SPELLINGS: Record<string, EmploymentType> = {};
const addSpellings = (code: EmploymentType, list: string[]) => {
  for (const s of [code, code.replace('_', ' '), ...list]) EMPLOYMENT_SPELLINGS[foldText(s)] = code;
};
addSpellings('memur', [
  'Memur',
  'Memurlar',
  'Devlet Memuru',
  'Kadrolu Memur',
  'Belediye Memuru',
  'Memur (657 4/A)',
  '4/A',
  '657 4/A',
  '4-A',
  'Zabıta Memuru',
  'İtfaiye Eri',
]);
addSpellings('kadrolu_isci', [
  'Kadrolu İşçi',
  'Kadrolu Isci',
  'İşçi',
  'Daimi İşçi',
  'Sürekli İşçi',
  'Kadrolu Daimi İşçi',
  '4/D',
  '657 4/D',
  '4-D',
  'İşçi (Kadrolu)',
  'Kadrolu İşçiler',
]);
addSpellings('gecici_isci', [
  'Geçici İşçi',
  'Gecici Isci',
  'Mevsimlik İşçi',
  'Mevsimlik',
  'Geçici İşçi (Mevsimlik)',
  'İşçi (Geçici)',
  'Geçici',
  'Geçici İşçiler',
]);
addSpellings('sozlesmeli', [
  'Sözleşmeli',
  'Sözleşmeli Personel',
  'Sozlesmeli',
  'Sözleşmeli Memur',
  '4/B',
  '657 4/B',
  '4-B',
  'Tam Zamanlı Sözleşmeli',
  'Kısmi Zamanlı Sözleşmeli',
  'Sözleşmeli (5393/49)',
  '5393 49',
  'Sözleşmeli Sanatçı',
  'Sözleşmeli (Sanatçı)',
  'Sözleşmeli Bilişim Personeli',
]);
addSpellings('hizmet_alimi', [
  'Hizmet Alımı',
  'Hizmet Alimi',
  'Hizmet Alımı Personeli',
  'Hizmet Alım',
  'Şirket Personeli',
  'Şirket İşçisi',
  'Taşeron',
  'Taşeron İşçi',
  'Alt İşveren',
  'Alt İşveren İşçisi',
  'Hizmet Alımı (Şirket)',
]);

/**
 * The employment type code of a value as HR software writes it: any case, with or without Turkish
 * letters, the usual synonyms (İşçi = kadrolu işçi; Mevsimlik = geçici işçi; Şirket personeli /
 * taşeron = hizmet alımı) and the 657 DMK article numbers (4/A, 4/B, 4/D). 4/C (geçici personel)
 * is not one of the five and is refused.
 */
export function parseEmploymentType(v: Cell | undefined): Parsed<EmploymentType> {
  if (isBlank(v)) return fail('İstihdam Türü is empty');
  const key = foldText(cellText(v));
  const code = EMPLOYMENT_SPELLINGS[key];
  if (code) return ok(code);
  return fail(`İstihdam Türü ${show(v)} is not one of memur, kadrolu işçi, geçici işçi, sözleşmeli, hizmet alımı`);
}

// ---------------------------------------------------------------------------------------------
// Gender

export type Gender = 'K' | 'E';
export const GENDER_LABELS: Record<Gender, string> = { K: 'Kadın', E: 'Erkek' };
const GENDER_SPELLINGS: Record<string, Gender> = { k: 'K', kadin: 'K', bayan: 'K', f: 'K', female: 'K', e: 'E', erkek: 'E', bay: 'E', m: 'E', male: 'E' };

/** K/E, Kadın/Erkek (any case, with or without Turkish letters), Bay/Bayan, F/M. Empty → null (unknown). */
export function parseGender(v: Cell | undefined): Parsed<Gender | null> {
  if (isBlank(v)) return ok(null);
  const g = GENDER_SPELLINGS[foldText(cellText(v))];
  return g ? ok(g) : fail(`Cinsiyet ${show(v)} is not K/E (Kadın/Erkek)`);
}

// ---------------------------------------------------------------------------------------------
// Birth year

/**
 * A birth year: '1985', 1985, '1985,0', or a full birth date (dd.MM.yyyy or an Excel date), of
 * which only the year is kept (KVKK: the day of birth is not needed). Empty → null.
 */
export function parseBirthYear(v: Cell | undefined): Parsed<number | null> {
  if (isBlank(v)) return ok(null);
  if (v instanceof Date) return ok(v.getUTCFullYear());
  if (typeof v === 'number') {
    if (Number.isInteger(v) && v >= 1000 && v <= 9999) return ok(v);
    if (v >= 10000 && v <= 73050) {
      const d = parseDate(v, 'Doğum Yılı');
      if (d.ok && d.value) return ok(Number(d.value.slice(0, 4)));
    }
    return fail(`Doğum Yılı ${show(v)} is not a year`);
  }
  const s = cellText(v);
  const m = /^(\d{4})(?:[.,]0+)?$/.exec(s);
  if (m) return ok(Number(m[1]));
  const d = parseDate(s, 'Doğum Yılı');
  if (d.ok && d.value) return ok(Number(d.value.slice(0, 4)));
  return fail(`Doğum Yılı ${show(v)} is not a year`);
}

// ---------------------------------------------------------------------------------------------
// Leave type

export const LEAVE_TYPES = ['yillik', 'mazeret', 'hastalik', 'dogum', 'babalik', 'sut', 'ucretsiz', 'evlilik', 'olum', 'idari', 'diger'] as const;
export type LeaveType = (typeof LEAVE_TYPES)[number];

export const LEAVE_TYPE_LABELS: Record<LeaveType, string> = {
  yillik: 'Yıllık izin',
  mazeret: 'Mazeret izni',
  hastalik: 'Hastalık izni (rapor)',
  dogum: 'Doğum izni',
  babalik: 'Babalık izni',
  sut: 'Süt izni',
  ucretsiz: 'Ücretsiz izin',
  evlilik: 'Evlilik izni',
  olum: 'Ölüm izni',
  idari: 'İdari izin',
  diger: 'Diğer',
};

/** First folded word(s) of a leave type → code; checked in order. */
const LEAVE_RULES: Array<[RegExp, LeaveType]> = [
  [/\byillik\b/, 'yillik'],
  [/\b(hastalik|rapor|saglik)\b/, 'hastalik'],
  [/\b(dogum sonrasi|dogum oncesi|dogum izni|dogum|analik)\b/, 'dogum'],
  [/\b(babalik|esinin dogum)\b/, 'babalik'],
  [/\bsut\b/, 'sut'],
  [/\b(ucretsiz|aylıksiz|ayliksiz)\b/, 'ucretsiz'],
  [/\b(evlilik|evlenme)\b/, 'evlilik'],
  [/\b(olum|vefat)\b/, 'olum'],
  [/\bidari\b/, 'idari'],
  [/\bmazeret\b/, 'mazeret'],
];

/** A leave type as it is kept beside its code: the text, its white space made single spaces. */
export function leaveTypeLabel(v: Cell | undefined): string {
  return cellText(v).replace(/\s+/g, ' ');
}

/**
 * The leave type code (Yıllık izin → yillik, Rapor → hastalik …). An unfamiliar but non-empty type
 * is kept as 'diger' with its own text (no leave is lost for a new label); empty is refused.
 */
export function parseLeaveType(v: Cell | undefined): Parsed<{ code: LeaveType; label: string }> {
  if (isBlank(v)) return fail('İzin Türü is empty');
  const label = leaveTypeLabel(v);
  const key = foldText(label);
  for (const [re, code] of LEAVE_RULES) if (re.test(key)) return ok({ code, label });
  return ok({ code: 'diger', label });
}
