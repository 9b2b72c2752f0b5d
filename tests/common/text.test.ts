import { describe, expect, it } from 'vitest';
import { cachedFold, TR_FOLD, turkishFold, type FoldOptions } from '../../common/definitions/text.js';

const fold = (v: FoldOptions) => (s: string) => turkishFold(s, v);

describe('turkishFold core', () => {
  it('defaults to NFC and Turkish lower case only', () => {
    expect(turkishFold('İSTANBUL')).toBe('istanbul');
    expect(turkishFold('IŞIK')).toBe('ışık');
    expect(turkishFold('  A  B ')).toBe('  a  b ');
    expect(turkishFold('c\u0327')).toBe('ç');
  });

  it('each step can be switched on its own', () => {
    expect(turkishFold('ÇÖZÜM', { lower: false, ascii: 'tr' })).toBe('ÇÖZÜM');
    expect(turkishFold('c\u0327', { nfc: false })).toBe('c\u0327');
    expect(turkishFold(' a \t\n b ', { collapse: true })).toBe('a b');
    expect(turkishFold('Peña', { ascii: 'strip-marks' })).toBe('pena');
    expect(turkishFold('Peña', { ascii: 'latin' })).toBe('peña');
    expect(turkishFold('Peña', { ascii: 'tr' })).toBe('peña');
  });

  it('folds the empty string to the empty string in every variant', () => {
    for (const v of Object.values(TR_FOLD)) expect(turkishFold('', v)).toBe('');
    for (const v of Object.values(TR_FOLD)) expect(turkishFold('   ', v)).toBe(v.keep === 'all' && !v.collapse ? '   ' : '');
  });

  it('ASCII fast path: plain lower case, the same as the Unicode path gives', () => {
    // 'I' lower-cases to 'ı' in tr-TR; every ASCII mode turns that back into 'i'.
    expect(turkishFold('INCIDENT', TR_FOLD.key)).toBe('incident');
    expect(turkishFold('INCIDENT', TR_FOLD.words)).toBe('incident');
    expect(turkishFold('INCIDENT', TR_FOLD.tokens)).toBe('incident');
    expect(turkishFold('INCIDENT', TR_FOLD.login)).toBe('incident');
    // Not so without ASCII folding: the Turkish dotless ı stays.
    expect(turkishFold('INCIDENT', TR_FOLD.name)).toBe('ıncıdent');
    // The same text with one non-ASCII character takes the Unicode path and agrees.
    expect(turkishFold('INCIDENT ş', TR_FOLD.key)).toBe('incidents');
    expect(turkishFold('INCIDENT ş', TR_FOLD.tokens)).toBe('incident s');
  });
});

describe('cachedFold', () => {
  it.each(Object.entries(TR_FOLD))('%s: the same fold as turkishFold, asked once or twice', (_name, variant) => {
    const f = cachedFold(variant);
    for (const s of ['FEN İŞLERİ  Müdürlüğü ', 'Işık', 'BILGI_ISLEM', 'c\u0327ankaya', '']) {
      expect(f(s)).toBe(turkishFold(s, variant));
      expect(f(s)).toBe(turkishFold(s, variant));
    }
  });
});

describe('TR_FOLD.name (glpi foldName)', () => {
  const f = fold(TR_FOLD.name);
  it.each([
    ['İSTANBUL', 'istanbul'],
    ['Işık', 'ışık'],
    ['ÇĞİÖŞÜ çğıöşü', 'çğiöşü çğıöşü'],
    ['â î û Â Î Û', 'â î û â î û'],
    ['  Fen   İşleri\tMüdürlüğü\n', 'fen işleri müdürlüğü'],
    ['Bilgi İşlem (BİM).', 'bilgi işlem (bim).'],
    ['MSISDN', 'msısdn'],
    ['C\u0327ankaya', 'çankaya'],
    ['', ''],
  ])('%j → %j', (input, out) => expect(f(input)).toBe(out));
});

describe('TR_FOLD.search (portal foldTurkish)', () => {
  const f = fold(TR_FOLD.search);
  it.each([
    ['SLA UYUM ORANI', 'sla uyum oranı'],
    ['İSTANBUL', 'istanbul'],
    ['Işık', 'ışık'],
    ['ÇĞİÖŞÜ çğıöşü', 'çğiöşü çğıöşü'],
    ['  Çözüm   Süresi ', 'çözüm süresi'],
    ['â, î; û!', 'â, î; û!'],
    // No NFC: a decomposed letter stays decomposed.
    ['C\u0327ankaya', 'c\u0327ankaya'],
    ['', ''],
  ])('%j → %j', (input, out) => expect(f(input)).toBe(out));
});

