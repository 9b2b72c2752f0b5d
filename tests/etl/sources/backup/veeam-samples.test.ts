import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseCsv } from 'csv-parse/sync';
import iconv from 'iconv-lite';
import {
  detectVeeamShape,
  extractVeeamExports,
  Hash64Set,
  ObjectResolver,
  parseBackupConfig,
  validateVeeamRow,
  VeeamFormatError,
  VEEAM_SHAPES,
  type VeeamFileReport,
  type VeeamRecord,
  type VeeamSession,
} from '../../../../etl/sources/backup/index.js';
import { validateVeeamRecord } from '../../../../etl/sources/backup/pipeline.js';

/**
 * The three real Veeam export shapes (samples README: VeeamHub/powershell @ 756e280, MIT) and the same
 * exports as a Turkish-locale Windows host writes them.
 */
const SAMPLES = path.resolve(__dirname, '../../../../../shared/samples/backup/veeam');
const GIB = 1024 ** 3;

async function readDir(dir: string, tz = 'Europe/Istanbul') {
  const files: VeeamFileReport[] = [];
  const records: VeeamRecord[] = [];
  for await (const batch of extractVeeamExports(dir, { onFile: (f) => files.push(f), batchSize: 700 })) records.push(...batch);
  const sessions: Array<VeeamSession & { file: string; line: number }> = [];
  const refused: Array<{ file: string; reason: string }> = [];
  for (const r of records) {
    if (r.kind !== 'row') continue;
    const v = validateVeeamRow(r.ctx, r.values, tz);
    if (v.ok) sessions.push({ ...v.session, file: r.file, line: r.line });
    else refused.push({ file: r.file, reason: v.reason });
  }
  return { files, records, sessions, refused };
}

const count = <T>(xs: T[], key: (x: T) => string) => xs.reduce<Record<string, number>>((m, x) => ((m[key(x)] = (m[key(x)] ?? 0) + 1), m), {});

