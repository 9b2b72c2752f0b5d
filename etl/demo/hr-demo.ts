import fs from 'node:fs';
import path from 'node:path';
import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import knexFactory, { type Knex } from 'knex';
import type { PanoConfig } from '../../common/config.js';
import { PanoError } from '../../common/errors.js';
import { describeUrl, knexConfigFromUrl } from '../../common/db/knex-url.js';
import { UNITS, type Unit } from '../../common/units.js';
import { zoneClock } from '../calendar/wall-clock.js';
import { turkishHolidays } from '../calendar/working-hours.js';
import { HR_DB_SCHEMA_SQL } from '../sources/hr/database.js';
import type { EmploymentType } from '../sources/hr/values.js';
import { DemoRandom, WeightedPicker } from './demo-random.js';
import { breakTckn, makeDemoTckn } from './demo-tckn.js';
import { FEMALE_NAMES, MALE_NAMES, SURNAMES } from './demo-names.js';

/**
 * Demo HR source of Sultanbeyli Belediyesi: personnel, in-service trainings and leaves over ~3 years,
 * written as the files Turkish HR software exports (or into a PostgreSQL HR database, same content):
 *
 *   personel.csv  `;`-separated, Windows-1254, CRLF, dd.MM.yyyy, decimal commas (Turkish Excel/HR export)
 *   egitim.xlsx   a workbook with a title row, real Excel dates, TC Kimlik Nos as numbers
 *   izin.csv      UTF-8 with a byte-order mark, `,`-separated, fractional days quoted ("0,5")
 *
 * ~2 800 staff in post at scale 1 across the 30 units (proportional to common/units.ts), plus the
 * people who left during the window and seasonal temporary workers. Employment-type and gender mix
 * follow ../shared/samples/hr/municipality_personnel_by_type_and_gender_2013_2023.csv (2022, the
 * last year before the 2023 transfer of contracted staff to civil-servant posts): among the
 * municipality's own staff about 66 % memur, 16 % sözleşmeli, 18 % işçi; women are about 21 % of
 * memur and sözleşmeli and 9 % of işçi. Outsourced staff (hizmet alımı, not in that table) make up
 * the rest, mostly in cleaning, parks and public works. TC Kimlik Nos are synthetic but valid
 * (random digits, then the two check digits computed).
 *
 * Seeded faults: a personnel row with a wrong check digit, a personnel row with a unit that does not
 * exist, a training of a person who is not in the personnel file.
 *
 * Deterministic: the same seed, now and scale give the same content; the clock is never read.
 * Rows are streamed to the files, so scale 25 does not hold the trainings or leaves in memory.
 */

export interface HrDemoOptions {
  seed: number;
  /** The end of the history ("today"). */
  now: Date;
  /** 1 = ~2 800 staff. */
  scale: number;
  /** Years of history before `now`. Default 3. */
  years?: number;
}

export interface HrDemoFault {
  /** Where the fault is: 'personel.csv:line 812' or 'personel.id=811'. */
  ref: string;
  what: string;
}

export interface HrDemoSummary {
  /** Folder (files) or host:port/database written. */
  target: string;
  files: { personnel: string; trainings: string; leaves: string } | null;
  /** Personnel rows written, faulty ones included. */
  personnel: number;
  /** Valid personnel in post on `now` (Istanbul date). */
  activeAtNow: number;
  activeByType: Record<EmploymentType, number>;
  /** Start and end dates within the window (valid rows). */
  hires: number;
  exits: number;
  trainings: number;
  leaves: number;
  faults: { invalidTckn: HrDemoFault; unknownUnit: HrDemoFault; orphanTraining: HrDemoFault };
  /** What an ETL run over this content must load and refuse. */
  expected: {
    personnelLoaded: number;
    personnelRejected: number;
    trainingsLoaded: number;
    trainingsRejected: number;
    leavesLoaded: number;
    leavesRejected: number;
  };
  window: { from: string; to: string };
}

/** Staff in post at scale 1. */
export const HR_DEMO_STAFF = 2800;
export const UNKNOWN_UNIT_NAME = 'TARIMSAL HİZMETLER MÜDÜRLÜĞÜ';
export const HR_DEMO_FILES = { personnel: 'personel.csv', trainings: 'egitim.xlsx', leaves: 'izin.csv' } as const;

// ---------------------------------------------------------------------------------------------
// Calendar helpers (day numbers since 1970-01-01, UTC)

const DAY_MS = 86_400_000;
const dayOfIso = (iso: string) => Date.UTC(+iso.slice(0, 4), +iso.slice(5, 7) - 1, +iso.slice(8, 10)) / DAY_MS;
const isoOfDay = (day: number) => new Date(day * DAY_MS).toISOString().slice(0, 10);
const trOfDay = (day: number) => {
  const s = isoOfDay(day);
  return `${s.slice(8, 10)}.${s.slice(5, 7)}.${s.slice(0, 4)}`;
};
const yearOfDay = (day: number) => new Date(day * DAY_MS).getUTCFullYear();
const dayOfYmd = (y: number, m: number, d: number) => Date.UTC(y, m - 1, d) / DAY_MS;
const isoWeekday = (day: number) => ((((day + 3) % 7) + 7) % 7) + 1;

