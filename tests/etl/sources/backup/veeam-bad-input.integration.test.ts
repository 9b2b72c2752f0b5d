import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import iconv from 'iconv-lite';
import { ObjectResolver, parseBackupConfig } from '../../../../etl/sources/backup/index.js';
import { veeamSessionsSource } from '../../../../etl/sources/backup/pipeline.js';
import type { EtlRunResult } from '../../../../etl/runner.js';
import { createEtlHome, type EtlHome } from './helpers.js';

/**
 * The bad-input matrix for Veeam exports, through the real runner: for every case, what the user sees
 * (the quarantine's locator and reason, the run's checks) and that nothing is lost (every data line is
 * either landed, with its file and line, or quarantined).
 */
const SAMPLES = path.resolve(__dirname, '../../../../../shared/samples/backup/veeam');
const NOW = new Date('2020-08-01T09:00:00Z');
const AHV = fs.readFileSync(path.join(SAMPLES, 'VeeamAHVBackupSessionReport.csv'), 'utf8');
const BR_HEADER = '"JobName","Result","DataSize(GB)","BackupSize(GB)","DedupRatio","CompressRatio","Date"';
const br = (...rows: string[]) => `${BR_HEADER}\n${rows.join('\n')}\n`;

/** file → content; each case of the matrix is one file in one export folder. */
const CASES: Record<string, string | Buffer> = {
  'good-ahv.csv': AHV,
  'kopya/good-ahv.csv': AHV, // the same file again, in a sub-folder
  'truncated-quote.csv':
    AHV.replaceAll('Windows 2016 Backup', 'Truncated Job').split('\n').slice(0, 4).join('\n') + '\n"Truncated Job","Windows 2016","4/28/2020 5:12', // export cut mid-value
  'truncated-fields.csv': br('"VMware - SQL","Success","1.5","0.5","1x","2x","7/30/2020 1:00:00 AM"', '"VMware - SQL","Success","1.5"'),
  'broken-quote.csv': br(
    '"Job A","Success","1","1","1x","1x","7/30/2020 1:00:00 AM"',
    '"Job "B"","Success","1","1","1x","1x","7/30/2020 1:00:00 AM"',
    '"Job C","Warning","2","1","1x","1x","7/30/2020 2:00:00 AM"',
  ),
  'utf16-no-bom.csv': iconv.encode(br('"Job A","Success","1","1","1x","1x","7/30/2020 1:00:00 AM"'), 'utf-16le'),
  'mixed-encoding.csv': Buffer.concat([
    Buffer.from(br('"Müdürlük","Success","1","1","1x","1x","7/30/2020 1:00:00 AM"'), 'utf8'),
    iconv.encode('"Şube","Success","1","1","1x","1x","7/30/2020 1:00:00 AM"\n', 'windows-1254'),
  ]),
  'unknown-header.csv': '"Makine","Durum","Tarih"\n"dc01","Başarılı","30.07.2020 01:00:00"\n',
  'missing-column.csv':
    '"RestorePointType","JobAlgorithm","BackupEndTime(UTC)","IncludedTags","State","TotalSize","VMName","JobName","Reason","BackupCreationTime(UTC)"\n"Full","Full","2019-04-19T05:27:22.863Z",,"Completed","1","a","J","","2019-04-19T05:25:19.8Z"\n',
  'empty.csv': '',
  'header-only.csv': `${BR_HEADER}\r\n`,
  'en-gb-dates.csv': br('"Job A","Success","1","1","1x","1x","30/07/2020 13:00:00"', '"Job A","Success","1","1","1x","1x","31/07/2020 13:00:00"'),
  'bad-values.csv': br(
    '"Job A","Success","1","1","1x","1x","7/29/2020 1:00:00 AM"',
    '"Job A","Success","1","1","1x","1x","2/30/2020 1:00:00 AM"',
    '"Job A","Partial","1","1","1x","1x","7/30/2020 1:00:00 AM"',
    '"Job A","Success","-1","1","1x","1x","7/31/2020 1:00:00 AM"',
    '"","Failed","0","0","1x","1x","7/31/2020 2:00:00 AM"',
    '"Job A","Success","1","1","1x","1x","7/29/2020 1:00:00 AM"',
  ),
  'notes.txt': 'not an export',
};

