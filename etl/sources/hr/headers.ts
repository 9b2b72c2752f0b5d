import { HrExportError } from './errors.js';
import { compactKey, maskDigitRuns } from './text.js';

/** The three HR streams. */
export type HrKind = 'personnel' | 'training' | 'leave';

/** Canonical field names of each stream (what a header, or a database column, maps to). */
export type PersonnelField = 'tckn' | 'unit' | 'title' | 'employment_type' | 'start_date' | 'end_date' | 'gender' | 'birth_year' | 'weekly_hours';
export type TrainingField = 'tckn' | 'course' | 'hours' | 'date';
export type LeaveField = 'tckn' | 'leave_type' | 'start_date' | 'end_date' | 'days';
export type HrField = PersonnelField | TrainingField | LeaveField;

export interface FieldSpec {
  field: HrField | 'discard';
  /** The Turkish name used in messages, e.g. 'İşe Başlama'. */
  label: string;
  required: boolean;
  /** Accepted header texts, most preferred first; compared after folding (case, diacritics, punctuation). */
  aliases: string[];
}

const TCKN: FieldSpec = {
  field: 'tckn',
  label: 'TC Kimlik No',
  required: true,
  aliases: [
    'TC Kimlik No',
    'T.C. Kimlik No',
    'TC Kimlik Numarası',
    'T.C. Kimlik Numarası',
    'TCKN',
    'TCKNO',
    'TC No',
    'T.C. No',
    'Kimlik No',
    'Kimlik Numarası',
    'tc_kimlik_no',
  ],
};

/**
 * Columns that are recognised and deliberately dropped: names are not needed by any report (KVKK
 * data minimisation, see README), so they never leave the reader. Listed so that a header row made
 * only of them still counts as a header row.
 */
const NAMES: FieldSpec = {
  field: 'discard',
  label: 'Adı / Soyadı',
  required: false,
  aliases: ['Adı', 'Ad', 'Soyadı', 'Soyad', 'Adı Soyadı', 'Ad Soyad', 'Adı ve Soyadı', 'Personel Adı', 'Personel', 'Sicil No', 'Sicil', 'Sıra', 'Sıra No'],
};

