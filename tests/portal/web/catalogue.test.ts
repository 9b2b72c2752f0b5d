import { describe, expect, it } from 'vitest';
import {
  asciiFold,
  countMeasures,
  filterCatalogue,
  foldTurkish,
  formatLabel,
  measureMatcher,
  measureTestId,
} from '../../../portal/web/src/features/catalogue/catalogue.js';
import type { CatalogueMeasure, KpiCatalogue } from '../../../portal/web/src/lib/api.js';

function measure(name: string, over: Partial<CatalogueMeasure> = {}): CatalogueMeasure {
  return {
    name,
    member: name.split('.')[1],
    title: name,
    title_en: null,
    formula: '',
    description: '',
    source: null,
    article: null,
    format: 'number',
    agg: 'count',
    ...over,
  };
}

const SLA = measure('yardim_masasi.sla_compliance', {
  title: 'SLA uyum oranı',
  title_en: 'SLA compliance',
  formula: 'SLA içinde çözülen / SLA hedefi olan çözülen × 100.',
  source: 'GLPI glpi_tickets',
  article: '11(3)-II f',
  format: 'percent',
});
const MEDIAN = measure('yardim_masasi.median_resolution_hours', {
  title: 'Medyan çözüm süresi (mesai saati)',
  title_en: 'Median time to resolve (working hours)',
  formula: 'Açılıştan çözüme geçen mesai saatlerinin medyanı.',
  source: 'GLPI glpi_tickets',
  format: 'hours',
});
const INCIDENTS = measure('yedekleme.failed_job_count', {
  title: 'İŞ HATALARI',
  title_en: 'Incidents',
  formula: 'Başarısız yedekleme işleri.',
  source: 'Veeam, Bareos',
});
const COST = measure('telekom.invoice_total', {
  title: 'Fatura tutarı',
  title_en: 'Invoice total',
  formula: 'Vergiler dahil ödenecek tutar.',
  source: 'UBL-TR e-Fatura',
  format: 'money',
});

const START = measure('yedekleme.window_start_count', { title: 'Başlangıç saatinde işler', title_en: null, formula: 'İş başlangıcı.' });

const CATALOGUE: KpiCatalogue = {
  views: [
    { name: 'telekom', title: 'Telekom', title_en: 'Telecom', description: '', measures: [COST] },
    { name: 'yardim_masasi', title: 'Yardım Masası', title_en: 'Helpdesk', description: '', measures: [SLA, MEDIAN] },
    { name: 'yedekleme', title: 'Yedekleme', title_en: 'Backups', description: '', measures: [INCIDENTS] },
  ],
};

describe('foldTurkish', () => {
  it.each([
    ['SLA UYUM ORANI', 'sla uyum oranı'],
    ['İADE', 'iade'],
    ['IŞIK', 'ışık'],
    ['  Çözüm   Süresi ', 'çözüm süresi'],
  ])('%j → %j', (input, folded) => {
    expect(foldTurkish(input)).toBe(folded);
  });
  it('asciiFold maps Turkish letters to ASCII', () => {
    expect(asciiFold('çözüm ığdır şüphe')).toBe('cozum igdir suphe');
  });
});

describe('measureMatcher', () => {
  const names = (q: string) => [SLA, MEDIAN, INCIDENTS, COST, START].filter(measureMatcher(q)).map((m) => m.name);

  it.each([
    ['', [SLA, MEDIAN, INCIDENTS, COST, START]],
    ['   ', [SLA, MEDIAN, INCIDENTS, COST, START]],
    ['sla', [SLA]],
    ['SLA', [SLA]],
    ['uyum oranı', [SLA]],
    ['UYUM ORANI', [SLA]], // Turkish I → ı
    ['compliance', [SLA]], // English title
    ['× 100', [SLA]], // formula
    ['glpi', [SLA, MEDIAN]], // source
    ['bareos', [INCIDENTS]],
    ['çözüm', [MEDIAN]],
    ['cozum', [MEDIAN]], // typed without Turkish letters
    ['iş hataları', [INCIDENTS]], // İ → i
    ['incidents', [INCIDENTS]], // "Incidents" lower-cases to "ıncidents" under tr-TR
    ['INCIDENTS', [INCIDENTS]], // typed "I" lower-cases to "ı" too
    ['basla', [START]], // "başlangıç" without Turkish letters, at the start of a word
    ['başla', [START]],
    ['slang', []], // ASCII look-alikes only at the start of a word: "sla" never finds "başlangıç"
    ['median_resolution', [MEDIAN]], // API name
    ['telekom.invoice', [COST]],
    ['glpi medyan', [MEDIAN]], // every word, any field
    ['glpi bareos', []],
    ['çozüm', []], // Turkish letters typed: exact
    ['kaynak', []],
  ])('%j', (query, expected) => {
    expect(names(query)).toEqual(expected.map((m) => m.name));
  });
});

describe('filterCatalogue', () => {
  it('keeps views with a matching measure, in order', () => {
    const views = filterCatalogue(CATALOGUE, 'glpi', '');
    expect(views.map((v) => v.name)).toEqual(['yardim_masasi']);
    expect(countMeasures(views)).toBe(2);
  });
  it('narrows to one view', () => {
    expect(filterCatalogue(CATALOGUE, '', 'yedekleme').map((v) => v.name)).toEqual(['yedekleme']);
    expect(filterCatalogue(CATALOGUE, 'sla', 'yedekleme')).toEqual([]);
    expect(filterCatalogue(CATALOGUE, '', null).map((v) => v.name)).toEqual(['telekom', 'yardim_masasi', 'yedekleme']);
  });
  it('does not change the catalogue it filters', () => {
    filterCatalogue(CATALOGUE, 'sla', '');
    expect(countMeasures(CATALOGUE.views)).toBe(4);
  });
});

describe('formatLabel', () => {
  it.each([
    ['number', 'sayı'],
    ['decimal', 'ondalık'],
    ['percent', 'yüzde'],
    ['money', '₺'],
    ['hours', 'saat'],
    ['days', 'gün'],
    ['bytes', 'bayt'],
    ['ratio', 'ratio'],
    [null, '–'],
    ['', '–'],
  ])('%j → %s', (format, label) => {
    expect(formatLabel(format)).toBe(label);
  });
});

it('measureTestId replaces the dots of the member name', () => {
  expect(measureTestId('yardim_masasi.sla_compliance')).toBe('catalogue-measure-yardim_masasi-sla_compliance');
});
