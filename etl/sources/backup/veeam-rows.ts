import { veeamLevel, veeamStatus, type BackupStatus, type LevelKind } from './codes.js';
import type { VeeamValueMap } from './column-map.js';
import type { VeeamFileContext } from './veeam-extract.js';
import type { VeeamShape } from './veeam-shapes.js';
import {
  isFailure,
  parseByteCount,
  parseDateTime,
  parseGigabytes,
  parseHumanSize,
  parseRatio,
  parseTimeSpan,
  type Culture,
  type ParseFailure,
} from './values.js';

/** One Veeam session (or VM task of a session) as read from an export row. Times are epoch ms (UTC). */
export interface VeeamSession {
  shape: VeeamShape;
  culture: Culture;
  sessionId: string | null;
  jobName: string;
  /** The VM, or the job itself for job-level exports. */
  objectName: string;
  objectType: 'vm' | 'job';
  levelRaw: string | null;
  levelKind: LevelKind | null;
  jobAlgorithm: string | null;
  resultRaw: string;
  stateRaw: string | null;
  status: BackupStatus;
  startedAt: number;
  endedAt: number | null;
  durationSec: number | null;
  /** Data the session processed (read from the source). */
  dataBytes: number | null;
  /** What it wrote to the repository, after dedupe and compression. */
  storedBytes: number | null;
  /** Size of the protected VM (AHV report's TotalSize). */
  objectSizeBytes: number | null;
  dataReadBytes: number | null;
  transferredBytes: number | null;
  dedupRatio: number | null;
  compressRatio: number | null;
  tags: string | null;
  reason: string | null;
}

export type VeeamValidation = { ok: true; session: VeeamSession } | { ok: false; reason: string };

/** Veeam writes DateTime.MinValue (1/1/0001) or 1/1/1900 for "not ended yet". */
const NOT_SET_DATE = /(^|[/.])(0001|1900)(?=[-\sT]|$)/;

/**
 * Reads one row of a Veeam export. Every problem of the row goes into one reason. Local times (en-US,
 * tr-TR exports) are read in `timezone`, the Veeam server's zone.
 */
/** One row being read: its values and the problems found so far (a class, so no closures per row). */
class RowReader {
  readonly problems: string[] = [];
  constructor(
    private readonly col: Record<string, number>,
    private readonly values: readonly string[],
    readonly culture: Culture,
    private readonly timezone: string,
    private readonly valueMap?: ReadonlyMap<string, VeeamValueMap>,
  ) {}

  /** A column's value, trimmed; words a column map's value map names are given in Pano's words. */
  get(name: string): string {
    const i = this.col[name];
    const v = i === undefined || i < 0 ? '' : (this.values[i] ?? '').trim();
    if (this.valueMap === undefined || v === '') return v;
    return this.valueMap.get(name)?.lookup(v) ?? v;
  }

  take<T>(v: T | ParseFailure): T | null {
    if (isFailure(v)) {
      this.problems.push(v.fail);
      return null;
    }
    return v;
  }

  time(name: string, required: boolean): number | null {
    const raw = this.get(name);
    if (raw === '') {
      if (required) this.problems.push(`${name} is empty`);
      return null;
    }
    if (!required && NOT_SET_DATE.test(raw)) return null;
    return this.take(parseDateTime(raw, this.culture, this.timezone, name));
  }
}

