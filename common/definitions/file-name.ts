import { DateTime } from 'luxon';
import { getReport } from './reports/index.js';
import { DEFAULT_TIMEZONE } from './timezone.js';

const TURKISH_ASCII: Record<string, string> = {
  ı: 'i',
  İ: 'i',
  ş: 's',
  Ş: 's',
  ğ: 'g',
  Ğ: 'g',
  ç: 'c',
  Ç: 'c',
  ö: 'o',
  Ö: 'o',
  ü: 'u',
  Ü: 'u',
  â: 'a',
  î: 'i',
  û: 'u',
};

/** "Yardım Masası Haftalık" → "yardim-masasi-haftalik": ASCII, lower case, hyphens; safe in any mail client and file system. */
export function slugifyTr(text: string): string {
  return text
    .replace(/[ıİşŞğĞçÇöÖüÜâîû]/g, (c) => TURKISH_ASCII[c]!)
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

/**
 * The attachment's file name: the report's Turkish title without the word "Raporu", and the day in the
 * business timezone. reportFileName('helpdesk-weekly', Monday 05:00Z) → 'yardim-masasi-haftalik-2026-11-30.pdf'.
 * A date given as 'yyyy-MM-dd' is taken as is.
 */
export function reportFileName(reportId: string, date: Date | string, timezone = DEFAULT_TIMEZONE): string {
  const title = getReport(reportId)?.title.tr;
  const base = (title ? slugifyTr(title).replace(/-(raporu|rapor)$/, '') : '') || slugifyTr(reportId) || 'rapor';
  const day =
    typeof date === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(date)
      ? date
      : DateTime.fromJSDate(typeof date === 'string' ? new Date(date) : date, { zone: timezone }).toFormat('yyyy-MM-dd');
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) throw new RangeError(`Invalid date for a report file name: ${String(date)}`);
  return `${base}-${day}.pdf`;
}
