import crypto from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { isValidTckn, pseudonymizeTckn } from '../../../../common/kvkk.js';
import {
  foldText,
  mapHeaderRow,
  maskDigitRuns,
  maskHrRecord,
  makeHrRecord,
  parseBirthYear,
  parseDate,
  parseDecimal,
  parseEmploymentType,
  parseGender,
  parseLeaveType,
  resolveHrUnit,
  SeenKeys,
  parseHrConfig,
} from '../../../../etl/sources/hr/index.js';
import { ConfigError } from '../../../../common/errors.js';
import { SECRET, TCKN } from './helpers.js';

describe('TC Kimlik No check and pseudonymisation', () => {
  it.each([
    ['valid', TCKN.a, null],
    ['valid, as an Excel number', 10000000146, null],
    ['valid, with spaces', '100 000 001 46', null],
    ['valid, as Excel float text', '10000000146.0', null],
    ['wrong last check digit', '10000000147', 'fails its check digits'],
    ['wrong tenth digit', '10000000156', 'fails its check digits'],
    ['10 digits', '1000000014', 'must be 11 digits (got 10)'],
    ['12 digits', '100000001466', 'must be 11 digits (got 12)'],
    ['leading 0', '01234567890', 'cannot start with 0'],
    ['letters', '1000000014X', 'not all digits'],
    ['empty', '', 'is missing'],
    ['null', null, 'is missing'],
    ['scientific notation from Excel', '1,00000E+10', 'scientific notation'],
    ['a fractional number', 1.5, 'not a whole number'],
  ])('%s', (_label, value, error) => {
    const r = pseudonymizeTckn(value, SECRET);
    if (error === null) {
      expect(r).toEqual({ ok: true, hash: expect.stringMatching(/^[0-9a-f]{64}$/) });
    } else {
      expect(!r.ok && r.reason).toContain(error);
      // the reason never holds the number, not even its digits
      expect(JSON.stringify(r)).not.toMatch(/\d{9,}/);
    }
  });

  it('the same number gives the same key whatever its form; another secret gives another key', () => {
    const k = (v: unknown, s = SECRET) => (pseudonymizeTckn(v, s) as { hash: string }).hash;
    expect(k(TCKN.a)).toBe(k(10000000146));
    expect(k(TCKN.a)).toBe(k(' 10000000146 '));
    expect(k(TCKN.a)).not.toBe(k(TCKN.b));
    expect(k(TCKN.a)).not.toBe(k(TCKN.a, 'another-secret-0123456789'));
  });

  it('the key is HMAC-SHA256 of the 11 digits with the secret, hex (existing warehouses keep their keys), cached or not', () => {
    const expected = crypto.createHmac('sha256', SECRET).update('10000000146').digest('hex');
    const cache = new Map<string, string>();
    expect(pseudonymizeTckn('100 000 001 46', SECRET, cache)).toEqual({ ok: true, hash: expected });
    expect(cache.get('10000000146')).toBe(expected);
    expect(pseudonymizeTckn(10000000146, SECRET, cache)).toEqual({ ok: true, hash: expected });
    expect(pseudonymizeTckn('10000000147', SECRET, cache).ok).toBe(false);
    expect(cache.size).toBe(1);
  });

  it.each([TCKN.a, TCKN.b, TCKN.c])('test fixture %s is a valid number', (t) => expect(isValidTckn(t)).toBe(true));
});

