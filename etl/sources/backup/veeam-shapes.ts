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
}

const norm = (h: string) => h.replace(/^\uFEFF/, '').trim().toLowerCase();

/** Finds the shape of a header, or throws VeeamFormatError naming the file and what is missing. */
export function detectVeeamShape(header: readonly string[], file: string): DetectedShape {
  const present = new Map<string, number>();
  header.forEach((h, i) => {
    const k = norm(h);
    if (!present.has(k)) present.set(k, i);
  });
  const scored = VEEAM_SHAPES.map((def) => ({ def, hits: def.signature.filter((c) => present.has(norm(c))) }))
    .filter((s) => s.hits.length > 0)
    .sort((a, b) => b.hits.length - a.hits.length);
  if (scored.length === 0) {
    const shown = header.length > 12 ? [...header.slice(0, 12), '…'] : header;
    throw new VeeamFormatError(
      `${file}: unknown Veeam export shape — header [${shown.join(', ')}] matches none of: ` +
        VEEAM_SHAPES.map((s) => `${s.title} with columns ${s.required.join(', ')}`).join('; '),
    );
  }
  const { def, hits } = scored[0];
  const missing = def.required.filter((c) => !present.has(norm(c)));
  if (missing.length) {
    throw new VeeamFormatError(
      `${file}: looks like a ${def.title.split(' (')[0]} (has ${hits.join(', ')}) but column${missing.length > 1 ? 's' : ''} ${missing.join(', ')} ${missing.length > 1 ? 'are' : 'is'} missing`,
    );
  }
  const col: Record<string, number> = {};
  for (const c of [...def.required, ...def.optional]) col[c] = present.get(norm(c)) ?? -1;
  const sid = SESSION_ID_COLUMNS.map((c) => present.get(norm(c))).find((i) => i !== undefined);
  return { def, col, sessionIdCol: sid ?? -1 };
}