class WorkDays {
  private readonly holidays = new Set<number>();
  constructor(fromYear: number, toYear: number) {
    for (let y = fromYear; y <= toYear; y++) for (const h of turkishHolidays(y)) if (!h.halfDay) this.holidays.add(dayOfIso(h.date));
  }
  isWorking(day: number): boolean {
    return isoWeekday(day) <= 5 && !this.holidays.has(day);
  }
  /** The first working day on or after `day`. */
  next(day: number): number {
    while (!this.isWorking(day)) day++;
    return day;
  }
  /** End day after `n` working days starting at `day` (a working day). */
  span(day: number, n: number): number {
    let left = n - 1;
    let d = day;
    while (left > 0) {
      d++;
      if (this.isWorking(d)) left--;
    }
    return d;
  }
}

// ---------------------------------------------------------------------------------------------
// The organisation

type Profile = 'field' | 'service' | 'zabita' | 'it' | 'office';
const PROFILE_OF: Record<string, Profile> = {
  TEMIZLIK: 'field',
  PARK_BAHCE: 'field',
  FEN_ISLERI: 'field',
  DESTEK: 'service',
  VETERINER: 'service',
  ISLETME: 'service',
  SOSYAL_DESTEK: 'service',
  GENCLIK_SPOR: 'service',
  KULTUR: 'service',
  SAGLIK: 'service',
  KADIN_AILE: 'service',
  CEVRE: 'service',
  AFET: 'service',
  IKLIM: 'service',
  ZABITA: 'zabita',
  BILGI_ISLEM: 'it',
};
const profileOf = (u: Unit): Profile => PROFILE_OF[u.code] ?? 'office';

/** Type weights of staff in post per unit profile (geçici işçi are seasonal, generated apart). */
const TYPE_MIX: Record<Profile, Array<[EmploymentType, number]>> = {
  field: [
    ['memur', 15],
    ['kadrolu_isci', 22],
    ['sozlesmeli', 3],
    ['hizmet_alimi', 60],
  ],
  service: [
    ['memur', 40],
    ['kadrolu_isci', 10],
    ['sozlesmeli', 15],
    ['hizmet_alimi', 35],
  ],
  zabita: [
    ['memur', 82],
    ['kadrolu_isci', 5],
    ['sozlesmeli', 3],
    ['hizmet_alimi', 10],
  ],
  it: [
    ['memur', 45],
    ['kadrolu_isci', 4],
    ['sozlesmeli', 33],
    ['hizmet_alimi', 18],
  ],
  office: [
    ['memur', 65],
    ['kadrolu_isci', 8],
    ['sozlesmeli', 12],
    ['hizmet_alimi', 15],
  ],
};
/** Women's share per type (sample 2022: memur 20,8 %, sözleşmeli 20,3 %, işçi 8,9 %), and a unit factor. */
const FEMALE_SHARE: Record<EmploymentType, number> = { memur: 0.2, sozlesmeli: 0.2, kadrolu_isci: 0.09, gecici_isci: 0.05, hizmet_alimi: 0.18 };
const FEMALE_FACTOR: Record<Profile, number> = { field: 0.6, service: 1.2, zabita: 0.8, it: 1.1, office: 1.5 };
/** Age in post: mean, sd, min, max. */
const AGE: Record<EmploymentType, [number, number, number, number]> = {
  memur: [43, 9, 24, 64],
  sozlesmeli: [36, 8, 23, 60],
  kadrolu_isci: [47, 7, 25, 62],
  gecici_isci: [32, 10, 18, 60],
  hizmet_alimi: [38, 10, 19, 62],
};
/** Share of today's staff hired within the window, and yearly exits per head. */
const HIRED_IN_WINDOW: Record<EmploymentType, number> = { memur: 0.1, kadrolu_isci: 0.03, sozlesmeli: 0.25, hizmet_alimi: 0.35, gecici_isci: 1 };
const EXIT_RATE: Record<EmploymentType, number> = { memur: 0.035, kadrolu_isci: 0.05, sozlesmeli: 0.08, hizmet_alimi: 0.12, gecici_isci: 0 };
const WEEKLY_HOURS: Record<EmploymentType, number> = { memur: 40, sozlesmeli: 40, kadrolu_isci: 45, gecici_isci: 45, hizmet_alimi: 45 };
/** Seasonal temporary workers per year, as a share of a field unit's staff. */
const SEASONAL_SHARE = 0.035;

const TYPE_TEXT: Record<EmploymentType, string> = {
  memur: 'Memur',
  kadrolu_isci: 'Kadrolu İşçi',
  gecici_isci: 'Geçici İşçi',
  sozlesmeli: 'Sözleşmeli Personel',
  hizmet_alimi: 'Hizmet Alımı',
};

