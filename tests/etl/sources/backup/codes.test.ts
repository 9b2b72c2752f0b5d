import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  BAREOS_JOB_STATUS,
  BAREOS_LEVELS,
  BAREOS_TYPES,
  LEVEL_LABELS,
  isGood,
  isOutcome,
  veeamLevel,
  veeamStatus,
  type BackupStatus,
} from '../../../../etl/sources/backup/codes.js';
import { validateBareosJob } from '../../../../etl/sources/backup/bareos-rows.js';
import type { RawBareosJob } from '../../../../etl/sources/backup/bareos-extract.js';

// Samples README: bareos/bareos @ 015652a, core/src/cats/ddl/creates/postgresql.sql (AGPL-3.0)
const DDL = fs.readFileSync(path.resolve(__dirname, '../../../../../shared/samples/backup/bareos/bareos-catalog-postgresql-excerpt.sql'), 'utf8');

describe('Bareos JobStatus → Pano status', () => {
  it.each<[string, BackupStatus]>([
    ['T', 'success'],
    ['W', 'warning'],
    ['E', 'failed'],
    ['e', 'failed'],
    ['f', 'failed'],
    ['I', 'failed'],
    ['D', 'warning'],
    ['A', 'cancelled'],
    ['R', 'running'],
    ['C', 'running'],
    ['B', 'running'],
    ['F', 'running'],
    ['S', 'running'],
    ['m', 'running'],
    ['M', 'running'],
    ['q', 'running'],
  ])('%s → %s', (code, status) => expect(BAREOS_JOB_STATUS[code].status).toBe(status));

  it('covers every code of the catalog Status table, with its meaning', () => {
    const rows = [...DDL.matchAll(/\('(.)', '([^']+)',\s*\d+\)/g)].map((m) => [m[1], m[2]]);
    expect(rows.length).toBe(26);
    for (const [code, meaning] of rows) expect(BAREOS_JOB_STATUS[code]?.meaning, code).toBe(meaning);
    expect(Object.keys(BAREOS_JOB_STATUS).sort()).toEqual(rows.map((r) => r[0]).sort());
  });

  it('only success, warning and failed are outcomes; success and warning are good', () => {
    expect((['success', 'warning', 'failed', 'cancelled', 'running'] as BackupStatus[]).map((s) => [isOutcome(s), isGood(s)])).toEqual([
      [true, true],
      [true, true],
      [true, false],
      [false, false],
      [false, false],
    ]);
  });
});

describe('Bareos Level and Type', () => {
  it.each([
    ['F', 'Tam'],
    ['I', 'Artımlı'],
    ['D', 'Fark'],
    ['f', 'Sentetik tam'],
    ['B', 'Temel'],
    ['C', 'Doğrulama'],
    ['O', 'Doğrulama'],
    ['d', 'Doğrulama'],
    [' ', 'Yok'],
  ])('Level %j → %s', (code, label) => expect(LEVEL_LABELS[BAREOS_LEVELS[code].kind]).toBe(label));

  it.each([
    ['B', 'backup'],
    ['R', 'restore'],
    ['V', 'verify'],
    ['C', 'copy'],
    ['c', 'copy'],
    ['M', 'migration'],
    ['g', 'migration'],
    ['D', 'admin'],
    ['O', 'consolidate'],
  ])('Type %s → %s', (code, type) => expect(BAREOS_TYPES[code].type).toBe(type));
});

describe('validateBareosJob', () => {
  const base: RawBareosJob = {
    job_id: 7,
    job: 'ebys-db-dump.2024-03-05_01.30.00_07',
    name: 'ebys-db-dump',
    type: 'B',
    level: 'F',
    client_id: 2,
    client_name: 'ebys-db-fd',
    client_uname: null,
    job_status: 'T',
    job_status_long: 'Completed successfully',
    sched_time: '2024-03-05 01:30:00',
    start_time: '2024-03-05 01:30:05',
    end_time: '2024-03-05 01:40:05',
    real_end_time: '2024-03-05 01:40:07',
    job_files: 3,
    job_bytes: 1000,
    read_bytes: 1500,
    job_errors: 0,
    job_missing_files: 0,
    pool_name: 'Full',
    fileset_name: 'PostgreSQLDump',
    prior_job_id: 0,
    comment: null,
    from_histo: false,
  };

  it('reads wall-clock times in the director zone, RealEndTime first', () => {
    const v = validateBareosJob(base, 'Europe/Istanbul');
    expect(v.ok).toBe(true);
    if (!v.ok) return;
    expect(new Date(v.job.startedAt!).toISOString()).toBe('2024-03-04T22:30:05.000Z');
    expect(new Date(v.job.endedAt!).toISOString()).toBe('2024-03-04T22:40:07.000Z');
    expect(v.job.durationSec).toBe(602);
    expect(v.job).toMatchObject({ status: 'success', jobType: 'backup', levelKind: 'full', priorJobId: null });
  });

  it.each<[string, Partial<RawBareosJob>, RegExp]>([
    ['unknown JobStatus', { job_status: 'X' }, /JobStatus "X" is not a Bareos\/Bacula job status/],
    ['empty JobStatus', { job_status: null }, /JobStatus is empty/],
    ['unknown Type', { type: 'Z' }, /Type "Z" is not a Bareos\/Bacula job type/],
    ['unknown Level', { level: 'Q' }, /Level "Q" is not a Bareos\/Bacula level/],
    ['end before start', { real_end_time: '2024-03-05 00:40:07' }, /RealEndTime 2024-03-05 00:40:07 is before StartTime 2024-03-05 01:30:05/],
    ['garbage time', { start_time: '05/03/2024' }, /StartTime "05\/03\/2024" is not a date-time/],
    ['negative bytes', { job_bytes: -5 }, /JobBytes -5 is not a non-negative whole number/],
    [
      'finished without any time',
      { sched_time: null, start_time: '0', end_time: null, real_end_time: null },
      /a finished job \(JobStatus T\) has neither StartTime nor SchedTime/,
    ],
  ])('refuses %s', (_what, patch, reason) => {
    const v = validateBareosJob({ ...base, ...patch }, 'Europe/Istanbul');
    expect(v.ok).toBe(false);
    if (!v.ok) expect(v.reason).toMatch(reason);
  });

  it.each([['0'], ['0000-00-00 00:00:00'], ['1970-01-01 00:00:00'], [null]])('StartTime %j means "not set" (a queued, cancelled job)', (t) => {
    const v = validateBareosJob({ ...base, job_status: 'A', start_time: t, end_time: '0', real_end_time: t }, 'Europe/Istanbul');
    expect(v.ok && v.job.startedAt === null && v.job.status === 'cancelled').toBe(true);
  });
});

describe('Veeam Result / State / level words', () => {
  it.each<[string, string | undefined, BackupStatus | RegExp]>([
    ['Success', undefined, 'success'],
    ['Warning', undefined, 'warning'],
    ['Failed', undefined, 'failed'],
    ['None', undefined, 'running'],
    ['Success', 'Completed', 'success'],
    ['None', 'Working', 'running'],
    ['Success', 'Working', 'running'],
    ['Failed', 'Stopped', 'failed'],
    ['Canceled', undefined, 'cancelled'],
    ['OK', undefined, /Result "OK" is not a Veeam result \(Success, Warning, Failed, None\)/],
    ['', undefined, /Result is empty/],
    ['Success', 'Exploded', /State "Exploded" is not a Veeam session state/],
  ])('Result %j, State %j → %s', (result, state, expected) => {
    const s = veeamStatus(result, state);
    if (expected instanceof RegExp) expect((s as { fail: string }).fail).toMatch(expected);
    else expect(s).toBe(expected);
  });

  it.each([
    ['Full', 'full'],
    ['Increment', 'incremental'],
    ['Incremental', 'incremental'],
    ['ReversedIncremental', 'reverse_incremental'],
    ['Synthetic Full', 'synthetic_full'],
    ['Something new', 'none'],
    ['', null],
  ])('%j → %s', (word, kind) => expect(veeamLevel(word)).toBe(kind));
});
