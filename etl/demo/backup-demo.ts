import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import iconv from 'iconv-lite';
import type { PanoConfig } from '../../common/config.js';
import { PanoError } from '../../common/errors.js';
import { UNITS } from '../../common/units.js';
import { zoneClock, type ZoneClock } from '../calendar/wall-clock.js';
import { BAREOS_JOB_COLUMNS, BAREOS_SQLITE_DDL, BAREOS_STATUS_ROWS } from './bareos-sqlite-ddl.js';
import { DEMO_SERVICE_MAP_NAME } from '../sources/backup/config.js';

export { DEMO_SERVICE_MAP_NAME };
import { DemoRandom } from './demo-random.js';

/** The slice of better-sqlite3 the generator uses (the package ships no types; knex would be ten times slower here). */
interface SqliteDb {
  open: boolean;
  pragma(source: string): unknown;
  exec(sql: string): void;
  prepare(sql: string): { run(...params: unknown[]): unknown };
  transaction<F extends (...args: any[]) => void>(fn: F): F;
  close(): void;
}
const Database = createRequire(import.meta.url)('better-sqlite3') as new (file: string) => SqliteDb;

/**
 * The backup history of Sultanbeyli Belediyesi's IT directorate, as the two tools really leave it:
 *
 * - **Veeam** (VMware cluster through Enterprise Manager, and the Nutanix AHV cluster) as monthly CSV
 *   exports in two of the three real shapes: `VBR-EM_YYYY-MM.csv` (Enterprise Manager API export: ISO UTC
 *   times, bytes) and `AHV-Rapor_YYYY-MM.csv` (AHV report from a Turkish-locale Windows host: `;`,
 *   `dd.MM.yyyy HH:mm:ss`, decimal commas; windows-1254 for the first half of the history, UTF-8 with BOM
 *   after). VM backups: daily incrementals, a weekly full, database VMs every four hours.
 * - **Bareos** (file shares of every müdürlük, database dumps, log backups, Linux servers, the catalog
 *   itself) as a SQLite catalog with Bareos' own tables and columns: Job, JobHisto (jobs older than 30
 *   days copied there, older than a year only there), Client, Pool, FileSet, Status.
 *
 * Deterministic: the same seed, `now` and scale give the same files and rows (seeded PRNG, never the
 * clock). Volumes: at scale 1 about 150 job sessions and 440 session/task rows a day over three years;
 * at scale 25 about ten million rows, written day by day (a day's rows are all that is ever in memory).
 *
 * Seeded faults (counted in the summary, so tests know what the ETL must catch):
 * - `kamera-nvr01`'s Veeam job has failed every night for the last 10 days (repository full) → RPO breach;
 * - random warnings and failures on both tools, a cancelled job now and then, a job still running at `now`;
 * - one Enterprise Manager export exported twice (`yeniden-aktarim/…`, byte-identical) → loaded once;
 * - the current month's AHV export ends in a truncated line (the export was still being written);
 * - one AHV row of a session that never started (no StartTime/Date);
 * - one Bareos job whose EndTime is before its StartTime (the director's clock jumped);
 * - the jobs of a decommissioned client (`eski-muhasebe-fd`) still in JobHisto, the client gone.
 */

export interface BackupDemoOptions {
  seed: number;
  /** The end of the history ("today"). Required: the generator never reads the clock. */
  now: Date;
  /** Volume factor: 1 ≈ 440 rows a day (150 job sessions), 25 ≈ 10 M rows over three years. */
  scale: number;
  /** Years of history ending at `now`. Default 3. */
  years?: number;
  /** Wall-clock zone of the Bareos director and the AHV Windows host. Default: PANO_TIMEZONE. */
  timezone?: string;
}

/** A type (not an interface) so it is also a `Record<string, unknown>`, as the demo entry expects. */
export type BackupDemoSummary = {
  veeamDir: string;
  bareosFile: string;
  serviceMapFile: string;
  from: string;
  to: string;
  days: number;
  veeam: {
    files: number;
    /** Session rows written (valid ones; the faulty row and the truncated line not included; the duplicate file counted once). */
    rows: number;
    vms: number;
    jobs: number;
    byShape: { em_api: number; ahv: number };
    byStatus: Record<string, number>;
    encodings: Record<string, number>;
  };
  bareos: {
    /** Distinct jobs written (JobIds), the faulty one included. */
    jobs: number;
    jobRows: number;
    histoRows: number;
    clients: number;
    orphanJobs: number;
    byStatus: Record<string, number>;
    byType: Record<string, number>;
  };
  faults: {
    failingJob: { tool: 'veeam'; job: string; server: string; failingSince: string; failedSessions: number; lastGoodAt: string | null };
    duplicateFile: { file: string; sameAs: string } | null;
    truncatedLine: { file: string } | null;
    badVeeamRow: { file: string } | null;
    badBareosJob: { jobId: number } | null;
    orphanClient: string;
  };
  /** What an ETL run over this demo must report. */
  expected: { veeamLoaded: number; veeamRejected: number; bareosLoaded: number; bareosRejected: number };
};

const DEMO_MARKER = '.pano-demo';
const DAY = 86_400_000;
const MIN = 60_000;
const GB = 1024 ** 3;

// ─── inventory ───────────────────────────────────────────────────────────────────────────────────

interface Vm {
  name: string;
  sizeGb: number;
  /** Median share of the disk that changes per day. */
  change: number;
  /** Relative growth per year. */
  growth: number;
}

