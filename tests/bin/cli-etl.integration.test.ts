import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * The `pano etl` commands as a user runs them (bin/pano.js in a child process, a throw-away data folder):
 * `etl run` and `etl status` say a source's state in the same words, with the failed checks named, and
 * `etl check-file` tells how a file would be read without loading anything.
 */
const execFileP = promisify(execFile);
const PANO = path.resolve('bin/pano.js');
const SAMPLES = path.resolve(__dirname, '../../../shared/samples/backup/veeam');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pano-cli-etl-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

async function pano(args: string[], env: Record<string, string>): Promise<Run> {
  try {
    const { stdout, stderr } = await execFileP(process.execPath, [PANO, ...args], {
      env: { ...process.env, PANO_MODE: 'demo', PANO_LOG_LEVEL: 'silent', ...env },
      timeout: 120_000,
    });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const x = e as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof x.code === 'number' ? x.code : -1, stdout: x.stdout ?? '', stderr: x.stderr ?? '' };
  }
}

/** The table line of a row whose first cell starts with `first`. */
const rowOf = (stdout: string, first: string) => stdout.split('\n').find((l) => l.replace(/^[│|\s]+/, '').startsWith(first)) ?? '';

describe('etl run and etl status: one state vocabulary, failed checks named', () => {
  const data = path.join(tmp, 'status');
  const veeam = path.join(tmp, 'status-veeam');
  const env = { PANO_DATA_DIR: data, PANO_VEEAM_DIR: veeam };
  let run: Run;
  let status: Run;

  beforeAll(async () => {
    // the real Enterprise Manager sample: sessions from 2019, so the freshness check (a warn check) fails
    fs.mkdirSync(veeam, { recursive: true });
    fs.copyFileSync(path.join(SAMPLES, 'API_Backup_Session_Report_SampleOutput.csv'), path.join(veeam, 'em.csv'));
    run = await pano(['etl', 'run', '--source', 'backup_veeam', '--no-progress'], env);
    status = await pano(['etl', 'status'], env);
  }, 240_000);

  it('etl run: uyarı (warning), with the failed checks by name', () => {
    expect(run.code, run.stderr).toBe(0); // a warning is not a failure
    const line = rowOf(run.stdout, 'Veeam yedekleme oturumları');
    expect(line).toContain('uyarı (warning)');
    expect(line).toMatch(/\d+\/\d+ \([a-z_, ]*freshness[a-z_, ]*\)/);
    expect(run.stdout).not.toMatch(/succeeded|BAŞARISIZ/);
  });

  it('etl status: the same words and the same check names for the same run', () => {
    expect(status.code, status.stderr).toBe(0);
    const line = rowOf(status.stdout, 'backup_veeam');
    expect(line).toContain('uyarı (warning)');
    expect(line).not.toContain('succeeded');
    const checks = (l: string) => /\d+\/\d+ \(([a-z_, ]+)\)/.exec(l)?.[1];
    expect(checks(line)).toBe(checks(rowOf(run.stdout, 'Veeam yedekleme oturumları')));
  });
});

