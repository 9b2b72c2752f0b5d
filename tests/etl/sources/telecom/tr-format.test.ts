import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { decodeText, foldKey, parseTrDate, parseTrDecimal, parseTrMonth, round2 } from '../../../../etl/sources/telecom/tr-format.js';
import { formatLineKey, normalizeLineKey, parseLineKey } from '../../../../etl/sources/telecom/line-key.js';

describe('parseTrDecimal: Turkish decimal commas', () => {
  it.each([
    ['1.234,56', 1234.56],
    ['1234,56', 1234.56],
    ['12,5', 12.5],
    ['0,05', 0.05],
    [',5', 0.5],
    ['1.234.567,8', 1234567.8],
    ['1234', 1234],
    ['1.234', 1234],
    ['12.50', 12.5],
    ['-3,20', -3.2],
    ['3,20-', -3.2],
    ['(3,20)', -3.2],
    ['₺1.234,56', 1234.56],
    ['1.234,56 TL', 1234.56],
    [' 7 ', 7],
    [42, 42],
  ])('%j → %d', (input, expected) => {
    expect(parseTrDecimal(input)).toBeCloseTo(expected as number, 10);
  });

  it.each([[''], ['   '], [null], [undefined]])('%j is empty → null', (input) => {
    expect(parseTrDecimal(input)).toBeNull();
  });

  it.each([['abc'], ['1,2,3'], ['12.34,5.6'], ['1.23.4'], ['--1'], ['1,'], ['-']])('%j is not a number → NaN', (input) => {
    expect(Number.isNaN(parseTrDecimal(input))).toBe(true);
  });
});

describe('parseTrDate / parseTrMonth', () => {
  it.each([
    ['28.11.2026', '2026-11-28'],
    ['1.2.2024', '2024-02-01'],
    ['29/02/2024', '2024-02-29'],
    ['2025-11-01', '2025-11-01'],
    ['01.11.2025 00:00:00', '2025-11-01'],
  ])('%s → %s', (input, expected) => expect(parseTrDate(input)).toBe(expected));

  it.each([['31.02.2025'], ['29.02.2025'], ['13/13/2025'], ['2025/11/01'], ['yesterday']])('%s is not a date → undefined', (input) => {
    expect(parseTrDate(input)).toBeUndefined();
  });

  it('empty → null', () => expect(parseTrDate(' ')).toBeNull());

  it.each([
    ['11.2025', '2025-11-01'],
    ['11/2025', '2025-11-01'],
    ['2025-11', '2025-11-01'],
    ['202511', '2025-11-01'],
    ['Kasım 2025', '2025-11-01'],
    ['KASIM-2025', '2025-11-01'],
    ['Ağustos 2024', '2024-08-01'],
    ['Agustos 2024', '2024-08-01'],
  ])('month %s → %s', (input, expected) => expect(parseTrMonth(input)).toBe(expected));

  it.each([['13.2025'], ['Brumaire 2025'], ['2025']])('month %s → undefined', (input) => expect(parseTrMonth(input)).toBeUndefined());
});

describe('decodeText: UTF-8 or windows-1254', () => {
  const text = 'Hat No;Tarife;Açıklama\n0542 123 45 67;Kurumsal Şirket Hattı;Özel Kalem — İĞÜŞÖÇ ığüşöç\n';
  it('UTF-8 (with and without BOM) and windows-1254 bytes give the same text', () => {
    const utf8 = decodeText(Buffer.from(text, 'utf8'));
    const bom = decodeText(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text, 'utf8')]));
    const cp1254 = decodeText(iconv.encode(text.replace('—', '-'), 'win1254'));
    expect(utf8).toEqual({ text, encoding: 'utf-8' });
    expect(bom).toEqual({ text, encoding: 'utf-8' });
    expect(cp1254).toEqual({ text: text.replace('—', '-'), encoding: 'windows-1254' });
  });

  it('windows-1254 bytes are not valid UTF-8 (the detection has something to detect)', () => {
    const bytes = iconv.encode('Şirket Hattı', 'win1254');
    expect(bytes.toString('utf8')).not.toBe('Şirket Hattı');
    expect(decodeText(bytes).text).toBe('Şirket Hattı');
  });
});

describe('foldKey and round2', () => {
  it.each([
    ['Dönem Başlangıç', 'donembaslangic'],
    ['HİZMET NO:', 'hizmetno'],
    ['Aylık Bütçe (TL)', 'aylikbutcetl'],
    ['Telefon Numarası', 'telefonnumarasi'],
    ['MSISDN', 'msisdn'],
    ['İndirim', 'indirim'],
    ['Konuşma Süresi (dk)', 'konusmasuresidk'],
  ])('%s → %s', (input, expected) => expect(foldKey(input)).toBe(expected));

  it.each([
    [1.005, 1.01],
    [-1.005, -1.01],
    [2.675, 2.68],
    [0.1 + 0.2, 0.3],
    [18.0, 18],
  ])('round2(%d) = %d', (input, expected) => expect(round2(input)).toBe(expected));
});

describe('line keys: one key per line however it is written', () => {
  it.each([
    ['0216 123 45 67', '2161234567'],
    ['+90 216 1234567', '2161234567'],
    ['2161234567', '2161234567'],
    ['(0216) 123-45-67', '2161234567'],
    ['0090 216 123 45 67', '2161234567'],
    ['902161234567', '2161234567'],
    ['0532 123 45 67', '5321234567'],
    ['+905321234567', '5321234567'],
    ['905321234567', '5321234567'],
    ['0850 222 0 444', '8502220444'],
    ['7123456789', '7123456789'], // a TTVPN hizmet no: not a telephone number, digits kept
    ['1234567', '1234567'],
    ['TTVPN-00123', 'TTVPN00123'],
    ['ank 123 45', 'ANK12345'],
  ])('%s → %s', (input, expected) => expect(normalizeLineKey(input)).toBe(expected));

  it.each([[''], ['  '], [null], ['- ()']])('%j → null', (input) => expect(normalizeLineKey(input)).toBeNull());

  it('tells telephone numbers from other numbers', () => {
    expect(parseLineKey('0216 123 45 67')?.kind).toBe('phone');
    expect(parseLineKey('7123456789')?.kind).toBe('number');
    expect(parseLineKey('TTVPN-1')?.kind).toBe('code');
  });

  it('formats telephone keys for people, leaves others alone', () => {
    expect(formatLineKey('2161234567')).toBe('0216 123 45 67');
    expect(formatLineKey('7123456789')).toBe('7123456789');
  });
});
