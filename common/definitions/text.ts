/**
 * Turkish text folding for comparing and matching text only (headers, unit names, state names, search
 * words), never for building stored keys. One core, turkishFold(), and the named variants (TR_FOLD) the
 * ETL sources, the demo generator and the portal use. Pure code, no I/O, safe in the browser bundle.
 *
 * The core runs these steps, each switched by an option:
 *   1. nfc       Unicode NFC, so a decomposed 'ç' (c + U+0327) folds like the composed one.
 *   2. collapse  every whitespace run to one space, trimmed.
 *   3. lower     Turkish lower case (tr-TR): 'İ' → 'i', 'I' → 'ı'.
 *   4. ascii     letters to ASCII (see FoldAscii).
 *   5. keep      what survives (see FoldKeep).
 * Text that is all ASCII skips the Unicode work when the variant folds to ASCII: there tr-TR and plain
 * lower case differ only in 'I' → 'ı', which every ASCII mode turns back into 'i'.
 */

/**
 * How letters become ASCII (after lower case):
 * - 'none'          nothing: Turkish letters stay ('ışık').
 * - 'tr'            the six Turkish letters only: ç ğ ı ö ş ü → c g i o s u; everything else untouched.
 * - 'tr-circumflex' the same plus â î û → a i u (loanwords: "hâlâ", "millî", "Kûr").
 * - 'latin'         'tr-circumflex' plus ê é è á à ó ú → e e e a a o u, and the combining dot above
 *                   (U+0307, as in 'i̇' from a non-Turkish lower-casing of 'İ', or 'ż') dropped. Other
 *                   accented letters ('ñ', 'ä', 'í') stay as they are.
 * - 'strip-marks'   'ı' → 'i', then NFD and every combining mark U+0300–U+036F dropped: every accented
 *                   Latin letter loses its accent ('ñ' → 'n'). The result is left in NFD.
 */
export type FoldAscii = 'none' | 'tr' | 'tr-circumflex' | 'latin' | 'strip-marks';

/**
 * What survives the fold:
 * - 'all'         every character.
 * - 'alnum'       only a–z and 0–9; everything else dropped ('HİZMET NO:' → 'hizmetno').
 * - 'alnum-dot'   a–z, 0–9 and '.'; everything else dropped ('Ayşe.Yılmaz' → 'ayse.yilmaz').
 * - 'alnum-space' a–z and 0–9; every other run becomes one space, trimmed ('T.C. Kimlik' → 't c kimlik').
 */
export type FoldKeep = 'all' | 'alnum' | 'alnum-dot' | 'alnum-space';

export interface FoldOptions {
  /** Step 1, Unicode NFC first. Default true. */
  readonly nfc?: boolean;
  /** Step 2, whitespace runs to one space, trimmed. Default false. */
  readonly collapse?: boolean;
  /** Step 3, Turkish lower case. Default true. */
  readonly lower?: boolean;
  /** Step 4. Default 'none'. */
  readonly ascii?: FoldAscii;
  /** Step 5. Default 'all'. */
  readonly keep?: FoldKeep;
}

/**
 * The variants in use. Each reproduces exactly what its callers did before the fold moved here (their
 * tests pin it); the differences are deliberate, see each comment.
 */
export const TR_FOLD = {
  /**
   * Case only, Turkish letters kept: 'FEN İŞLERİ  Müdürlüğü ' → 'fen işleri müdürlüğü'.
   * etl/unit-map.ts (foldName): GLPI group, entity and unit-map names; the inventory connectors
   * resolve asset units with it too.
   */
  name: { nfc: true, collapse: true, lower: true, ascii: 'none', keep: 'all' },
  /**
   * 'name' without NFC: 'SLA UYUM  ORANI' → 'sla uyum oranı'. portal/web KPI catalogue search
   * (foldTurkish) on measure texts and query words; it never normalised, and its matching (TR_FOLD.letters)
   * works on the folded text as typed.
   */
  search: { nfc: false, collapse: true, lower: true, ascii: 'none', keep: 'all' },
  /**
   * Turkish letters of already folded text to ASCII, nothing else: 'çözüm ığdır' → 'cozum igdir'.
   * portal/web catalogue search (asciiFold): a query typed without Turkish letters finds the Turkish
   * spelling. Letter for letter, so positions in the text stay as they are.
   */
  letters: { nfc: false, collapse: false, lower: false, ascii: 'tr-circumflex', keep: 'all' },
  /**
   * 'name', then every accent dropped; punctuation and spaces kept: 'Kullanım dışı > Hurda' →
   * 'kullanim disi > hurda'. etl/sources/inventory (asciiFold): keyword rules on GLPI / Snipe-IT
   * state, type and category names, which are written with or without Turkish letters.
   */
  words: { nfc: true, collapse: true, lower: true, ascii: 'strip-marks', keep: 'all' },
  /**
   * Letters and digits only, accents dropped: 'Dönem Başlangıç' → 'donembaslangic', 'HİZMET NO:' →
   * 'hizmetno'. etl/sources/telecom (foldKey): operator CSV headers, note labels, trade names, month
   * names and line-registry units, which each operator spaces and punctuates its own way.
   */
  key: { nfc: true, collapse: false, lower: true, ascii: 'strip-marks', keep: 'alnum' },
  /**
   * Words of ASCII letters and digits separated by one space: 'FEN İŞLERİ MÜDÜRLÜĞÜ' and 'Fen Isleri
   * Mudurlugu' → 'fen isleri mudurlugu', 'BILGI_ISLEM' → 'bilgi islem'. etl/sources/hr (foldText):
   * unit names, headers, file names and coded values of HR exports. Only the letters of the 'latin'
   * table lose their accents; any other accented letter breaks the word, as it always has.
   */
  tokens: { nfc: true, collapse: false, lower: true, ascii: 'latin', keep: 'alnum-space' },
  /**
   * Logins and e-mail local parts: 'Gülsüm' → 'gulsum', 'ayşe.yılmaz' → 'ayse.yilmaz'; spaces and any
   * letter outside the six Turkish ones ('â', 'é') dropped. etl/demo (asciiFold) for demo people.
   */
  login: { nfc: false, collapse: false, lower: true, ascii: 'tr', keep: 'alnum-dot' },
} as const satisfies Record<string, FoldOptions>;