export const FIELD_SPECS: Record<HrKind, FieldSpec[]> = {
  personnel: [
    TCKN,
    NAMES,
    {
      field: 'unit',
      label: 'Birim',
      required: true,
      aliases: ['Müdürlük', 'Müdürlüğü', 'Müdürlük Adı', 'Birim', 'Birimi', 'Birim Adı', 'Çalıştığı Birim', 'Görev Yeri', 'Birim Kodu', 'birim'],
    },
    { field: 'title', label: 'Unvan', required: false, aliases: ['Unvan', 'Ünvan', 'Unvanı', 'Ünvanı', 'Kadro Unvanı', 'Görev Unvanı', 'Görevi', 'unvan'] },
    {
      field: 'employment_type',
      label: 'İstihdam Türü',
      required: true,
      aliases: [
        'İstihdam Türü',
        'İstihdam Şekli',
        'İstihdam Tipi',
        'Kadro',
        'Kadro Türü',
        'Kadro Durumu',
        'Personel Türü',
        'Personel Tipi',
        'Çalışma Şekli',
        'Statü',
        'Statüsü',
        'istihdam_turu',
      ],
    },
    {
      field: 'start_date',
      label: 'İşe Başlama',
      required: true,
      aliases: ['İşe Başlama', 'İşe Başlama Tarihi', 'İşe Giriş', 'İşe Giriş Tarihi', 'Giriş Tarihi', 'Göreve Başlama Tarihi', 'Başlama Tarihi', 'ise_baslama'],
    },
    {
      field: 'end_date',
      label: 'Ayrılış',
      required: true,
      aliases: ['Ayrılış', 'Ayrılış Tarihi', 'İşten Ayrılış', 'İşten Ayrılış Tarihi', 'Ayrılma Tarihi', 'Çıkış Tarihi', 'İşten Çıkış Tarihi', 'ayrilis'],
    },
    { field: 'gender', label: 'Cinsiyet', required: true, aliases: ['Cinsiyet', 'Cinsiyeti', 'cinsiyet'] },
    { field: 'birth_year', label: 'Doğum Yılı', required: true, aliases: ['Doğum Yılı', 'Doğum Tarihi', 'dogum_yili'] },
    {
      field: 'weekly_hours',
      label: 'Haftalık Çalışma Saati',
      required: false,
      aliases: ['Haftalık Çalışma Saati', 'Haftalık Çalışma Süresi', 'Haftalık Saat', 'Çalışma Saati', 'haftalik_calisma_saati'],
    },
  ],
  training: [
    TCKN,
    NAMES,
    {
      field: 'course',
      label: 'Eğitim Adı',
      required: true,
      aliases: ['Eğitim Adı', 'Eğitimin Adı', 'Eğitim Konusu', 'Eğitimin Konusu', 'Eğitim', 'Kurs Adı', 'Kurs', 'Konu', 'egitim_adi'],
    },
    {
      field: 'hours',
      label: 'Süre (Saat)',
      required: true,
      aliases: ['Süre (Saat)', 'Süre Saat', 'Eğitim Süresi', 'Eğitim Süresi (Saat)', 'Eğitim Saati', 'Ders Saati', 'Saat', 'Süre', 'sure_saat'],
    },
    { field: 'date', label: 'Eğitim Tarihi', required: true, aliases: ['Eğitim Tarihi', 'Tarih', 'Başlangıç Tarihi', 'Eğitim Başlangıç Tarihi', 'tarih'] },
  ],
  leave: [
    TCKN,
    NAMES,
    { field: 'leave_type', label: 'İzin Türü', required: true, aliases: ['İzin Türü', 'İzin Çeşidi', 'İzin Tipi', 'İzin Nevi', 'Tür', 'izin_turu'] },
    {
      field: 'start_date',
      label: 'Başlangıç',
      required: true,
      aliases: ['Başlangıç', 'Başlangıç Tarihi', 'İzin Başlangıç', 'İzin Başlangıç Tarihi', 'İzne Başlama', 'İzne Başlama Tarihi', 'baslangic'],
    },
    { field: 'end_date', label: 'Bitiş', required: true, aliases: ['Bitiş', 'Bitiş Tarihi', 'İzin Bitiş', 'İzin Bitiş Tarihi', 'bitis'] },
    {
      field: 'days',
      label: 'Gün',
      required: true,
      aliases: ['Gün', 'Gün Sayısı', 'İzin Günü', 'İzin Gün Sayısı', 'Süre (Gün)', 'Kullanılan Gün', 'Süre', 'gun'],
    },
  ],
};

/** Where each field of a stream is in a header row (0-based cell index). */
export interface HeaderMap {
  kind: HrKind;
  /** The row's cells as found (trimmed), for messages. */
  cells: string[];
  index: Partial<Record<HrField, number>>;
  /** How many cells were recognised (any field, discarded ones included). */
  recognised: number;
  missing: FieldSpec[];
  /** The column map's entries this row used (header as written → field), in the row's order. */
  mapped: Array<{ header: string; field: HrField }>;
}

const aliasIndex = new Map<HrKind, Map<string, { spec: FieldSpec; rank: number }>>();
for (const kind of Object.keys(FIELD_SPECS) as HrKind[]) {
  const m = new Map<string, { spec: FieldSpec; rank: number }>();
  for (const spec of FIELD_SPECS[kind]) {
    spec.aliases.forEach((a, rank) => {
      const key = compactKey(a);
      const had = m.get(key);
      if (had && had.spec !== spec) throw new Error(`HR header alias "${a}" is listed for two fields`);
      m.set(key, { spec, rank });
    });
  }
  aliasIndex.set(kind, m);
}

/**
 * Maps one row of cells to the fields of `kind`. When two columns match one field (say 'Müdürlük'
 * and 'Birim'), the one whose header comes first in the field's alias list wins; a header the column map
 * (PANO_HR_COLUMN_MAP) names wins over every built-in name.
 */