describe('employment type normalisation', () => {
  it.each([
    ['Memur', 'memur'],
    ['MEMUR', 'memur'],
    ['memur', 'memur'],
    ['Devlet Memuru', 'memur'],
    ['657 4/A', 'memur'],
    ['4/A', 'memur'],
    ['Kadrolu İşçi', 'kadrolu_isci'],
    ['KADROLU İŞÇİ', 'kadrolu_isci'],
    ['Kadrolu Isci', 'kadrolu_isci'],
    ['KADROLU ISCI', 'kadrolu_isci'],
    ['kadrolu_isci', 'kadrolu_isci'],
    ['İşçi', 'kadrolu_isci'],
    ['Sürekli İşçi', 'kadrolu_isci'],
    ['4/D', 'kadrolu_isci'],
    ['Geçici İşçi', 'gecici_isci'],
    ['GEÇİCİ İŞÇİ', 'gecici_isci'],
    ['Gecici Isci', 'gecici_isci'],
    ['Mevsimlik İşçi', 'gecici_isci'],
    ['Sözleşmeli', 'sozlesmeli'],
    ['Sözleşmeli Personel', 'sozlesmeli'],
    ['SOZLESMELI', 'sozlesmeli'],
    ['4/B', 'sozlesmeli'],
    ['Sözleşmeli (Sanatçı)', 'sozlesmeli'],
    ['Tam Zamanlı Sözleşmeli', 'sozlesmeli'],
    ['Hizmet Alımı', 'hizmet_alimi'],
    ['HİZMET ALIMI', 'hizmet_alimi'],
    ['hizmet alimi', 'hizmet_alimi'],
    ['Şirket Personeli', 'hizmet_alimi'],
    ['Taşeron', 'hizmet_alimi'],
    ['  Memur  ', 'memur'],
  ])('%s → %s', (value, code) => {
    expect(parseEmploymentType(value)).toEqual({ ok: true, value: code });
  });

  it.each([['4/C'], ['Stajyer'], ['Gönüllü'], ['']])('%s is refused with the accepted values named', (value) => {
    const r = parseEmploymentType(value);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.reason).toMatch(value ? /is not one of memur, kadrolu işçi, geçici işçi, sözleşmeli, hizmet alımı/ : /is empty/);
  });
});

describe('dates', () => {
  it.each([
    ['05.03.2024', '2024-03-05'],
    ['5.3.2024', '2024-03-05'],
    ['05/03/2024', '2024-03-05'],
    ['05-03-2024', '2024-03-05'],
    ['05.03.2024 00:00:00', '2024-03-05'],
    ['2024-03-05', '2024-03-05'],
    ['2024-03-05 00:00:00', '2024-03-05'],
    ['29.02.2024', '2024-02-29'],
    [new Date(Date.UTC(2024, 2, 5)), '2024-03-05'],
    [45356, '2024-03-05'], // an Excel serial in a cell not formatted as a date
    ['', null],
    [null, null],
  ])('%s → %s', (value, iso) => {
    expect(parseDate(value as never, 'İşe Başlama')).toEqual({ ok: true, value: iso });
  });

  it.each([
    ['31.02.2024', 'is not a real calendar date'],
    ['29.02.2023', 'is not a real calendar date'],
    ['01.02.85', 'two-digit year'],
    ['2024/13/01', 'is not a date (dd.MM.yyyy)'],
    ['yarın', 'is not a date (dd.MM.yyyy)'],
    ['01.01.1850', 'is not a real calendar date'],
  ])('%s is refused: %s', (value, error) => {
    const r = parseDate(value, 'İşe Başlama');
    expect(r.ok).toBe(false);
    expect(!r.ok && r.reason).toContain(`İşe Başlama "${value}" ${error.startsWith('two') ? 'has a ' : ''}${error}`);
  });
});

describe('decimal numbers (Turkish decimal comma and the rest)', () => {
  it.each([
    ['2,5', 2.5],
    ['0,5', 0.5],
    ['1.234,5', 1234.5],
    ['1.234.567', 1234567],
    ['2.5', 2.5],
    ['1,234.5', 1234.5],
    ['40', 40],
    [' 22,5 ', 22.5],
    [7.5, 7.5],
    ['', null],
  ])('%s → %s', (value, n) => {
    expect(parseDecimal(value as never, 'Gün')).toEqual({ ok: true, value: n });
  });
  it.each([['2,5,1'], ['iki'], ['1.2.3'], ['5 gün']])('%s is refused', (value) => {
    expect(parseDecimal(value, 'Gün')).toEqual({ ok: false, reason: `Gün "${value}" is not a number` });
  });
});

