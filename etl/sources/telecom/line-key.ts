/**
 * One key per telephone line, however a system writes its number. Operators, the e-Fatura, the line
 * registry and people write the same line as "0216 564 12 34", "+90 216 5641234", "905325641234",
 * "(0532) 564-12-34" or "2165641234"; all of these become the 10-digit national number "2165641234".
 *
 * Numbers that are not telephone numbers (a Türk Telekom hizmet no, a TTVPN circuit id, an abone no)
 * keep their digits (or upper-case letters and digits) as they are, so the registry and the invoices,
 * read through this same function, still meet on the same key.
 */

/** A Turkish national number: area codes start with 2, 3 or 4, mobile with 5, non-geographic with 8. */
const NATIONAL = /^[2-58]\d{9}$/;

export type LineKeyKind = 'phone' | 'number' | 'code';

export interface LineKey {
  key: string;
  kind: LineKeyKind;
}

/** The line's key, or null when the value holds no digits or letters at all. */
export function normalizeLineKey(value: unknown): string | null {
  return parseLineKey(value)?.key ?? null;
}

export function parseLineKey(value: unknown): LineKey | null {
  if (value === null || value === undefined) return null;
  const s = String(value).normalize('NFC').trim();
  if (s === '') return null;
  const compact = s.replace(/[\s\u00a0()\-./]+/g, '');
  if (compact === '') return null;
  const m = /^(\+|00)?(\d+)$/.exec(compact);
  if (!m) {
    const code = compact
      .toLocaleUpperCase('tr-TR')
      .replace(/[ÇĞİÖŞÜ]/g, (ch) => ({ Ç: 'C', Ğ: 'G', İ: 'I', Ö: 'O', Ş: 'S', Ü: 'U' })[ch] ?? ch)
      .replace(/[^A-Z0-9]/g, '');
    return code ? { key: code, kind: 'code' } : null;
  }
  const international = m[1] !== undefined;
  let digits = m[2];
  if (international) {
    // +90 216 …, 0090 216 …: a Turkish number in international form.
    if (digits.startsWith('90') && NATIONAL.test(digits.slice(2))) return { key: digits.slice(2), kind: 'phone' };
    return { key: digits, kind: 'number' };
  }
  if (digits.length === 12 && digits.startsWith('90') && NATIONAL.test(digits.slice(2))) digits = digits.slice(2);
  else if (digits.length === 11 && digits.startsWith('0') && NATIONAL.test(digits.slice(1))) digits = digits.slice(1);
  return { key: digits, kind: NATIONAL.test(digits) ? 'phone' : 'number' };
}

/** How people read a line key: "0216 564 12 34" for telephone numbers, the key itself otherwise. */
export function formatLineKey(key: string): string {
  if (!NATIONAL.test(key)) return key;
  return `0${key.slice(0, 3)} ${key.slice(3, 6)} ${key.slice(6, 8)} ${key.slice(8)}`;
}
