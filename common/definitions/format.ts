/**
 * Turkish-first formatting shared by the portal and the PDFs: dates dd.MM.yyyy, decimal comma,
 * ₺ before the amount, % before the number. Pure code, no I/O.
 */
import { DEFAULT_TIMEZONE } from './timezone.js';

export function formatNumber(value: number | null | undefined, fractionDigits = 0): string {
  if (value == null || Number.isNaN(value)) return '–';
  return new Intl.NumberFormat('tr-TR', { minimumFractionDigits: fractionDigits, maximumFractionDigits: fractionDigits }).format(value);
}

export function formatPercent(value: number | null | undefined, fractionDigits = 1): string {
  if (value == null || Number.isNaN(value)) return '–';
  return `%${formatNumber(value, fractionDigits)}`;
}

export function formatMoney(value: number | null | undefined, fractionDigits = 2): string {
  if (value == null || Number.isNaN(value)) return '–';
  return `₺${formatNumber(value, fractionDigits)}`;
}

/** Working hours as "12,5 saat". */
export function formatHours(value: number | null | undefined, fractionDigits = 1): string {
  if (value == null || Number.isNaN(value)) return '–';
  return `${formatNumber(value, fractionDigits)} saat`;
}

function parts(date: Date, timezone: string, withTime: boolean): Record<string, string> {
  const fmt = new Intl.DateTimeFormat('tr-TR', {
    timeZone: timezone,
    day: '2-digit',
    month: '2-digit',
    year: 'numeric',
    ...(withTime ? { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' as const } : {}),
  });
  return Object.fromEntries(fmt.formatToParts(date).map((p) => [p.type, p.value]));
}

/** 28.11.2026 */
export function formatDate(date: Date | string | null | undefined, timezone = DEFAULT_TIMEZONE): string {
  if (date == null) return '–';
  const p = parts(new Date(date), timezone, false);
  return `${p.day}.${p.month}.${p.year}`;
}

/** 28.11.2026 14:05 */
export function formatDateTime(date: Date | string | null | undefined, timezone = DEFAULT_TIMEZONE): string {
  if (date == null) return '–';
  const p = parts(new Date(date), timezone, true);
  return `${p.day}.${p.month}.${p.year} ${p.hour}:${p.minute}`;
}

const MONTHS = ['Ocak', 'Şubat', 'Mart', 'Nisan', 'Mayıs', 'Haziran', 'Temmuz', 'Ağustos', 'Eylül', 'Ekim', 'Kasım', 'Aralık'];
const MONTHS_SHORT = ['Oca', 'Şub', 'Mar', 'Nis', 'May', 'Haz', 'Tem', 'Ağu', 'Eyl', 'Eki', 'Kas', 'Ara'];

/**
 * A Cube month bucket ("2026-11-01T00:00:00.000", local to the query timezone) as "Kas 2026" (short) or "Kasım 2026".
 * Cube returns local wall-clock times without an offset, so the string is read as is, not shifted.
 */
export function formatMonth(cubeLocal: string, short = true): string {
  const [y, m] = cubeLocal.slice(0, 7).split('-').map(Number);
  return `${(short ? MONTHS_SHORT : MONTHS)[m - 1]} ${y}`;
}

/** "Veriler 28.11.2026 03:00 itibarıyla" */
export function freshnessLine(dataAsOf: Date | string | null | undefined, timezone = DEFAULT_TIMEZONE): string {
  if (!dataAsOf) return 'Veri tazeliği bilinmiyor';
  return `Veriler ${formatDateTime(dataAsOf, timezone)} itibarıyla`;
}

/** Signed change as "+%12,3" / "−%4,0" against a previous value; "–" when there is nothing to compare. */
export function formatChange(current: number, previous: number): string {
  if (!previous) return '–';
  const pct = ((current - previous) / previous) * 100;
  const sign = pct > 0 ? '+' : pct < 0 ? '−' : '';
  return `${sign}%${formatNumber(Math.abs(pct), 1)}`;
}
