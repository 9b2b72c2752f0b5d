import { PanoError } from '../../../common/errors.js';

/**
 * The three real shapes of Veeam session exports (samples in ../shared/samples/backup/veeam/, from
 * VeeamHub/powershell), told apart by their header. Column names are PowerShell property names, so they
 * are the same on every Windows culture; only the values (dates, decimals) and the separator change.
 */
export type VeeamShape = 'br_session_report' | 'em_api' | 'ahv';

export interface VeeamShapeDef {
  shape: VeeamShape;
  title: string;
  /** Columns the shape must have. */
  required: readonly string[];
  /** Columns read when present. */
  optional: readonly string[];
  /** Columns that only this shape has: the header is matched on these. */
  signature: readonly string[];
  /** The session start column, used to recognise the file's culture. */
  dateColumn: string;
  /** What one row is. */
  grain: 'job' | 'vm';
}

/** An optional column any shape may carry (custom exports): Veeam's session id, the best key there is. */
export const SESSION_ID_COLUMNS = ['SessionId', 'Session Id', 'SessionUid'] as const;

export const VEEAM_SHAPES: readonly VeeamShapeDef[] = [
  {
    shape: 'br_session_report',
    title: 'Veeam B&R session report (BR-BackupSessionReport: one row per job session, sizes in GB)',
    required: ['JobName', 'Result', 'DataSize(GB)', 'BackupSize(GB)', 'Date'],
    optional: ['DedupRatio', 'CompressRatio'],
    signature: ['DataSize(GB)', 'BackupSize(GB)', 'DedupRatio', 'CompressRatio'],
    dateColumn: 'Date',
    grain: 'job',
  },
  {
    shape: 'em_api',
    title: 'Veeam Enterprise Manager API export (VEM-BackupSessionReport: one row per VM restore point, UTC times, bytes)',
    required: ['JobName', 'VMName', 'Result', 'State', 'BackupCreationTime(UTC)', 'BackupEndTime(UTC)', 'TotalSize'],
    optional: ['RestorePointType', 'JobAlgorithm', 'IncludedTags', 'Reason'],
    signature: ['BackupCreationTime(UTC)', 'BackupEndTime(UTC)', 'RestorePointType', 'JobAlgorithm', 'VMName'],
    dateColumn: 'BackupCreationTime(UTC)',
    grain: 'vm',
  },
  {
    shape: 'ahv',
    title: 'Veeam Backup for Nutanix AHV report (VAN-BackupReports: one row per VM session, human sizes)',
    required: ['JobName', 'VM', 'Status', 'StartTime', 'EndTime'],
    optional: ['Date', 'BackupType', 'Duration', 'TotalSize', 'DataRead', 'Transferred', 'BackupSize', 'Dedupe', 'Compression'],
    signature: ['VM', 'Duration', 'DataRead', 'Transferred', 'BackupType', 'Dedupe'],
    dateColumn: 'StartTime',
    grain: 'vm',
  },
];

/** A whole export file cannot be read as any Veeam shape (unknown header, missing column, encoding). */
export class VeeamFormatError extends PanoError {
  constructor(message: string) {
    super(message, { code: 'veeam_format', retryable: false });
  }
}

export interface DetectedShape {
  def: VeeamShapeDef;
  /** Column name → index in the row (-1 when the optional column is absent). */
  col: Record<string, number>;
  /** Index of a session id column, or -1. */
  sessionIdCol: number;
  /** The column map's entries this header used (header as written → Pano column), in header order. */
  mapped: Array<{ header: string; field: string }>;
}

const norm = (h: string) =>
  h
    .replace(/^\uFEFF/, '')
    .trim()
    .toLowerCase();

/** The title without its explanation: "Veeam B&R session report". */
const shortTitle = (def: VeeamShapeDef) => def.title.split(' (')[0];

/**
 * Finds the shape of a header, or throws VeeamFormatError naming the file, the columns it has and every shape
 * Pano knows with its required columns (and which of them are missing). A column map (PANO_VEEAM_COLUMN_MAP)
 * renames the site's headers first; a mapped header wins over an unmapped one naming the same column.
 */