describe('the real Veeam samples', () => {
  let all: Awaited<ReturnType<typeof readDir>>;
  beforeAll(async () => {
    all = await readDir(SAMPLES);
  });
  const of = (file: string) => all.sessions.filter((s) => s.file === file);

  it('detects each file’s shape, encoding and culture from its header and first date', () => {
    expect(all.files.map((f) => [f.file, f.shape, f.encoding, f.culture, f.rows, f.outcome])).toEqual([
      ['API_Backup_Session_Report_SampleOutput.csv', 'em_api', 'utf-8', 'iso', 178, 'read'],
      ['VeeamAHVBackupSessionReport.csv', 'ahv', 'utf-8', 'en-US', 6, 'read'],
      ['VeeamBackupSessionReport.csv', 'br_session_report', 'utf-8', 'en-US', 2343, 'read'],
    ]);
    expect(all.refused).toEqual([]);
    expect(all.records.every((r) => r.kind === 'row')).toBe(true);
  });

  it('B&R session report: 2 343 job sessions, result mix, GB → bytes, en-US local time → UTC', () => {
    const s = of('VeeamBackupSessionReport.csv');
    expect(s).toHaveLength(2343);
    expect(count(s, (x) => x.status)).toEqual({ success: 1613, failed: 374, warning: 356 });
    expect(new Set(s.map((x) => x.jobName)).size).toBe(7);
    expect(s[0]).toMatchObject({
      jobName: 'VMware - Cloudian',
      objectName: 'VMware - Cloudian',
      objectType: 'job',
      dataBytes: 40 * GIB,
      storedBytes: Math.round(6.5 * GIB),
      dedupRatio: 3.3,
      compressRatio: 1.9,
      endedAt: null,
      durationSec: null,
      line: 2,
    });
    // "7/27/2020 1:05:49 PM" on a host in Istanbul (UTC+3)
    expect(new Date(s[0].startedAt).toISOString()).toBe('2020-07-27T10:05:49.000Z');
    // "7/28/2020 12:00:00 AM" is midnight, not noon
    expect(new Date(s[1].startedAt).toISOString()).toBe('2020-07-27T21:00:00.000Z');
    expect(s.at(-1)!.line).toBe(2344);
  });

  it('the same en-US file read for a host in another zone moves every instant by the offset', async () => {
    const chicago = await readDir(SAMPLES, 'America/Chicago');
    const a = of('VeeamBackupSessionReport.csv')[0];
    const b = chicago.sessions.find((x) => x.file === 'VeeamBackupSessionReport.csv')!;
    expect(b.startedAt - a.startedAt).toBe(8 * 3_600_000); // CDT is UTC−5, Istanbul UTC+3
  });

  it('Enterprise Manager API export: VM restore points, ISO UTC times, bytes, levels', () => {
    const s = of('API_Backup_Session_Report_SampleOutput.csv');
    expect(s).toHaveLength(178);
    expect(count(s, (x) => x.status)).toEqual({ success: 178 });
    expect(count(s, (x) => x.levelKind ?? '-')).toEqual({ incremental: 153, full: 25 });
    expect(new Set(s.map((x) => x.objectName)).size).toBe(10);
    expect(s[0]).toMatchObject({
      jobName: 'VeeamOneTest',
      objectName: 'ausdev01',
      objectType: 'vm',
      dataBytes: 827129856,
      stateRaw: 'Completed',
      durationSec: 143,
    });
    expect(new Date(s[0].startedAt).toISOString()).toBe('2019-04-18T17:25:24.740Z');
    expect(new Date(s[0].endedAt!).toISOString()).toBe('2019-04-18T17:27:47.740Z');
    expect(s.filter((x) => x.tags === 'VeeamTagTest')).toHaveLength(38);
  });

  it('AHV report: human sizes and .NET durations', () => {
    const s = of('VeeamAHVBackupSessionReport.csv');
    expect(s).toHaveLength(6);
    expect(s[0]).toMatchObject({
      jobName: 'Windows 2016 Backup',
      objectName: 'Windows 2016',
      objectSizeBytes: 30 * GIB,
      dataReadBytes: Math.round(9.18 * GIB),
      transferredBytes: Math.round(11.09 * GIB),
      storedBytes: Math.round(5.56 * GIB),
      durationSec: 95.883,
      dedupRatio: 1.62,
      compressRatio: 1.67,
    });
    expect(s[1]).toMatchObject({ dataReadBytes: 0, transferredBytes: 64, storedBytes: Math.round(17.04 * 1024 ** 2) });
    expect(new Date(s[0].startedAt).toISOString()).toBe('2020-03-24T10:29:39.000Z');
    expect(new Date(s[0].endedAt!).toISOString()).toBe('2020-03-24T10:31:15.000Z');
  });

  it('the API sample repeats three restore points: the pipeline keeps the first and refuses the repeats', () => {
    const cfg = parseBackupConfig({ veeamDir: SAMPLES, bareosUrl: 'sqlite:/dev/null' });
    const resolver = new ObjectResolver(null, { unitCode: 'BILGI_ISLEM', rpoTargetHours: 24 });
    const seen = new Hash64Set(16);
    const results = all.records.map((r) => validateVeeamRecord(r, cfg, resolver, seen));
    const refused = results.filter((r) => !r.ok) as Array<{ ok: false; reason: string }>;
    expect(refused).toHaveLength(3);
    for (const r of refused) expect(r.reason).toMatch(/^duplicate session: job "VeeamOneTest", VM "ausdev01", started 2019-04-1\dT.*Z was already read/);
    const rows = results.filter((r) => r.ok).map((r) => (r as { row: Record<string, unknown> }).row);
    expect(rows).toHaveLength(2343 + 175 + 6);
    expect(new Set(rows.map((r) => r.session_key)).size).toBe(rows.length);
    expect(rows.find((r) => r.object_name === 'ausdev01')).toMatchObject({
      server: 'ausdev01',
      service: 'ausdev',
      unit_code: 'BILGI_ISLEM',
      rpo_target_hours: 24,
      level: 'Artımlı',
    });
    expect(rows.find((r) => r.job_name === 'VMware - File Server')).toMatchObject({ server: 'vmware - file server', object_type: 'job' });
  });
});

// ─── Turkish-locale exports ────────────────────────────────────────────────────────────────────

