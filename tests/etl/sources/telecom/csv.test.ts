import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import iconv from 'iconv-lite';
import { afterAll, describe, expect, it } from 'vitest';
import { detectDelimiter, readCsvFile, TelecomFormatError, type CsvItem } from '../../../../etl/sources/telecom/csv.js';
import { kvkkGuard } from '../../../../etl/sources/telecom/kvkk-guard.js';
import { DETAIL_REQUIRE_ONE_OF, DETAIL_SPEC, operatorFromPath, validateDetailItem } from '../../../../etl/sources/telecom/operator-detail.js';
import { lineTypeOf, REGISTRY_REQUIRE_ONE_OF, REGISTRY_SPEC, resolveUnit, validateRegistryItem } from '../../../../etl/sources/telecom/line-registry.js';
import { TEST_TCKN } from './ubl-fixtures.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pano-telecom-csv-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
const guard = kvkkGuard('test-secret-0123456789abcdef');

function write(name: string, text: string, encoding: 'utf8' | 'utf8bom' | 'win1254' = 'utf8'): string {
  const file = path.join(tmp, name);
  const bytes = encoding === 'win1254' ? iconv.encode(text, 'win1254') : Buffer.from((encoding === 'utf8bom' ? '\ufeff' : '') + text, 'utf8');
  fs.writeFileSync(file, bytes);
  return file;
}

async function readAll(file: string, spec = DETAIL_SPEC, requireOneOf = DETAIL_REQUIRE_ONE_OF): Promise<CsvItem[]> {
  const out: CsvItem[] = [];
  for await (const b of readCsvFile(file, spec, { displayName: path.basename(file), requireOneOf, batchSize: 2 })) out.push(...b);
  return out;
}

const DETAIL = [
  'Telefon Numarası;Dönem Başlangıç;Dönem Bitiş;Tarife;Sabit Ücret;Kullanım Ücreti;İndirim;Konuşma (dk);İnternet (MB);SMS;Toplam',
  '0542 123 45 67;01.11.2025;30.11.2025;Kurumsal Şirket Hattı 8 GB;1.234,56;12,50;-10,00;350;4.096;12;1.237,06',
  '0542 123 45 68;01.11.2025;30.11.2025;Kurumsal Şirket Hattı 8 GB;198,00;0;;0;0;0;198,00',
].join('\r\n');