describe('Veeam bad-input matrix through the runner', () => {
  let home: EtlHome;
  let r: EtlRunResult;
  let q: Awaited<ReturnType<EtlHome['quarantine']>>;
  let raw: Array<Record<string, any>>;
  let dir: string;

  const source = (veeamDir: string) =>
    veeamSessionsSource(
      parseBackupConfig({ veeamDir, bareosUrl: 'sqlite:/nonexistent' }),
      new ObjectResolver(null, { unitCode: 'BILGI_ISLEM', rpoTargetHours: 24 }),
    );

  beforeAll(async () => {
    home = await createEtlHome();
    dir = path.join(home.dir, 'veeam');
    for (const [name, content] of Object.entries(CASES)) {
      fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
      fs.writeFileSync(path.join(dir, name), content);
    }
    r = await home.run([source(dir)], NOW);
    q = await home.quarantine('backup_veeam');
    raw = await home.query('SELECT source_file, source_line, job_name, status FROM raw_backup.veeam_sessions ORDER BY source_file, source_line');
  });
  afterAll(() => home?.close());

  const reasonOf = (locator: string) => q.filter((x) => x.locator === locator).map((x) => x.reason);
  const landed = (file: string) => raw.filter((x) => x.source_file === file).map((x) => Number(x.source_line));

  it('the run loads what is good and says how much it refused', () => {
    const s = r.sources[0];
    expect(s.status).toBe('warn');
    expect(s.rowsRead).toBe(s.rowsLoaded + s.rowsRejected);
    expect(s.rowsLoaded).toBe(raw.length);
    expect(s.rowsRejected).toBe(q.length);
    expect(raw.length).toBe(6 + 3 + 1 + 2 + 1); // good-ahv, truncated-quote, truncated-fields, broken-quote, bad-values
    expect(s.checks.find((c) => c.name === 'files_readable')).toMatchObject({ passed: false, severity: 'warn' });
    expect(s.checks.find((c) => c.name === 'files_readable')!.detail).toMatch(/^6 of 13 files refused: /);
  });

  it.each<[string, string, RegExp]>([
    [
      'truncated CSV (cut inside a quoted value)',
      'truncated-quote.csv:line 5',
      /^quote opened on line 5 is never closed: the file ends inside a value \(truncated export\?\)$/,
    ],
    ['truncated CSV (line with too few fields)', 'truncated-fields.csv:line 3', /^line has 3 fields but the header has 7 \(truncated line\?\)$/],
    ['broken quoting inside a value', 'broken-quote.csv:line 3', /^broken quoting on line 3: a quote inside a value is not doubled$/],
    ['UTF-16 without byte-order mark', 'utf16-no-bom.csv', /^utf16-no-bom\.csv contains NUL bytes: it is UTF-16 without a byte-order mark, or not a text file/],
    [
      'mixed encodings',
      'mixed-encoding.csv',
      /^mixed-encoding\.csv mixes encodings: it has Turkish letters in UTF-8 and bytes that are not UTF-8 \(first at byte \d+\)/,
    ],
    [
      'unknown header',
      'unknown-header.csv',
      /^unknown-header\.csv: bilinen bir Veeam dışa aktarım biçimi değil \(not a Veeam export shape Pano knows\) — bulunan sütunlar \(columns found\): Makine, Durum, Tarih; bilinen biçimler/,
    ],
    [
      'missing column',
      'missing-column.csv',
      /^missing-column\.csv: bilinen bir Veeam dışa aktarım biçimi değil .* em_api \(Veeam Enterprise Manager API export\): JobName, VMName, Result, State, BackupCreationTime\(UTC\), BackupEndTime\(UTC\), TotalSize — eksik \(missing\): Result;/,
    ],
    ['empty file', 'empty.csv', /^empty\.csv is empty \(no header line\)$/],
    [
      'unreadable date format (en-GB)',
      'en-gb-dates.csv',
      /^en-gb-dates\.csv: no session date in column Date is readable: date "30\/07\/2020 13:00:00" uses slashes without AM\/PM/,
    ],
    [
      'the same file twice',
      'kopya/good-ahv.csv',
      /^kopya\/good-ahv\.csv is byte-for-byte the same file as good-ahv\.csv \(sha256 [0-9a-f]{12}…\): loaded once, from good-ahv\.csv$/,
    ],
    ['impossible date', 'bad-values.csv:line 3', /^Date "2\/30\/2020 1:00:00 AM" is not a real date-time \(en-US month\/day\/year\)$/],
    ['unknown result', 'bad-values.csv:line 4', /^Result "Partial" is not a Veeam result \(Success, Warning, Failed, None\)$/],
    ['negative size', 'bad-values.csv:line 5', /^DataSize\(GB\) "-1" is negative$/],
    ['empty job name', 'bad-values.csv:line 6', /^JobName is empty$/],
    ['the same session twice in a file', 'bad-values.csv:line 7', /^duplicate session: job "Job A", started 2020-07-28T22:00:00\.000Z was already read/],
  ])('%s → quarantined at %s with a clear reason', (_case, locator, reason) => {
    const reasons = reasonOf(locator);
    expect(reasons, `quarantine: ${JSON.stringify(q.map((x) => x.locator))}`).toHaveLength(1);
    expect(reasons[0]).toMatch(reason);
  });

  it('nothing is lost: every data line of every readable file is landed or quarantined, once', () => {
    const expectLines = (file: string, lines: number[]) => {
      const got = [...landed(file), ...q.filter((x) => x.locator.startsWith(`${file}:line `)).map((x) => Number(x.locator.split(':line ')[1]))].sort(
        (a, b) => a - b,
      );
      expect(got, file).toEqual(lines);
    };
    expectLines('good-ahv.csv', [2, 3, 4, 5, 6, 7]);
    expectLines('truncated-quote.csv', [2, 3, 4, 5]);
    expectLines('truncated-fields.csv', [2, 3]);
    expectLines('broken-quote.csv', [2, 3, 4]);
    expectLines('bad-values.csv', [2, 3, 4, 5, 6, 7]);
    expect(landed('header-only.csv')).toEqual([]);
    expect(q.filter((x) => x.locator === 'header-only.csv')).toEqual([]);
    expect(raw.filter((x) => x.source_file.startsWith('kopya/'))).toEqual([]);
    expect(raw.filter((x) => x.source_file === 'notes.txt')).toEqual([]);
  });

  it('the quarantine keeps the refused row as header → value, and the refused file with its header', () => {
    expect(q.find((x) => x.locator === 'bad-values.csv:line 4')!.record).toEqual({
      file: 'bad-values.csv',
      line: 4,
      shape: 'br_session_report',
      culture: 'en-US',
      values: {
        JobName: 'Job A',
        Result: 'Partial',
        'DataSize(GB)': '1',
        'BackupSize(GB)': '1',
        DedupRatio: '1x',
        CompressRatio: '1x',
        Date: '7/30/2020 1:00:00 AM',
      },
    });
    expect(q.find((x) => x.locator === 'unknown-header.csv')!.record).toEqual({ file: 'unknown-header.csv', header: ['Makine', 'Durum', 'Tarih'] });
    expect(q.find((x) => x.locator === 'truncated-quote.csv:line 5')!.record.raw).toBe('"Truncated Job","Windows 2016","4/28/2020 5:12');
    expect(q.find((x) => x.locator === 'broken-quote.csv:line 3')!.record.raw).toBe('"Job "B"","Success","1","1","1x","1x","7/30/2020 1:00:00 AM"');
  });

  it('the run keeps a file log: every export, its encoding, shape, culture, rows, and why it was refused', async () => {
    const files = await home.query('SELECT file, outcome, encoding, shape, culture, rows_read, reason FROM raw_backup.veeam_files ORDER BY file');
    expect(files.map((f) => [f.file, f.outcome, f.encoding, f.shape, f.culture, f.rows_read])).toEqual([
      ['bad-values.csv', 'read', 'utf-8', 'br_session_report', 'en-US', 6],
      ['broken-quote.csv', 'read', 'utf-8', 'br_session_report', 'en-US', 2],
      ['empty.csv', 'refused', null, null, null, 0],
      ['en-gb-dates.csv', 'refused', 'utf-8', 'br_session_report', null, 0],
      ['good-ahv.csv', 'read', 'utf-8', 'ahv', 'en-US', 6],
      ['header-only.csv', 'read', 'utf-8', 'br_session_report', null, 0],
      ['kopya/good-ahv.csv', 'duplicate', null, null, null, 0],
      ['missing-column.csv', 'refused', 'utf-8', null, null, 0],
      ['mixed-encoding.csv', 'refused', null, null, null, 0],
      ['truncated-fields.csv', 'read', 'utf-8', 'br_session_report', 'en-US', 1],
      ['truncated-quote.csv', 'read', 'utf-8', 'ahv', 'en-US', 3],
      ['unknown-header.csv', 'refused', 'utf-8', null, null, 0],
      ['utf16-no-bom.csv', 'refused', null, null, null, 0],
    ]);
    expect(files.find((f) => f.file === 'kopya/good-ahv.csv')!.reason).toBe('identical to good-ahv.csv');
  });

  it('a rerun lands the same rows and refuses the same records (idempotent)', async () => {
    const again = await home.run([source(dir)], NOW);
    const raw2 = await home.query('SELECT source_file, source_line, job_name, status FROM raw_backup.veeam_sessions ORDER BY source_file, source_line');
    expect(raw2).toEqual(raw);
    const q2 = (await home.quarantine('backup_veeam')).filter((x) => x.run_id === again.runId);
    expect(q2.map((x) => [x.locator, x.reason])).toEqual(q.map((x) => [x.locator, x.reason]));
    expect(again.sources[0].checks.find((c) => c.name === 'row_count_change')?.passed).toBe(true);
  });

  it('the export folder gone: the source fails naming the folder and keeps its last good data', async () => {
    const before = raw.length;
    const gone = await home.run([source(path.join(home.dir, 'no-such-folder'))], NOW);
    expect(gone.failed).toBe(true);
    expect(gone.sources[0].status).toBe('failed');
    expect(gone.sources[0].message).toMatch(
      /^Veeam export folder .*no-such-folder does not exist or cannot be reached: ENOENT.* — son başarılı veriler korunuyor$/,
    );
    expect(gone.manifest).toBeNull(); // nothing fresh: the serving snapshot stays
    expect((await home.query('SELECT count(*) AS n FROM raw_backup.veeam_sessions'))[0].n).toBe(String(before));
  });
});