interface VeeamJob {
  shape: 'em' | 'ahv';
  name: string;
  vms: Vm[];
  /** Start times, minutes after local midnight. */
  times: number[];
  /** Local weekday of the weekly full (0 = Sunday). */
  fullDay: number;
  tags: string;
  failing?: boolean;
}

interface BareosClientDef {
  id: number;
  name: string;
  uname: string;
}

interface BareosJobDef {
  name: string;
  clientId: number;
  fileSetId: number;
  type: 'B' | 'V';
  plan: 'weekly' | 'full' | 'incremental' | 'verify';
  times: number[];
  sizeGb: number;
  change: number;
  growth: number;
  filesPerGb: number;
  /** Runs only in the first days of the history (decommissioned client). */
  untilDay?: number;
}

const SIZES: Array<[RegExp, number, number]> = [
  // name pattern, median GB, daily change
  [/^dc\d/, 60, 0.01],
  [/^(dns|dhcp|print)/, 40, 0.01],
  [/^wsus/, 300, 0.02],
  [/^antivirus/, 120, 0.03],
  [/^zabbix/, 150, 0.05],
  [/^vcenter/, 250, 0.03],
  [/^veeam/, 100, 0.02],
  [/-db$/, 500, 0.08],
  [/^eposta/, 900, 0.03],
  [/^dosya\d/, 2000, 0.015],
  [/^kamera/, 1500, 0.1],
  [/^vdi/, 45, 0.04],
  [/^web|^ebelediye|^kent-rehberi/, 80, 0.02],
  [/.*/, 100, 0.03],
];

function vm(rng: DemoRandom, name: string): Vm {
  const [, median, change] = SIZES.find(([re]) => re.test(name))!;
  return { name, sizeGb: rng.lognormal(median, 0.25), change, growth: 0.1 + rng.next() * 0.2 };
}

const slug = (code: string) => code.toLowerCase().replace(/_/g, '-');
const pad = (n: number, w = 2) => String(n).padStart(w, '0');
const elastic = (base: number, scale: number, min = 1) => Math.max(min, Math.round(base * scale));

interface Inventory {
  veeam: VeeamJob[];
  clients: BareosClientDef[];
  bareos: BareosJobDef[];
  orphanClientId: number;
  /** Server → [service, unit code, rpo hours] for the service map. */
  map: Array<[string, string, string, number]>;
}

