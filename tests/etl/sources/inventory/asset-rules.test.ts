import { describe, expect, it } from 'vitest';
import {
  addMonths,
  assetTypeOfCategory,
  assetTypeOfGlpi,
  classifyState,
  parseAmount,
  parseDateOnly,
  resolveAssetUnit,
  splitPath,
  warrantyEnd,
  type AssetStatus,
  type GlpiItemtype,
} from '../../../../etl/sources/inventory/asset-rules.js';

describe('classifyState', () => {
  it.each<[string | null, AssetStatus]>([
    ['Kullanımda', 'in_use'],
    ['KULLANIMDA', 'in_use'],
    ['Zimmetli', 'in_use'],
    ['In use', 'in_use'],
    ['Deployed', 'in_use'],
    ['Depoda', 'in_stock'],
    ['Stokta', 'in_stock'],
    ['Yedek', 'in_stock'],
    ['Ready to Deploy', 'in_stock'],
    ['Pending', 'in_stock'],
    ['Arızalı', 'out_of_service'],
    ['Onarımda', 'out_of_service'],
    ['Serviste', 'out_of_service'],
    ['Kullanım dışı', 'out_of_service'], // contains "kullanım" but is not in use
    ['Kullanim disi', 'out_of_service'],
    ['Hurda bekliyor', 'out_of_service'], // waits for the commission: not scrapped yet
    ['Hurdaya ayrılacak', 'out_of_service'],
    ['Out for Repair', 'out_of_service'],
    ['Undeployable', 'out_of_service'], // not "deployable"
    ['Hurdaya ayrıldı', 'scrapped'],
    ['HURDA', 'scrapped'],
    ['Terkin edildi', 'scrapped'],
    ['Kayıp', 'scrapped'],
    ['Çalıntı', 'scrapped'],
    ['Archived', 'scrapped'],
    ['Disposed', 'scrapped'],
    ['Kullanım dışı > Hurda', 'scrapped'], // the leaf decides first
    ['Kullanım dışı &#62; Hurda', 'scrapped'], // GLPI 10 HTML-encodes ">"
    ['Envanter > Kullanımda', 'in_use'], // the leaf matches; the parent is not needed
    ['Lab', 'unknown'],
    ['', 'unknown'],
    [null, 'unknown'],
  ])('%j → %s', (name, status) => {
    expect(classifyState(name)).toBe(status);
  });
});

describe('asset types', () => {
  it.each<[GlpiItemtype, string | null, string]>([
    ['Computer', 'Masaüstü', 'Bilgisayar'],
    ['Computer', 'Dizüstü', 'Bilgisayar'],
    ['Computer', null, 'Bilgisayar'],
    ['Computer', 'Sunucu', 'Sunucu'],
    ['Computer', 'Server', 'Sunucu'],
    ['Computer', 'POS Terminali', 'POS cihazı'],
    ['Monitor', null, 'Monitör'],
    ['Printer', 'Fiş Yazıcısı', 'Yazıcı'],
    ['NetworkEquipment', 'Switch', 'Ağ cihazı'],
    ['NetworkEquipment', 'IP Kamera', 'Kamera'],
    ['Phone', 'IP Telefon', 'IP telefon'],
  ])('GLPI %s of type %j → %s', (itemtype, subtype, type) => {
    expect(assetTypeOfGlpi(itemtype, subtype)).toBe(type);
  });

  it.each<[string | null, string]>([
    ['Laptops', 'Bilgisayar'],
    ['Desktops', 'Bilgisayar'],
    ['Dizüstü Bilgisayar', 'Bilgisayar'],
    ['Displays', 'Monitör'],
    ['Monitörler', 'Monitör'],
    ['Printers', 'Yazıcı'],
    ['Networking', 'Ağ cihazı'],
    ['Mobile Phones', 'IP telefon'],
    ['Servers', 'Sunucu'],
    ['CCTV', 'Kamera'],
    ['Projectors', 'Diğer'],
    [null, 'Diğer'],
  ])('Snipe-IT category %j → %s', (category, type) => {
    expect(assetTypeOfCategory(category)).toBe(type);
  });
});

