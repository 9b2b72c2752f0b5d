/**
 * The backup tools' status, level and type codes, mapped onto Pano's own small vocabulary.
 * Pure data; README.md shows the same tables.
 */

/** Pano's session status. Only success, warning and failed are *outcomes* (counted in success rates). */
export type BackupStatus = 'success' | 'warning' | 'failed' | 'cancelled' | 'running';

const STATUS_LABELS: Record<BackupStatus, string> = {
  success: 'Başarılı',
  warning: 'Uyarı',
  failed: 'Başarısız',
  cancelled: 'İptal edildi',
  running: 'Sürüyor',
};

/** An outcome counts in success rates; cancelled and still-running sessions do not. */
export const isOutcome = (s: BackupStatus): boolean => s === 'success' || s === 'warning' || s === 'failed';
/** A good session left a usable restore point: success, or completed with warnings. */
export const isGood = (s: BackupStatus): boolean => s === 'success' || s === 'warning';

/** Kinds of backup level, tool-independent. */
export type LevelKind = 'full' | 'incremental' | 'differential' | 'synthetic_full' | 'reverse_incremental' | 'since' | 'base' | 'verify' | 'none';

export const LEVEL_LABELS: Record<LevelKind, string> = {
  full: 'Tam',
  incremental: 'Artımlı',
  differential: 'Fark',
  synthetic_full: 'Sentetik tam',
  reverse_incremental: 'Ters artımlı',
  since: 'Tarihten beri',
  base: 'Temel',
  verify: 'Doğrulama',
  none: 'Yok',
};

// ─── Bareos / Bacula ─────────────────────────────────────────────────────────────────────────────

/**
 * Job.JobStatus (the Status table of the catalog; Bareos core/src/include/job_status.h). Every code the
 * catalog's Status table lists is here; a code outside this table is refused with its value.
 */
export const BAREOS_JOB_STATUS: Record<string, { status: BackupStatus; meaning: string }> = {
  T: { status: 'success', meaning: 'Completed successfully' },
  W: { status: 'warning', meaning: 'Terminated with warnings' },
  E: { status: 'failed', meaning: 'Terminated with errors' },
  e: { status: 'failed', meaning: 'Non-fatal error' },
  f: { status: 'failed', meaning: 'Fatal error' },
  I: { status: 'failed', meaning: 'Incomplete job' },
  D: { status: 'warning', meaning: 'Verify found differences' },
  A: { status: 'cancelled', meaning: 'Canceled by user' },
  C: { status: 'running', meaning: 'Created, not yet running' },
  R: { status: 'running', meaning: 'Running' },
  B: { status: 'running', meaning: 'Blocked' },
  L: { status: 'running', meaning: 'Committing data' },
  l: { status: 'running', meaning: 'Doing data despooling' },
  q: { status: 'running', meaning: 'Queued waiting for device' },
  F: { status: 'running', meaning: 'Waiting for Client' },
  S: { status: 'running', meaning: 'Waiting for Storage daemon' },
  m: { status: 'running', meaning: 'Waiting for new media' },
  M: { status: 'running', meaning: 'Waiting for media mount' },
  s: { status: 'running', meaning: 'Waiting for storage resource' },
  j: { status: 'running', meaning: 'Waiting for job resource' },
  c: { status: 'running', meaning: 'Waiting for client resource' },
  d: { status: 'running', meaning: 'Waiting on maximum jobs' },
  t: { status: 'running', meaning: 'Waiting on start time' },
  p: { status: 'running', meaning: 'Waiting on higher priority jobs' },
  a: { status: 'running', meaning: 'SD despooling attributes' },
  i: { status: 'running', meaning: 'Doing batch insert file records' },
};

/** Job.Level (Bareos core/src/include/job_level.h). */
export const BAREOS_LEVELS: Record<string, { kind: LevelKind; meaning: string }> = {
  F: { kind: 'full', meaning: 'Full' },
  I: { kind: 'incremental', meaning: 'Incremental' },
  D: { kind: 'differential', meaning: 'Differential' },
  f: { kind: 'synthetic_full', meaning: 'VirtualFull' },
  S: { kind: 'since', meaning: 'Since' },
  B: { kind: 'base', meaning: 'Base' },
  C: { kind: 'verify', meaning: 'Verify catalog' },
  V: { kind: 'verify', meaning: 'Verify init catalog' },
  O: { kind: 'verify', meaning: 'Verify volume to catalog' },
  d: { kind: 'verify', meaning: 'Verify disk to catalog' },
  A: { kind: 'verify', meaning: 'Verify data' },
  ' ': { kind: 'none', meaning: 'None (restore, admin)' },
  '': { kind: 'none', meaning: 'None (restore, admin)' },
};