function buildInventory(rng: DemoRandom, scale: number): Inventory {
  const veeam: VeeamJob[] = [];
  const em = (name: string, names: string[], times: number[], extra: Partial<VeeamJob> = {}) =>
    veeam.push({ shape: 'em', name, vms: names.map((n) => vm(rng, n)), times, fullDay: 6, tags: '', ...extra });
  const seq = (prefix: string, n: number, from = 1, w = 2) => Array.from({ length: n }, (_, i) => `${prefix}${pad(from + i, w)}`);

  em('AD ve Altyapı', ['dc01', 'dc02', 'dns01', 'dhcp01', 'wsus01', 'antivirus01', 'print01', 'zabbix01', 'vcenter01', 'veeam-em01'], [21 * 60]);
  em('EBYS', ['ebys-app01', 'ebys-app02', 'ebys-db'], [22 * 60], { tags: 'Kritik' });
  em('Veritabanları 4 Saatlik', ['ebys-db', 'muhasebe-db', 'cbs-db', 'kbs-db'], [15, 255, 495, 735, 975, 1215], { tags: 'Kritik' });
  em('Muhasebe ve Gelir', ['muhasebe-app', 'gelir-app', 'tahakkuk-app'], [22 * 60 + 30], { tags: 'Kritik' });
  em('İmar ve CBS', ['imar-app', 'cbs-app', 'netcad-lisans'], [23 * 60]);
  em('Zabıta ve Ruhsat', ['zabita-app', 'ruhsat-app', 'denetim-mobil'], [23 * 60 + 15]);
  em('Web ve e-Belediye', [...seq('web', elastic(4, scale, 2)), 'ebelediye-web', 'kent-rehberi'], [23 * 60 + 30]);
  em('E-posta', seq('eposta', elastic(2, scale)), [30]);
  em('Dosya Sunucuları', seq('dosya', elastic(3, scale)), [60]);
  em('Kamera NVR', seq('kamera-nvr', elastic(6, scale, 2), 2), [120]);
  em('Kamera-NVR01 Yedek', ['kamera-nvr01'], [150], { failing: true });
  const vdi = seq('vdi-', elastic(285, scale, 4), 1, 3);
  for (let g = 0; g * 40 < vdi.length; g++) em(`VDI Masaüstleri ${g + 1}`, vdi.slice(g * 40, g * 40 + 40), [19 * 60 + 30 + ((g * 7) % 240)], { fullDay: 0 });

  const ahvVms: string[] = ['nikah-randevu', 'cenaze-bilgi', 'muhtarlik-portal', 'sosyal-yardim-db'];
  const units = elastic(30, scale, 2);
  for (let i = 0; i < units; i++) {
    const u = UNITS[i % UNITS.length];
    ahvVms.push(`${slug(u.code)}-app${i >= UNITS.length ? pad(Math.floor(i / UNITS.length) + 1) : ''}`);
  }
  ahvVms.forEach((name, i) =>
    veeam.push({ shape: 'ahv', name: `Günlük Yedek - ${name}`, vms: [vm(rng, name)], times: [20 * 60 + ((i * 3) % 180)], fullDay: 0, tags: '' }),
  );

  // Bareos
  const clients: BareosClientDef[] = [];
  const client = (name: string, os = 'x86_64-pc-linux-gnu,ubuntu,Ubuntu 22.04 LTS') => {
    const c = { id: clients.length + 1, name, uname: `24.0.1 (${os})` };
    clients.push(c);
    return c.id;
  };
  const bareos: BareosJobDef[] = [];
  const bj = (d: Omit<BareosJobDef, 'growth'>) => bareos.push({ growth: 0.15, ...d });
  bj({ name: 'BackupCatalog', clientId: client('bareos-fd'), fileSetId: 5, type: 'B', plan: 'full', times: [4 * 60], sizeGb: 2, change: 1, filesPerGb: 1 });
  for (const [db, fs_, gb] of [
    ['ebys-db', 2, 60],
    ['muhasebe-db', 2, 40],
    ['cbs-db', 2, 120],
    ['kbs-db', 2, 30],
    ['glpi-db', 3, 8],
  ] as const) {
    const id = client(`${db}-fd`);
    bj({ name: `${db}-dump`, clientId: id, fileSetId: fs_, type: 'B', plan: 'full', times: [90], sizeGb: gb, change: 1, filesPerGb: 0.5 });
    if (db !== 'glpi-db')
      bj({
        name: `${db}-log`,
        clientId: id,
        fileSetId: 6,
        type: 'B',
        plan: 'incremental',
        times: [480, 600, 720, 840, 960, 1080],
        sizeGb: gb,
        change: 0.01,
        filesPerGb: 40,
      });
  }
  bj({ name: 'ebys-db-dogrulama', clientId: 2, fileSetId: 2, type: 'V', plan: 'verify', times: [6 * 60], sizeGb: 60, change: 0, filesPerGb: 0.5 });
  for (const name of ['pano-app', 'web01', 'web02', 'eposta01', 'yedek-nas', 'kamera-arsiv', 'dns01']) {
    bj({
      name: `${name}-sistem`,
      clientId: client(`${name}-fd`),
      fileSetId: 1,
      type: 'B',
      plan: 'weekly',
      times: [21 * 60 + 30],
      sizeGb: rng.lognormal(40, 0.4),
      change: 0.02,
      filesPerGb: 900,
    });
  }
  const shares = elastic(30, scale, 2);
  for (let i = 0; i < shares; i++) {
    const u = UNITS[i % UNITS.length];
    const name = `dosya-${slug(u.code)}${i >= UNITS.length ? `-${pad(Math.floor(i / UNITS.length) + 1)}` : ''}`;
    bj({
      name: `${name}-yedek`,
      clientId: client(`${name}-fd`, 'x86_64-pc-linux-gnu,debian,Debian 12'),
      fileSetId: 4,
      type: 'B',
      plan: 'weekly',
      times: [22 * 60 + ((i * 4) % 120)],
      sizeGb: rng.lognormal(Math.max(20, u.staff * 0.8), 0.3),
      change: 0.012,
      filesPerGb: 600,
    });
  }
  const orphanClientId = clients.length + 100;
  bj({
    name: 'eski-muhasebe-sistem',
    clientId: orphanClientId,
    fileSetId: 1,
    type: 'B',
    plan: 'weekly',
    times: [21 * 60],
    sizeGb: 30,
    change: 0.02,
    filesPerGb: 900,
    untilDay: 90,
  });

  const map: Inventory['map'] = [
    ['dc*', 'Active Directory', 'BILGI_ISLEM', 24],
    ['ebys-db', 'EBYS', 'YAZI_ISLERI', 6],
    ['ebys-*', 'EBYS', 'YAZI_ISLERI', 24],
    ['muhasebe-db', 'Muhasebe', 'MALI_HIZMETLER', 6],
    ['muhasebe-*', 'Muhasebe', 'MALI_HIZMETLER', 24],
    ['gelir-*', 'Gelir', 'MALI_HIZMETLER', 24],
    ['tahakkuk-*', 'Gelir', 'MALI_HIZMETLER', 24],
    ['cbs-db', 'Kent Bilgi Sistemi (CBS)', 'IMAR', 6],
    ['cbs-*', 'Kent Bilgi Sistemi (CBS)', 'IMAR', 24],
    ['imar-*', 'İmar', 'IMAR', 24],
    ['kbs-db', 'Kent Bilgi Sistemi (CBS)', 'BILGI_ISLEM', 6],
    ['zabita-*', 'Zabıta', 'ZABITA', 24],
    ['ruhsat-*', 'Ruhsat', 'RUHSAT', 24],
    ['denetim-*', 'Ruhsat', 'RUHSAT', 24],
    ['web*', 'Web', 'BASIN_YAYIN', 24],
    ['kent-rehberi', 'Web', 'BASIN_YAYIN', 24],
    ['ebelediye-*', 'e-Belediye', 'BILGI_ISLEM', 24],
    ['eposta*', 'E-posta', 'BILGI_ISLEM', 24],
    ['dosya0*', 'Dosya sunucuları', 'BILGI_ISLEM', 24],
    ['kamera-*', 'Kent güvenlik kameraları', 'ZABITA', 24],
    ['vdi-*', 'Sanal masaüstü', 'BILGI_ISLEM', 24],
    ['glpi-*', 'Yardım masası', 'BILGI_ISLEM', 24],
    ['pano-*', 'Pano', 'BILGI_ISLEM', 24],
    ['bareos', 'Yedekleme', 'BILGI_ISLEM', 24],
    ['yedek-*', 'Yedekleme', 'BILGI_ISLEM', 24],
    ['veeam-*', 'Yedekleme', 'BILGI_ISLEM', 24],
    ['nikah-*', 'Nikah randevu', 'YAZI_ISLERI', 24],
    ['cenaze-*', 'Cenaze hizmetleri', 'DESTEK', 24],
    ['muhtarlik-*', 'Muhtarlık portalı', 'MUHTARLIK', 24],
    ['sosyal-yardim-*', 'Sosyal yardım', 'SOSYAL_DESTEK', 24],
  ];
  for (const u of UNITS) {
    map.push([`dosya-${slug(u.code)}*`, 'Birim dosya paylaşımı', u.code, 24]);
    map.push([`${slug(u.code)}-app*`, 'Birim uygulaması', u.code, 24]);
  }
  for (const n of ['dns*', 'dhcp*', 'wsus*', 'antivirus*', 'print*', 'zabbix*', 'vcenter*']) map.push([n, 'Altyapı', 'BILGI_ISLEM', 24]);
  // netcad-lisans is left out on purpose: the quality view shows an unmapped server.
  return { veeam, clients, bareos, orphanClientId, map };
}