describe('gender, birth year, leave type', () => {
  it.each([
    ['K', 'K'],
    ['k', 'K'],
    ['Kadın', 'K'],
    ['KADIN', 'K'],
    ['Kadin', 'K'],
    ['Bayan', 'K'],
    ['F', 'K'],
    ['E', 'E'],
    ['Erkek', 'E'],
    ['ERKEK', 'E'],
    ['Bay', 'E'],
    ['M', 'E'],
    ['', null],
  ])('gender %s → %s', (value, g) => expect(parseGender(value)).toEqual({ ok: true, value: g }));
  it('an unknown gender is refused', () => expect(parseGender('X')).toEqual({ ok: false, reason: 'Cinsiyet "X" is not K/E (Kadın/Erkek)' }));

  it.each([
    ['1985', 1985],
    [1985, 1985],
    ['1985,0', 1985],
    ['15.03.1985', 1985],
    [new Date(Date.UTC(1985, 2, 15)), 1985],
    [31121, 1985],
    ['', null],
  ])('birth year %s → %s (only the year is kept)', (value, y) => expect(parseBirthYear(value as never)).toEqual({ ok: true, value: y }));
  it.each([['85'], ['bilinmiyor'], [12345678901]])('birth year %s is refused', (value) => {
    const r = parseBirthYear(value as never);
    expect(r.ok).toBe(false);
    expect(JSON.stringify(r)).not.toContain('12345678901');
  });

  it.each([
    ['Yıllık İzin', 'yillik'],
    ['YILLIK IZIN', 'yillik'],
    ['Mazeret İzni', 'mazeret'],
    ['Hastalık İzni (Rapor)', 'hastalik'],
    ['Sağlık Raporu', 'hastalik'],
    ['Doğum İzni', 'dogum'],
    ['Babalık İzni', 'babalik'],
    ['Süt İzni', 'sut'],
    ['Ücretsiz İzin', 'ucretsiz'],
    ['Evlilik İzni', 'evlilik'],
    ['Ölüm İzni', 'olum'],
    ['İdari İzin', 'idari'],
    ['Kan Bağışı İzni', 'diger'],
  ])('leave type %s → %s', (value, code) => {
    expect(parseLeaveType(value)).toEqual({ ok: true, value: { code, label: value } });
  });
});

describe('unit resolution (names folded for comparison only)', () => {
  it.each([
    ['Fen İşleri Müdürlüğü', 'FEN_ISLERI'],
    ['FEN İŞLERİ MÜDÜRLÜĞÜ', 'FEN_ISLERI'],
    ['fen işleri müdürlüğü', 'FEN_ISLERI'],
    ['Fen Isleri Mudurlugu', 'FEN_ISLERI'],
    ['FEN ISLERI', 'FEN_ISLERI'],
    ['Fen İşleri', 'FEN_ISLERI'],
    ['FEN_ISLERI', 'FEN_ISLERI'],
    ['fen_isleri', 'FEN_ISLERI'],
    ['BİLGİ İŞLEM MÜDÜRLÜĞÜ', 'BILGI_ISLEM'],
    ['Bilgi Islem', 'BILGI_ISLEM'],
    ['İnsan Kaynakları ve Eğitim Müdürlüğü', 'INSAN_KAYNAKLARI'],
    ['Çevre Koruma ve Kontrol Müdürlüğü', 'CEVRE'],
    ['ÇEVRE KORUMA VE KONTROL', 'CEVRE'],
    ['Temizlik İşleri Müdürlüğü / Çöp Toplama Şefliği', 'TEMIZLIK'],
    ['Zabıta Müdürlüğü > Seyyar Ekip', 'ZABITA'],
    ['ZABITA', 'ZABITA'],
  ])('%s → %s', (value, code) => expect(resolveHrUnit(value)).toEqual({ ok: true, value: code }));

  it('an unknown unit is refused naming the value and the way out', () => {
    expect(resolveHrUnit('Tarımsal Hizmetler Müdürlüğü')).toEqual({
      ok: false,
      reason: 'Birim "Tarımsal Hizmetler Müdürlüğü" is not a known müdürlük (use a unit name or code of common/units.ts, or map it in birim-eslestirme.json)',
    });
  });
  it('the map file takes names that are not units', () => {
    const map = new Map([[foldText('Eski Muhasebe Birimi'), 'MALI_HIZMETLER']]);
    expect(resolveHrUnit('ESKİ MUHASEBE BİRİMİ', map)).toEqual({ ok: true, value: 'MALI_HIZMETLER' });
  });
});