describe('operator detail CSV: encodings, decimal commas, dates', () => {
  it('UTF-8, UTF-8 with BOM and windows-1254 read the same rows, Turkish letters intact', async () => {
    const a = await readAll(write('vf-utf8.csv', DETAIL));
    const b = await readAll(write('vf-bom.csv', DETAIL, 'utf8bom'));
    const c = await readAll(write('vf-1254.csv', DETAIL, 'win1254'));
    const values = (items: CsvItem[]) => items.map((i) => (i.kind === 'row' ? i.values : i));
    expect(values(b)).toEqual(values(a));
    expect(values(c)).toEqual(values(a));
    expect(a.map((i) => (i as { encoding: string }).encoding)).toEqual(['utf-8', 'utf-8']);
    expect(c.map((i) => (i as { encoding: string }).encoding)).toEqual(['windows-1254', 'windows-1254']);
    expect(c[0].kind === 'row' && c[0].values.tariff).toBe('Kurumsal Şirket Hattı 8 GB');
  });

  it('a row becomes amounts (decimal commas, thousands dots), dates (dd.MM.yyyy), usage and its key', async () => {
    const [first, second] = await readAll(write('vf.csv', DETAIL, 'win1254'));
    expect(first).toMatchObject({ kind: 'row', line: 2 });
    const v = validateDetailItem(first, guard);
    expect(v).toEqual({
      ok: true,
      row: expect.objectContaining({
        line_key: '5421234567',
        line_number: '0542 123 45 67',
        period_start: '2025-11-01',
        period_end: '2025-11-30',
        period_month: '2025-11-01',
        fixed_fee: 1234.56,
        usage_fee: 12.5,
        discount: 10,
        net_amount: 1237.06,
        total_as_written: 1237.06,
        total_mismatch: false,
        voice_minutes: 350,
        data_mb: 4096,
        sms_count: 12,
        has_usage: true,
        source_file: 'vf.csv',
        source_line: 2,
        file_encoding: 'windows-1254',
        operator: 'VODAFONE',
      }),
    });
    expect(validateDetailItem(second, guard)).toMatchObject({ ok: true, row: { has_usage: false, discount: 0, net_amount: 198 } });
  });

  it('a month column ("Dönem" 11.2025) instead of start and end dates', async () => {
    const [r] = await readAll(write('tt.csv', 'Hizmet No;Dönem;Sabit Ücret;Kullanım Ücreti\n7123456789;02.2024;1.450,00;0\n'));
    expect(validateDetailItem(r, guard)).toMatchObject({ ok: true, row: { line_key: '7123456789', period_start: '2024-02-01', period_end: '2024-02-29' } });
  });

  it.each([
    ['Sabit Ücret "abc"', '0542 123 45 67;01.11.2025;30.11.2025;T;abc;0;;;;;', /Sabit Ücret "abc" is not a number/],
    ['a bad date', '0542 123 45 67;31.11.2025;30.11.2025;T;1;0;;;;;', /Dönem Başlangıç "31.11.2025" is not a date/],
    ['end before start', '0542 123 45 67;01.12.2025;30.11.2025;T;1;0;;;;;', /Dönem Bitiş 30.11.2025 is before Dönem Başlangıç 01.12.2025/],
    ['no line number', ';01.11.2025;30.11.2025;T;1;0;;;;;', /the line number is empty/],
  ])('refused: %s', async (_n, row, reason) => {
    const [item] = await readAll(write('bad-row.csv', `${DETAIL.split('\r\n')[0]}\n${row}\n`));
    const v = validateDetailItem(item, guard);
    expect(v.ok).toBe(false);
    expect(!v.ok && v.reason).toMatch(reason);
  });

  it('a "Toplam" that does not add up is kept and flagged', async () => {
    const [item] = await readAll(write('mismatch.csv', `${DETAIL.split('\r\n')[0]}\n0542 123 45 67;01.11.2025;30.11.2025;T;100,00;0;;;;;99,00\n`));
    expect(validateDetailItem(item, guard)).toMatchObject({ ok: true, row: { net_amount: 100, total_as_written: 99, total_mismatch: true } });
  });

  it.each([
    ['turkcell/turkcell_fatura_detay_202511.csv', 'TURKCELL'],
    ['vodafone/x.csv', 'VODAFONE'],
    ['VF_Detay_2025_11.csv', 'VODAFONE'],
    ['turk-telekom/TT_Fatura_Detay_2025-11.csv', 'TURK_TELEKOM'],
    ['fatura-detay.csv', null],
  ])('operator of %s → %s', (rel, op) => expect(operatorFromPath(rel)).toBe(op));
});