export function validateVeeamRow(ctx: VeeamFileContext, values: readonly string[], timezone: string): VeeamValidation {
  const { def, col, sessionIdCol } = ctx.shape;
  const culture: Culture = ctx.culture ?? (ctx.delimiter === ';' ? 'tr-TR' : 'en-US');
  const rd = new RowReader(col, values, culture, timezone, ctx.valueMap);
  const { problems } = rd;

  const jobName = rd.get('JobName');
  if (jobName === '') problems.push('JobName is empty');
  let objectName = jobName;
  let objectType: 'vm' | 'job' = 'job';
  let levelRaw: string | null = null;
  let jobAlgorithm: string | null = null;
  let resultRaw = '';
  let stateRaw: string | null = null;
  let startedAt: number | null = null;
  let endedAt: number | null = null;
  let durationSec: number | null = null;
  let dataBytes: number | null = null;
  let storedBytes: number | null = null;
  let objectSizeBytes: number | null = null;
  let dataReadBytes: number | null = null;
  let transferredBytes: number | null = null;
  let dedupRatio: number | null = null;
  let compressRatio: number | null = null;
  let tags: string | null = null;
  let reason: string | null = null;

  switch (def.shape) {
    case 'br_session_report': {
      resultRaw = rd.get('Result');
      startedAt = rd.time('Date', true);
      dataBytes = rd.take(parseGigabytes(rd.get('DataSize(GB)'), culture, 'DataSize(GB)'));
      storedBytes = rd.take(parseGigabytes(rd.get('BackupSize(GB)'), culture, 'BackupSize(GB)'));
      dedupRatio = rd.take(parseRatio(rd.get('DedupRatio'), culture, 'DedupRatio'));
      compressRatio = rd.take(parseRatio(rd.get('CompressRatio'), culture, 'CompressRatio'));
      break;
    }
    case 'em_api': {
      objectName = rd.get('VMName');
      objectType = 'vm';
      if (objectName === '') problems.push('VMName is empty');
      resultRaw = rd.get('Result');
      stateRaw = rd.get('State') || null;
      levelRaw = rd.get('RestorePointType') || rd.get('JobAlgorithm') || null;
      jobAlgorithm = rd.get('JobAlgorithm') || null;
      startedAt = rd.time('BackupCreationTime(UTC)', true);
      endedAt = rd.time('BackupEndTime(UTC)', false);
      dataBytes = rd.take(parseByteCount(rd.get('TotalSize'), 'TotalSize'));
      tags = rd.get('IncludedTags') || null;
      reason = rd.get('Reason') || null;
      break;
    }
    case 'ahv': {
      objectName = rd.get('VM');
      objectType = 'vm';
      if (objectName === '') problems.push('VM is empty');
      resultRaw = rd.get('Status');
      levelRaw = rd.get('BackupType') || null;
      const startColumn = rd.get('StartTime') !== '' ? 'StartTime' : rd.get('Date') !== '' ? 'Date' : null;
      if (startColumn) startedAt = rd.time(startColumn, true);
      else problems.push('StartTime and Date are empty');
      endedAt = rd.time('EndTime', false);
      durationSec = rd.take(parseTimeSpan(rd.get('Duration'), 'Duration'));
      objectSizeBytes = rd.take(parseHumanSize(rd.get('TotalSize'), culture, 'TotalSize'));
      dataReadBytes = rd.take(parseHumanSize(rd.get('DataRead'), culture, 'DataRead'));
      transferredBytes = rd.take(parseHumanSize(rd.get('Transferred'), culture, 'Transferred'));
      storedBytes = rd.take(parseHumanSize(rd.get('BackupSize'), culture, 'BackupSize'));
      dataBytes = dataReadBytes;
      dedupRatio = rd.take(parseRatio(rd.get('Dedupe'), culture, 'Dedupe'));
      compressRatio = rd.take(parseRatio(rd.get('Compression'), culture, 'Compression'));
      break;
    }
  }

  const status = veeamStatus(resultRaw, stateRaw ?? undefined);
  if (typeof status !== 'string') problems.push(status.fail);
  if (startedAt !== null && endedAt !== null) {
    if (endedAt < startedAt) problems.push(`session ends (${new Date(endedAt).toISOString()}) before it starts (${new Date(startedAt).toISOString()})`);
    else if (durationSec === null) durationSec = Math.round(endedAt - startedAt) / 1000;
  }
  if (durationSec !== null && durationSec > 31 * 86400) problems.push(`Duration ${durationSec} s is longer than a month`);
  if (problems.length || startedAt === null || typeof status !== 'string') return { ok: false, reason: problems.join('; ') };

  const sessionId = sessionIdCol >= 0 ? (values[sessionIdCol] ?? '').trim() || null : null;
  return {
    ok: true,
    session: {
      shape: def.shape,
      culture,
      sessionId,
      jobName,
      objectName,
      objectType,
      levelRaw,
      levelKind: veeamLevel(levelRaw ?? undefined),
      jobAlgorithm,
      resultRaw,
      stateRaw,
      status,
      startedAt,
      endedAt,
      durationSec,
      dataBytes,
      storedBytes,
      objectSizeBytes,
      dataReadBytes,
      transferredBytes,
      dedupRatio,
      compressRatio,
      tags,
      reason,
    },
  };
}