describe('header names', () => {
  it.each([
    [['TC Kimlik No', 'Adı', 'Soyadı', 'Birim', 'Unvan', 'İstihdam Türü', 'İşe Başlama', 'Ayrılış', 'Cinsiyet', 'Doğum Yılı']],
    [['TCKN', 'AD', 'SOYAD', 'MÜDÜRLÜK', 'ÜNVAN', 'KADRO', 'İŞE BAŞLAMA TARİHİ', 'AYRILIŞ TARİHİ', 'CİNSİYETİ', 'DOĞUM TARİHİ']],
    [['T.C. Kimlik No', 'Adı Soyadı', 'Birim Adı', 'Görevi', 'İstihdam Şekli', 'Giriş Tarihi', 'Çıkış Tarihi', 'Cinsiyet', 'Doğum Yılı']],
    [['tc kimlik no', 'birim', 'istihdam turu', 'ise baslama', 'ayrilis', 'cinsiyet', 'dogum yili']],
    [['TC_KIMLIK_NO', 'BIRIM', 'ISTIHDAM_TURU', 'ISE_BASLAMA', 'AYRILIS', 'CINSIYET', 'DOGUM_YILI']],
  ])('personnel header %j is recognised', (cells) => {
    const h = mapHeaderRow('personnel', cells);
    expect(h.missing).toEqual([]);
    expect(Object.keys(h.index).sort()).toEqual(expect.arrayContaining(['birth_year', 'employment_type', 'end_date', 'gender', 'start_date', 'tckn', 'unit']));
  });

  it('prefers Müdürlük over Birim when a file has both', () => {
    const h = mapHeaderRow('personnel', ['TCKN', 'Birim', 'Müdürlük']);
    expect(h.index.unit).toBe(2);
  });
});

describe('masking (KVKK)', () => {
  it.each([
    ['10000000146', '[gizli]'],
    ['1000000014', '[gizli]'],
    ['TCKN 10000000147 hatalı', 'TCKN [gizli] hatalı'],
    ['0532 123 45 67', '0532 123 45 67'],
    ['05321234567', '[gizli]'],
    ['05.03.2024', '05.03.2024'],
    ['Fen İşleri', 'Fen İşleri'],
  ])('%s → %s', (text, masked) => expect(maskDigitRuns(text)).toBe(masked));

  it('an HR record never holds the number, and its masked form neither, even for an invalid one', () => {
    const rec = makeHrRecord('personnel', 'personel.csv:line 7', { tckn: '10000000147', unit: 'Fen İşleri 10000000146', title: 12345678901 }, SECRET);
    const text = JSON.stringify(rec) + JSON.stringify(maskHrRecord(rec as never));
    expect(text).not.toMatch(/10000000147|10000000146|12345678901|\d{9,}/);
    expect(rec.person_key).toBeNull();
    expect(rec.tckn_error).toBe('TC Kimlik No fails its check digits');
    expect(maskHrRecord(rec as never)).toMatchObject({
      ref: 'personel.csv:line 7',
      tc_kimlik_no: '[gizli] (TC Kimlik No fails its check digits)',
      unit: 'Fen İşleri [gizli]',
      title: '[gizli]',
    });
  });
});

describe('duplicate keys of a run (SeenKeys)', () => {
  it.each(['personel.csv:line 17', 'egitim.xlsx:row 4', 'personel.id=123456789', 'izin-2025.csv:line 1', 'no number here'])(
    'gives back the locator %s',
    (ref) => {
      const seen = new SeenKeys();
      seen.set(`key|${ref}`, ref);
      expect(seen.get(`key|${ref}`)).toBe(ref);
      expect(seen.get(`other|${ref}`)).toBeUndefined();
    },
  );
  it('keeps 200 000 distinct keys apart', () => {
    const seen = new SeenKeys();
    for (let i = 0; i < 200_000; i++) seen.set(`p${i}|yillik|2025-01-01`, `izin.csv:line ${i + 2}`);
    expect(seen.size).toBe(200_000);
    expect(seen.get('p123|yillik|2025-01-01')).toBe('izin.csv:line 125');
    expect(seen.get('p123|yillik|2025-01-02')).toBeUndefined();
  });
});

describe('HR settings', () => {
  it('reports every bad key at once, named by its environment variable, without the password', () => {
    expect(() => parseHrConfig({ exportDir: '', dbUrl: 'mysql://ik:sir@db/ik', kvkkSecret: 'kisa' })).toThrow(
      new ConfigError(
        'Invalid HR source settings (database mysql://ik:***@db/ik):\n  PANO_HR_EXPORT_DIR: is empty\n  PANO_HR_DB_URL: must be postgres://user:password@host:5432/database\n  PANO_KVKK_SECRET: must be at least 16 characters',
      ),
    );
  });
  it('accepts a folder alone, or a PostgreSQL URL', () => {
    expect(parseHrConfig({ exportDir: '/srv/ik', kvkkSecret: SECRET })).toEqual({ exportDir: '/srv/ik', kvkkSecret: SECRET });
    expect(parseHrConfig({ exportDir: '/srv/ik', dbUrl: 'postgres://pano@hr/ik', kvkkSecret: SECRET }).dbUrl).toBe('postgres://pano@hr/ik');
  });
});