const TR_ASCII: Readonly<Record<string, string>> = { ç: 'c', ğ: 'g', ı: 'i', ö: 'o', ş: 's', ü: 'u' };
const TR_CIRCUMFLEX_ASCII: Readonly<Record<string, string>> = { ...TR_ASCII, â: 'a', î: 'i', û: 'u' };
const LATIN_ASCII: Readonly<Record<string, string>> = {
  ...TR_CIRCUMFLEX_ASCII,
  ê: 'e',
  é: 'e',
  è: 'e',
  á: 'a',
  à: 'a',
  ó: 'o',
  ú: 'u',
};

// eslint-disable-next-line no-control-regex
const ALL_ASCII = /^[\x00-\x7f]*$/;

/** Folds `s` as the options say (see the steps above and TR_FOLD for the variants in use). */
export function turkishFold(s: string, opts: FoldOptions = {}): string {
  const { nfc = true, collapse = false, lower = true, ascii = 'none', keep = 'all' } = opts;
  let t = s;
  if (ascii !== 'none' && ALL_ASCII.test(t)) {
    // No Turkish letters, no accents, NFC = NFD = the text itself; plain lower case ('I' → 'i') is the fold.
    if (collapse) t = t.replace(/\s+/g, ' ').trim();
    if (lower) t = t.toLowerCase();
    return keepOnly(t, keep);
  }
  if (nfc) t = t.normalize('NFC');
  if (collapse) t = t.replace(/\s+/g, ' ').trim();
  if (lower) t = t.toLocaleLowerCase('tr-TR');
  switch (ascii) {
    case 'none':
      break;
    case 'tr':
      t = t.replace(/[çğıöşü]/g, (ch) => TR_ASCII[ch]);
      break;
    case 'tr-circumflex':
      t = t.replace(/[çğıöşüâîû]/g, (ch) => TR_CIRCUMFLEX_ASCII[ch]);
      break;
    case 'latin':
      t = t
        .normalize('NFD')
        .replace(/\u0307/g, '')
        .normalize('NFC')
        .replace(/[çğıöşüâîûêéèáàóú]/g, (ch) => LATIN_ASCII[ch]);
      break;
    case 'strip-marks':
      t = t
        .replace(/ı/g, 'i')
        .normalize('NFD')
        .replace(/[\u0300-\u036f]/g, '');
      break;
  }
  return keepOnly(t, keep);
}

function keepOnly(t: string, keep: FoldKeep): string {
  switch (keep) {
    case 'all':
      return t;
    case 'alnum':
      return t.replace(/[^a-z0-9]+/g, '');
    case 'alnum-dot':
      return t.replace(/[^a-z0-9.]+/g, '');
    case 'alnum-space':
      return t.replace(/[^a-z0-9]+/g, ' ').trim();
  }
}

/**
 * turkishFold with one variant, remembering each distinct text's fold. For code that folds the same few
 * hundred names on every row (unit, group and entity names, headers, coded values): Turkish lower-casing
 * (ICU) is the costly part, so each name is folded once. The memory is bounded (emptied past 50 000 texts).
 * Each call makes its own memory: etl/unit-map.ts (foldName, TR_FOLD.name) and etl/sources/hr (foldText,
 * TR_FOLD.tokens).
 */
export function cachedFold(opts: FoldOptions): (s: string) => string {
  const folded = new Map<string, string>();
  return (s) => {
    let f = folded.get(s);
    if (f === undefined) {
      if (folded.size >= 50_000) folded.clear();
      f = turkishFold(s, opts);
      folded.set(s, f);
    }
    return f;
  };
}
