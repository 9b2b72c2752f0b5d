import { zoneClock } from '../../calendar/wall-clock.js';
import { BAREOS_JOB_STATUS, BAREOS_LEVELS, BAREOS_TYPES, isOutcome, type BackupStatus, type JobType, type LevelKind } from './codes.js';
import type { RawBareosJob } from './bareos-extract.js';

/** One catalog job, read. Times are epoch ms (UTC). */
export interface BareosJob {
  jobId: number;
  job: string | null;
  name: string;
  typeCode: string;
  jobType: JobType;
  levelCode: string;
  levelKind: LevelKind | null;
  clientId: number | null;
  clientName: string | null;
  statusCode: string;
  statusLong: string;
  status: BackupStatus;
  schedAt: number | null;
  startedAt: number | null;
  /** RealEndTime when set, else EndTime. */
  endedAt: number | null;
  durationSec: number | null;
  jobFiles: number | null;
  jobBytes: number | null;
  readBytes: number | null;
  jobErrors: number | null;
  jobMissingFiles: number | null;
  poolName: string | null;
  filesetName: string | null;
  priorJobId: number | null;
  comment: string | null;
  fromHisto: boolean;
}

export type BareosValidation = { ok: true; job: BareosJob } | { ok: false; reason: string };

/**
 * Reads one catalog row. Catalog times are the director's wall-clock time (`TIMESTAMP WITHOUT TIME ZONE`),
 * read in `timezone`. SQLite's `0`, MySQL's zero date and anything before 1971 mean "not set".
 */
export function validateBareosJob(raw: RawBareosJob, timezone: string): BareosValidation {
  const problems: string[] = [];
  const clock = zoneClock(timezone);
  const time = (v: string | null, column: string): number | null => {
    if (v === null) return null;
    const s = v.trim();
    if (s === '' || s === '0' || (/^\d{4}-\d{2}-\d{2}/.test(s) && s.slice(0, 4) < '1971')) return null;
    const t = clock.parse(s);
    if (t === null) problems.push(`${column} "${s}" is not a date-time`);
    return t;
  };
  const count = (v: number | null, column: string): number | null => {
    if (v === null) return null;
    if (!Number.isFinite(v) || v < 0 || !Number.isInteger(v)) problems.push(`${column} ${String(v)} is not a non-negative whole number`);
    return v;
  };

  if (!Number.isSafeInteger(raw.job_id) || raw.job_id <= 0) problems.push(`JobId ${String(raw.job_id)} is not a positive integer`);
  const statusCode = raw.job_status ?? '';
  const st = BAREOS_JOB_STATUS[statusCode];
  if (!st) problems.push(statusCode === '' ? 'JobStatus is empty' : `JobStatus "${statusCode}" is not a Bareos/Bacula job status (T, W, E, e, f, A, R, C, …)`);
  const typeCode = raw.type ?? '';
  const type = BAREOS_TYPES[typeCode];
  if (!type) problems.push(typeCode === '' ? 'Type is empty' : `Type "${typeCode}" is not a Bareos/Bacula job type (B, R, V, C, c, M, g, D, …)`);
  const levelCode = raw.level ?? ' ';
  const level = BAREOS_LEVELS[levelCode] ?? BAREOS_LEVELS[levelCode.trim()];
  if (!level) problems.push(`Level "${levelCode}" is not a Bareos/Bacula level (F, I, D, f, …)`);
  const name = (raw.name ?? '').trim();
  if (name === '') problems.push('Name is empty');

  const schedAt = time(raw.sched_time, 'SchedTime');
  const startedAt = time(raw.start_time, 'StartTime');
  const endTime = time(raw.end_time, 'EndTime');
  const realEnd = time(raw.real_end_time, 'RealEndTime');
  const endedAt = realEnd ?? endTime;
  if (st && isOutcome(st.status) && startedAt === null && schedAt === null)
    problems.push(`a finished job (JobStatus ${statusCode}) has neither StartTime nor SchedTime`);
  let durationSec: number | null = null;
  if (startedAt !== null && endedAt !== null) {
    if (endedAt < startedAt)
      problems.push(`${realEnd !== null ? 'RealEndTime' : 'EndTime'} ${raw.real_end_time ?? raw.end_time} is before StartTime ${raw.start_time}`);
    else durationSec = (endedAt - startedAt) / 1000;
  }
  const jobFiles = count(raw.job_files, 'JobFiles');
  const jobBytes = count(raw.job_bytes, 'JobBytes');
  const readBytes = count(raw.read_bytes, 'ReadBytes');
  const jobErrors = count(raw.job_errors, 'JobErrors');
  const jobMissingFiles = count(raw.job_missing_files, 'JobMissingFiles');

  if (problems.length || !st || !type || !level) return { ok: false, reason: problems.join('; ') };
  return {
    ok: true,
    job: {
      jobId: raw.job_id,
      job: raw.job,
      name,
      typeCode,
      jobType: type.type,
      levelCode: levelCode.trim() === '' ? ' ' : levelCode,
      levelKind: level.kind === 'none' ? null : level.kind,
      clientId: raw.client_id && raw.client_id > 0 ? raw.client_id : null,
      clientName: raw.client_name?.trim() || null,
      statusCode,
      statusLong: raw.job_status_long?.trim() || st.meaning,
      status: st.status,
      schedAt,
      startedAt,
      endedAt,
      durationSec,
      jobFiles,
      jobBytes,
      readBytes,
      jobErrors,
      jobMissingFiles,
      poolName: raw.pool_name,
      filesetName: raw.fileset_name,
      priorJobId: raw.prior_job_id && raw.prior_job_id > 0 ? raw.prior_job_id : null,
      comment: raw.comment?.trim() || null,
      fromHisto: raw.from_histo,
    },
  };
}