const TITLES: Record<EmploymentType, string[]> = {
  memur: ['Memur', 'Memur', 'Memur', 'Memur', 'Şef', 'Tekniker', 'Teknisyen', 'Mühendis', 'Veri Hazırlama ve Kontrol İşletmeni', 'Bilgisayar İşletmeni'],
  kadrolu_isci: ['Düz İşçi', 'Düz İşçi', 'Şoför', 'İş Makinesi Operatörü', 'Usta', 'Bahçıvan', 'Temizlik İşçisi'],
  gecici_isci: ['Mevsimlik İşçi', 'Düz İşçi'],
  sozlesmeli: ['Mühendis', 'Tekniker', 'Sosyal Çalışmacı', 'Psikolog', 'Mimar', 'Sağlık Memuru'],
  hizmet_alimi: [
    'Temizlik Personeli',
    'Temizlik Personeli',
    'Güvenlik Görevlisi',
    'Şoför',
    'Büro Personeli',
    'Bahçıvan',
    'Destek Personeli',
    'Çağrı Merkezi Personeli',
  ],
};
const UNIT_TITLES: Record<string, Partial<Record<EmploymentType, string[]>>> = {
  ZABITA: { memur: ['Zabıta Memuru', 'Zabıta Memuru', 'Zabıta Memuru', 'Zabıta Komiseri', 'Zabıta Amiri'] },
  HUKUK: { memur: ['Avukat', 'Memur'], sozlesmeli: ['Avukat'] },
  VETERINER: { memur: ['Veteriner Hekim', 'Veteriner Sağlık Teknikeri', 'Memur'] },
  BILGI_ISLEM: {
    memur: ['Bilgisayar İşletmeni', 'Programcı', 'Çözümleyici', 'Şef', 'Tekniker'],
    sozlesmeli: ['Bilgisayar Mühendisi', 'Sistem Yöneticisi', 'Yazılım Geliştirici', 'Ağ ve Güvenlik Uzmanı'],
  },
  IMAR: { memur: ['Mimar', 'İnşaat Mühendisi', 'Harita Mühendisi', 'Tekniker', 'Memur'] },
  PLAN_PROJE: { memur: ['Şehir Plancısı', 'Mimar', 'Harita Mühendisi'], sozlesmeli: ['Şehir Plancısı', 'Peyzaj Mimarı'] },
  SAGLIK: { memur: ['Hemşire', 'Tabip', 'Sağlık Memuru'], sozlesmeli: ['Hemşire', 'Psikolog', 'Diyetisyen'] },
};

interface Course {
  name: string;
  hours: number;
  weight: number;
  /** Who attends: every type unless listed; units when restricted. */
  types?: EmploymentType[];
  units?: string[];
}
const COURSES: Course[] = [
  { name: 'İş Sağlığı ve Güvenliği Temel Eğitimi', hours: 8, weight: 30 },
  { name: 'Yangın Güvenliği ve Tahliye Tatbikatı', hours: 3, weight: 10 },
  { name: 'KVKK Farkındalık Eğitimi', hours: 2, weight: 12, types: ['memur', 'sozlesmeli', 'kadrolu_isci'] },
  { name: 'Bilgi Güvenliği Farkındalık Eğitimi', hours: 1.5, weight: 10, types: ['memur', 'sozlesmeli', 'kadrolu_isci'] },
  { name: 'Temel İlk Yardım Eğitimi', hours: 16, weight: 3 },
  { name: 'Etkili İletişim ve Halkla İlişkiler', hours: 6, weight: 6, types: ['memur', 'sozlesmeli'] },
  { name: 'Resmi Yazışma Kuralları ve EBYS Kullanımı', hours: 4, weight: 6, types: ['memur', 'sozlesmeli'] },
  { name: 'Kamu Görevlileri Etik Davranış İlkeleri', hours: 2, weight: 6, types: ['memur', 'sozlesmeli'] },
  { name: 'Afet Farkındalık Eğitimi (AFAD)', hours: 4, weight: 5, types: ['memur', 'sozlesmeli', 'kadrolu_isci'] },
  { name: 'Toplumsal Cinsiyet Eşitliği', hours: 3, weight: 3, types: ['memur', 'sozlesmeli'] },
  { name: 'Stres ve Öfke Yönetimi', hours: 2.5, weight: 3, types: ['memur', 'sozlesmeli', 'kadrolu_isci'] },
  { name: 'İleri Düzey Excel', hours: 12, weight: 2, types: ['memur', 'sozlesmeli'] },
  { name: 'Zabıta Mevzuatı Hizmet İçi Eğitimi', hours: 24, weight: 25, units: ['ZABITA'], types: ['memur', 'sozlesmeli'] },
  { name: 'Siber Güvenlik Temelleri', hours: 20, weight: 25, units: ['BILGI_ISLEM'], types: ['memur', 'sozlesmeli'] },
  {
    name: 'İş Makinesi Güvenli Kullanımı',
    hours: 8,
    weight: 8,
    units: ['FEN_ISLERI', 'TEMIZLIK', 'PARK_BAHCE'],
    types: ['kadrolu_isci', 'gecici_isci', 'hizmet_alimi'],
  },
];
const COURSE_SESSIONS_PER_YEAR = 10;
const TRAININGS_PER_YEAR: Record<EmploymentType, number> = { memur: 1.8, sozlesmeli: 1.8, kadrolu_isci: 1.2, gecici_isci: 0.8, hizmet_alimi: 0.5 };

