import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import { loadConfig, type PanoConfig } from '../../../common/config.js';
import { isValidTckn } from '../../../common/kvkk.js';
import { UNITS } from '../../../common/units.js';
import { generateHrDemo, HR_DEMO_STAFF, UNKNOWN_UNIT_NAME, type HrDemoSummary } from '../../../etl/demo/hr-demo.js';
import { breakTckn, makeDemoTckn } from '../../../etl/demo/demo-tckn.js';
import { DemoRandom } from '../../../etl/demo/demo-random.js';

/**
 * The HR demo generator: real export formats, valid synthetic TC Kimlik Nos, the seeded faults where
 * the summary says, an employment-type and gender mix that follows the real sample
 * (../shared/samples/hr/municipality_personnel_by_type_and_gender_2013_2023.csv), determinism.
 */

const NOW = new Date('2026-11-25T09:00:00Z');
const SAMPLE = path.resolve(process.cwd(), '../shared/samples/hr/municipality_personnel_by_type_and_gender_2013_2023.csv');
const made: string[] = [];
afterAll(() => made.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

function config(): PanoConfig {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pano-hr-demo-'));
  made.push(dir);
  return loadConfig({ PANO_MODE: 'demo', PANO_DATA_DIR: dir, PANO_LOG_LEVEL: 'silent' });
}

interface Person {
  line: number;
  tckn: string;
  unit: string;
  type: string;
  start: string;
  end: string;
  gender: string;
  weekly: string;
}

function readPersonnel(file: string): { text: string; people: Person[]; header: string } {
  const text = iconv.decode(fs.readFileSync(file), 'windows-1254');
  const lines = text.split('\r\n').filter(Boolean);
  const people = lines.slice(1).map((l, i) => {
    const f = l.split(';');
    return { line: i + 2, tckn: f[1], unit: f[4], type: f[6], start: f[7], end: f[8], gender: f[9], weekly: f[11] };
  });
  return { text, people, header: lines[0] };
}

async function readWorkbook(file: string): Promise<unknown[][]> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.readFile(file);
  const rows: unknown[][] = [];
  wb.worksheets[0].eachRow({ includeEmpty: true }, (row, n) => (rows[n - 1] = (row.values as unknown[]).slice(1)));
  return rows;
}