export function detectVeeamShape(header: readonly string[], file: string, columnMap?: VeeamColumnMap): DetectedShape {
  const present = new Map<string, number>();
  const mapped: DetectedShape['mapped'] = [];
  const names = header.map((h) => {
    const field = columnMap?.byHeader.get(norm(h));
    return field === undefined ? null : field;
  });
  names.forEach((field, i) => {
    if (field === null || present.has(norm(field))) return;
    present.set(norm(field), i);
    mapped.push({ header: header[i].replace(/^\uFEFF/, '').trim(), field });
  });
  header.forEach((h, i) => {
    const k = norm(h);
    if (names[i] === null && !present.has(k)) present.set(k, i);
  });
  const scored = VEEAM_SHAPES.map((def) => ({
    def,
    hits: def.signature.filter((c) => present.has(norm(c))).length,
    missing: def.required.filter((c) => !present.has(norm(c))),
  }));
  const found = scored.filter((s) => s.missing.length === 0 && s.hits > 0).sort((a, b) => b.hits - a.hits)[0];
  if (!found) {
    const cells = header
      .map((h, i) => {
        const text = h.replace(/^\uFEFF/, '').trim();
        return names[i] === null ? text : `${text} → ${names[i]}`;
      })
      .filter((c) => c !== '');
    const shown = cells.length > 30 ? [...cells.slice(0, 30), `… (+${cells.length - 30})`] : cells;
    const shapes = scored.map(
      (s) =>
        `${s.def.shape} (${shortTitle(s.def)}): ${s.def.required.join(', ')}` +
        (s.missing.length === s.def.required.length ? ' — hiçbiri yok (none present)' : s.missing.length ? ` — eksik (missing): ${s.missing.join(', ')}` : ''),
    );
    throw new VeeamFormatError(
      `${file}: bilinen bir Veeam dışa aktarım biçimi değil (not a Veeam export shape Pano knows) — ` +
        `bulunan sütunlar (columns found): ${shown.join(', ') || 'yok (none)'}; ` +
        `bilinen biçimler ve zorunlu sütunları (known shapes and their required columns): ${shapes.join('; ')}. ` +
        `${columnMap ? `Sütun eşlemesi (column map) ${columnMap.file} uygulandı (applied). ` : ''}` +
        'Dışa aktarım başlıkları farklı yazıyorsa PANO_VEEAM_COLUMN_MAP ile eşleyin (if the export writes other headers, map them with PANO_VEEAM_COLUMN_MAP)',
    );
  }
  const { def } = found;
  const col: Record<string, number> = {};
  for (const c of [...def.required, ...def.optional]) col[c] = present.get(norm(c)) ?? -1;
  const sid = SESSION_ID_COLUMNS.map((c) => present.get(norm(c))).find((i) => i !== undefined);
  return { def, col, sessionIdCol: sid ?? -1, mapped };
}

export interface VeeamColumnMap {
  /** The file it was read from, as configured. */
  file: string;
  /** Header as the site's export writes it → Pano field, in the file's order. */
  columns: ReadonlyArray<{ header: string; field: string }>;
  /** Normalised header (trimmed, lower case) → Pano field. */
  byHeader: ReadonlyMap<string, string>;
  /** Pano field → its value map. */
  values: ReadonlyMap<string, VeeamValueMap>;
}

/** One field's value map: the site's words → the words Pano reads. */
export class VeeamValueMap {
  private readonly exact = new Map<string, string>();
  private readonly folded = new Map<string, string>();
  constructor(readonly entries: ReadonlyArray<{ from: string; to: string }>) {
    for (const { from, to } of entries) {
      this.exact.set(from.trim(), to);
      if (!this.folded.has(from.trim().toLocaleLowerCase('tr-TR'))) this.folded.set(from.trim().toLocaleLowerCase('tr-TR'), to);
    }
  }

  /** The Pano word for a (trimmed) value, or undefined when the map does not name it. */
  lookup(value: string): string | undefined {
    return this.exact.get(value) ?? this.folded.get(value.toLocaleLowerCase('tr-TR'));
  }
}
