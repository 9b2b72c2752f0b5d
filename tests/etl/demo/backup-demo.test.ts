import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, type PanoConfig } from '../../../common/config.js';
import { generateBackupDemo, type BackupDemoSummary } from '../../../etl/demo/backup-demo.js';
import { backupSources } from '../../../etl/sources/backup/pipeline.js';
import { backupMarts } from '../../../etl/marts/backup.js';
import { DOMAIN_MARTS } from '../../../etl/marts/build-marts.js';
import type { EtlRunResult } from '../../../etl/runner.js';
import { createEtlHome, type EtlHome } from '../sources/backup/helpers.js';

const NOW = new Date('2026-11-25T09:00:00Z'); // Wednesday 12:00 in Istanbul
const SMALL = { seed: 7, now: NOW, scale: 0.05, years: 0.25 };
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pano-backup-demo-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const Sqlite = createRequire(import.meta.url)('better-sqlite3') as new (
  f: string,
  o?: object,
) => { prepare(s: string): { all(...a: unknown[]): any[] }; close(): void };

function configAt(name: string, env: Record<string, string> = {}): PanoConfig {
  return loadConfig({ PANO_MODE: 'demo', PANO_DATA_DIR: path.join(tmp, name), PANO_LOG_LEVEL: 'silent', ...env });
}

function fingerprint(s: BackupDemoSummary): string {
  const h = crypto.createHash('sha256');
  const walk = (dir: string, rel = ''): string[] =>
    fs
      .readdirSync(path.join(dir, rel), { withFileTypes: true })
      .flatMap((e) => (e.isDirectory() ? walk(dir, path.join(rel, e.name)) : [path.join(rel, e.name)]));
  for (const f of walk(s.veeamDir).sort()) h.update(f).update(fs.readFileSync(path.join(s.veeamDir, f)));
  const db = new Sqlite(s.bareosFile, { readonly: true });
  for (const t of ['Job', 'JobHisto', 'Client', 'Pool', 'FileSet', 'Status'])
    h.update(t).update(JSON.stringify(db.prepare(`SELECT * FROM ${t} ORDER BY 1, 2`).all()));
  db.close();
  h.update(fs.readFileSync(s.serviceMapFile));
  return h.digest('hex');
}