describe('dates and warranty', () => {
  it.each<[unknown, string | null]>([
    ['2024-03-05', '2024-03-05'],
    ['2024-03-05 00:00:00', '2024-03-05'],
    [' 2024-03-05 ', '2024-03-05'],
    ['', null],
    [null, null],
    [undefined, null],
    ['0000-00-00', null],
    [new Date(Date.UTC(2024, 2, 5)), '2024-03-05'],
  ])('parseDateOnly(%j) = %j', (v, out) => {
    expect(parseDateOnly(v, 'buy_date')).toEqual({ ok: true, value: out });
  });

  it.each<[unknown, string]>([
    ['2023-02-30', 'buy_date "2023-02-30" is not a real calendar date'],
    ['2023-13-01', 'buy_date "2023-13-01" is not a real calendar date'],
    ['05.03.2024', `buy_date "05.03.2024" is not a date 'YYYY-MM-DD'`],
    ['2024-03-05 14:30:00', `buy_date "2024-03-05 14:30:00" is not a date 'YYYY-MM-DD'`],
    [20240305, `buy_date 20240305 is not a date 'YYYY-MM-DD'`],
    [new Date(Number.NaN), 'buy_date is an invalid date'],
  ])('parseDateOnly(%j) is refused: %s', (v, reason) => {
    expect(parseDateOnly(v, 'buy_date')).toEqual({ ok: false, reason });
  });

  it.each<[string, number, string]>([
    ['2024-01-31', 1, '2024-02-29'],
    ['2023-01-31', 1, '2023-02-28'],
    ['2024-03-15', 36, '2027-03-15'],
    ['2024-11-30', 3, '2025-02-28'],
    ['2024-12-01', 1, '2025-01-01'],
    ['2020-02-29', 12, '2021-02-28'],
  ])('addMonths(%s, %i) = %s', (d, m, out) => {
    expect(addMonths(d, m)).toBe(out);
  });

  it.each<[string | null, number, { end: string | null; lifelong: boolean }]>([
    ['2022-06-10', 36, { end: '2025-06-10', lifelong: false }],
    ['2022-06-10', -1, { end: null, lifelong: true }],
    [null, -1, { end: null, lifelong: true }],
    ['2022-06-10', 0, { end: null, lifelong: false }],
    [null, 24, { end: null, lifelong: false }],
  ])('warrantyEnd(%j, %i)', (start, months, out) => {
    expect(warrantyEnd(start, months)).toEqual(out);
  });
});

describe('parseAmount', () => {
  it.each<[unknown, number | null]>([
    ['1,234.56', 1234.56], // Snipe-IT, digit separator "1,234.56"
    ['1.234,56', 1234.56], // Snipe-IT, digit separator "1.234,56"
    ['1,243.96', 1243.96], // the real sample
    ['932.97', 932.97],
    ['1234.56', 1234.56],
    ['1234,56', 1234.56],
    ['1.234.567,89', 1234567.89],
    ['1,234,567.89', 1234567.89],
    ['1.234.567', 1234567],
    ['12.500', 12500], // a 3-digit tail is grouping, never decimals
    ['12,500', 12500],
    ['0,500', 0.5], // a zero integer part cannot be grouped
    ['₺1.234,56', 1234.56],
    ['1.234,56 TL', 1234.56],
    ['TRY 1 234,56', 1234.56],
    ['$1,234.56', 1234.56],
    ['1\u00a0234,56', 1234.56],
    ['-45,10', -45.1],
    [1234.56, 1234.56],
    ['', null],
    ['  ', null],
    [null, null],
  ])('%j → %j', (v, out) => {
    expect(parseAmount(v, 'purchase_cost')).toEqual({ ok: true, value: out });
  });

  it.each<[unknown]>([['12,3,4.5x'], ['abc'], ['1.23.4'], ['1,23,456.7'], ['1.234,56.78'], ['--5'], ['.'], [true], [{ amount: 1 }], [Number.NaN]])(
    '%j is refused',
    (v) => {
      const r = parseAmount(v, 'purchase_cost');
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.reason).toMatch(/^purchase_cost .* is not an amount/);
    },
  );
});