// ---------------------------------------------------------------------------------------------
// Rows as the sinks receive them (the same for files and the database)

export interface HrDemoPersonnelRow {
  id: number;
  tckn: string;
  ad: string;
  soyad: string;
  birim: string;
  unvan: string;
  istihdamTuru: string;
  iseBaslama: number;
  ayrilis: number | null;
  cinsiyet: string;
  dogumYili: number;
  haftalikSaat: number;
}
export interface HrDemoTrainingRow {
  id: number;
  tckn: string;
  adSoyad: string;
  birim: string;
  egitim: string;
  saat: number;
  tarih: number;
}
export interface HrDemoLeaveRow {
  id: number;
  tckn: string;
  adSoyad: string;
  izinTuru: string;
  baslangic: number;
  bitis: number;
  gun: number;
}

/** Where the demo content goes. Each write returns the row's locator as the ETL will name it. */
export interface HrDemoSink {
  target: string;
  personnel(r: HrDemoPersonnelRow): Promise<string>;
  training(r: HrDemoTrainingRow): Promise<string>;
  leave(r: HrDemoLeaveRow): Promise<string>;
  finish(): Promise<void>;
  abort(): Promise<void>;
}

interface Person {
  tckn: string;
  ad: string;
  soyad: string;
  unit: Unit;
  type: EmploymentType;
  gender: 'K' | 'E';
  birthYear: number;
  start: number;
  end: number | null;
  title: string;
}

function poisson(rng: DemoRandom, mean: number): number {
  if (mean <= 0) return 0;
  const l = Math.exp(-mean);
  let k = 0;
  let p = 1;
  do {
    k++;
    p *= rng.next();
  } while (p > l && k < 100);
  return k - 1;
}

