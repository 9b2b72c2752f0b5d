/**
 * Text helpers of the HR source: Turkish-aware folding (for comparing names and headers only,
 * never for building keys) and masking of long digit runs (KVKK: a TC Kimlik No, even a wrong or
 * truncated one, never leaves the extractor in clear).
 */
import { cachedFold, TR_FOLD } from '../../../common/definitions/text.js';
import { MASK } from '../../../common/kvkk.js';

/**
 * Folds a name for comparison: Unicode NFC, Turkish lower case ('İ' → 'i', 'I' → 'ı'), then
 * Turkish letters to ASCII ('ı' → 'i', 'ş' → 's' …), every other non-alphanumeric run to one space.
 * 'FEN İŞLERİ MÜDÜRLÜĞÜ', 'Fen İşleri Müdürlüğü' and 'Fen Isleri Mudurlugu' all fold to
 * 'fen isleri mudurlugu'. Upper-case ASCII 'I' folds to 'i' as well (through 'ı'), so
 * 'BILGI_ISLEM' and 'Bilgi İşlem' meet. TR_FOLD.tokens in common/definitions/text.ts. Unit names, types
 * and course names repeat on every row: each distinct text is folded once (cachedFold).
 */
export const foldText: (s: string) => string = cachedFold(TR_FOLD.tokens);

/** foldText without spaces: 'T.C. Kimlik No' → 'tckimlikno', 'İşe Başlama Tarihi' → 'isebaslamatarihi'. */
export function compactKey(s: string): string {
  return foldText(s).replace(/ /g, '');
}

const LONG_DIGITS = /\d{9,}/g;

/**
 * Masks every run of nine or more digits: a TC Kimlik No (valid or not), one with a digit missing
 * (ten digits fix the eleventh), a phone number. Dates, hours and years never have such runs.
 */
export function maskDigitRuns(s: string): string {
  return s.replace(LONG_DIGITS, MASK);
}

/** A value as it may appear inside a refusal reason: masked, trimmed, at most 60 characters, quoted. */
export function show(v: unknown): string {
  let s: string;
  if (v instanceof Date) s = Number.isNaN(v.getTime()) ? 'invalid date' : v.toISOString().slice(0, 10);
  else s = String(v ?? '');
  s = maskDigitRuns(s.replace(/\s+/g, ' ').trim());
  if (s.length > 60) s = `${s.slice(0, 57)}…`;
  return `"${s}"`;
}