describe('HR demo at scale 1', () => {
  let cfg: PanoConfig;
  let demo: HrDemoSummary;
  let personnel: ReturnType<typeof readPersonnel>;
  const files = () => ({
    personnel: path.join(cfg.sources.hr.exportDir, 'personel.csv'),
    trainings: path.join(cfg.sources.hr.exportDir, 'egitim.xlsx'),
    leaves: path.join(cfg.sources.hr.exportDir, 'izin.csv'),
  });

  beforeAll(async () => {
    cfg = config();
    demo = await generateHrDemo(cfg, { seed: 42, now: NOW, scale: 1 });
    personnel = readPersonnel(files().personnel);
  }, 60_000);

  it('writes personel.csv as Turkish HR software does: Windows-1254, ";", CRLF, dd.MM.yyyy, decimal commas', () => {
    const bytes = fs.readFileSync(files().personnel);
    expect(() => new TextDecoder('utf-8', { fatal: true }).decode(bytes)).toThrow();
    expect(bytes.includes(Buffer.from([0xdd]))).toBe(true); // 'İ' in Windows-1254
    expect(personnel.header).toBe(
      'Sıra No;TC Kimlik No;Adı;Soyadı;Müdürlük;Unvan;İstihdam Türü;İşe Başlama Tarihi;Ayrılış Tarihi;Cinsiyet;Doğum Yılı;Haftalık Çalışma Saati',
    );
    expect(personnel.text.split('\r\n').length).toBe(demo.personnel + 2);
    expect(personnel.people.every((p) => /^\d{2}\.\d{2}\.\d{4}$/.test(p.start))).toBe(true);
    expect(personnel.people.some((p) => p.weekly === '22,5')).toBe(true);
    expect(personnel.people.some((p) => p.unit === 'İNSAN KAYNAKLARI VE EĞİTİM MÜDÜRLÜĞÜ')).toBe(true);
  });

  it('writes izin.csv as UTF-8 with a byte-order mark, "," separated, fractional days quoted', () => {
    const bytes = fs.readFileSync(files().leaves);
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = bytes.toString('utf8');
    expect(text.slice(1, text.indexOf('\r\n'))).toBe('TC Kimlik No,Adı Soyadı,İzin Türü,Başlangıç Tarihi,Bitiş Tarihi,Gün Sayısı');
    expect(text).toMatch(/,Mazeret İzni,\d{2}\.\d{2}\.\d{4},\d{2}\.\d{2}\.\d{4},"0,5"\r\n/);
    expect(text.split('\r\n').filter(Boolean).length).toBe(demo.leaves + 1);
  });

  it('writes egitim.xlsx with a title row, real Excel dates and TC Kimlik Nos as numbers', async () => {
    const rows = await readWorkbook(files().trainings);
    expect(rows[0]).toEqual(['SULTANBEYLİ BELEDİYESİ HİZMET İÇİ EĞİTİM KATILIM LİSTESİ']);
    expect(rows[2]).toEqual(['Sıra', 'TC Kimlik No', 'Adı Soyadı', 'Müdürlük', 'Eğitimin Adı', 'Eğitim Tarihi', 'Süre (Saat)']);
    expect(rows.length - 3).toBe(demo.trainings);
    const sample = rows[3];
    expect(typeof sample[1]).toBe('number');
    expect(sample[5]).toBeInstanceOf(Date);
    expect(rows.slice(3).some((r) => r[6] === 1.5 || r[6] === 2.5)).toBe(true);
  });

  it('every TC Kimlik No is valid and unique, except the one seeded with a wrong check digit', async () => {
    const invalid = personnel.people.filter((p) => !isValidTckn(p.tckn));
    expect(invalid.map((p) => `personel.csv:line ${p.line}`)).toEqual([demo.faults.invalidTckn.ref]);
    expect(new Set(personnel.people.map((p) => p.tckn)).size).toBe(personnel.people.length);
    const inPersonnel = new Set(personnel.people.map((p) => p.tckn));
    const rows = await readWorkbook(files().trainings);
    const orphans = rows
      .slice(3)
      .map((r, i) => ({ row: i + 4, tckn: String(r[1]) }))
      .filter((r) => !inPersonnel.has(r.tckn));
    expect(orphans.map((o) => `egitim.xlsx:row ${o.row}`)).toEqual([demo.faults.orphanTraining.ref]);
    expect(isValidTckn(orphans[0].tckn)).toBe(true);
    const leaveTckns = new Set([...fs.readFileSync(files().leaves, 'utf8').matchAll(/^(\d{11}),/gm)].map((m) => m[1]));
    expect([...leaveTckns].every((t) => inPersonnel.has(t) && isValidTckn(t))).toBe(true);
  });

  it('seeds the unknown unit where the summary says', () => {
    const bad = personnel.people.filter((p) => p.unit === UNKNOWN_UNIT_NAME);
    expect(bad.map((p) => `personel.csv:line ${p.line}`)).toEqual([demo.faults.unknownUnit.ref]);
    expect(demo.expected).toMatchObject({ personnelRejected: 2, trainingsRejected: 1, leavesRejected: 0, personnelLoaded: demo.personnel - 2 });
  });

  it('has ~2 800 staff in post, in all 30 units, proportional to common/units.ts', () => {
    expect(demo.activeAtNow).toBeGreaterThan(HR_DEMO_STAFF * 0.97);
    expect(demo.activeAtNow).toBeLessThan(HR_DEMO_STAFF * 1.03);
    const total = UNITS.reduce((a, u) => a + u.staff, 0);
    const names = new Map(UNITS.map((u) => [u.name.toLocaleUpperCase('tr-TR'), u]));
    const inPost = personnel.people.filter((p) => p.end === '' && names.has(p.unit));
    for (const u of UNITS) {
      const n = inPost.filter((p) => names.get(p.unit) === u).length;
      const expected = (u.staff / total) * HR_DEMO_STAFF;
      expect(Math.abs(n - expected), u.code).toBeLessThanOrEqual(Math.max(3, expected * 0.12));
    }
  });

  it('has hires and exits over the ~3 years, all inside the window', () => {
    expect(demo.window).toEqual({ from: '2023-11-01', to: '2026-11-25' });
    expect(demo.hires).toBeGreaterThan(300);
    expect(demo.exits).toBeGreaterThan(300);
    const iso = (s: string) => `${s.slice(6)}-${s.slice(3, 5)}-${s.slice(0, 2)}`;
    const ends = personnel.people.filter((p) => p.end).map((p) => iso(p.end));
    expect(ends.every((e) => e >= demo.window.from)).toBe(true);
    expect(personnel.people.every((p) => !p.end || iso(p.end) >= iso(p.start))).toBe(true);
  });

  it('follows the sample’s employment-type and gender mix (municipal staff, 2022)', () => {
    const sample = fs
      .readFileSync(SAMPLE, 'utf8')
      .trim()
      .split(/\r?\n/)
      .map((l) => l.split(';'));
    const row = sample.find((r) => r[0] === '2022')!.map(Number);
    // Yil;Memur K;Memur E;Sözleşmeli K;Sözleşmeli E;Sözleşmeli (sanatçı) K;E;İşçi K;İşçi E;Geçici K;Geçici E
    const s = { memur: [row[1], row[2]], sozlesmeli: [row[3] + row[5], row[4] + row[6]], isci: [row[7] + row[9], row[8] + row[10]] };
    const sampleTotal = Object.values(s).reduce((a, [k, e]) => a + k + e, 0);
    const group = (t: string) => (t === 'Memur' ? 'memur' : t === 'Sözleşmeli Personel' ? 'sozlesmeli' : t === 'Hizmet Alımı' ? null : 'isci');
    const inPost = personnel.people.filter((p) => p.end === '' || p.end > '25.11.2026');
    const own = inPost.filter((p) => group(p.type));
    for (const [g, [k, e]] of Object.entries(s)) {
      const ours = own.filter((p) => group(p.type) === g);
      expect(Math.abs(ours.length / own.length - (k + e) / sampleTotal), `${g} share`).toBeLessThan(0.08);
      expect(Math.abs(ours.filter((p) => p.gender === 'Kadın').length / ours.length - k / (k + e)), `${g} women`).toBeLessThan(0.08);
    }
    const outsourced = inPost.filter((p) => p.type === 'Hizmet Alımı').length / inPost.length;
    expect(outsourced).toBeGreaterThan(0.25);
    expect(outsourced).toBeLessThan(0.5);
  });

  it('sets the files’ times to `now` (freshness is deterministic)', () => {
    for (const f of Object.values(files())) expect(fs.statSync(f).mtime.getTime()).toBe(NOW.getTime());
  });
});