/** Integer counts summing to `total`, proportional to `weights` (largest remainder). */
function apportion(total: number, weights: number[]): number[] {
  const sum = weights.reduce((a, b) => a + b, 0);
  const raw = weights.map((w) => (w / sum) * total);
  const out = raw.map(Math.floor);
  let left = total - out.reduce((a, b) => a + b, 0);
  const order = raw.map((r, i) => [r - Math.floor(r), i] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  for (let k = 0; left > 0; k++, left--) out[order[k % order.length][1]]++;
  return out;
}

// ---------------------------------------------------------------------------------------------
// The generator

/** Generates the demo content into a sink. */
function checkDemoOptions(opts: HrDemoOptions): void {
  if (!(opts.scale > 0)) throw new PanoError(`HR demo scale must be positive, got ${opts.scale}`, { code: 'demo_invalid' });
  if (!(opts.now instanceof Date) || Number.isNaN(opts.now.getTime())) throw new PanoError('HR demo needs a valid `now`', { code: 'demo_invalid' });
  if (opts.years !== undefined && !(opts.years >= 1 && opts.years <= 20))
    throw new PanoError(`HR demo years must be 1–20, got ${opts.years}`, { code: 'demo_invalid' });
}

export async function writeHrDemo(sink: HrDemoSink, opts: HrDemoOptions): Promise<HrDemoSummary> {
  checkDemoOptions(opts);
  const rng = new DemoRandom(opts.seed ^ 0x4852);
  const years = opts.years ?? 3;
  const today = dayOfIso(zoneClock('Europe/Istanbul').formatDate(opts.now));
  const todayYear = yearOfDay(today);
  const windowStart = dayOfYmd(todayYear - years, new Date(today * DAY_MS).getUTCMonth() + 1, 1);
  const work = new WorkDays(yearOfDay(windowStart) - 1, todayYear + 1);
  const used = new Set<string>();
  const newTckn = () => {
    for (;;) {
      const t = makeDemoTckn(rng);
      if (!used.has(t)) {
        used.add(t);
        return t;
      }
    }
  };
  const randomDay = (from: number, to: number) => from + Math.floor(rng.next() * (to - from + 1));

  // --- people -------------------------------------------------------------------------------
  const target = Math.max(30, Math.round(HR_DEMO_STAFF * opts.scale));
  const perUnit = apportion(
    target,
    UNITS.map((u) => u.staff),
  );
  const people: Person[] = [];
  const makePerson = (unit: Unit, type: EmploymentType, inPost: boolean): Person => {
    const femaleP = Math.min(0.9, FEMALE_SHARE[type] * FEMALE_FACTOR[profileOf(unit)]);
    const gender: 'K' | 'E' = rng.chance(femaleP) ? 'K' : 'E';
    const [mean, sd, lo, hi] = AGE[type];
    const age = Math.max(lo, Math.min(hi, Math.round(mean + sd * rng.normal())));
    const birthYear = todayYear - age;
    const earliest = dayOfYmd(Math.max(birthYear + (type === 'memur' ? 20 : 18), todayYear - 35), 1, 1);
    let start: number;
    let end: number | null = null;
    if (inPost) {
      const hiredLately = rng.chance(HIRED_IN_WINDOW[type]) || earliest >= windowStart;
      start = hiredLately ? randomDay(Math.max(windowStart, earliest), today) : randomDay(earliest, windowStart - 1);
    } else {
      end = randomDay(windowStart, today - 1);
      const hiredLately = rng.chance(0.25) && end - windowStart > 60;
      start = hiredLately ? randomDay(Math.max(windowStart, earliest), end - 30) : randomDay(Math.min(earliest, windowStart - 400), windowStart - 1);
    }
    start = work.next(start);
    if (end !== null && end < start) end = start + 30;
    const titles = UNIT_TITLES[unit.code]?.[type] ?? TITLES[type];
    return {
      tckn: newTckn(),
      ad: rng.pick(gender === 'K' ? FEMALE_NAMES : MALE_NAMES),
      soyad: rng.pick(SURNAMES),
      unit,
      type,
      gender,
      birthYear,
      start,
      end,
      title: rng.pick(titles),
    };
  };

  UNITS.forEach((unit, ui) => {
    const mix = TYPE_MIX[profileOf(unit)];
    const picker = new WeightedPicker(mix.map(([, w]) => w));
    const inPost: Person[] = [];
    for (let i = 0; i < perUnit[ui]; i++) inPost.push(makePerson(unit, mix[picker.pick(rng)][0], true));
    const firstMemur = inPost.find((p) => p.type === 'memur');
    if (firstMemur) firstMemur.title = 'Müdür';
    people.push(...inPost);
    for (const [type] of mix) {
      const n = inPost.filter((p) => p.type === type).length;
      const exits = poisson(rng, n * EXIT_RATE[type] * years);
      for (let i = 0; i < exits; i++) people.push(makePerson(unit, type, false));
    }
    if (profileOf(unit) === 'field') {
      for (let y = yearOfDay(windowStart); y <= todayYear; y++) {
        const n = poisson(rng, perUnit[ui] * SEASONAL_SHARE);
        for (let i = 0; i < n; i++) {
          const start = work.next(dayOfYmd(y, 4, 1) + rng.int(0, 90));
          if (start > today || start < windowStart) continue;
          const p = makePerson(unit, 'gecici_isci', true);
          p.start = start;
          p.end = start + rng.int(150, 179);
          p.title = rng.pick(TITLES.gecici_isci);
          people.push(p);
        }
      }
    }
  });

  // --- seeded faults: a wrong check digit and an unknown unit, placed inside the file -------
  const faultyTckn = makePerson(UNITS[5], 'memur', true);
  faultyTckn.tckn = breakTckn(faultyTckn.tckn);
  const faultyUnit = makePerson(UNITS[10], 'hizmet_alimi', true);
  const orphanTckn = newTckn();

  // --- personnel ------------------------------------------------------------------------------
  let id = 0;
  const faultAt = { tckn: Math.floor(people.length / 3), unit: Math.floor((people.length * 2) / 3) };
  const faults = {} as HrDemoSummary['faults'];
  const unitText = (u: Unit) => u.name.toLocaleUpperCase('tr-TR');
  const writePerson = (p: Person, birim = unitText(p.unit)) =>
    sink.personnel({
      id: ++id,
      tckn: p.tckn,
      ad: p.ad,
      soyad: p.soyad,
      birim,
      unvan: p.title,
      istihdamTuru: TYPE_TEXT[p.type],
      iseBaslama: p.start,
      ayrilis: p.end,
      cinsiyet: p.gender === 'K' ? 'Kadın' : 'Erkek',
      dogumYili: p.birthYear,
      haftalikSaat: p.type === 'sozlesmeli' && rng.chance(0.03) ? 22.5 : WEEKLY_HOURS[p.type],
    });
  const activeByType: Record<EmploymentType, number> = { memur: 0, kadrolu_isci: 0, gecici_isci: 0, sozlesmeli: 0, hizmet_alimi: 0 };
  let activeAtNow = 0;
  let hires = 0;
  let exits = 0;
  for (let i = 0; i < people.length; i++) {
    if (i === faultAt.tckn) faults.invalidTckn = { ref: await writePerson(faultyTckn), what: 'TC Kimlik No with a wrong check digit' };
    if (i === faultAt.unit) faults.unknownUnit = { ref: await writePerson(faultyUnit, UNKNOWN_UNIT_NAME), what: `unknown unit "${UNKNOWN_UNIT_NAME}"` };
    const p = people[i];
    await writePerson(p);
    if (p.start <= today && (p.end === null || p.end >= today)) {
      activeAtNow++;
      activeByType[p.type]++;
    }
    if (p.start >= windowStart && p.start <= today) hires++;
    if (p.end !== null && p.end >= windowStart && p.end <= today) exits++;
  }

  // --- trainings ------------------------------------------------------------------------------
  const sessions = new Map<Course, number[]>();
  for (const c of COURSES) {
    const days: number[] = [];
    for (let y = yearOfDay(windowStart); y <= todayYear; y++) {
      for (let k = 0; k < COURSE_SESSIONS_PER_YEAR; k++) days.push(work.next(dayOfYmd(y, 1, 8) + rng.int(0, 340)));
    }
    sessions.set(
      c,
      [...new Set(days)].filter((d) => d >= windowStart && d <= today).sort((a, b) => a - b),
    );
  }
  let tid = 0;
  let trainings = 0;
  const orphanAt = Math.floor(people.length / 2);
  for (let i = 0; i < people.length; i++) {
    const p = people[i];
    if (i === orphanAt) {
      const c = COURSES[0];
      const day = sessions.get(c)![Math.floor(sessions.get(c)!.length / 2)];
      faults.orphanTraining = {
        ref: await sink.training({
          id: ++tid,
          tckn: orphanTckn,
          adSoyad: 'Stajyer Öğrenci',
          birim: unitText(UNITS[4]),
          egitim: c.name,
          saat: c.hours,
          tarih: day,
        }),
        what: 'training of a person who is not in the personnel file',
      };
    }
    const from = Math.max(p.start, windowStart);
    const to = Math.min(p.end ?? today, today);
    if (to <= from) continue;
    const eligible = COURSES.filter((c) => (!c.types || c.types.includes(p.type)) && (!c.units || c.units.includes(p.unit.code)));
    if (!eligible.length) continue;
    const picker = new WeightedPicker(eligible.map((c) => c.weight));
    const n = poisson(rng, (TRAININGS_PER_YEAR[p.type] * (to - from + 1)) / 365);
    const taken = new Set<string>();
    for (let k = 0; k < n; k++) {
      const c = eligible[picker.pick(rng)];
      const options = sessions.get(c)!.filter((d) => d >= from && d <= to);
      if (!options.length) continue;
      const day = rng.pick(options);
      const key = `${c.name}|${day}`;
      if (taken.has(key)) continue;
      taken.add(key);
      await sink.training({ id: ++tid, tckn: p.tckn, adSoyad: `${p.ad} ${p.soyad}`, birim: unitText(p.unit), egitim: c.name, saat: c.hours, tarih: day });
      trainings++;
    }
  }

  // --- leaves (the municipality's own staff; outsourced staff's leave is kept by the contractor) ---
  let lid = 0;
  let leaves = 0;
  for (const p of people) {
    if (p.type === 'hizmet_alimi') continue;
    const taken: Array<[number, number]> = [];
    const free = (a: number, b: number) => taken.every(([x, y]) => b < x || a > y);
    const add = async (typeText: string, a: number, b: number, days: number) => {
      taken.push([a, b]);
      await sink.leave({ id: ++lid, tckn: p.tckn, adSoyad: `${p.ad} ${p.soyad}`, izinTuru: typeText, baslangic: a, bitis: b, gun: days });
      leaves++;
    };
    for (let y = yearOfDay(windowStart); y <= todayYear; y++) {
      const from = Math.max(p.start, windowStart, dayOfYmd(y, 1, 1));
      const to = Math.min(p.end ?? today, today, dayOfYmd(y, 12, 31));
      if (to - from < 20) continue;
      const share = (to - from + 1) / 365;
      const service = y - yearOfDay(p.start);
      const isci = p.type === 'kadrolu_isci' || p.type === 'gecici_isci';
      const entitlement = isci ? (service < 5 ? 14 : service < 15 ? 20 : 26) : service < 10 ? 20 : 30;
      let annual = Math.round(entitlement * share * (0.6 + 0.4 * rng.next()));
      const chunks = Math.max(1, Math.min(4, Math.round(annual / 6)));
      for (let k = 0; k < chunks && annual > 0; k++) {
        const len = k === chunks - 1 ? annual : Math.max(1, Math.round(annual / (chunks - k) + rng.int(-2, 2)));
        for (let attempt = 0; attempt < 5; attempt++) {
          const a = work.next(randomDay(from, to));
          const b = work.span(a, len);
          if (b > to || !free(a, b)) continue;
          await add('Yıllık İzin', a, b, len);
          annual -= len;
          break;
        }
      }
      for (let k = poisson(rng, 1.2 * share); k > 0; k--) {
        const half = rng.chance(0.3);
        const len = half ? 1 : rng.int(1, 3);
        const a = work.next(randomDay(from, to));
        const b = work.span(a, len);
        if (b <= to && free(a, b)) await add('Mazeret İzni', a, b, half ? 0.5 : len);
      }
      for (let k = poisson(rng, 0.8 * share); k > 0; k--) {
        const len = rng.int(1, 5);
        const a = randomDay(from, to);
        const b = a + len - 1;
        if (b <= to && free(a, b)) await add('Hastalık İzni (Rapor)', a, b, len);
      }
      const age = y - p.birthYear;
      if (p.gender === 'K' && age < 43 && rng.chance(0.03 * share)) {
        const a = randomDay(from, to);
        const b = a + 111; // 16 weeks, may run into the next year
        if (b <= Math.min(p.end ?? today, today) && free(a, b)) await add('Doğum İzni', a, b, 112);
      }
      if (p.gender === 'E' && age < 50 && rng.chance(0.025 * share)) {
        const len = isci ? 5 : 10;
        const a = work.next(randomDay(from, to));
        const b = work.span(a, len);
        if (b <= to && free(a, b)) await add('Babalık İzni', a, b, len);
      }
      if (rng.chance(0.006 * share)) {
        const a = randomDay(from, to);
        const b = a + 3;
        if (b <= to && free(a, b)) await add('Ölüm İzni', a, b, 3);
      }
    }
  }
  await sink.finish();

  return {
    target: sink.target,
    files: null,
    personnel: id,
    activeAtNow,
    activeByType,
    hires,
    exits,
    trainings: trainings + 1,
    leaves,
    faults,
    expected: {
      personnelLoaded: people.length,
      personnelRejected: 2,
      trainingsLoaded: trainings,
      trainingsRejected: 1,
      leavesLoaded: leaves,
      leavesRejected: 0,
    },
    window: { from: isoOfDay(windowStart), to: isoOfDay(today) },
  };
}

// ---------------------------------------------------------------------------------------------
// File sink: the three export files

/** Buffers text and writes it in large chunks, waiting when the stream is full. */
class ChunkWriter {
  private readonly out: fs.WriteStream;
  private parts: string[] = [];
  private size = 0;
  constructor(
    file: string,
    private readonly encode: (s: string) => Buffer,
  ) {
    this.out = fs.createWriteStream(file);
  }
  async write(s: string): Promise<void> {
    this.parts.push(s);
    this.size += s.length;
    if (this.size >= 1 << 16) await this.flush();
  }
  private async flush(): Promise<void> {
    if (!this.parts.length) return;
    const buf = this.encode(this.parts.join(''));
    this.parts = [];
    this.size = 0;
    if (!this.out.write(buf)) await new Promise<void>((resolve) => this.out.once('drain', resolve));
  }
  async close(): Promise<void> {
    await this.flush();
    await new Promise<void>((resolve, reject) => this.out.end((e?: Error | null) => (e ? reject(e) : resolve())));
  }
  async destroy(): Promise<void> {
    if (this.out.destroyed) return;
    await new Promise<void>((resolve) => {
      this.out.once('close', () => resolve());
      this.out.destroy();
    });
  }
}

function csvField(s: string, delimiter: string): string {
  return s.includes(delimiter) || s.includes('"') || s.includes('\n') || s.includes('\r') ? `"${s.replace(/"/g, '""')}"` : s;
}
const trNumber = (n: number) => String(n).replace('.', ',');

export async function createHrDemoFileSink(dir: string, now: Date): Promise<HrDemoSink> {
  await fs.promises.mkdir(dir, { recursive: true });
  const files = {
    personnel: path.join(dir, HR_DEMO_FILES.personnel),
    trainings: path.join(dir, HR_DEMO_FILES.trainings),
    leaves: path.join(dir, HR_DEMO_FILES.leaves),
  };
  const personnel = new ChunkWriter(files.personnel, (s) => iconv.encode(s, 'windows-1254'));
  const leaves = new ChunkWriter(files.leaves, (s) => Buffer.from(s, 'utf8'));
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: files.trainings, useStyles: true, useSharedStrings: false });
  wb.creator = 'Pano demo';
  wb.created = now;
  wb.modified = now;
  const ws = wb.addWorksheet('Eğitimler');
  ws.columns = [
    { key: 'sira', width: 7 },
    { key: 'tckn', width: 14, style: { numFmt: '0' } },
    { key: 'ad', width: 26 },
    { key: 'birim', width: 40 },
    { key: 'egitim', width: 44 },
    { key: 'tarih', width: 13, style: { numFmt: 'dd.mm.yyyy' } },
    { key: 'saat', width: 11, style: { numFmt: '0.0' } },
  ];
  ws.addRow(['SULTANBEYLİ BELEDİYESİ HİZMET İÇİ EĞİTİM KATILIM LİSTESİ']).commit();
  ws.addRow([]).commit();
  ws.addRow(['Sıra', 'TC Kimlik No', 'Adı Soyadı', 'Müdürlük', 'Eğitimin Adı', 'Eğitim Tarihi', 'Süre (Saat)']).commit();

  const P = ';';
  await personnel.write(
    [
      'Sıra No',
      'TC Kimlik No',
      'Adı',
      'Soyadı',
      'Müdürlük',
      'Unvan',
      'İstihdam Türü',
      'İşe Başlama Tarihi',
      'Ayrılış Tarihi',
      'Cinsiyet',
      'Doğum Yılı',
      'Haftalık Çalışma Saati',
    ].join(P) + '\r\n',
  );
  await leaves.write('\uFEFF' + ['TC Kimlik No', 'Adı Soyadı', 'İzin Türü', 'Başlangıç Tarihi', 'Bitiş Tarihi', 'Gün Sayısı'].join(',') + '\r\n');
  let pLine = 1;
  let tRow = 3;
  let lLine = 1;
  return {
    target: dir,
    async personnel(r) {
      await personnel.write(
        [
          String(r.id),
          r.tckn,
          r.ad,
          r.soyad,
          r.birim,
          r.unvan,
          r.istihdamTuru,
          trOfDay(r.iseBaslama),
          r.ayrilis === null ? '' : trOfDay(r.ayrilis),
          r.cinsiyet,
          String(r.dogumYili),
          trNumber(r.haftalikSaat),
        ]
          .map((f) => csvField(f, P))
          .join(P) + '\r\n',
      );
      return `${HR_DEMO_FILES.personnel}:line ${++pLine}`;
    },
    async training(r) {
      ws.addRow([r.id, Number(r.tckn), r.adSoyad, r.birim, r.egitim, new Date(r.tarih * DAY_MS), r.saat]).commit();
      return `${HR_DEMO_FILES.trainings}:row ${++tRow}`;
    },
    async leave(r) {
      await leaves.write(
        [r.tckn, r.adSoyad, r.izinTuru, trOfDay(r.baslangic), trOfDay(r.bitis), trNumber(r.gun)].map((f) => csvField(f, ',')).join(',') + '\r\n',
      );
      return `${HR_DEMO_FILES.leaves}:line ${++lLine}`;
    },
    async finish() {
      ws.commit();
      await wb.commit();
      await personnel.close();
      await leaves.close();
      for (const f of Object.values(files)) await fs.promises.utimes(f, now, now);
    },
    async abort() {
      await Promise.all([personnel.destroy(), leaves.destroy()]);
    },
  };
}