describe('generateBackupDemo', () => {
  let a: BackupDemoSummary;
  beforeAll(async () => {
    a = await generateBackupDemo(configAt('a'), SMALL);
  });

  it('is deterministic: same seed and now → the same bytes; another seed → different', async () => {
    const b = await generateBackupDemo(configAt('b'), SMALL);
    const c = await generateBackupDemo(configAt('c'), { ...SMALL, seed: 8 });
    expect({ ...b, veeamDir: '', bareosFile: '', serviceMapFile: '' }).toEqual({ ...a, veeamDir: '', bareosFile: '', serviceMapFile: '' });
    expect(fingerprint(b)).toBe(fingerprint(a));
    expect(fingerprint(c)).not.toBe(fingerprint(a));
  });

  it('writes monthly Veeam exports in two real shapes and encodings, and a Bareos catalog with the real tables', () => {
    const files = fs
      .readdirSync(a.veeamDir)
      .filter((f) => f.endsWith('.csv'))
      .sort();
    expect(files).toEqual([
      'AHV-Rapor_2026-08.csv',
      'AHV-Rapor_2026-09.csv',
      'AHV-Rapor_2026-10.csv',
      'AHV-Rapor_2026-11.csv',
      'VBR-EM_2026-08.csv',
      'VBR-EM_2026-09.csv',
      'VBR-EM_2026-10.csv',
      'VBR-EM_2026-11.csv',
    ]);
    expect(fs.readdirSync(path.join(a.veeamDir, 'yeniden-aktarim'))).toEqual(['VBR-EM_2026-08.csv']);
    const head = (f: string) => fs.readFileSync(path.join(a.veeamDir, f)).subarray(0, 80);
    expect(head('VBR-EM_2026-09.csv').toString()).toMatch(/^"RestorePointType","JobAlgorithm","BackupEndTime\(UTC\)"/);
    expect([...head('AHV-Rapor_2026-11.csv').subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]); // UTF-8 with BOM after the switch
    expect(head('AHV-Rapor_2026-08.csv').toString('latin1')).toMatch(/^"JobName";"VM";"Date"/); // windows-1254 before it
    expect(fs.readFileSync(path.join(a.veeamDir, 'AHV-Rapor_2026-08.csv')).includes(Buffer.from([0xfc]))).toBe(true); // "ü" in windows-1254
    expect(a.veeam.encodings).toEqual({ 'utf-8': 4, 'windows-1254': 2, 'utf-8-bom': 2 });

    const db = new Sqlite(a.bareosFile, { readonly: true });
    try {
      const tables = db
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        .all()
        .map((r) => r.name);
      expect(tables).toEqual(['Client', 'FileSet', 'Job', 'JobHisto', 'Pool', 'Status', 'Version', 'sqlite_sequence']);
      expect(db.prepare('SELECT count(*) AS n FROM Status').all()[0].n).toBe(26);
      const [{ n: jobs }] = db.prepare('SELECT count(*) AS n FROM Job').all();
      const [{ n: histo }] = db.prepare('SELECT count(*) AS n FROM JobHisto').all();
      const [{ n: both }] = db.prepare('SELECT count(*) AS n FROM Job j JOIN JobHisto h ON h.JobId = j.JobId').all();
      expect([jobs, histo]).toEqual([a.bareos.jobRows, a.bareos.histoRows]);
      expect(jobs + histo - both).toBe(a.bareos.jobs);
      expect(both).toBeGreaterThan(0); // jobs older than 30 days are copied to JobHisto
      const orphans = db.prepare('SELECT count(*) AS n FROM JobHisto h LEFT JOIN Client c ON c.ClientId = h.ClientId WHERE c.ClientId IS NULL').all()[0].n;
      expect(orphans).toBe(a.bareos.orphanJobs);
      const levels = db
        .prepare("SELECT Level, count(*) AS n FROM Job WHERE Type = 'B' GROUP BY Level ORDER BY Level")
        .all()
        .map((r) => r.Level);
      expect(levels).toEqual(['D', 'F', 'I']);
    } finally {
      db.close();
    }
  });

  it('seeds the faults it reports', () => {
    expect(a.faults).toMatchObject({
      failingJob: { tool: 'veeam', server: 'kamera-nvr01', failedSessions: 10, failingSince: '2026-11-15T09:00:00.000Z' },
      duplicateFile: { file: 'yeniden-aktarim/VBR-EM_2026-08.csv', sameAs: 'VBR-EM_2026-08.csv' },
      truncatedLine: { file: 'AHV-Rapor_2026-11.csv' },
      badVeeamRow: { file: 'AHV-Rapor_2026-08.csv' },
      orphanClient: 'eski-muhasebe-fd',
    });
    expect(new Date(a.faults.failingJob.lastGoodAt!).getTime()).toBeLessThan(NOW.getTime() - 10 * 86_400_000);
    expect(a.faults.badBareosJob?.jobId).toBeGreaterThan(0);
    expect(a.expected).toEqual({ veeamLoaded: a.veeam.rows, veeamRejected: 3, bareosLoaded: a.bareos.jobs - 1, bareosRejected: 1 });
    expect(fs.readFileSync(path.join(a.veeamDir, 'AHV-Rapor_2026-11.csv'), 'utf8').endsWith('\r\n')).toBe(false);
    expect(a.veeam.byStatus.failed).toBeGreaterThanOrEqual(10);
    expect(a.veeam.byStatus.warning).toBeGreaterThan(0);
  });

  it('volumes at scale 1: about 150 job sessions and 440 session rows a day', async () => {
    const s = await generateBackupDemo(configAt('scale1'), { seed: 1, now: NOW, scale: 1, years: 14 / 365 });
    const perDay = (s.veeam.rows + s.bareos.jobs) / s.days;
    expect(perDay).toBeGreaterThan(380);
    expect(perDay).toBeLessThan(500);
    expect(s.veeam.vms).toBeGreaterThan(300);
    // Veeam job sessions (one per job and start time) plus Bareos jobs
    const veeamJobSessionsPerDay = 52 + 5; // 52 jobs, the database job six times a day
    expect(veeamJobSessionsPerDay + s.bareos.jobs / s.days).toBeGreaterThan(120);
    expect(veeamJobSessionsPerDay + s.bareos.jobs / s.days).toBeLessThan(180);
  });

  it('refuses to replace a folder it did not write, a real catalog URL, or a bad now', async () => {
    const cfg = configAt('foreign');
    fs.mkdirSync(cfg.sources.backup.veeamDir, { recursive: true });
    fs.writeFileSync(path.join(cfg.sources.backup.veeamDir, 'gercek-rapor.csv'), 'x');
    await expect(generateBackupDemo(cfg, SMALL)).rejects.toThrow(/Refusing to replace .*: it holds files the demo did not write/);
    expect(fs.readFileSync(path.join(cfg.sources.backup.veeamDir, 'gercek-rapor.csv'), 'utf8')).toBe('x');
    await expect(generateBackupDemo(configAt('pg', { PANO_BAREOS_URL: 'postgres://bareos:gizli@db/bareos' }), SMALL)).rejects.toThrow(
      /writes the Bareos catalog as SQLite; PANO_BAREOS_URL points to a real catalog \(db\/bareos\)/,
    );
    await expect(generateBackupDemo(configAt('nan'), { ...SMALL, now: new Date(Number.NaN) })).rejects.toThrow(/`now` must be a valid date/);
    expect(fs.existsSync(configAt('nan').sources.backup.veeamDir)).toBe(false);
  });

  it('regenerating replaces the previous demo in place', async () => {
    const cfg = configAt('again');
    const first = await generateBackupDemo(cfg, SMALL);
    const second = await generateBackupDemo(cfg, SMALL);
    expect(fingerprint(second)).toBe(fingerprint(first));
    expect(fs.readdirSync(path.dirname(cfg.sources.backup.veeamDir)).sort()).toEqual(['bareos-catalog.sqlite', 'hizmet-eslemesi.csv', 'veeam']);
  });
});