describe('KVKK: a TC Kimlik No in free text never reaches the warehouse or the quarantine', () => {
  const TCKN = '10000000146'; // a well-formed test number (valid check digits)
  let home: EtlHome;
  afterAll(() => home?.close());

  it('is replaced by [gizli] in landed reasons and in quarantined rows', async () => {
    home = await createEtlHome();
    const dir = path.join(home.dir, 'veeam');
    fs.mkdirSync(dir);
    const header =
      '"RestorePointType","JobAlgorithm","BackupEndTime(UTC)","IncludedTags","State","TotalSize","VMName","Result","JobName","Reason","BackupCreationTime(UTC)"';
    fs.writeFileSync(
      path.join(dir, 'em.csv'),
      [
        header,
        `"Increment","Incremental","2020-07-30T01:10:00Z",,"Completed","1000","dc01","Warning","AD","Stopped by operator ${TCKN}","2020-07-30T01:00:00Z"`,
        `"Increment","Incremental","2020-07-30T01:10:00Z",,"Completed","1000","dc02","${TCKN}","AD ${TCKN}","","2020-07-30T01:00:00Z"`,
      ].join('\n'),
    );
    const src = veeamSessionsSource(
      parseBackupConfig({ veeamDir: dir, bareosUrl: 'sqlite:/nonexistent' }),
      new ObjectResolver(null, { unitCode: 'BILGI_ISLEM', rpoTargetHours: 24 }),
    );
    await home.run([src], NOW);
    const landed = await home.query('SELECT reason FROM raw_backup.veeam_sessions');
    expect(landed).toEqual([{ reason: 'Stopped by operator [gizli]' }]);
    const q = await home.quarantine();
    expect(q).toHaveLength(1);
    expect(JSON.stringify(q[0])).not.toContain(TCKN);
    expect(q[0].record.values.JobName).toBe('AD [gizli]');
    expect(q[0].reason).toBe('Result "[gizli]" is not a Veeam result (Success, Warning, Failed, None)');
  });
});
