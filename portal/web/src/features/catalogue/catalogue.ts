/**
 * Pure helpers of the KPI catalogue page (KPI Kataloğu): Turkish-aware search over the measures, the format
 * labels in Turkish, and the test id of a measure row. No JSX, no I/O (tests in tests/portal/web/catalogue.test.ts).
 */
import { TR_FOLD, turkishFold } from '../../../../../common/definitions/text.js';
import type { CatalogueMeasure, CatalogueView, KpiCatalogue } from '../../lib/api.js';

/** Pano's measure formats (meta.format) as users read them. */
export const FORMAT_LABELS: Record<string, string> = {
  number: 'sayı',
  decimal: 'ondalık',
  percent: 'yüzde',
  money: '₺',
  hours: 'saat',
  days: 'gün',
  bytes: 'bayt',
};

/** The Turkish label of a format; an unknown format shows as it is, none as a dash. */
export function formatLabel(format: string | null | undefined): string {
  if (!format) return '–';
  return FORMAT_LABELS[format] ?? format;
}

/** Lower case the Turkish way: "SLA UYUM ORANI" → "sla uyum oranı", "İADE" → "iade". Spaces collapsed. TR_FOLD.search. */
export function foldTurkish(text: string): string {
  return turkishFold(text, TR_FOLD.search);
}

/** Letters that only a Turkish keyboard types. Not ı: tr-TR lower-cases a typed capital I to ı ("INCIDENT" → "ıncıdent"). */
const TURKISH_LETTERS = /[çğöşüâîû]/;

/** Turkish letters to their ASCII look-alikes (after foldTurkish): "çözüm" → "cozum". TR_FOLD.letters. */
export function asciiFold(folded: string): string {
  return turkishFold(folded, TR_FOLD.letters);
}

/** The text a measure is searched in: Turkish and English title, formula, source and API name. */
export function measureHaystack(m: CatalogueMeasure): string {
  return foldTurkish([m.title, m.title_en ?? '', m.formula, m.source ?? '', m.name].join(' \u0001 '));
}

/** Whether `word` occurs in `text` at the start of a word (after a character that is not a letter or digit). */
function startsWordIn(text: string, word: string): boolean {
  for (let at = text.indexOf(word); at >= 0; at = text.indexOf(word, at + 1)) {
    if (at === 0 || !/[\p{L}\p{N}]/u.test(text[at - 1])) return true;
  }
  return false;
}

/**
 * A search query as a predicate over measures. Every word must appear in one of the fields (Turkish case folding,
 * anywhere in the text). A word typed without Turkish letters also finds the Turkish spelling at the start of a
 * word: "cozum" finds "çözüm", "INCIDENTS" finds "Incidents" (both tr-TR lower-case to "ı…"), while "sla" does not
 * find "başlangıç". Empty query: everything.
 */
export function measureMatcher(query: string): (m: CatalogueMeasure) => boolean {
  const words = foldTurkish(query).split(' ').filter(Boolean);
  if (!words.length) return () => true;
  return (m) => {
    const hay = measureHaystack(m);
    const loose = asciiFold(hay);
    return words.every((w) => hay.includes(w) || (!TURKISH_LETTERS.test(w) && startsWordIn(loose, asciiFold(w))));
  };
}

/** The catalogue narrowed to one view (or all, when `view` is empty) and to the measures the query matches; views left empty drop out. */
export function filterCatalogue(catalogue: KpiCatalogue, query: string, view: string | null | undefined): CatalogueView[] {
  const matches = measureMatcher(query);
  return catalogue.views
    .filter((v) => !view || v.name === view)
    .map((v) => ({ ...v, measures: v.measures.filter(matches) }))
    .filter((v) => v.measures.length > 0);
}

/** `catalogue-measure-yardim_masasi-sla_compliance` for `yardim_masasi.sla_compliance`. */
export function measureTestId(name: string): string {
  return `catalogue-measure-${name.replace(/\./g, '-')}`;
}

export function countMeasures(views: CatalogueView[]): number {
  return views.reduce((n, v) => n + v.measures.length, 0);
}