/**
 * Writes the demo HR export files into `config.sources.hr.exportDir` (personel.csv, egitim.xlsx,
 * izin.csv; file times set to `now`). Returns the summary with the seeded faults.
 */
export async function generateHrDemo(config: PanoConfig, opts: HrDemoOptions): Promise<HrDemoSummary & Record<string, unknown>> {
  checkDemoOptions(opts);
  const dir = config.sources.hr.exportDir;
  const sink = await createHrDemoFileSink(dir, opts.now);
  try {
    const summary = await writeHrDemo(sink, opts);
    return {
      ...summary,
      files: {
        personnel: path.join(dir, HR_DEMO_FILES.personnel),
        trainings: path.join(dir, HR_DEMO_FILES.trainings),
        leaves: path.join(dir, HR_DEMO_FILES.leaves),
      },
    };
  } catch (e) {
    await sink.abort();
    throw e;
  }
}

// ---------------------------------------------------------------------------------------------
// Database sink: the same content in the HR database's tables

export async function createHrDemoDbSink(knex: Knex, target: string, batch = 1000): Promise<HrDemoSink> {
  const buffers = { personel: [] as Array<Record<string, unknown>>, egitim: [] as Array<Record<string, unknown>>, izin: [] as Array<Record<string, unknown>> };
  const flush = async (table: keyof typeof buffers) => {
    const rows = buffers[table];
    if (!rows.length) return;
    buffers[table] = [];
    await knex(table).insert(rows);
  };
  const push = async (table: keyof typeof buffers, row: Record<string, unknown>) => {
    buffers[table].push(row);
    if (buffers[table].length >= batch) await flush(table);
  };
  return {
    target,
    async personnel(r) {
      await push('personel', {
        id: r.id,
        tc_kimlik_no: r.tckn,
        ad: r.ad,
        soyad: r.soyad,
        birim: r.birim,
        unvan: r.unvan,
        istihdam_turu: r.istihdamTuru,
        ise_baslama: isoOfDay(r.iseBaslama),
        ayrilis: r.ayrilis === null ? null : isoOfDay(r.ayrilis),
        cinsiyet: r.cinsiyet,
        dogum_yili: r.dogumYili,
        haftalik_calisma_saati: r.haftalikSaat,
      });
      return `personel.id=${r.id}`;
    },
    async training(r) {
      await push('egitim', { id: r.id, tc_kimlik_no: r.tckn, egitim_adi: r.egitim, sure_saat: r.saat, tarih: isoOfDay(r.tarih) });
      return `egitim.id=${r.id}`;
    },
    async leave(r) {
      await push('izin', { id: r.id, tc_kimlik_no: r.tckn, izin_turu: r.izinTuru, baslangic: isoOfDay(r.baslangic), bitis: isoOfDay(r.bitis), gun: r.gun });
      return `izin.id=${r.id}`;
    },
    async finish() {
      await flush('personel');
      await flush('egitim');
      await flush('izin');
    },
    async abort() {},
  };
}