// ─── formatting ──────────────────────────────────────────────────────────────────────────────────

const q = (s: string) => `"${s.replace(/"/g, '""')}"`;

function trDateTime(clock: ZoneClock, ms: number): string {
  const s = clock.format(ms); // YYYY-MM-DD HH:MM:SS
  return `${s.slice(8, 10)}.${s.slice(5, 7)}.${s.slice(0, 4)} ${s.slice(11)}`;
}

function trNumber(n: number): string {
  const r = Math.round(n * 100) / 100;
  return String(r).replace('.', ',');
}

function trSize(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let v = bytes;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${trNumber(v)} ${units[i]}`;
}

function timeSpan(sec: number): string {
  const whole = Math.floor(sec);
  const frac = Math.round((sec - whole) * 1e7);
  const h = Math.floor(whole / 3600);
  const m = Math.floor((whole % 3600) / 60);
  const s = whole % 60;
  return `${pad(h)}:${pad(m)}:${pad(s)}.${String(frac).padStart(7, '0')}`;
}

const EM_HEADER =
  '"RestorePointType","JobAlgorithm","BackupEndTime(UTC)","IncludedTags","State","TotalSize","VMName","Result","JobName","Reason","BackupCreationTime(UTC)"';
const AHV_HEADER = [
  'JobName',
  'VM',
  'Date',
  'BackupType',
  'Status',
  'StartTime',
  'EndTime',
  'Duration',
  'TotalSize',
  'DataRead',
  'Transferred',
  'BackupSize',
  'Dedupe',
  'Compression',
]
  .map(q)
  .join(';');

const VEEAM_WARNINGS = [
  'Changed block tracking cannot be enabled: one or more VM disks are independent.',
  'VM has snapshot older than 3 days.',
  'Unable to truncate Microsoft SQL Server transaction logs.',
  'Guest processing skipped: VMware Tools not running.',
];
const VEEAM_ERRORS = [
  'Error: Failed to open VDDK disk: NFC storage connection is unavailable.',
  'Error: Timed out waiting for VM snapshot to complete.',
  'Error: The network path was not found.',
];
const REPOSITORY_FULL =
  'Error: There is not enough space on the disk. Failed to write data to the file [\\\\yedek-nas\\VeeamRepo\\Kamera-NVR01\\kamera-nvr01.vib].';

// ─── output writers ──────────────────────────────────────────────────────────────────────────────

class MonthlyCsv {
  private fd: number | null = null;
  private ym = '';
  readonly files: Array<{ file: string; encoding: string }> = [];
  constructor(
    private readonly dir: string,
    private readonly prefix: string,
    private readonly header: string,
    private readonly encodingOf: (ym: string) => 'utf-8' | 'utf-8-bom' | 'windows-1254',
  ) {}

  write(ym: string, lines: string[]): void {
    if (lines.length === 0) return;
    if (ym !== this.ym) {
      this.close();
      this.ym = ym;
      const file = `${this.prefix}_${ym}.csv`;
      this.fd = fs.openSync(path.join(this.dir, file), 'w');
      const enc = this.encodingOf(ym);
      this.files.push({ file, encoding: enc });
      if (enc === 'utf-8-bom') fs.writeSync(this.fd, Buffer.from([0xef, 0xbb, 0xbf]));
      this.put(`${this.header}\r\n`);
    }
    this.put(`${lines.join('\r\n')}\r\n`);
  }

  /** Appends raw text to the current file (the truncated line). */
  append(text: string): void {
    this.put(text);
  }

  get current(): string | null {
    return this.files.at(-1)?.file ?? null;
  }

  private put(text: string): void {
    const enc = this.encodingOf(this.ym);
    fs.writeSync(this.fd!, enc === 'windows-1254' ? iconv.encode(text, 'windows-1254') : Buffer.from(text, 'utf8'));
  }

  close(): void {
    if (this.fd !== null) fs.closeSync(this.fd);
    this.fd = null;
  }
}

// ─── the generator ───────────────────────────────────────────────────────────────────────────────

/**
 * Writes the demo backup sources into `config.sources.backup` (the Veeam folder and the SQLite catalog
 * of `bareosUrl`), plus the service map beside the Veeam folder. Both are built aside and swapped in, so
 * a reader never sees half a demo; a Veeam folder that was not written by the demo is never replaced.
 */
export async function generateBackupDemo(config: PanoConfig, opts: BackupDemoOptions): Promise<BackupDemoSummary> {
  const nowMs = opts.now?.getTime();
  if (!Number.isFinite(nowMs)) throw new PanoError('generateBackupDemo: `now` must be a valid date', { code: 'demo_invalid' });
  if (!(opts.scale > 0)) throw new PanoError(`generateBackupDemo: scale must be positive, got ${opts.scale}`, { code: 'demo_invalid' });
  const years = opts.years ?? 3;
  if (!(years > 0)) throw new PanoError(`generateBackupDemo: years must be positive, got ${years}`, { code: 'demo_invalid' });
  const url = config.sources.backup.bareosUrl;
  if (!url.startsWith('sqlite:')) {
    throw new PanoError(
      `The demo writes the Bareos catalog as SQLite; PANO_BAREOS_URL points to a real catalog (${url.split('@').pop()}). Unset it for the demo.`,
      { code: 'demo_invalid' },
    );
  }
  const bareosFile = path.resolve(url.slice('sqlite:'.length).replace(/^\/\//, ''));
  const veeamDir = path.resolve(config.sources.backup.veeamDir);
  if (fs.existsSync(veeamDir) && fs.readdirSync(veeamDir).length > 0 && !fs.existsSync(path.join(veeamDir, DEMO_MARKER))) {
    throw new PanoError(
      `Refusing to replace ${veeamDir}: it holds files the demo did not write (no ${DEMO_MARKER} marker). Point PANO_VEEAM_DIR elsewhere for the demo.`,
      { code: 'demo_refused' },
    );
  }
  const tz = opts.timezone ?? config.timezone;
  const clock = zoneClock(tz);
  const rng = new DemoRandom(opts.seed);
  const inv = buildInventory(rng, opts.scale);

  const buildDir = `${veeamDir}.building`;
  const bareosTmp = `${bareosFile}.tmp`;
  fs.rmSync(buildDir, { recursive: true, force: true });
  fs.mkdirSync(buildDir, { recursive: true });
  fs.mkdirSync(path.dirname(bareosFile), { recursive: true });
  for (const f of [bareosTmp, `${bareosTmp}-journal`]) fs.rmSync(f, { force: true });
  const db = new Database(bareosTmp);
  try {
    db.pragma('journal_mode = OFF');
    db.pragma('synchronous = OFF');
    db.pragma('foreign_keys = OFF'); // like Bareos' own SQLite catalog: REFERENCES are documentation
    for (const sql of BAREOS_SQLITE_DDL) db.exec(sql);
    const summary = writeHistory({ db, clock, rng, inv, nowMs, years, buildDir, veeamDir, bareosFile });
    db.close();
    fs.writeFileSync(path.join(buildDir, DEMO_MARKER), 'Pano demo: generated Veeam exports. This folder is replaced by `pano demo`.\n');
    swapDir(buildDir, veeamDir);
    fs.renameSync(bareosTmp, bareosFile);
    const mapFile = path.join(path.dirname(veeamDir), DEMO_SERVICE_MAP_NAME);
    writeServiceMap(mapFile, inv.map);
    summary.serviceMapFile = mapFile;
    return summary;
  } catch (e) {
    if (db.open) db.close();
    fs.rmSync(buildDir, { recursive: true, force: true });
    fs.rmSync(bareosTmp, { force: true });
    throw e;
  }
}

function swapDir(from: string, to: string): void {
  const old = `${to}.old`;
  fs.rmSync(old, { recursive: true, force: true });
  if (fs.existsSync(to)) fs.renameSync(to, old);
  fs.renameSync(from, to);
  fs.rmSync(old, { recursive: true, force: true });
}

function writeServiceMap(file: string, map: Inventory['map']): void {
  const lines = ['# Pano demo: sunucu (ad veya * deseni) → hizmet, birim, RPO hedefi (saat). İlk eşleşen satır geçerlidir.', 'sunucu;hizmet;birim;rpo_saat'];
  for (const [server, service, unit, rpo] of map) lines.push([server, service, unit, String(rpo)].join(';'));
  const tmp = `${file}.tmp`;
  fs.writeFileSync(tmp, `\uFEFF${lines.join('\r\n')}\r\n`, 'utf8');
  fs.renameSync(tmp, file);
}

interface HistoryCtx {
  db: SqliteDb;
  clock: ZoneClock;
  rng: DemoRandom;
  inv: Inventory;
  nowMs: number;
  years: number;
  buildDir: string;
  veeamDir: string;
  bareosFile: string;
}

interface BareosRow {
  values: unknown[];
  startMs: number;
  schedMs: number;
  orphan: boolean;
  /** The seeded fault: EndTime before StartTime. */
  bad?: boolean;
}

function writeHistory(c: HistoryCtx): BackupDemoSummary {
  const { db, clock, rng, inv, nowMs } = c;
  // Day boundaries in local time: from the local midnight `years` before now to today.
  const todayLocal = Math.floor(clock.epochToLocal(nowMs) / DAY) * DAY;
  const days = Math.round(c.years * 365);
  const firstLocal = todayLocal - (days - 1) * DAY;
  const startMs = clock.localToEpoch(firstLocal);
  const failingSince = nowMs - 10 * DAY;
  const ahvSwitch = firstLocal + Math.floor(days / 2) * DAY; // AHV host moved from windows-1254 to UTF-8 exports

  const ymOf = (localMs: number) => new Date(localMs).toISOString().slice(0, 7);
  const switchYm = ymOf(ahvSwitch);
  const em = new MonthlyCsv(c.buildDir, 'VBR-EM', EM_HEADER, () => 'utf-8');
  const ahv = new MonthlyCsv(c.buildDir, 'AHV-Rapor', AHV_HEADER, (ym) => (ym < switchYm ? 'windows-1254' : 'utf-8-bom'));

  // Bareos reference rows
  const insStatus = db.prepare('INSERT INTO Status (JobStatus, JobStatusLong, Severity) VALUES (?, ?, ?)');
  for (const r of BAREOS_STATUS_ROWS) insStatus.run(...r);
  const insClient = db.prepare('INSERT INTO Client (ClientId, Name, Uname, AutoPrune, FileRetention, JobRetention) VALUES (?, ?, ?, 1, 5184000, 31536000)');
  for (const cl of inv.clients) insClient.run(cl.id, cl.name, cl.uname);
  const insPool = db.prepare("INSERT INTO Pool (PoolId, Name, PoolType, LabelFormat, NumVols, MaxVols, VolRetention) VALUES (?, ?, 'Backup', ?, ?, 100, ?)");
  for (const [id, name, ret] of [
    [1, 'Full', 31536000],
    [2, 'Incremental', 2592000],
    [3, 'Differential', 7776000],
    [4, 'Katalog', 2592000],
  ] as const)
    insPool.run(id, name, `${name}-`, 10 + id, ret);
  const insFs = db.prepare("INSERT INTO FileSet (FileSetId, FileSet, MD5, CreateTime, FileSetText) VALUES (?, ?, ?, ?, '')");
  for (const [id, name] of [
    [1, 'LinuxAll'],
    [2, 'PostgreSQLDump'],
    [3, 'MySQLDump'],
    [4, 'BirimPaylasim'],
    [5, 'Catalog'],
    [6, 'DBArsivLog'],
  ] as const) {
    insFs.run(id, name, `md5${id}xPano+Demo`, clock.format(startMs - 30 * DAY));
  }
  const cols = BAREOS_JOB_COLUMNS.join(', ');
  const marks = BAREOS_JOB_COLUMNS.map(() => '?').join(', ');
  const insJob = db.prepare(`INSERT INTO Job (${cols}) VALUES (${marks})`);
  const insHisto = db.prepare(`INSERT INTO JobHisto (${cols}) VALUES (${marks})`);

  const summary: BackupDemoSummary = {
    veeamDir: c.veeamDir,
    bareosFile: c.bareosFile,
    serviceMapFile: '',
    from: new Date(startMs).toISOString(),
    to: new Date(nowMs).toISOString(),
    days,
    veeam: {
      files: 0,
      rows: 0,
      vms: new Set(inv.veeam.flatMap((j) => j.vms.map((v) => v.name))).size,
      jobs: inv.veeam.length,
      byShape: { em_api: 0, ahv: 0 },
      byStatus: {},
      encodings: {},
    },
    bareos: { jobs: 0, jobRows: 0, histoRows: 0, clients: inv.clients.length, orphanJobs: 0, byStatus: {}, byType: {} },
    faults: {
      failingJob: {
        tool: 'veeam',
        job: 'Kamera-NVR01 Yedek',
        server: 'kamera-nvr01',
        failingSince: new Date(failingSince).toISOString(),
        failedSessions: 0,
        lastGoodAt: null,
      },
      duplicateFile: null,
      truncatedLine: null,
      badVeeamRow: null,
      badBareosJob: null,
      orphanClient: 'eski-muhasebe-fd',
    },
    expected: { veeamLoaded: 0, veeamRejected: 0, bareosLoaded: 0, bareosRejected: 0 },
  };
  const vs = summary.veeam.byStatus;
  const bs = summary.bareos.byStatus;
  let jobId = 0;
  let jobSeq = 0;
  const badBareosDay = Math.floor(days / 2);

  for (let d = 0; d < days; d++) {
    const dayLocal = firstLocal + d * DAY;
    const weekday = new Date(dayLocal).getUTCDay();
    const yearsIn = d / 365;
    const at = (minutes: number) => clock.localToEpoch(dayLocal + minutes * MIN);
    const emLines: string[] = [];
    const ahvLines: string[] = [];

    // ── Veeam ──
    for (const job of inv.veeam) {
      for (const t of job.times) {
        const jobStart = at(t);
        if (jobStart > nowMs) continue;
        const slots = [jobStart, jobStart, jobStart, jobStart]; // four concurrent tasks
        const full = weekday === job.fullDay && t === job.times[0];
        for (const v of job.vms) {
          const slot = slots.indexOf(Math.min(...slots));
          const start = slots[slot] + rng.int(5, 40) * 1000;
          const sizeBytes = v.sizeGb * (1 + v.growth * yearsIn) * GB;
          const perRun = job.times.length > 1 ? v.change / job.times.length : v.change;
          const read = full ? sizeBytes * 0.62 : sizeBytes * Math.min(0.5, rng.lognormal(perRun, 0.5));
          let status: 'Success' | 'Warning' | 'Failed' = 'Success';
          const u = rng.next();
          if (job.failing && start >= failingSince) status = 'Failed';
          else if (u < 0.008) status = 'Failed';
          else if (u < 0.038) status = 'Warning';
          const rate = rng.lognormal(180, 0.3) * 1024 * 1024; // bytes/s
          const dur = 30 + (status === 'Failed' ? rng.int(20, 600) : read / rate);
          const end = start + Math.round(dur * 1000);
          slots[slot] = end;
          if (job.failing) {
            if (status === 'Failed' && start >= failingSince) summary.faults.failingJob.failedSessions++;
            else summary.faults.failingJob.lastGoodAt = new Date(start).toISOString();
          }
          const running = end > nowMs;
          if (job.shape === 'em') {
            const stored = status === 'Failed' ? 0 : Math.round(read * (full ? 0.55 : 0.6));
            const reason =
              status === 'Failed' ? (job.failing ? REPOSITORY_FULL : rng.pick(VEEAM_ERRORS)) : status === 'Warning' ? rng.pick(VEEAM_WARNINGS) : '';
            emLines.push(
              [
                q(full ? 'Full' : 'Increment'),
                q('Incremental'),
                running ? '""' : q(new Date(end).toISOString()),
                job.tags ? q(job.tags) : '',
                q(running ? 'Working' : 'Completed'),
                q(String(running ? 0 : stored)),
                q(v.name),
                q(running ? 'None' : status),
                q(job.name),
                q(running ? '' : reason),
                q(new Date(start).toISOString()),
              ].join(','),
            );
            const st = running ? 'running' : status.toLowerCase();
            vs[st] = (vs[st] ?? 0) + 1;
            summary.veeam.byShape.em_api++;
          } else {
            if (running) continue; // the AHV report lists finished sessions only
            const transferred = status === 'Failed' ? 0 : read * 0.7;
            const stored = transferred * 0.9;
            const ratioD = 1 + rng.next() * 0.8;
            const ratioC = 1.3 + rng.next() * 0.6;
            ahvLines.push(
              [
                q(job.name),
                q(v.name),
                q(trDateTime(clock, start)),
                q(full ? 'Full' : 'Incremental'),
                q(status),
                q(trDateTime(clock, start)),
                q(trDateTime(clock, end)),
                q(timeSpan(dur)),
                q(trSize(Math.round(sizeBytes / GB) * GB)),
                q(trSize(status === 'Failed' ? 0 : read)),
                q(trSize(transferred)),
                q(trSize(stored)),
                q(`${trNumber(ratioD)}x`),
                q(`${trNumber(ratioC)}x`),
              ].join(';'),
            );
            vs[status.toLowerCase()] = (vs[status.toLowerCase()] ?? 0) + 1;
            summary.veeam.byShape.ahv++;
          }
          summary.veeam.rows++;
        }
      }
    }
    if (d === 0 && ahvLines.length) {
      // A session that never started: the host wrote the row without times.
      ahvLines.splice(
        1,
        0,
        [
          q('Günlük Yedek - nikah-randevu'),
          q('nikah-randevu'),
          q(''),
          q('Incremental'),
          q('Failed'),
          q(''),
          q(''),
          q(''),
          q('60 GB'),
          q('0 B'),
          q('0 B'),
          q('0 B'),
          q('1x'),
          q('1x'),
        ].join(';'),
      );
      summary.faults.badVeeamRow = { file: `AHV-Rapor_${ymOf(dayLocal)}.csv` };
    }
    em.write(ymOf(dayLocal), emLines);
    ahv.write(ymOf(dayLocal), ahvLines);

    // ── Bareos ──
    const rows: BareosRow[] = [];
    for (const job of inv.bareos) {
      if (job.untilDay !== undefined && d >= job.untilDay) continue;
      if (job.plan === 'verify' && weekday !== 0) continue;
      for (const t of job.times) {
        const sched = at(t);
        if (sched > nowMs) continue;
        const start = sched + rng.int(0, 120) * 1000;
        if (start > nowMs) continue;
        const size = job.sizeGb * (1 + job.growth * yearsIn) * GB;
        let level = 'F';
        let bytes = size;
        if (job.plan === 'incremental' || (job.plan === 'weekly' && weekday !== 0 && weekday !== 3)) {
          level = 'I';
          bytes = size * Math.min(0.5, rng.lognormal(job.change, 0.5));
        } else if (job.plan === 'weekly' && weekday === 3) {
          level = 'D';
          bytes = size * Math.min(0.8, rng.lognormal(job.change * 3, 0.4));
        } else if (job.plan === 'verify') {
          level = 'O';
          bytes = 0;
        }
        const u = rng.next();
        let status = 'T';
        if (job.plan === 'verify') status = u < 0.05 ? 'D' : 'T';
        else if (u < 0.003) status = 'f';
        else if (u < 0.011) status = 'E';
        else if (u < 0.015) status = 'A';
        else if (u < 0.045) status = 'W';
        const factor = status === 'f' ? 0 : status === 'E' || status === 'A' ? rng.next() * 0.3 : 1;
        const jobBytes = Math.round(bytes * factor);
        const rate = rng.lognormal(90, 0.35) * 1024 * 1024;
        const dur = 15 + (job.plan === 'verify' ? size / rate : jobBytes / rate);
        let end = start + Math.round(dur * 1000);
        let startOut: number | null = start;
        let jobStatus = status;
        if (status === 'A' && rng.chance(0.4)) startOut = null; // cancelled while still queued
        if (end > nowMs) {
          jobStatus = 'R';
          end = Number.NaN;
        }
        jobSeq++;
        const files = Math.round((jobBytes / GB) * job.filesPerGb);
        const name = job.name;
        const local = clock.format(sched).replace(' ', '_').replace(/:/g, '.');
        const values: unknown[] = [
          0, // JobId, assigned after sorting
          `${name}.${local}_${pad(jobSeq % 100)}`,
          name,
          job.type,
          level,
          job.clientId,
          jobStatus,
          clock.format(sched),
          startOut === null ? 0 : clock.format(startOut),
          Number.isNaN(end) || startOut === null ? 0 : clock.format(end),
          Number.isNaN(end) || startOut === null ? 0 : clock.format(end),
          Math.floor((startOut ?? sched) / 1000),
          jobSeq,
          Math.floor(startMs / 1000),
          jobStatus === 'R' ? 0 : files,
          jobStatus === 'R' ? 0 : jobBytes,
          jobStatus === 'R' ? 0 : Math.round(jobBytes * 1.35),
          status === 'W' ? rng.int(1, 5) : status === 'E' ? rng.int(10, 200) : status === 'f' ? 1 : 0,
          status === 'W' ? rng.int(0, 3) : 0,
          job.type === 'V' ? 0 : level === 'F' ? (job.fileSetId === 5 ? 4 : 1) : level === 'D' ? 3 : 2,
          job.fileSetId,
          0,
          0,
          0,
          0,
          0,
          null,
        ];
        rows.push({ values, startMs: startOut ?? sched, schedMs: sched, orphan: job.untilDay !== undefined });
      }
    }
    // A restore now and then (about one a week), by an operator during working hours.
    if (rng.chance(1 / 7)) {
      const sched = at(rng.int(9 * 60, 16 * 60));
      if (sched <= nowMs) {
        const cl = rng.pick(inv.clients.slice(1));
        const bytes = Math.round(rng.lognormal(2, 1) * GB);
        const end = sched + Math.round((20 + bytes / (100 * 1024 * 1024)) * 1000);
        const done = end <= nowMs;
        jobSeq++;
        const local = clock.format(sched).replace(' ', '_').replace(/:/g, '.');
        rows.push({
          values: [
            0,
            `RestoreFiles.${local}_${pad(jobSeq % 100)}`,
            'RestoreFiles',
            'R',
            ' ',
            cl.id,
            done ? 'T' : 'R',
            clock.format(sched),
            clock.format(sched),
            done ? clock.format(end) : 0,
            done ? clock.format(end) : 0,
            Math.floor(sched / 1000),
            jobSeq,
            Math.floor(startMs / 1000),
            done ? Math.round((bytes / GB) * 600) : 0,
            done ? bytes : 0,
            done ? bytes : 0,
            0,
            0,
            1,
            4,
            0,
            0,
            0,
            0,
            0,
            null,
          ],
          startMs: sched,
          schedMs: sched,
          orphan: false,
        });
      }
    }
    rows.sort((a, b) => a.schedMs - b.schedMs || a.startMs - b.startMs);
    if (d === badBareosDay) {
      const victim = rows.find((r) => !r.orphan && r.values[3] === 'B' && r.values[6] === 'T');
      if (victim) {
        // The director's clock jumped back an hour while the job ran.
        victim.values[9] = clock.format(victim.startMs - 3_600_000);
        victim.values[10] = victim.values[9];
        victim.bad = true;
      }
    }
    const write = db.transaction((list: BareosRow[]) => {
      for (const r of list) {
        jobId++;
        r.values[0] = jobId;
        const age = nowMs - r.schedMs;
        const inJob = !r.orphan && age <= 365 * DAY;
        const inHisto = r.orphan || age > 30 * DAY;
        if (inJob) insJob.run(r.values);
        if (inHisto) insHisto.run(r.values);
        summary.bareos.jobRows += inJob ? 1 : 0;
        summary.bareos.histoRows += inHisto ? 1 : 0;
        summary.bareos.jobs++;
        if (r.orphan) summary.bareos.orphanJobs++;
        const code = String(r.values[6]);
        bs[code] = (bs[code] ?? 0) + 1;
        const type = String(r.values[3]);
        summary.bareos.byType[type] = (summary.bareos.byType[type] ?? 0) + 1;
        if (r.bad) summary.faults.badBareosJob = { jobId };
      }
    });
    write(rows);
  }

  // The current month's AHV export was still being written when it was copied: its last line is cut.
  const lastAhv = ahv.current;
  if (lastAhv) {
    ahv.append(`"Günlük Yedek - muhtarlik-portal";"muhtarlik-portal";"${trDateTime(clock, nowMs - 3_600_000).slice(0, 14)}`);
    summary.faults.truncatedLine = { file: lastAhv };
  }
  em.close();
  ahv.close();
  // One Enterprise Manager month was exported again into a sub-folder: byte for byte the same file.
  const firstEm = em.files[0]?.file;
  if (firstEm) {
    fs.mkdirSync(path.join(c.buildDir, 'yeniden-aktarim'), { recursive: true });
    fs.copyFileSync(path.join(c.buildDir, firstEm), path.join(c.buildDir, 'yeniden-aktarim', firstEm));
    summary.faults.duplicateFile = { file: `yeniden-aktarim/${firstEm}`, sameAs: firstEm };
  }
  for (const f of [...em.files, ...ahv.files]) summary.veeam.encodings[f.encoding] = (summary.veeam.encodings[f.encoding] ?? 0) + 1;
  summary.veeam.files = em.files.length + ahv.files.length + (firstEm ? 1 : 0);
  const veeamRejected = (summary.faults.duplicateFile ? 1 : 0) + (summary.faults.truncatedLine ? 1 : 0) + (summary.faults.badVeeamRow ? 1 : 0);
  const bareosRejected = summary.faults.badBareosJob ? 1 : 0;
  summary.expected = {
    veeamLoaded: summary.veeam.rows,
    veeamRejected,
    bareosLoaded: summary.bareos.jobs - bareosRejected,
    bareosRejected,
  };
  return summary;
}
