import iconv from 'iconv-lite';
import { TR_FOLD, turkishFold } from '../../../common/definitions/text.js';

/**
 * Reading numbers, dates and text the way Turkish exports write them: decimal commas with dot
 * thousands separators ("1.234,56"), `dd.MM.yyyy` dates, and files that are UTF-8 or windows-1254.
 * Pure functions; every failure is a `null` the caller turns into a reason naming the column and row.
 */

export type TextEncodingName = 'utf-8' | 'windows-1254';

const utf8Strict = new TextDecoder('utf-8', { fatal: true });

/**
 * Decodes a file's bytes: valid UTF-8 (with or without a BOM) is read as UTF-8; anything else is read
 * as windows-1254, the code page Turkish Windows and Excel use for "CSV". Pure ASCII is valid UTF-8.
 */
export function decodeText(bytes: Uint8Array): { text: string; encoding: TextEncodingName } {
  try {
    // TextDecoder drops a leading BOM by default.
    return { text: utf8Strict.decode(bytes), encoding: 'utf-8' };
  } catch {
    return { text: iconv.decode(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), 'win1254'), encoding: 'windows-1254' };
  }
}

const THOUSANDS_DOT = /^\d{1,3}(\.\d{3})+$/;
const PLAIN_NUMBER = /^\d+(\.\d+)?$/;
/** "1234", "-12,5": what the general path reads the same way (no thousands dots, at most one decimal comma). */
const SIMPLE_DECIMAL = /^-?\d+(,\d+)?$/;

/**
 * A Turkish-formatted decimal: "1.234,56" → 1234.56, "12,5" → 12.5, "1234" → 1234, "-3,20" → -3.2,
 * "3,20-" → -3.2, "(3,20)" → -3.2, "₺1.234,56" / "1.234,56 TL" → 1234.56. With a comma present, dots are
 * thousands separators. Without a comma, "1.234" (dot groups of three) is read as 1234, the Turkish
 * reading, while "12.50" is read as 12.5. Empty → null; anything else that is not a number → NaN.
 */
export function parseTrDecimal(value: unknown): number | null {
  if (value === null || value === undefined) return null;
  // Most values are plain "1234" or "12,50": read them without the general path's replacements.
  if (typeof value === 'string' && SIMPLE_DECIMAL.test(value)) return Number(value.replace(',', '.'));
  if (typeof value === 'number') return Number.isFinite(value) ? value : Number.NaN;
  let s = String(value).replace(/[\s\u00a0]+/g, '');
  if (s === '') return null;
  s = s.replace(/^(₺|TL|TRY)/i, '').replace(/(₺|TL|TRY)$/i, '');
  let negative = false;
  if (/^\(.*\)$/.test(s)) {
    negative = true;
    s = s.slice(1, -1);
  }
  if (s.startsWith('-')) {
    negative = !negative;
    s = s.slice(1);
  } else if (s.startsWith('+')) s = s.slice(1);
  else if (s.endsWith('-')) {
    negative = !negative;
    s = s.slice(0, -1);
  }
  if (s === '') return Number.NaN;
  let n: number;
  if (s.includes(',')) {
    const [intPart, frac, ...rest] = s.split(',');
    if (rest.length || !/^\d*$/.test(frac) || frac === '') return Number.NaN;
    if (!(intPart === '' || /^\d+$/.test(intPart) || THOUSANDS_DOT.test(intPart))) return Number.NaN;
    n = Number(`${intPart.replace(/\./g, '') || '0'}.${frac}`);
  } else if (THOUSANDS_DOT.test(s)) {
    n = Number(s.replace(/\./g, ''));
  } else if (PLAIN_NUMBER.test(s)) {
    n = Number(s);
  } else return Number.NaN;
  return negative ? -n : n;
}

const DATE_DOTTED = /^(\d{1,2})[./](\d{1,2})[./](\d{4})$/;
const DATE_ISO = /^(\d{4})-(\d{2})-(\d{2})$/;

/**
 * A calendar date as Turkish exports write it, `dd.MM.yyyy` (also `d.M.yyyy`, `dd/MM/yyyy`), or ISO
 * `yyyy-MM-dd`; a time part after a space is ignored ("01.11.2025 00:00:00"). Returns ISO `yyyy-MM-dd`,
 * `null` for an empty value, and `undefined` for something that is not a real date (31.02.2025, 2025/13/01).
 */
export function parseTrDate(value: unknown): string | null | undefined {
  if (value === null || value === undefined) return null;
  const s = String(value).trim().split(/\s+/)[0] ?? '';
  if (s === '') return null;
  let y: number, m: number, d: number;
  let hit = DATE_DOTTED.exec(s);
  if (hit) {
    d = +hit[1];
    m = +hit[2];
    y = +hit[3];
  } else if ((hit = DATE_ISO.exec(s))) {
    y = +hit[1];
    m = +hit[2];
    d = +hit[3];
  } else return undefined;
  return isoDate(y, m, d) ?? undefined;
}

/** `yyyy-MM-dd` for a real calendar date, else null. */
export function isoDate(y: number, m: number, d: number): string | null {
  if (y < 1900 || y > 2999 || m < 1 || m > 12 || d < 1) return null;
  const t = new Date(Date.UTC(y, m - 1, d));
  if (t.getUTCDate() !== d || t.getUTCMonth() !== m - 1) return null;
  return `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

const TURKISH_MONTHS = ['ocak', 'şubat', 'mart', 'nisan', 'mayıs', 'haziran', 'temmuz', 'ağustos', 'eylül', 'ekim', 'kasım', 'aralık'];
const ASCII_MONTHS = TURKISH_MONTHS.map((m) => foldKey(m));

/**
 * A billing month: "11.2025", "11/2025", "2025-11", "202511", "Kasım 2025", "KASIM-2025". Returns the
 * first day, `yyyy-MM-01`; null for empty; undefined when it is not a month.
 */
export function parseTrMonth(value: unknown): string | null | undefined {
  if (value === null || value === undefined) return null;
  const s = String(value).trim();
  if (s === '') return null;
  let m: RegExpExecArray | null;
  if ((m = /^(\d{1,2})[./-](\d{4})$/.exec(s))) return isoDate(+m[2], +m[1], 1) ?? undefined;
  if ((m = /^(\d{4})[./-]?(\d{2})$/.exec(s))) return isoDate(+m[1], +m[2], 1) ?? undefined;
  if ((m = /^([^\d\s./-]+)[\s./-]*(\d{4})$/.exec(s))) {
    const i = ASCII_MONTHS.indexOf(foldKey(m[1]));
    return i < 0 ? undefined : (isoDate(+m[2], i + 1, 1) ?? undefined);
  }
  return undefined;
}

/**
 * Folds a header or label for matching only: Turkish lower case, Turkish letters to ASCII, everything that
 * is not a letter or digit dropped. "Dönem Başlangıç" → "donembaslangic", "HİZMET NO:" → "hizmetno".
 * TR_FOLD.key in common/definitions/text.ts.
 */
export function foldKey(s: string): string {
  return turkishFold(s, TR_FOLD.key);
}

/** Rounds to kuruş (2 decimals), half away from zero, without binary-float surprises like 1.005 → 1.00. */
export function round2(n: number): number {
  const r = Math.round(Math.abs(n) * 100 + 1e-7) / 100;
  return n < 0 ? -r : r;
}