describe('bad files: what the user sees, and nothing is lost', () => {
  it('a missing required column stops the file, naming the file, the column and what was found', async () => {
    const file = write('eksik.csv', 'Telefon Numarası;Dönem;Tarife;Kullanım Ücreti\n0542 123 45 67;11.2025;X;0\n');
    const err = await readAll(file).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TelecomFormatError);
    expect((err as Error).message).toBe(
      'eksik.csv: required column "Sabit Ücret" is missing (also accepted: "Sabit Ücretler", "Aylık Ücret", "Paket Ücreti", "Abonelik Ücreti"). Columns found: "Telefon Numarası", "Dönem", "Tarife", "Kullanım Ücreti"',
    );
  });

  it('every missing column is named at once, and "one of" groups too', async () => {
    const file = write('eksik2.csv', 'Numara;Foo\n1;2\n');
    await expect(readAll(file, REGISTRY_SPEC, REGISTRY_REQUIRE_ONE_OF)).rejects.toThrow(
      /eksik2\.csv: required column "Hat Tipi" is missing .*; required column "Operatör" is missing .*; one of the columns "Birim Kodu" or "Birim" is required\. Columns found: "Numara", "Foo"/,
    );
  });

  it('an empty file is an error, not an empty load', async () => {
    await expect(readAll(write('empty.csv', ''))).rejects.toThrow('empty.csv: the file is empty (no header row)');
  });

  it('a cut-off last row: the good rows load, the bad one is handed on with its line number and text', async () => {
    const text = `${DETAIL}\r\n0542 123 45 69;01.11.20`;
    const items = await readAll(write('cut.csv', text));
    expect(items.filter((i) => i.kind === 'row').map((i) => i.line)).toEqual([2, 3]);
    expect(items.filter((i) => i.kind === 'problem')).toEqual([
      { kind: 'problem', file: 'cut.csv', line: 4, raw: '0542 123 45 69;01.11.20', reason: 'row has 2 fields, the header has 11 (cut-off row?)' },
    ]);
  });

  it('an unterminated quote: rows before it load, the rest is quarantined raw from its first line', async () => {
    const text = `${DETAIL}\n0542 123 45 69;01.11.2025;30.11.2025;"Kurumsal;1;2\n0542 123 45 70;01.11.2025;30.11.2025;X;1;2;;;;;\n`;
    const items = await readAll(write('quote.csv', text));
    expect(items.filter((i) => i.kind === 'row')).toHaveLength(2);
    const [p] = items.filter((i) => i.kind === 'problem');
    expect(p).toMatchObject({ line: 4, reason: expect.stringMatching(/Quote Not Closed/) });
    expect(p.raw).toContain('0542 123 45 69;01.11.2025;30.11.2025;"Kurumsal;1;2');
    expect(p.raw).toContain('0542 123 45 70'); // what the quote swallowed is kept, not lost
  });

  it('a row with too many fields is refused; a quoted value may hold ; and line breaks (line numbers stay right)', async () => {
    const text = `${DETAIL.split('\r\n')[0]}\n"0542 123 45 67";01.11.2025;30.11.2025;"Paket; ""özel""\nikinci satır";1;0;;;;;\n0542 123 45 68;01.11.2025;30.11.2025;X;1;0;;;;;;5;6\n0542 123 45 69;01.11.2025;30.11.2025;X;1;0;;;;;;;\n`;
    const items = await readAll(write('quoted.csv', text));
    expect(items.map((i) => [i.kind, i.line])).toEqual([
      ['row', 2],
      ['problem', 4],
      ['row', 5],
    ]);
    expect(items[0].kind === 'row' && items[0].values.tariff).toBe('Paket; "özel"\nikinci satır');
    expect(items[1]).toMatchObject({ reason: 'row has 13 fields, the header has 11 (a ";" inside an unquoted value?)' });
  });

  it.each([
    ['a;b;c', ';'],
    ['a,b,c', ','],
    ['a\tb\tc', '\t'],
    ['"x;y",b,c', ','],
    ['a', ';'],
  ])('delimiter of %j → %j', (header, d) => expect(detectDelimiter(`${header}\n1`)).toBe(d));
});