describe('TR_FOLD.letters (portal asciiFold)', () => {
  const f = fold(TR_FOLD.letters);
  it.each([
    ['çözüm ığdır şüphe', 'cozum igdir suphe'],
    ['çğıöşü', 'cgiosu'],
    ['â î û', 'a i u'],
    // Letter for letter only: no lower case, no spaces touched, other accents kept.
    ['ÇĞİÖŞÜ', 'ÇĞİÖŞÜ'],
    ['a  b, é', 'a  b, é'],
    ['', ''],
  ])('%j → %j', (input, out) => expect(f(input)).toBe(out));
  it('keeps positions: the output has the length of the input', () => {
    const s = 'sla uyum oranı \u0001 çözüm süresi';
    expect(f(s)).toHaveLength(s.length);
  });
});

describe('TR_FOLD.words (inventory asciiFold)', () => {
  const f = fold(TR_FOLD.words);
  it.each([
    ['Kullanım dışı > Hurda', 'kullanim disi > hurda'],
    ['İSTANBUL', 'istanbul'],
    ['Işık', 'isik'],
    ['ÇĞİÖŞÜ çğıöşü', 'cgiosu cgiosu'],
    ['â î û À Ì Ù', 'a i u a i u'],
    ['Peña  Niño', 'pena nino'],
    ['  Arızalı / Serviste ', 'arizali / serviste'],
    ['Ready to Deploy', 'ready to deploy'],
    ['', ''],
  ])('%j → %j', (input, out) => expect(f(input)).toBe(out));
});

describe('TR_FOLD.key (telecom foldKey)', () => {
  const f = fold(TR_FOLD.key);
  it.each([
    ['Dönem Başlangıç', 'donembaslangic'],
    ['HİZMET NO:', 'hizmetno'],
    ['İSTANBUL', 'istanbul'],
    ['Işık', 'isik'],
    ['ÇĞİÖŞÜ çğıöşü', 'cgiosucgiosu'],
    ['â î û', 'aiu'],
    ['Aylık Bütçe (TL)', 'aylikbutcetl'],
    ['T.C.  Kimlik-No', 'tckimlikno'],
    ['MSISDN', 'msisdn'],
    ['Peña', 'pena'],
    ['', ''],
  ])('%j → %j', (input, out) => expect(f(input)).toBe(out));
});

describe('TR_FOLD.tokens (hr foldText)', () => {
  const f = fold(TR_FOLD.tokens);
  it.each([
    ['FEN İŞLERİ MÜDÜRLÜĞÜ', 'fen isleri mudurlugu'],
    ['Fen Isleri Mudurlugu', 'fen isleri mudurlugu'],
    ['BILGI_ISLEM', 'bilgi islem'],
    ['İSTANBUL', 'istanbul'],
    ['Işık', 'isik'],
    ['ÇĞİÖŞÜ çğıöşü', 'cgiosu cgiosu'],
    ['â î û', 'a i u'],
    ['José Müller', 'jose muller'],
    ['  T.C.   Kimlik No: ', 't c kimlik no'],
    // 'i' + combining dot above, as a non-Turkish lower-casing of 'İ' leaves it.
    ['i\u0307şleri', 'isleri'],
    // Accented letters outside the table break the word.
    ['Peña', 'pe a'],
    ['', ''],
  ])('%j → %j', (input, out) => expect(f(input)).toBe(out));
});

describe('TR_FOLD.login (demo asciiFold)', () => {
  const f = fold(TR_FOLD.login);
  it.each([
    ['Gülsüm', 'gulsum'],
    ['Işık', 'isik'],
    ['İbrahim', 'ibrahim'],
    ['ÇĞİÖŞÜ çğıöşü', 'cgiosucgiosu'],
    ['Ayşe.Yılmaz', 'ayse.yilmaz'],
    ['Gülsüm Işık', 'gulsumisik'],
    // Only the six Turkish letters fold: â î û and other accents are dropped.
    ['Hâlâ', 'hl'],
    ['â î û', ''],
    ['José', 'jos'],
    ['', ''],
  ])('%j → %j', (input, out) => expect(f(input)).toBe(out));
});