describe('HR demo determinism and TC Kimlik No generation', () => {
  it('the same seed and now give the same files; another seed gives others', async () => {
    const [a, b, c] = [config(), config(), config()];
    await generateHrDemo(a, { seed: 3, now: NOW, scale: 0.05 });
    await generateHrDemo(b, { seed: 3, now: NOW, scale: 0.05 });
    await generateHrDemo(c, { seed: 4, now: NOW, scale: 0.05 });
    const read = (cfg: PanoConfig, f: string) => fs.readFileSync(path.join(cfg.sources.hr.exportDir, f));
    for (const f of ['personel.csv', 'izin.csv']) {
      expect(read(a, f).equals(read(b, f)), f).toBe(true);
      expect(read(a, f).equals(read(c, f)), f).toBe(false);
    }
    expect(await readWorkbook(path.join(a.sources.hr.exportDir, 'egitim.xlsx'))).toEqual(await readWorkbook(path.join(b.sources.hr.exportDir, 'egitim.xlsx')));
  });

  it.each([1, 2, 3, 42, 2026])('seed %i: generated numbers pass the check digits, the broken one does not', (seed) => {
    const rng = new DemoRandom(seed);
    for (let i = 0; i < 200; i++) {
      const t = makeDemoTckn(rng);
      expect(t).toMatch(/^[1-9]\d{10}$/);
      expect(isValidTckn(t), t).toBe(true);
      expect(isValidTckn(breakTckn(t))).toBe(false);
    }
  });

  it('refuses a non-positive scale', async () => {
    await expect(generateHrDemo(config(), { seed: 1, now: NOW, scale: 0 })).rejects.toThrow('HR demo scale must be positive, got 0');
  });
});