export function mapHeaderRow(kind: HrKind, rawCells: unknown[], columnMap?: HrColumnMap): HeaderMap {
  const cells = rawCells.map((c) => (c == null ? '' : String(c).trim()));
  const aliases = aliasIndex.get(kind)!;
  const best = new Map<FieldSpec, { rank: number; at: number }>();
  const mappedAt = new Map<number, HrField>();
  let recognised = 0;
  cells.forEach((cell, at) => {
    if (!cell) return;
    const key = compactKey(cell);
    const mappedField = columnMap?.byHeader[kind].get(key);
    const mappedSpec = mappedField === undefined ? undefined : FIELD_SPECS[kind].find((s) => s.field === mappedField);
    if (mappedSpec) mappedAt.set(at, mappedSpec.field as HrField);
    const hit = mappedSpec ? { spec: mappedSpec, rank: -1 } : aliases.get(key);
    if (!hit) return;
    recognised++;
    const had = best.get(hit.spec);
    if (!had || hit.rank < had.rank) best.set(hit.spec, { rank: hit.rank, at });
  });
  const index: Partial<Record<HrField, number>> = {};
  for (const [spec, { at }] of best) if (spec.field !== 'discard') index[spec.field] = at;
  const missing = FIELD_SPECS[kind].filter((s) => s.required && s.field !== 'discard' && index[s.field as HrField] === undefined);
  const mapped = [...mappedAt].filter(([at, field]) => index[field] === at).map(([at, field]) => ({ header: cells[at], field }));
  return { kind, cells, index, recognised, missing, mapped };
}

/** How many leading rows are searched for the header (exports often start with a title and blank rows). */
export const HEADER_SEARCH_ROWS = 15;

const KIND_NAMES: Record<HrKind, string> = { personnel: 'personnel', training: 'training', leave: 'leave' };

/**
 * Picks the header row among the first rows of a file: the row holding a TC Kimlik No column with
 * the most recognised cells. Throws HrExportError naming the file when there is none, or when the
 * best one lacks a required column (every missing column named, with the accepted header texts).
 */
export function chooseHeaderRow<R>(
  kind: HrKind,
  file: string,
  rows: Array<{ row: R; cells: unknown[] }>,
  columnMap?: HrColumnMap,
): { row: R; header: HeaderMap } {
  let chosen: { row: R; header: HeaderMap } | null = null;
  for (const r of rows.slice(0, HEADER_SEARCH_ROWS)) {
    const header = mapHeaderRow(kind, r.cells, columnMap);
    if (header.index.tckn === undefined && header.recognised < 2) continue;
    if (!chosen || header.recognised > chosen.header.recognised) chosen = { row: r.row, header };
  }
  if (!chosen) {
    const wanted = FIELD_SPECS[kind]
      .filter((s) => s.required)
      .map((s) => `"${s.label}"`)
      .join(', ');
    throw new HrExportError(
      file,
      `${file}: no header row found in the first ${HEADER_SEARCH_ROWS} rows: a ${KIND_NAMES[kind]} export needs the columns ${wanted} (other headers can be mapped in ${columnMap ? columnMap.file : 'PANO_HR_COLUMN_MAP'})`,
    );
  }
  if (chosen.header.missing.length) {
    const found = chosen.header.cells
      .filter(Boolean)
      .map((c) => `"${maskDigitRuns(c)}"`)
      .join(', ');
    const lines = chosen.header.missing.map(
      (s) => `required column "${s.label}" is missing (accepted headers: ${s.aliases.filter((a) => /[A-ZÇĞİÖŞÜ]/.test(a[0])).join(', ')})`,
    );
    throw new HrExportError(
      file,
      `${file}: ${lines.join('; ')}; columns found: ${found} (other headers can be mapped in ${columnMap ? columnMap.file : 'PANO_HR_COLUMN_MAP'})`,
    );
  }
  return chosen;
}

/** The fields of a stream that a database table must provide (required) or may provide. */
function specsOf(kind: HrKind): FieldSpec[] {
  return FIELD_SPECS[kind].filter((s) => s.field !== 'discard');
}

export interface HrColumnMap {
  /** The file it was read from, as configured. */
  file: string;
  /** Header as the site's export writes it → field, in the file's order; `kind` for a stream's own section. */
  columns: ReadonlyArray<{ header: string; field: HrField; kind?: HrKind }>;
  /** Per stream: compactKey(header) → field (the shared headers whose field the stream has, and its own). */
  byHeader: Readonly<Record<HrKind, ReadonlyMap<string, HrField>>>;
  /** Field → (foldText(word) → Pano's word), with the entries as written. */
  values: ReadonlyMap<HrField, { entries: ReadonlyArray<{ from: string; to: string }>; byWord: ReadonlyMap<string, string> }>;
}