/**
 * Loads the same demo content into a PostgreSQL HR database (tables personel, egitim, izin of
 * HR_DB_SCHEMA_SQL), for the integration tests and for demos with PANO_HR_DB_URL. Refuses a
 * database that already has a personel table unless `replace` is set (never point it at a real HR
 * database).
 */
export async function createHrDemoDatabase(url: string, opts: HrDemoOptions & { replace?: boolean }): Promise<HrDemoSummary> {
  if (!/^postgres(ql)?:\/\//.test(url)) throw new PanoError('The HR demo database must be PostgreSQL (postgres://…)', { code: 'demo_invalid' });
  checkDemoOptions(opts);
  const knex = knexFactory(knexConfigFromUrl(url));
  try {
    const exists = await knex.schema.hasTable('personel');
    if (exists && !opts.replace) {
      throw new PanoError(`HR database at ${describeUrl(url)} already has a personel table: refusing to overwrite it with demo data`, { code: 'demo_refused' });
    }
    return await knex.transaction(async (trx) => {
      await trx.raw('DROP TABLE IF EXISTS personel, egitim, izin');
      await trx.raw(HR_DB_SCHEMA_SQL);
      return writeHrDemo(await createHrDemoDbSink(trx, describeUrl(url)), opts);
    });
  } finally {
    await knex.destroy();
  }
}