/** Pano's job types: only `backup` sessions count for RPO and backup KPIs. */
export type JobType = 'backup' | 'restore' | 'verify' | 'copy' | 'migration' | 'archive' | 'admin' | 'consolidate' | 'other';

/** Job.Type (Bareos core/src/include/job_types.h). */
export const BAREOS_TYPES: Record<string, { type: JobType; meaning: string }> = {
  B: { type: 'backup', meaning: 'Backup' },
  R: { type: 'restore', meaning: 'Restore' },
  V: { type: 'verify', meaning: 'Verify' },
  C: { type: 'copy', meaning: 'Copy of a job' },
  c: { type: 'copy', meaning: 'Copy job' },
  M: { type: 'migration', meaning: 'A previous backup job that was migrated' },
  g: { type: 'migration', meaning: 'Migration job' },
  A: { type: 'archive', meaning: 'Archive' },
  D: { type: 'admin', meaning: 'Admin' },
  U: { type: 'admin', meaning: 'Console program' },
  I: { type: 'admin', meaning: 'Internal system job' },
  S: { type: 'other', meaning: 'Scan' },
  O: { type: 'consolidate', meaning: 'Always Incremental consolidate' },
};

const JOB_TYPE_LABELS: Record<JobType, string> = {
  backup: 'Yedekleme',
  restore: 'Geri yükleme',
  verify: 'Doğrulama',
  copy: 'Kopya',
  migration: 'Taşıma',
  archive: 'Arşiv',
  admin: 'Yönetim',
  consolidate: 'Birleştirme',
  other: 'Diğer',
};

// ─── Veeam ───────────────────────────────────────────────────────────────────────────────────────

/** Veeam's session Result (Veeam.Backup.Model.CBaseSessionInfo.EResult) and the AHV report's Status. */
const VEEAM_RESULTS: Record<string, BackupStatus> = {
  success: 'success',
  warning: 'warning',
  failed: 'failed',
  error: 'failed',
  none: 'running',
  inprogress: 'running',
  running: 'running',
  working: 'running',
  pending: 'running',
  canceled: 'cancelled',
  cancelled: 'cancelled',
};

/** Veeam's session State. A session that is not finished is `running`, whatever its Result says yet. */
const VEEAM_STATES: Record<string, 'finished' | 'running'> = {
  completed: 'finished',
  stopped: 'finished',
  idle: 'finished',
  working: 'running',
  starting: 'running',
  stopping: 'running',
  pausing: 'running',
  resuming: 'running',
  postprocessing: 'running',
  waitingtape: 'running',
  waitingrepository: 'running',
  waitingslot: 'running',
};

export const VEEAM_RESULT_VALUES = ['Success', 'Warning', 'Failed', 'None'];

/** A Veeam Result (and State, where the export has one) → status, or why not. */
export function veeamStatus(result: string | undefined, state?: string): BackupStatus | { fail: string } {
  const st = (state ?? '').trim();
  if (st !== '') {
    const s = VEEAM_STATES[st.toLowerCase().replace(/[\s_-]/g, '')];
    if (!s) return { fail: `State "${st}" is not a Veeam session state Pano knows (Completed, Working, Starting, Stopping, …)` };
    if (s === 'running') return 'running';
  }
  const r = (result ?? '').trim();
  if (r === '') return { fail: 'Result is empty' };
  const status = VEEAM_RESULTS[r.toLowerCase().replace(/[\s_-]/g, '')];
  if (!status) return { fail: `Result "${r}" is not a Veeam result (${VEEAM_RESULT_VALUES.join(', ')})` };
  return status;
}

/** Veeam's restore point type / job algorithm / backup type, as written in exports. */
const VEEAM_LEVELS: Record<string, LevelKind> = {
  full: 'full',
  activefull: 'full',
  increment: 'incremental',
  incremental: 'incremental',
  differential: 'differential',
  synthetic: 'synthetic_full',
  syntheticfull: 'synthetic_full',
  reversedincrement: 'reverse_incremental',
  reversedincremental: 'reverse_incremental',
  reverseincremental: 'reverse_incremental',
  rollback: 'reverse_incremental',
};

/** A Veeam level word → kind; unknown words keep their text and read as `none` (never a refusal). */
export function veeamLevel(raw: string | undefined): LevelKind | null {
  const v = (raw ?? '').trim();
  if (v === '') return null;
  return VEEAM_LEVELS[v.toLowerCase().replace(/[\s_-]/g, '')] ?? 'none';
}