/** The B&R sample as a Turkish Windows host writes it: `;`, dd.MM.yyyy HH:mm:ss, decimal commas. */
function toTurkish(text: string, rename: Record<string, string> = {}): string {
  const rows = parseCsv(text) as string[][];
  const trDate = (v: string) => {
    const m = /^(\d+)\/(\d+)\/(\d{4}) (\d+):(\d+):(\d+) (AM|PM)$/.exec(v)!;
    const h = (Number(m[4]) % 12) + (m[7] === 'PM' ? 12 : 0);
    return `${m[2].padStart(2, '0')}.${m[1].padStart(2, '0')}.${m[3]} ${String(h).padStart(2, '0')}:${m[5]}:${m[6]}`;
  };
  const out = rows.map((r, i) =>
    i === 0 ? r : [rename[r[0]] ?? r[0], r[1], r[2].replace('.', ','), r[3].replace('.', ','), r[4].replace('.', ','), r[5].replace('.', ','), trDate(r[6])],
  );
  return `${out.map((r) => r.map((v) => `"${v}"`).join(';')).join('\r\n')}\r\n`;
}

describe('Turkish-locale exports (tr-TR: `;`, dd.MM.yyyy, decimal commas)', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pano-veeam-tr-'));
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
  const rename = { 'VMware - File Server': 'VMware - Dosya Sunucusu (Çağrı Merkezi, Şehir İçi)' };
  let english: VeeamSession[];

  beforeAll(async () => {
    english = (await readDir(SAMPLES)).sessions.filter((s) => s.file === 'VeeamBackupSessionReport.csv');
  });

  it.each([
    ['utf-8-bom', (t: string) => Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(t, 'utf8')])],
    ['utf-8', (t: string) => Buffer.from(t, 'utf8')],
    ['windows-1254', (t: string) => iconv.encode(t, 'windows-1254')],
    ['utf-16le', (t: string) => Buffer.concat([Buffer.from([0xff, 0xfe]), iconv.encode(t, 'utf-16le')])],
  ])('%s: every session reads exactly as the en-US original, Turkish letters intact', async (encoding, encode) => {
    const dir = path.join(tmp, encoding);
    fs.mkdirSync(dir);
    const text = toTurkish(fs.readFileSync(path.join(SAMPLES, 'VeeamBackupSessionReport.csv'), 'utf8'), rename);
    fs.writeFileSync(path.join(dir, 'Yedekleme-Raporu.csv'), encode(text));
    const tr = await readDir(dir);
    expect(tr.files[0]).toMatchObject({ encoding, culture: 'tr-TR', shape: 'br_session_report', rows: 2343, outcome: 'read' });
    expect(tr.refused).toEqual([]);
    expect(tr.sessions).toHaveLength(english.length);
    const strip = (s: VeeamSession) => ({ ...s, culture: null, jobName: null, objectName: null });
    tr.sessions.forEach((s, i) => {
      expect(strip(s), `line ${i + 2}`).toEqual({ ...strip(english[i]), file: 'Yedekleme-Raporu.csv', line: i + 2 });
      expect(s.jobName).toBe(rename[english[i].jobName as keyof typeof rename] ?? english[i].jobName);
    });
    expect(tr.sessions.some((s) => s.jobName.includes('Çağrı Merkezi, Şehir İçi'))).toBe(true);
  });

  it('a Turkish AHV report: "9,18 GB", "1,62x", dd.MM.yyyy times in the host zone', async () => {
    const dir = path.join(tmp, 'ahv');
    fs.mkdirSync(dir);
    const header =
      '"JobName";"VM";"Date";"BackupType";"Status";"StartTime";"EndTime";"Duration";"TotalSize";"DataRead";"Transferred";"BackupSize";"Dedupe";"Compression"';
    const row =
      '"Günlük Yedek - nikah-randevu";"nikah-randevu";"01.05.2026 20:00:09";"Full";"Warning";"01.05.2026 20:00:09";"01.05.2026 20:11:45";"00:11:36.2257096";"211 GB";"14,26 GB";"9,98 GB";"8,98 GB";"1,11x";"1,75x"';
    fs.writeFileSync(path.join(dir, 'AHV.csv'), iconv.encode(`${header}\r\n${row}\r\n`, 'windows-1254'));
    const r = await readDir(dir);
    expect(r.sessions[0]).toMatchObject({
      jobName: 'Günlük Yedek - nikah-randevu',
      status: 'warning',
      levelKind: 'full',
      objectSizeBytes: 211 * GIB,
      dataReadBytes: Math.round(14.26 * GIB),
      dedupRatio: 1.11,
      durationSec: 696.226,
    });
    expect(new Date(r.sessions[0].startedAt).toISOString()).toBe('2026-05-01T17:00:09.000Z');
  });
});