describe('ETL over the demo: both backup streams, quarantine, checks and marts', () => {
  let home: EtlHome;
  let demo: BackupDemoSummary;
  let config: PanoConfig;
  let r: EtlRunResult;

  beforeAll(async () => {
    if (!DOMAIN_MARTS.includes(backupMarts)) DOMAIN_MARTS.push(backupMarts); // what etl/ does when it wires the backup domain in
    config = configAt('etl');
    demo = await generateBackupDemo(config, SMALL);
    home = await createEtlHome();
    r = await home.run(backupSources(config), NOW);
  }, 120_000);
  afterAll(() => home?.close());

  it('loads exactly what the demo wrote and quarantines exactly its faults', async () => {
    const [v, b] = r.sources;
    expect(v).toMatchObject({ source: 'backup_veeam', status: 'warn', rowsLoaded: demo.expected.veeamLoaded, rowsRejected: demo.expected.veeamRejected });
    expect(b).toMatchObject({ source: 'backup_bareos', status: 'warn', rowsLoaded: demo.expected.bareosLoaded, rowsRejected: demo.expected.bareosRejected });
    const q = await home.quarantine();
    expect(q.map((x) => [x.source, x.locator.replace(/line \d+/, 'line N'), x.reason.replace(/\d+/g, 'N')])).toEqual([
      ['backup_veeam', 'AHV-Rapor_2026-08.csv:line N', 'StartTime and Date are empty'],
      ['backup_veeam', 'AHV-Rapor_2026-11.csv:line N', 'quote opened on line N is never closed: the file ends inside a value (truncated export?)'],
      [
        'backup_veeam',
        'yeniden-aktarim/VBR-EM_2026-08.csv',
        expect.stringMatching(/^yeniden-aktarim\/VBR-EM_N-N\.csv is byte-for-byte the same file as VBR-EM_N-N\.csv/),
      ],
      ['backup_bareos', `Job.JobId=${demo.faults.badBareosJob!.jobId}`, expect.stringMatching(/^RealEndTime N-N-N N:N:N is before StartTime N-N-N N:N:N$/)],
    ]);
  });

  it('checks tell the true story: the failing job, the unmapped server, the orphan client', () => {
    const failed = (i: number) =>
      r.sources[i].checks
        .filter((c) => !c.passed)
        .map((c) => c.name)
        .sort();
    expect(failed(0)).toEqual(['no_success_7d', 'servers_mapped']);
    expect(r.sources[0].checks.find((c) => c.name === 'no_success_7d')!.detail).toBe(
      '1 job without a good backup in 7 days: Kamera-NVR01 Yedek (kamera-nvr01; last good 2026-11-14)',
    );
    expect(r.sources[0].checks.find((c) => c.name === 'servers_mapped')!.detail).toMatch(/^1 servers are not in the service map .*: netcad-lisans$/);
    expect(failed(1)).toEqual(['references_resolve']);
  });

  it('the marts show the RPO breach, units from the service map, and the KPIs the dashboards need', async () => {
    const [k] = await home.query(
      `SELECT rpo_breached, rpo_hours, last_run_status, unit_code, service FROM marts.dim_protected_objects WHERE object_key = 'veeam:kamera-nvr01'`,
    );
    expect(k).toMatchObject({ rpo_breached: true, last_run_status: 'failed', unit_code: 'ZABITA', service: 'Kent güvenlik kameraları' });
    expect(k.rpo_hours).toBe(Math.round(((NOW.getTime() - Date.parse(demo.faults.failingJob.lastGoodAt!)) / 3_600_000) * 100) / 100); // ≈ 10 days
    const [e] = await home.query(`SELECT unit_code, service, rpo_target_hours FROM marts.dim_protected_objects WHERE object_key = 'bareos:dosya-yazi-isleri'`);
    expect(e).toEqual({ unit_code: 'YAZI_ISLERI', service: 'Birim dosya paylaşımı', rpo_target_hours: 24 });
    const [kpi] = await home.query(`
      SELECT count(*) AS sessions, round(avg(is_good::INT) FILTER (WHERE is_outcome), 3) AS good_rate,
        count(*) FILTER (WHERE status = 'failed') AS failed, count(*) FILTER (WHERE status = 'warning') AS warnings,
        count(DISTINCT tool) AS tools, sum(bytes) > 0 AS has_volume, count(*) FILTER (WHERE unit_code IS NULL) AS no_unit
      FROM marts.fct_backup_sessions`);
    expect(Number(kpi.sessions)).toBe(demo.expected.veeamLoaded + demo.expected.bareosLoaded);
    expect(kpi.good_rate).toBeGreaterThan(0.97);
    expect(kpi.good_rate).toBeLessThan(1);
    expect(Number(kpi.failed)).toBeGreaterThanOrEqual(10);
    expect(Number(kpi.warnings)).toBeGreaterThan(0);
    expect(kpi).toMatchObject({ tools: '2', has_volume: true, no_unit: '0' });
    const jobs = await home.query(`SELECT job_key FROM marts.dim_backup_jobs WHERE no_success_7d ORDER BY 1`);
    expect(jobs).toEqual([{ job_key: 'veeam:Kamera-NVR01 Yedek' }]);
  });

  it('a rerun over the same demo gives the same raw rows and the same marts (idempotent)', async () => {
    // One digest per table, computed in DuckDB: every column of every row, in key order.
    const digest = (table: string, key: string, exclude = '') =>
      `SELECT '${table}' AS t, count(*) AS n, md5(string_agg(CAST(x AS VARCHAR), '|' ORDER BY ${key})) AS h FROM (SELECT * ${exclude} FROM ${table}) x`;
    const snapshot = () =>
      home.query(
        [
          digest('raw_backup.veeam_sessions', 'session_key', 'EXCLUDE (_run_id, _extracted_at)'),
          digest('raw_backup.bareos_jobs', 'job_id', 'EXCLUDE (_run_id, _extracted_at)'),
          digest('marts.fct_backup_sessions', 'session_key'),
          digest('marts.dim_protected_objects', 'object_key'),
          digest('marts.dim_backup_jobs', 'job_key'),
        ].join(' UNION ALL '),
      );
    const before = await snapshot();
    const again = await home.run(backupSources(config), NOW);
    expect(again.manifest!.snapshotId).not.toBe(r.manifest!.snapshotId);
    expect(again.sources.map((s) => [s.rowsLoaded, s.rowsRejected])).toEqual(r.sources.map((s) => [s.rowsLoaded, s.rowsRejected]));
    expect(await snapshot()).toEqual(before);
  });
});