describe('etl check-file', () => {
  const data = path.join(tmp, 'check');
  const env = { PANO_DATA_DIR: data, PANO_VEEAM_DIR: path.join(tmp, 'check-veeam-empty') };
  const nothingLoaded = () => {
    expect(fs.existsSync(path.join(data, 'warehouse'))).toBe(false);
    expect(fs.existsSync(path.join(data, 'pano.sqlite'))).toBe(false); // no run log, no quarantine
  };

  it('a good file: its source, shape, encoding, delimiter, rows and the first refused rows', async () => {
    const r = await pano(['etl', 'check-file', path.join(SAMPLES, 'API_Backup_Session_Report_SampleOutput.csv')], env);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Kaynak \(source\): +backup_veeam — Veeam yedekleme oturumları/);
    expect(r.stdout).toMatch(/Biçim \(shape\): +em_api — Veeam Enterprise Manager API export/);
    expect(r.stdout).toMatch(/Kodlama \(encoding\): +utf-8/);
    expect(r.stdout).toMatch(/Ayraç \(delimiter\): +","/);
    expect(r.stdout).toMatch(/Sütun eşlemesi \(column map\): +yok \(none\)/);
    expect(r.stdout).toMatch(/Satırlar \(rows\): +178 okunan \(read\) · 175 geçerli \(valid\) · 3 reddedilen \(rejected\)/);
    expect(r.stdout).toMatch(/API_Backup_Session_Report_SampleOutput\.csv:line \d+ +duplicate session: job "/);
    expect(r.stdout).toContain('Ambara hiçbir şey yüklenmedi (nothing was loaded into the warehouse)');
    nothingLoaded();
  }, 120_000);

  it('a file of another shape (a Veeam task report): refused, naming the columns found and the shapes known', async () => {
    const f = path.join(tmp, 'gorevler.csv');
    fs.writeFileSync(
      f,
      '"JobName","VMName","Status","CreationTime","EndTime","ProcessedSize","ReadSize","TransferredSize","DedupRatio","CompressRatio"\n' +
        '"Günlük","dc01","Success","7/27/2020 1:05:49 PM","7/27/2020 1:15:49 PM","42949672960","1073741824","536870912","3.3","1.9"\n',
    );
    const r = await pano(['etl', 'check-file', f, '--source', 'backup'], env);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(
      'Dosya reddedildi (file refused): gorevler.csv: bilinen bir Veeam dışa aktarım biçimi değil (not a Veeam export shape Pano knows)',
    );
    expect(r.stdout).toContain(
      'bulunan sütunlar (columns found): JobName, VMName, Status, CreationTime, EndTime, ProcessedSize, ReadSize, TransferredSize, DedupRatio, CompressRatio;',
    );
    expect(r.stdout).toContain('br_session_report (Veeam B&R session report): JobName, Result, DataSize(GB), BackupSize(GB), Date');
    expect(r.stdout).toContain(
      'em_api (Veeam Enterprise Manager API export): JobName, VMName, Result, State, BackupCreationTime(UTC), BackupEndTime(UTC), TotalSize',
    );
    expect(r.stdout).toContain('ahv (Veeam Backup for Nutanix AHV report): JobName, VM, Status, StartTime, EndTime');
    expect(r.stdout).not.toContain('looks like');
    nothingLoaded();
  }, 120_000);

  it('a file read through a column map (PANO_VEEAM_COLUMN_MAP): the mapping shown, the file read', async () => {
    const f = path.join(tmp, 'oturumlar.csv');
    fs.writeFileSync(
      f,
      '"İş Adı";"Sonuç";"Veri (GB)";"Yedek (GB)";"Tarih"\n"EBYS";"Başarılı";"1,5";"0,5";"30.07.2020 01:00:00"\n"EBYS";"Belki";"0";"0";"31.07.2020 01:00:00"\n',
    );
    const map = path.join(tmp, 'veeam-columns.json');
    fs.writeFileSync(
      map,
      JSON.stringify({
        columns: { 'İş Adı': 'JobName', Sonuç: 'Result', 'Veri (GB)': 'DataSize(GB)', 'Yedek (GB)': 'BackupSize(GB)', Tarih: 'Date', Makine: 'VMName' },
        values: { Result: { Başarılı: 'Success' } },
      }),
    );
    const without = await pano(['etl', 'check-file', f, '--source', 'backup'], env);
    expect(without.code).toBe(1);
    const r = await pano(['etl', 'check-file', f, '--source', 'backup'], { ...env, PANO_VEEAM_COLUMN_MAP: map });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Biçim \(shape\): +br_session_report/);
    expect(r.stdout).toMatch(/Ayraç \(delimiter\): +";"/);
    expect(r.stdout).toMatch(/Kültür \(culture\): +tr-TR/);
    expect(r.stdout).toMatch(new RegExp(`Sütun eşlemesi \\(column map\\): +${map.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\n`));
    expect(r.stdout).toMatch(/İş Adı → JobName, Sonuç → Result, Veri \(GB\) → DataSize\(GB\), Yedek \(GB\) → BackupSize\(GB\), Tarih → Date/);
    expect(r.stdout).toMatch(/dosyada yok \(not in the file\): +Makine/);
    expect(r.stdout).toMatch(/Result: Başarılı → Success/);
    expect(r.stdout).toMatch(/Satırlar \(rows\): +2 okunan \(read\) · 1 geçerli \(valid\) · 1 reddedilen \(rejected\)/);
    expect(r.stdout).toMatch(/oturumlar\.csv:line 3 +Result "Belki" is not a Veeam result/);
    // a bad map stops at config load, naming the file and the entry
    fs.writeFileSync(path.join(tmp, 'bad.json'), '{"columns": {"Sonuç": "Result", "Durum": "Result"}}');
    const bad = await pano(['etl', 'check-file', f, '--source', 'backup'], { ...env, PANO_VEEAM_COLUMN_MAP: path.join(tmp, 'bad.json') });
    expect(bad.code).toBe(78);
    expect(bad.stderr).toMatch(
      /PANO_VEEAM_COLUMN_MAP .*bad\.json: invalid Veeam column map:\n +columns\."Durum": duplicate target Result, "Sonuç" already maps to it/,
    );
    nothingLoaded();
  }, 120_000);

  it('an HR export through a column map (--column-map, to try one before configuring it)', async () => {
    const f = path.join(tmp, 'kadro.csv');
    fs.writeFileSync(
      f,
      'Kimlik;Çalıştığı Yer;Kadro Şekli;Giriş;Çıkış;Cins;D.Yılı\n10000000146;Bilgi İşlem;M;01.03.2015;;2;1985\n12345678950;Fen İşleri;Stajyer;15.06.2010;;1;1970\n',
    );
    const map = path.join(tmp, 'ik-sutunlar.json');
    fs.writeFileSync(
      map,
      JSON.stringify({
        columns: {
          Kimlik: 'tckn',
          'Çalıştığı Yer': 'unit',
          'Kadro Şekli': 'employment_type',
          Giriş: 'start_date',
          Çıkış: 'end_date',
          Cins: 'gender',
          'D.Yılı': 'birth_year',
        },
        values: { employment_type: { M: 'memur' }, gender: { '1': 'E', '2': 'K' } },
      }),
    );
    const r = await pano(['etl', 'check-file', f, '--source', 'hr', '--column-map', map], env);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Kaynak \(source\): +hr_personnel/);
    expect(r.stdout).toMatch(/Satırlar \(rows\): +2 okunan \(read\) · 1 geçerli \(valid\) · 1 reddedilen \(rejected\)/);
    expect(r.stdout).toMatch(/kadro\.csv:line 3 +İstihdam Türü "Stajyer" is not one of/);
    expect(r.stdout).not.toContain('10000000146'); // KVKK: TC Kimlik Nos are never printed
    nothingLoaded();
  }, 120_000);
});