describe('detectVeeamShape', () => {
  const headerOf = (shape: string) => [...VEEAM_SHAPES.find((s) => s.shape === shape)!.required, ...VEEAM_SHAPES.find((s) => s.shape === shape)!.optional];

  it.each([
    ['br_session_report', ['JobName', 'Result', 'DataSize(GB)', 'BackupSize(GB)', 'DedupRatio', 'CompressRatio', 'Date']],
    [
      'em_api',
      [
        '\uFEFFrestorepointtype',
        'JobAlgorithm',
        'BackupEndTime(UTC)',
        'IncludedTags',
        'State',
        'TotalSize',
        'VMName',
        'Result',
        'JobName',
        'Reason',
        'BackupCreationTime(UTC)',
      ],
    ],
    ['ahv', [...headerOf('ahv'), 'ExtraColumn']],
    ['br_session_report', [' jobname ', 'RESULT', 'DataSize(GB)', 'BackupSize(GB)', 'Date']],
  ])('%s from %j', (shape, header) => {
    expect(detectVeeamShape(header, 'x.csv').def.shape).toBe(shape);
  });

  const UNKNOWN = /^x\.csv: bilinen bir Veeam dışa aktarım biçimi değil \(not a Veeam export shape Pano knows\) — /;
  it.each([
    [
      ['Name', 'Status', 'When'],
      /bulunan sütunlar \(columns found\): Name, Status, When; bilinen biçimler ve zorunlu sütunları \(known shapes and their required columns\): br_session_report \(Veeam B&R session report\): JobName, Result, DataSize\(GB\), BackupSize\(GB\), Date — hiçbiri yok \(none present\); em_api \(Veeam Enterprise Manager API export\)/,
    ],
    [
      headerOf('em_api').filter((h) => h !== 'Result' && h !== 'State'),
      /em_api \(Veeam Enterprise Manager API export\): JobName, VMName, Result, State, BackupCreationTime\(UTC\), BackupEndTime\(UTC\), TotalSize — eksik \(missing\): Result, State;/,
    ],
    [
      headerOf('br_session_report').filter((h) => h !== 'Date'),
      /br_session_report \(Veeam B&R session report\): JobName, Result, DataSize\(GB\), BackupSize\(GB\), Date — eksik \(missing\): Date;/,
    ],
  ])('refuses %j', (header, message) => {
    expect(() => detectVeeamShape(header, 'x.csv')).toThrow(VeeamFormatError);
    expect(() => detectVeeamShape(header, 'x.csv')).toThrow(UNKNOWN);
    expect(() => detectVeeamShape(header, 'x.csv')).toThrow(message);
  });

  it('refuses a Veeam task report (per-VM tasks, bytes) naming what it has and every shape Pano knows, not a shape it is not', () => {
    const task = ['JobName', 'VMName', 'Status', 'CreationTime', 'EndTime', 'ProcessedSize', 'ReadSize', 'TransferredSize', 'DedupRatio', 'CompressRatio'];
    let message = '';
    try {
      detectVeeamShape(task, 'x.csv');
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(UNKNOWN);
    expect(message).not.toMatch(/looks like/);
    expect(message).toContain(`bulunan sütunlar (columns found): ${task.join(', ')};`);
    for (const s of VEEAM_SHAPES) expect(message).toContain(`${s.shape} (${s.title.split(' (')[0]}): ${s.required.join(', ')}`);
    expect(message).toContain('PANO_VEEAM_COLUMN_MAP');
  });
});