describe('resolveAssetUnit', () => {
  const map = new Map([
    ['eski muhasebe birimi', 'MALI_HIZMETLER'],
    ['west alize', 'BILGI_ISLEM'],
  ]);
  it.each<[string, Array<{ role: 'group' | 'location' | 'company' | 'default location'; name: string | null; problem?: string }>, unknown]>([
    [
      'group named like a unit',
      [
        { role: 'group', name: 'Fen İşleri Müdürlüğü' },
        { role: 'location', name: 'Ana Hizmet Binası' },
      ],
      { unitCode: 'FEN_ISLERI', via: 'group', matched: 'Fen İşleri Müdürlüğü' },
    ],
    ['upper case, Turkish İ', [{ role: 'group', name: 'FEN İŞLERİ MÜDÜRLÜĞÜ' }], { unitCode: 'FEN_ISLERI', via: 'group', matched: 'FEN İŞLERİ MÜDÜRLÜĞÜ' }],
    [
      'sub-group: its parent is the unit',
      [{ role: 'group', name: 'Fen İşleri Müdürlüğü > Yol Bakım' }],
      { unitCode: 'FEN_ISLERI', via: 'group', matched: 'Fen İşleri Müdürlüğü' },
    ],
    [
      'GLPI 10 encoded path',
      [{ role: 'group', name: 'Zabıta Müdürlüğü &#62; Merkez Ekip' }],
      { unitCode: 'ZABITA', via: 'group', matched: 'Zabıta Müdürlüğü' },
    ],
    ['explicit map first', [{ role: 'group', name: 'Eski Muhasebe Birimi' }], { unitCode: 'MALI_HIZMETLER', via: 'map', matched: 'Eski Muhasebe Birimi' }],
    [
      'map beats a location named like a unit',
      [
        { role: 'group', name: 'Eski Muhasebe Birimi' },
        { role: 'location', name: 'Zabıta Müdürlüğü' },
      ],
      { unitCode: 'MALI_HIZMETLER', via: 'map', matched: 'Eski Muhasebe Birimi' },
    ],
    [
      'no group: the location',
      [
        { role: 'group', name: null },
        { role: 'location', name: 'Kültür ve Sosyal İşler Müdürlüğü' },
      ],
      { unitCode: 'KULTUR', via: 'location', matched: 'Kültür ve Sosyal İşler Müdürlüğü' },
    ],
    [
      'Snipe-IT location through the map',
      [
        { role: 'company', name: null },
        { role: 'location', name: 'West Alize' },
      ],
      { unitCode: 'BILGI_ISLEM', via: 'map', matched: 'West Alize' },
    ],
  ])('%s', (_what, candidates, out) => {
    expect(resolveAssetUnit(candidates, map)).toEqual(out);
  });

  it.each<[string, Array<{ role: 'group' | 'location' | 'company' | 'default location'; name: string | null; problem?: string }>, string]>([
    [
      'no group, a location that is no unit',
      [
        { role: 'group', name: null },
        { role: 'location', name: 'Ana Hizmet Binası > 2. Kat' },
      ],
      'asset has no group, and location "Ana Hizmet Binası > 2. Kat" is not a unit either (map the name to a unit code in PANO_GLPI_UNIT_MAP)',
    ],
    [
      'unknown group',
      [
        { role: 'group', name: 'Depo' },
        { role: 'location', name: null },
      ],
      'group "Depo" is not a known unit, and no location (map the name to a unit code in PANO_GLPI_UNIT_MAP)',
    ],
    [
      'nothing at all',
      [
        { role: 'group', name: null },
        { role: 'location', name: '  ' },
      ],
      'asset has no group, and no location',
    ],
    [
      'a dangling group id',
      [
        { role: 'group', name: null, problem: 'group id 57 is not in glpi_groups' },
        { role: 'location', name: null },
      ],
      'group id 57 is not in glpi_groups, and no location',
    ],
  ])('%s: refused with a reason', (_what, candidates, reason) => {
    expect(resolveAssetUnit(candidates, new Map())).toEqual({ unitCode: null, reason });
  });

  it('splitPath decodes and trims', () => {
    expect(splitPath(' A  &#62; B >C ')).toEqual(['A', 'B', 'C']);
  });
});