describe('line registry rows', () => {
  const HEADER = 'Hat No;Hizmet No;Birim Kodu;Birim;Hat Tipi;Operatör;Tarife;Aylık Bütçe (TL);Başlangıç;Bitiş;Açıklama';
  const one = async (row: string) => {
    const [item] = await readAll(write('hat.csv', `${HEADER}\n${row}\n`, 'utf8bom'), REGISTRY_SPEC, REGISTRY_REQUIRE_ONE_OF);
    return validateRegistryItem(item, guard);
  };

  it('a full row', async () => {
    expect(await one('0216 592 12 34;;FEN_ISLERI;Fen İşleri Müdürlüğü;PSTN;Türk Telekom;Kurumsal Sabit Hat;1.250,00;01.03.2021;;Ana hizmet binası')).toEqual({
      ok: true,
      row: {
        line_key: '2165921234',
        line_number: '0216 592 12 34',
        service_key: null,
        service_number: null,
        unit_code: 'FEN_ISLERI',
        unit_name: 'Fen İşleri Müdürlüğü',
        line_type: 'PSTN',
        line_type_label: 'PSTN',
        operator: 'TURK_TELEKOM',
        operator_as_written: 'Türk Telekom',
        tariff: 'Kurumsal Sabit Hat',
        monthly_budget: 1250,
        active_from: '2021-03-01',
        active_to: null,
        description: 'Ana hizmet binası',
        source_file: 'hat.csv',
        source_line: 2,
      },
    });
  });

  it('a fiber line known by its hizmet no as well', async () => {
    expect(await one('0216 592 00 01;1234567890;;Zabıta Müdürlüğü;ADSL/Fiber;TT;Fiber 100;;;;')).toMatchObject({
      ok: true,
      row: { line_key: '2165920001', service_key: '1234567890', unit_code: 'ZABITA', line_type: 'FIBER' },
    });
  });

  it.each([
    ['an unknown unit code', '0532 111 22 33;;MUHASEBE;;GSM;Turkcell;;;;;', /unit code "MUHASEBE" is not a known unit/],
    ['an unknown unit name', '0532 111 22 33;;;Eski Muhasebe Birimi;GSM;Turkcell;;;;;', /unit "Eski Muhasebe Birimi" is not a known unit/],
    ['an unknown line type', '0532 111 22 33;;ZABITA;;Telsiz;Turkcell;;;;;', /line type "Telsiz" is unknown \(use PSTN, TTVPN, ADSL\/Fiber, GSM or Data\)/],
    ['a budget that is not a number', '0532 111 22 33;;ZABITA;;GSM;Turkcell;;yok;;;', /Aylık Bütçe "yok" is not a number/],
    ['a date that is not one', '0532 111 22 33;;ZABITA;;GSM;Turkcell;;;2021-13-01;;', /Başlangıç "2021-13-01" is not a date/],
    ['end before start', '0532 111 22 33;;ZABITA;;GSM;Turkcell;;;01.02.2024;01.01.2024;', /Bitiş 01.01.2024 is before Başlangıç 01.02.2024/],
    ['no number, no unit, no type: every reason at once', ';;;;;Turkcell;;;;;', /Hat No is empty; the unit is empty; Hat Tipi is empty/],
  ])('refused: %s', async (_n, row, reason) => {
    const v = await one(row);
    expect(v.ok).toBe(false);
    expect(!v.ok && v.reason).toMatch(reason);
  });

  it('a TC Kimlik No written in the description never lands', async () => {
    const v = await one(`0532 111 22 33;;ZABITA;;GSM;Turkcell;;;;;Kullanıcı TCKN ${TEST_TCKN}`);
    expect(v).toMatchObject({ ok: true, row: { description: 'Kullanıcı TCKN [gizli]' } });
  });

  it.each([
    ['FEN_ISLERI', undefined, 'FEN_ISLERI'],
    ['fen_isleri', undefined, 'FEN_ISLERI'],
    [undefined, 'FEN İŞLERİ MÜDÜRLÜĞÜ', 'FEN_ISLERI'],
    [undefined, 'Fen Isleri', 'FEN_ISLERI'],
    [undefined, 'Zabıta', 'ZABITA'],
    [undefined, 'İklim Değişikliği ve Sıfır Atık Müdürlüğü', 'IKLIM'],
  ])('unit (%s, %s) → %s', (code, name, expected) => {
    expect(resolveUnit(code, name)).toMatchObject({ unit: { code: expected } });
  });

  it.each([
    ['PSTN', 'PSTN'],
    ['Sabit Hat', 'PSTN'],
    ['TTVPN', 'TTVPN'],
    ['Metro Ethernet', 'TTVPN'],
    ['ADSL/Fiber', 'FIBER'],
    ['VDSL', 'FIBER'],
    ['GSM', 'GSM'],
    ['Mobil Hat', 'GSM'],
    ['Data', 'DATA'],
    ['M2M', 'DATA'],
    ['Telsiz', null],
  ])('line type %s → %s', (v, t) => expect(lineTypeOf(v)).toBe(t));
});