describe('etl unlock: the way out of a build lock left behind', () => {
  const data = path.join(tmp, 'unlock');
  const env = { PANO_DATA_DIR: data };
  const lock = path.join(data, 'warehouse', 'snapshots', 'build.lock');
  /** A process's start time (/proc/<pid>/stat field 22). */
  const startTime = (pid: number) => {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]);
  };
  const holder = (runId: string, start: number) => ({ pid: process.pid, startTime: start, host: os.hostname(), runId, startedAt: '2026-11-25T09:00:00.000Z' });

  it.skipIf(!fs.existsSync('/proc/self/stat'))(
    'refuses while the holder lives, naming it; removes the lock of a reused PID',
    async () => {
      fs.mkdirSync(path.dirname(lock), { recursive: true });
      fs.writeFileSync(lock, JSON.stringify(holder('20261125T090000Z-live00', startTime(process.pid)))); // this test process: alive
      const refused = await pano(['etl', 'unlock'], env);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain(
        `held by a live run: run 20261125T090000Z-live00, process ${process.pid} on ${os.hostname()}, since 2026-11-25T09:00:00.000Z`,
      );
      expect(fs.existsSync(lock)).toBe(true);

      fs.writeFileSync(lock, JSON.stringify(holder('20261125T080000Z-reused', startTime(process.pid) + 1))); // same PID, another process
      const removed = await pano(['etl', 'unlock'], env);
      expect(removed.code, removed.stderr).toBe(0);
      expect(removed.stdout).toContain('build lock removed');
      expect(removed.stdout).toContain('run 20261125T080000Z-reused');
      expect(removed.stdout).toContain('its PID now names another process');
      expect(fs.existsSync(lock)).toBe(false);

      const none = await pano(['etl', 'unlock'], env);
      expect(none.code).toBe(0);
      expect(none.stdout).toContain('no build lock');
    },
    120_000,
  );
});
