import fs from 'node:fs';
import path from 'node:path';
import knexFactory, { type Knex } from 'knex';
import { DateTime } from 'luxon';
import { PanoError } from '../../common/errors.js';
import { UNITS, type Unit } from '../../common/units.js';
import { turkishHolidays, WorkingCalendar } from '../calendar/working-hours.js';
import { zoneClock, type ZoneClock } from '../calendar/wall-clock.js';
import { BatchWriter, ensureRows, insertChunked } from './demo-db.js';
import { DemoRandom, WeightedPicker } from './demo-random.js';
import { PersonFactory } from './demo-names.js';
import { createGlpiDemoSchema } from './glpi-schema.js';

/**
 * Fills a GLPI database with a believable helpdesk history of Sultanbeyli Belediyesi: the
 * SQLite demo source (glpi-schema.ts) or a real, freshly installed GLPI 10/11 MariaDB database.
 * One code path for both: knex, and only columns both schemas have.
 *
 * Deterministic: the same seed and `now` give identical rows (a seeded PRNG; no Math.random,
 * no Date.now). Datetimes are written as local wall-clock text in `timezone`, like GLPI.
 *
 * Real-life faults are seeded on purpose so the ETL's quarantine has something to catch; their
 * counts are returned in the summary.
 */

export interface GlpiDemoOptions {
  /** PRNG seed. Default 42. */
  seed?: number;
  /** The end of the generated history ("today"). Required: the generator never reads the clock. */
  now: Date;
  /** Years of history ending at `now`. Default 2. */
  years?: number;
  /** Volume factor: 1 ≈ 6 000 tickets a year. Default 1. */
  scale?: number;
  /** Zone of the wall-clock datetimes written (GLPI's session zone). Default 'Europe/Istanbul'. */
  timezone?: string;
}

export interface GlpiDemoSummary {
  /** Tickets written, deleted ones and faulty ones included. */
  tickets: number;
  /** Tickets written with is_deleted = 1. */
  deleted: number;
  /** Seeded faults, all on non-deleted tickets, each ticket at most one fault. */
  faults: { noGroup: number; unknownGroup: number; solvedBeforeOpened: number };
  /** Requester users plus technicians. */
  users: number;
  /** Unit groups, the legacy group and the IT groups. */
  groups: number;
  categories: number;
  slas: number;
  followups: number;
  solutions: number;
  satisfactions: number;
  /** Non-deleted tickets per GLPI status 1–6. */
  byStatus: Record<1 | 2 | 3 | 4 | 5 | 6, number>;
  /** First and last opening time written (local wall clock). */
  firstOpened: string | null;
  lastOpened: string | null;
}

/** A unit name that GLPI still has as a requester group but Pano does not know. */
export const LEGACY_GROUP_NAME = 'Eski Muhasebe Birimi';
export const ROOT_ENTITY_NAME = 'Sultanbeyli Belediyesi';
export const IT_PARENT_UNIT_CODE = 'BILGI_ISLEM';

type ItGroup = 'Bilgi İşlem Şefliği' | 'Yazılım Şefliği' | 'Sistem Şefliği';
export const IT_GROUPS: readonly { name: ItGroup; technicians: number; speed: number }[] = [
  // speed: median solve time as a share of the SLA target
  { name: 'Bilgi İşlem Şefliği', technicians: 5, speed: 0.3 },
  { name: 'Sistem Şefliği', technicians: 4, speed: 0.33 },
  { name: 'Yazılım Şefliği', technicians: 3, speed: 0.42 },
];

interface Template {
  title: string;
  type: 1 | 2;
}
interface CategoryDef {
  parent?: string;
  name: string;
  group: ItGroup;
  weight: number;
  titles: Template[];
  solutions: string[];
}

const I = 1 as const; // olay (incident)
const R = 2 as const; // istek (request)

/** Leaf and top-level categories tickets are filed under, with what people write. */
const CATEGORIES: CategoryDef[] = [
  {
    parent: 'Donanım',
    name: 'Bilgisayar',
    group: 'Bilgi İşlem Şefliği',
    weight: 14,
    titles: [
      { title: 'Bilgisayar açılmıyor', type: I },
      { title: 'Bilgisayar çok yavaş çalışıyor', type: I },
      { title: 'Mavi ekran hatası alınıyor', type: I },
      { title: 'Klavye ve fare çalışmıyor', type: I },
      { title: 'Yeni personel için bilgisayar kurulumu', type: R },
      { title: 'Bellek (RAM) yükseltme talebi', type: R },
    ],
    solutions: [
      'Güç kaynağı değiştirildi, cihaz çalışır durumda.',
      'Disk SSD ile değiştirildi, sistem yeniden kuruldu.',
      'Sürücüler güncellendi, sorun giderildi.',
      'Kurulum tamamlandı, kullanıcıya teslim edildi.',
    ],
  },
  {
    parent: 'Donanım',
    name: 'Monitör',
    group: 'Bilgi İşlem Şefliği',
    weight: 4,
    titles: [
      { title: 'Monitör görüntü vermiyor', type: I },
      { title: 'Monitörde titreme var', type: I },
      { title: 'İkinci monitör talebi', type: R },
    ],
    solutions: ['Görüntü kablosu değiştirildi.', 'Monitör yedek cihazla değiştirildi.', 'İkinci monitör kuruldu.'],
  },
  {
    parent: 'Donanım',
    name: 'Yazıcı',
    group: 'Bilgi İşlem Şefliği',
    weight: 16,
    titles: [
      { title: 'Yazıcı kağıt sıkıştırıyor', type: I },
      { title: 'Yazıcıdan çıktı alınamıyor', type: I },
      { title: 'Toner değişimi', type: R },
      { title: 'Ağ yazıcısı tanımlama talebi', type: R },
      { title: 'Tarayıcı bilgisayara bağlanmıyor', type: I },
    ],
    solutions: [
      'Toner değiştirildi.',
      'Sıkışan kağıt çıkarıldı, silindir temizlendi.',
      'Yazıcı sürücüsü yeniden kuruldu.',
      'Ağ yazıcısı kullanıcıya tanımlandı.',
    ],
  },
  {
    parent: 'Yazılım',
    name: 'Ofis',
    group: 'Yazılım Şefliği',
    weight: 9,
    titles: [
      { title: 'Excel dosyası açılmıyor', type: I },
      { title: 'Outlook e-posta gönderemiyor', type: I },
      { title: 'Ofis lisansı etkinleştirme', type: R },
      { title: 'PDF düzenleyici kurulumu', type: R },
    ],
    solutions: ['Ofis onarım aracı çalıştırıldı.', 'E-posta profili yeniden oluşturuldu.', 'Lisans etkinleştirildi.', 'Program kuruldu.'],
  },
  {
    parent: 'Yazılım',
    name: 'EBYS',
    group: 'Yazılım Şefliği',
    weight: 12,
    titles: [
      { title: "EBYS'de evrak havale edilemiyor", type: I },
      { title: 'EBYS imza ekranı açılmıyor', type: I },
      { title: 'EBYS kullanıcı yetkisi talebi', type: R },
      { title: "EBYS'de gelen evrak görünmüyor", type: I },
    ],
    solutions: ['Kullanıcı yetkileri düzenlendi.', 'Tarayıcı önbelleği temizlendi, imza bileşeni güncellendi.', 'Evrak akışı düzeltildi.'],
  },
  {
    parent: 'Yazılım',
    name: 'Muhasebe',
    group: 'Yazılım Şefliği',
    weight: 5,
    titles: [
      { title: 'Muhasebe programında fiş kaydedilemiyor', type: I },
      { title: 'Tahakkuk ekranı hata veriyor', type: I },
      { title: 'Bütçe raporu alınamıyor', type: I },
      { title: 'Muhasebe modülü yetki talebi', type: R },
    ],
    solutions: ['Yazılım firmasıyla görüşüldü, güncelleme yüklendi.', 'Rapor parametreleri düzeltildi.', 'Yetki tanımlandı.'],
  },
  {
    parent: 'Ağ',
    name: 'Kablolu',
    group: 'Sistem Şefliği',
    weight: 6,
    titles: [
      { title: 'İnternet bağlantısı yok', type: I },
      { title: 'Ağ prizi çalışmıyor', type: I },
      { title: 'Yeni ağ noktası talebi', type: R },
    ],
    solutions: ['Switch portu yeniden başlatıldı.', 'Ağ kablosu yenilendi.', 'Yeni ağ noktası çekildi.'],
  },
  {
    parent: 'Ağ',
    name: 'Kablosuz',
    group: 'Sistem Şefliği',
    weight: 4,
    titles: [
      { title: 'Kablosuz ağa bağlanılamıyor', type: I },
      { title: 'Toplantı salonunda Wi-Fi zayıf', type: I },
      { title: 'Misafir kablosuz ağ erişimi talebi', type: R },
    ],
    solutions: ['Erişim noktası yeniden yapılandırıldı.', 'Cihaz ağ profili yenilendi.', 'Misafir erişimi tanımlandı.'],
  },
  {
    parent: 'Ağ',
    name: 'VPN',
    group: 'Sistem Şefliği',
    weight: 2,
    titles: [
      { title: 'VPN bağlantısı kurulamıyor', type: I },
      { title: 'Uzaktan erişim (VPN) yetkisi talebi', type: R },
    ],
    solutions: ['VPN istemcisi güncellendi.', 'VPN yetkisi tanımlandı.'],
  },
  {
    parent: 'Telefon',
    name: 'IP Telefon',
    group: 'Bilgi İşlem Şefliği',
    weight: 6,
    titles: [
      { title: 'Dahili hat çalışmıyor', type: I },
      { title: 'IP telefon santrale kayıt olmuyor', type: I },
      { title: 'Yeni dahili numara talebi', type: R },
      { title: 'Telefon ahizesi arızalı', type: I },
    ],
    solutions: ['Telefon santrale yeniden kaydedildi.', 'Ahize değiştirildi.', 'Dahili numara tanımlandı.'],
  },
  {
    name: 'E-imza',
    group: 'Bilgi İşlem Şefliği',
    weight: 6,
    titles: [
      { title: 'E-imza kartı okunmuyor', type: I },
      { title: 'E-imza sertifika yenileme', type: R },
      { title: 'E-imza sürücü kurulumu', type: R },
    ],
    solutions: ['Kart okuyucu sürücüsü kuruldu.', 'Java ve imza bileşeni güncellendi.', 'Sertifika yenileme başvurusu tamamlandı.'],
  },
  {
    name: 'Hesap/Şifre',
    group: 'Sistem Şefliği',
    weight: 11,
    titles: [
      { title: 'Şifre sıfırlama talebi', type: R },
      { title: 'Kullanıcı hesabı kilitlendi', type: I },
      { title: 'Yeni personel için kullanıcı hesabı', type: R },
      { title: 'Ayrılan personelin hesabının kapatılması', type: R },
    ],
    solutions: ['Şifre sıfırlandı, kullanıcıya iletildi.', 'Hesap kilidi açıldı.', 'Hesap oluşturuldu.', 'Hesap devre dışı bırakıldı.'],
  },
  {
    name: 'Kamera',
    group: 'Sistem Şefliği',
    weight: 3,
    titles: [
      { title: 'Kamera kayıt yapmıyor', type: I },
      { title: 'Kamera görüntüsü gelmiyor', type: I },
      { title: 'Kamera kaydı inceleme talebi', type: R },
    ],
    solutions: ['Kayıt cihazı yeniden başlatıldı.', 'Kamera kablosu onarıldı.', 'İlgili kayıt dışa aktarılıp teslim edildi.'],
  },
];

/** Units that file more of some categories than others. */
const CATEGORY_AFFINITY: Record<string, Record<string, number>> = {
  MALI_HIZMETLER: { Muhasebe: 6 },
  STRATEJI: { Muhasebe: 3 },
  ZABITA: { Kamera: 3, Kablosuz: 1.5 },
  DESTEK: { Kamera: 3 },
  YAZI_ISLERI: { EBYS: 2 },
  IMAR: { EBYS: 1.5 },
  BILGI_ISLEM: { 'Hesap/Şifre': 0.5, VPN: 3 },
};

const LOCATIONS: Array<{ name: string; building: string; units: string[] }> = [
  { name: 'Ana Hizmet Binası', building: 'A Blok', units: [] },
  { name: 'Fen İşleri Ek Hizmet Binası', building: 'Ek Bina 1', units: ['FEN_ISLERI', 'PARK_BAHCE', 'KENTSEL_DONUSUM'] },
  { name: 'Temizlik İşleri Şantiyesi', building: 'Şantiye', units: ['TEMIZLIK', 'IKLIM'] },
  { name: 'Zabıta Amirliği', building: 'Ek Bina 2', units: ['ZABITA'] },
  { name: 'Kültür Merkezi', building: 'Kültür Merkezi', units: ['KULTUR', 'GENCLIK_SPOR'] },
  { name: 'Sosyal Destek Merkezi', building: 'Sosyal Destek', units: ['SOSYAL_DESTEK', 'KADIN_AILE', 'SAGLIK'] },
  { name: 'Hayvan Bakımevi', building: 'Bakımevi', units: ['VETERINER'] },
  { name: 'Sosyal Tesis', building: 'Sosyal Tesis', units: ['ISLETME'] },
];

/** GLPI's default request sources, ids as GLPI installs them; weight = share of tickets. */
const REQUEST_TYPES = [
  { id: 1, name: 'Helpdesk', weight: 0.5, byTechnician: false },
  { id: 2, name: 'E-Mail', weight: 0.14, byTechnician: false },
  { id: 3, name: 'Phone', weight: 0.3, byTechnician: true },
  { id: 4, name: 'Direct', weight: 0.05, byTechnician: true },
  { id: 5, name: 'Written', weight: 0.01, byTechnician: true },
  { id: 6, name: 'Other', weight: 0, byTechnician: true },
];

/** GLPI's default priority matrix: PRIORITY[urgency][impact]. */
const PRIORITY: number[][] = [[], [0, 1, 1, 2, 2, 2], [0, 1, 2, 2, 3, 3], [0, 2, 2, 3, 4, 4], [0, 2, 3, 4, 4, 5], [0, 2, 3, 4, 5, 5]];
const URGENCY_W = [0, 0.06, 0.24, 0.46, 0.19, 0.05];
const IMPACT_W = [0, 0.08, 0.27, 0.45, 0.15, 0.05];

export const PRIORITY_LABELS: Record<number, string> = { 1: 'Çok düşük', 2: 'Düşük', 3: 'Orta', 4: 'Yüksek', 5: 'Çok yüksek', 6: 'Acil' };

/** SLA targets per priority in working hours: time to own (TTO), time to resolve (TTR). */
export const SLA_TARGETS: Record<number, { tto: number; ttr: number }> = {
  6: { tto: 0.5, ttr: 2 },
  5: { tto: 1, ttr: 4 },
  4: { tto: 2, ttr: 8 },
  3: { tto: 4, ttr: 16 },
  2: { tto: 8, ttr: 24 },
  1: { tto: 8, ttr: 40 },
};

/** Relative ticket volume by local hour: nothing at night, peaks 09–12 and 13–16. */
const HOUR_WEIGHT = [0, 0, 0, 0, 0, 0, 0, 0.03, 0.55, 1.0, 1.15, 1.05, 0.45, 0.85, 1.05, 0.95, 0.7, 0.2, 0.06, 0.02, 0, 0, 0, 0];
/** By ISO weekday (index 1 = Monday). */
const WEEKDAY_WEIGHT = [0, 1.15, 1.05, 1.0, 0.98, 0.85, 0.05, 0.025];
/** By month (index 1 = January): quieter in high summer, busy at year end and start. */
const MONTH_WEIGHT = [0, 1.08, 1.02, 1.0, 0.97, 0.95, 0.93, 0.88, 0.8, 1.05, 1.05, 1.02, 1.05];
const HOLIDAY_WEIGHT = 0.04;
const TICKETS_PER_YEAR = 6000;

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
const MAX_WORK_HOURS = 400;

interface Ctx {
  trx: Knex.Transaction;
  clock: ZoneClock;
  cal: WorkingCalendar;
  rng: DemoRandom;
  wc: (ms: number) => string;
}

/**
 * Generates the demo helpdesk into `knex` (an empty GLPI: no tickets yet). Reference data
 * (entity, groups, categories, users, SLAs …) is found by name or created, so a GLPI that the
 * PHP installer already filled works too. Everything happens in one transaction.
 */
export async function generateGlpiDemo(knex: Knex, opts: GlpiDemoOptions): Promise<GlpiDemoSummary> {
  const seed = opts.seed ?? 42;
  const years = opts.years ?? 2;
  const scale = opts.scale ?? 1;
  const timezone = opts.timezone ?? 'Europe/Istanbul';
  if (!(opts.now instanceof Date) || !Number.isFinite(opts.now.getTime())) throw new RangeError('generateGlpiDemo: `now` must be a valid Date');
  if (!(years > 0) || years > 20) throw new RangeError(`generateGlpiDemo: years must be in (0, 20], got ${years}`);
  if (!(scale >= 0) || scale > 1000) throw new RangeError(`generateGlpiDemo: scale must be in [0, 1000], got ${scale}`);

  const clock = zoneClock(timezone);
  const cal = new WorkingCalendar({ timezone });
  const nowMs = Math.floor(opts.now.getTime() / 1000) * 1000;
  const startMs = DateTime.fromMillis(nowMs, { zone: timezone })
    .minus({ days: Math.round(years * 365.25) })
    .toMillis();

  return knex.transaction(async (trx) => {
    const existing = await countRows(trx, 'glpi_tickets');
    if (existing > 0) {
      throw new PanoError(`generateGlpiDemo: the target already has ${existing} tickets; the demo generator only fills an empty GLPI database`, {
        code: 'demo_target_not_empty',
      });
    }
    const ctx: Ctx = { trx, clock, cal, rng: new DemoRandom(seed), wc: (ms) => clock.format(ms) };
    const ref = await writeReferenceData(ctx, startMs, nowMs);
    return writeTickets(ctx, ref, { startMs, nowMs, count: Math.round(TICKETS_PER_YEAR * years * scale) });
  });
}

/**
 * Builds the embedded SQLite demo source at `file`: schema and data are written to
 * `file + '.tmp'`, which then replaces `file` in one rename, so readers never see half a file.
 */
export async function createGlpiDemoSource(file: string, opts: GlpiDemoOptions): Promise<GlpiDemoSummary> {
  const target = path.resolve(file);
  const tmp = `${target}.tmp`;
  fs.mkdirSync(path.dirname(target), { recursive: true });
  removeSqliteFiles(tmp);
  const db = knexFactory({ client: 'better-sqlite3', connection: { filename: tmp }, useNullAsDefault: true });
  try {
    await db.raw('PRAGMA journal_mode = MEMORY');
    await db.raw('PRAGMA synchronous = OFF');
    await createGlpiDemoSchema(db);
    const summary = await generateGlpiDemo(db, opts);
    await db.raw('PRAGMA journal_mode = DELETE');
    await db.destroy();
    fs.renameSync(tmp, target);
    return summary;
  } catch (e) {
    await db.destroy().catch(() => undefined);
    removeSqliteFiles(tmp);
    throw e;
  }
}

function removeSqliteFiles(file: string) {
  for (const f of [file, `${file}-journal`, `${file}-wal`, `${file}-shm`]) fs.rmSync(f, { force: true });
}

// ---------------------------------------------------------------------------------------------
// Reference data

interface Category extends CategoryDef {
  id: number;
  completename: string;
  groupId: number;
}

interface RefData {
  rootEntityId: number;
  unitGroupIds: Map<string, number>;
  legacyGroupId: number;
  itGroupIds: Map<ItGroup, number>;
  categories: Category[];
  /** Requester user ids per unit code. */
  usersByUnit: Map<string, number[]>;
  /** Technician user ids per IT group. */
  techsByGroup: Map<ItGroup, number[]>;
  locationByUnit: Map<string, number>;
  slaIds: Map<string, number>; // `${priority}:ttr` | `${priority}:tto`
  requestTypeIds: Map<string, number>;
  counts: { users: number; groups: number; categories: number; slas: number };
}

async function writeReferenceData(ctx: Ctx, startMs: number, nowMs: number): Promise<RefData> {
  const { trx, rng, wc } = ctx;
  const setupAt = wc(startMs - 90 * DAY_MS);
  const stamps = { date_creation: setupAt, date_mod: setupAt };

  // Root entity: GLPI's is id 0. An installed GLPI already has it ("Root entity"): rename it.
  const rootEntityId = 0;
  const root = {
    name: ROOT_ENTITY_NAME,
    completename: ROOT_ENTITY_NAME,
    level: 1,
    town: 'İstanbul',
    country: 'Türkiye',
    website: 'https://www.sultanbeyli.bel.tr',
    ...stamps,
  };
  if (await trx('glpi_entities').where('id', rootEntityId).first('id')) await trx('glpi_entities').where('id', rootEntityId).update(root);
  else await trx('glpi_entities').insert({ id: rootEntityId, entities_id: null, ...root });

  const entity = { entities_id: rootEntityId, is_recursive: 1 };

  // Locations
  const loc = await ensureRows(
    ctx.trx,
    'glpi_locations',
    'completename',
    LOCATIONS.map((l) => ({
      ...entity,
      name: l.name,
      completename: l.name,
      locations_id: 0,
      level: 1,
      building: l.building,
      town: 'Sultanbeyli',
      ...stamps,
    })),
  );
  const locationByUnit = new Map<string, number>();
  for (const u of UNITS) {
    const l = LOCATIONS.find((x) => x.units.includes(u.code)) ?? LOCATIONS[0];
    locationByUnit.set(u.code, loc.ids.get(l.name)!);
  }

  // Request sources (GLPI's defaults; found by name in an installed GLPI)
  const requestTypes = await ensureRows(
    ctx.trx,
    'glpi_requesttypes',
    'name',
    REQUEST_TYPES.map((r) => ({
      name: r.name,
      is_helpdesk_default: r.id === 1 ? 1 : 0,
      is_followup_default: r.id === 1 ? 1 : 0,
      is_mail_default: r.id === 2 ? 1 : 0,
      is_mailfollowup_default: r.id === 2 ? 1 : 0,
      is_active: 1,
      ...stamps,
    })),
    (r) => REQUEST_TYPES.find((x) => x.name === r.name)!.id,
  );

  // Working calendar with its segments and the full-day public holidays (GLPI has no half days).
  const calName = 'Mesai Takvimi (Pzt–Cum 08:30–17:30)';
  const calRows = await ensureRows(ctx.trx, 'glpi_calendars', 'name', [
    {
      name: calName,
      ...entity,
      comment: "Resmî tatiller hariç. Arife günleri 13:00'te biter; GLPI takviminde yarım gün tanımlanamadığı için Pano SLA hesabında uygulanır.",
      ...stamps,
    },
  ]);
  const calendarId = calRows.ids.get(calName)!;
  if (calRows.created.size) {
    await insertChunked(
      ctx.trx,
      'glpi_calendarsegments',
      [1, 2, 3, 4, 5].map((day) => ({
        calendars_id: calendarId,
        ...entity,
        day,
        begin: '08:30:00',
        end: '17:30:00',
      })),
    );
    const firstYear = +ctx.clock.format(startMs).slice(0, 4);
    const lastYear = +ctx.clock.format(nowMs).slice(0, 4) + 1;
    const holidays = [];
    for (let y = firstYear; y <= lastYear; y++) {
      for (const h of turkishHolidays(y)) {
        if (!h.halfDay) holidays.push({ name: `${h.name} ${y}`, ...entity, begin_date: h.date, end_date: h.date, is_perpetual: 0, ...stamps });
      }
    }
    const hol = await ensureRows(ctx.trx, 'glpi_holidays', 'name', holidays);
    await insertChunked(
      ctx.trx,
      'glpi_calendars_holidays',
      [...hol.created].map((name) => ({ calendars_id: calendarId, holidays_id: hol.ids.get(name)! })),
    );
  }

  // SLM and SLAs per priority (type 0 = time to resolve, 1 = time to own), in working hours.
  const slmName = 'Bilgi İşlem Hizmet Seviyeleri';
  const slm = await ensureRows(ctx.trx, 'glpi_slms', 'name', [{ name: slmName, ...entity, use_ticket_calendar: 0, calendars_id: calendarId, ...stamps }]);
  const slaRows = [];
  const slaKey = new Map<string, string>();
  for (const p of [6, 5, 4, 3, 2, 1]) {
    const t = SLA_TARGETS[p];
    for (const [kind, type, hours, label] of [
      ['ttr', 0, t.ttr, 'Çözüm'],
      ['tto', 1, t.tto, 'Üstlenme'],
    ] as const) {
      const minutes = hours < 1;
      const name = `${label} – ${PRIORITY_LABELS[p]} (${minutes ? `${hours * 60} dakika` : `${hours} saat`})`;
      slaKey.set(`${p}:${kind}`, name);
      slaRows.push({
        name,
        ...entity,
        type,
        number_time: minutes ? hours * 60 : hours,
        definition_time: minutes ? 'minute' : 'hour',
        use_ticket_calendar: 0,
        calendars_id: calendarId,
        end_of_working_day: 0,
        slms_id: slm.ids.get(slmName)!,
        comment: `${PRIORITY_LABELS[p]} öncelik için mesai saatiyle hedef.`,
        ...stamps,
      });
    }
  }
  const slas = await ensureRows(ctx.trx, 'glpi_slas', 'name', slaRows);
  const slaIds = new Map([...slaKey].map(([k, name]) => [k, slas.ids.get(name)!]));

  // Groups: one requester group per unit, the legacy unit, and the IT teams under Bilgi İşlem.
  const groupBase = { ...entity, level: 1, groups_id: 0, is_watcher: 1, is_notify: 1, is_itemgroup: 1, is_usergroup: 1, is_manager: 1, ...stamps };
  const unitGroups = await ensureRows(ctx.trx, 'glpi_groups', 'completename', [
    ...UNITS.map((u) => ({ ...groupBase, name: u.name, completename: u.name, comment: `Birim kodu ${u.code}`, is_requester: 1, is_assign: 0, is_task: 0 })),
    {
      ...groupBase,
      name: LEGACY_GROUP_NAME,
      completename: LEGACY_GROUP_NAME,
      comment: "Mali Hizmetler Müdürlüğü'ne bağlanan eski birim; grup GLPI'da kaldı.",
      is_requester: 1,
      is_assign: 0,
      is_task: 0,
    },
  ]);
  const bimName = UNITS.find((u) => u.code === IT_PARENT_UNIT_CODE)!.name;
  const bimId = unitGroups.ids.get(bimName)!;
  const itGroups = await ensureRows(
    ctx.trx,
    'glpi_groups',
    'completename',
    IT_GROUPS.map((g) => ({
      ...groupBase,
      level: 2,
      groups_id: bimId,
      name: g.name,
      completename: `${bimName} > ${g.name}`,
      comment: 'Yardım masası atama grubu',
      is_requester: 0,
      is_assign: 1,
      is_task: 1,
    })),
  );
  const unitGroupIds = new Map(UNITS.map((u) => [u.code, unitGroups.ids.get(u.name)!]));
  const itGroupIds = new Map(IT_GROUPS.map((g) => [g.name, itGroups.ids.get(`${bimName} > ${g.name}`)!]));

  // Categories: parents first, then children with GLPI's "Parent > Child" completename.
  const parents = [...new Set(CATEGORIES.filter((c) => c.parent).map((c) => c.parent!))];
  const catBase = {
    ...entity,
    knowbaseitemcategories_id: 0,
    users_id: 0,
    is_helpdeskvisible: 1,
    is_incident: 1,
    is_request: 1,
    is_problem: 1,
    is_change: 0,
    ...stamps,
  };
  const topCats = await ensureRows(ctx.trx, 'glpi_itilcategories', 'completename', [
    ...parents.map((p) => ({
      ...catBase,
      itilcategories_id: 0,
      name: p,
      completename: p,
      level: 1,
      groups_id: itGroupIds.get(CATEGORIES.find((c) => c.parent === p)!.group)!,
    })),
    ...CATEGORIES.filter((c) => !c.parent).map((c) => ({
      ...catBase,
      itilcategories_id: 0,
      name: c.name,
      completename: c.name,
      level: 1,
      groups_id: itGroupIds.get(c.group)!,
    })),
  ]);
  const childCats = await ensureRows(
    ctx.trx,
    'glpi_itilcategories',
    'completename',
    CATEGORIES.filter((c) => c.parent).map((c) => ({
      ...catBase,
      itilcategories_id: topCats.ids.get(c.parent!)!,
      name: c.name,
      completename: `${c.parent} > ${c.name}`,
      level: 2,
      groups_id: itGroupIds.get(c.group)!,
    })),
  );
  const categories: Category[] = CATEGORIES.map((c) => {
    const completename = c.parent ? `${c.parent} > ${c.name}` : c.name;
    return { ...c, completename, id: (c.parent ? childCats : topCats).ids.get(completename)!, groupId: itGroupIds.get(c.group)! };
  });

  // People: technicians in the IT groups (the first of each is the şef), requesters per unit.
  const people = new PersonFactory(rng);
  const userRows: Record<string, unknown>[] = [];
  const memberships: Array<{ login: string; groupId: number; manager: boolean }> = [];
  const techLogins = new Map<ItGroup, string[]>();
  const userBase = {
    language: 'tr_TR',
    is_active: 1,
    auths_id: 0,
    authtype: 1,
    is_deleted: 0,
    entities_id: rootEntityId,
    usertitles_id: 0,
    usercategories_id: 0,
    users_id_supervisor: 0,
    ...stamps,
  };
  for (const g of IT_GROUPS) {
    const logins: string[] = [];
    for (let i = 0; i < g.technicians; i++) {
      const p = people.person();
      logins.push(p.login);
      userRows.push({
        ...userBase,
        name: p.login,
        firstname: p.firstname,
        realname: p.realname,
        profiles_id: 6,
        groups_id: itGroupIds.get(g.name)!,
        locations_id: locationByUnit.get(IT_PARENT_UNIT_CODE)!,
        phone: `0216 564 ${rng.int(1000, 1999)}`,
      });
      memberships.push({ login: p.login, groupId: itGroupIds.get(g.name)!, manager: i === 0 });
    }
    techLogins.set(g.name, logins);
  }
  const unitLogins = new Map<string, string[]>();
  for (const u of UNITS) {
    const logins: string[] = [];
    for (let i = 0; i < requestersOf(u); i++) {
      const p = people.person();
      logins.push(p.login);
      userRows.push({
        ...userBase,
        name: p.login,
        firstname: p.firstname,
        realname: p.realname,
        profiles_id: 1,
        groups_id: unitGroupIds.get(u.code)!,
        locations_id: locationByUnit.get(u.code)!,
        phone: `0216 564 ${rng.int(2000, 4999)}`,
      });
      memberships.push({ login: p.login, groupId: unitGroupIds.get(u.code)!, manager: i === 0 });
    }
    unitLogins.set(u.code, logins);
  }
  const users = await ensureRows(ctx.trx, 'glpi_users', 'name', userRows);
  await insertChunked(
    ctx.trx,
    'glpi_groups_users',
    memberships
      .filter((m) => users.created.has(m.login))
      .map((m) => ({
        users_id: users.ids.get(m.login)!,
        groups_id: m.groupId,
        is_dynamic: 0,
        is_manager: m.manager ? 1 : 0,
        is_userdelegate: 0,
      })),
  );

  return {
    rootEntityId,
    unitGroupIds,
    legacyGroupId: unitGroups.ids.get(LEGACY_GROUP_NAME)!,
    itGroupIds,
    categories,
    usersByUnit: new Map([...unitLogins].map(([code, logins]) => [code, logins.map((l) => users.ids.get(l)!)])),
    techsByGroup: new Map([...techLogins].map(([g, logins]) => [g, logins.map((l) => users.ids.get(l)!)])),
    locationByUnit,
    slaIds,
    requestTypeIds: requestTypes.ids,
    counts: { users: userRows.length, groups: UNITS.length + 1 + IT_GROUPS.length, categories: parents.length + CATEGORIES.length, slas: slaRows.length },
  };
}

function requestersOf(u: Unit): number {
  return Math.max(2, Math.round(u.staff / 12));
}

// ---------------------------------------------------------------------------------------------
// Tickets

type Status = 1 | 2 | 3 | 4 | 5 | 6;
type Fault = 'noGroup' | 'unknownGroup' | 'solvedBeforeOpened';
type Mark = Fault | 'deleted';

async function writeTickets(ctx: Ctx, ref: RefData, w: { startMs: number; nowMs: number; count: number }): Promise<GlpiDemoSummary> {
  const { rng, cal, wc, trx } = ctx;
  const { nowMs } = w;
  const times = sampleOpeningTimes(ctx, w.startMs, nowMs, w.count);
  const n = times.length;
  const marks = chooseMarks(rng, times, nowMs);

  const unitPicker = new WeightedPicker(UNITS.map((u) => u.staff));
  const categoryPickers = new Map(
    UNITS.map((u) => [u.code, new WeightedPicker(ref.categories.map((c) => c.weight * (CATEGORY_AFFINITY[u.code]?.[c.name] ?? 1)))]),
  );
  const urgencyPicker = new WeightedPicker(URGENCY_W);
  const impactPicker = new WeightedPicker(IMPACT_W);
  const requestTypePicker = new WeightedPicker(REQUEST_TYPES.map((r) => r.weight));
  const speedOf = new Map(IT_GROUPS.map((g) => [g.name, g.speed]));
  const scoreOnTime = new WeightedPicker([0.01, 0.03, 0.1, 0.36, 0.5]);
  const scoreLate = new WeightedPicker([0.1, 0.15, 0.3, 0.28, 0.17]);

  const ids = {
    ticket: await maxId(trx, 'glpi_tickets'),
    groupLink: await maxId(trx, 'glpi_groups_tickets'),
    userLink: await maxId(trx, 'glpi_tickets_users'),
    solution: await maxId(trx, 'glpi_itilsolutions'),
    followup: await maxId(trx, 'glpi_itilfollowups'),
    satisfaction: await maxId(trx, 'glpi_ticketsatisfactions'),
  };
  const out = new BatchWriter(ctx.trx, 20_000);
  const summary: GlpiDemoSummary = {
    tickets: n,
    deleted: 0,
    faults: { noGroup: 0, unknownGroup: 0, solvedBeforeOpened: 0 },
    users: ref.counts.users,
    groups: ref.counts.groups,
    categories: ref.counts.categories,
    slas: ref.counts.slas,
    followups: 0,
    solutions: 0,
    satisfactions: 0,
    byStatus: { 1: 0, 2: 0, 3: 0, 4: 0, 5: 0, 6: 0 },
    firstOpened: n ? wc(times[0]) : null,
    lastOpened: n ? wc(times[n - 1]) : null,
  };

  for (let i = 0; i < n; i++) {
    const id = ++ids.ticket;
    const opened = times[i];
    const mark = marks.get(i);
    const fault = mark === 'deleted' ? undefined : mark;
    const deleted = mark === 'deleted';
    const unit = UNITS[unitPicker.pick(rng)];
    const requester = rng.pick(ref.usersByUnit.get(unit.code)!);
    const category = ref.categories[categoryPickers.get(unit.code)!.pick(rng)];
    const template = rng.pick(category.titles);
    const techs = ref.techsByGroup.get(category.group)!;
    const tech = rng.pick(techs);
    const requestType = REQUEST_TYPES[requestTypePicker.pick(rng)];

    let urgency = urgencyPicker.pick(rng);
    const impact = impactPicker.pick(rng);
    if (template.type === R && urgency > 3 && rng.chance(0.6)) urgency = 3; // requests are seldom urgent
    let priority = PRIORITY[urgency][impact];
    if (urgency === 5 && impact >= 4 && rng.chance(0.15)) priority = 6; // a major incident
    const target = SLA_TARGETS[priority];

    // Durations in working hours. Most tickets beat the SLA; the log-normal tail makes ~15 % late.
    const ownH = clamp(rng.lognormal(target.tto * 0.3, 0.9), 2 / 60, target.tto * 3 + 8);
    let workH = clamp(rng.lognormal(target.ttr * speedOf.get(category.group)!, 1.0), ownH + 5 / 60, MAX_WORK_HOURS);
    if (fault === 'solvedBeforeOpened') workH = Math.min(workH, Math.max(ownH + 5 / 60, 4));
    // 12 % wait on the requester or a part; 1.5 % wait weeks (procurement); 0.3 % are forgotten.
    const waitDraw = rng.next();
    const waitH = waitDraw < 0.015 ? clamp(rng.lognormal(120, 0.7), 20, 900) : waitDraw < 0.135 ? clamp(rng.lognormal(6, 0.8), 0.5, 80) : 0;
    const stuck = !fault && rng.chance(0.003);

    // All instants in whole seconds, as a DATETIME column keeps them, so the stats match the stored times.
    const takenAt = sec(cal.addMs(opened, hMs(ownH)));
    const waitStart = waitH ? sec(cal.addMs(takenAt, hMs((workH - ownH) * 0.4))) : 0;
    const waitEnd = waitH ? sec(cal.addMs(waitStart, hMs(waitH))) : 0;
    const solvedAt = stuck ? Number.POSITIVE_INFINITY : sec(cal.addMs(opened, hMs(workH + waitH)));
    const approved = rng.chance(0.55);
    const closeAfterH = clamp(rng.lognormal(3, 1), 0.1, 60);
    const closeAfterMin = rng.int(0, 59);
    const closedAt = stuck ? Number.POSITIVE_INFINITY : approved ? sec(cal.addMs(solvedAt, hMs(closeAfterH))) : solvedAt + 7 * DAY_MS + closeAfterMin * 60_000;

    let status: Status;
    if (takenAt > nowMs) status = 1;
    else if (solvedAt > nowMs) status = waitH && waitStart <= nowMs && (nowMs < waitEnd || stuck) ? 4 : rng.chance(0.2) ? 3 : 2;
    else status = closedAt <= nowMs ? 6 : 5;
    if (fault === 'solvedBeforeOpened' && status < 5) status = 5; // recent pick: force it solved
    const taken = status > 1;
    const solved = status >= 5;
    const closed = status === 6;
    const waited = waitH > 0 && waitStart <= nowMs && waitEnd <= nowMs && status !== 4;
    const waitSec = waited ? Math.round(waitH * 3600) : 0;

    let solvedate: string | null = solved ? wc(solvedAt) : null;
    let solveDelay = solved ? Math.round(cal.msBetween(opened, solvedAt) / 1000 - waitSec) : 0;
    if (fault === 'solvedBeforeOpened') {
      solvedate = wc(opened - rng.int(1, 48) * HOUR_MS - rng.int(0, 59) * 60_000);
      solveDelay = 0;
    }
    const late = workH > target.ttr;

    // Follow-ups: the technician asks and the requester answers around a wait; some chase-ups.
    const followups: Array<{ at: number; user: number; text: string; tech: boolean }> = [];
    if (waitH && waitStart <= nowMs && taken) {
      followups.push({
        at: waitStart,
        user: tech,
        text: rng.pick([
          'Parça siparişi verildi, temin edilince kurulacak.',
          'Sorunun ekran görüntüsünü iletebilir misiniz?',
          'Yazılım firmasından dönüş bekleniyor.',
        ]),
        tech: true,
      });
      if (waitEnd <= nowMs)
        followups.push({
          at: waitEnd,
          user: requester,
          text: rng.pick(['İstenen bilgi iletildi.', 'Ekran görüntüsü eklendi.', 'Teşekkürler, bekliyoruz.']),
          tech: false,
        });
    }
    if (taken && rng.chance(0.18)) {
      const until = Math.min(nowMs, solved ? solvedAt : nowMs);
      if (until > opened)
        followups.push({
          at: sec(opened + Math.floor(rng.next() * (until - opened))),
          user: requester,
          text: rng.pick(['Talebimle ilgili bir gelişme var mı?', 'Sorun devam ediyor.', 'Acil dönüş rica ederim.']),
          tech: false,
        });
    }

    const events = [opened, ...followups.map((f) => f.at)];
    if (taken) events.push(takenAt);
    if (status === 4) events.push(waitStart);
    if (waited) events.push(waitEnd);
    if (solved) events.push(Math.max(opened, solvedAt));
    if (closed) events.push(closedAt);
    const dateMod = Math.min(nowMs, Math.max(...events));

    const recipient = requestType.byTechnician ? rng.pick(techs) : requester;
    const ttrDue = cal.addMs(opened, hMs(target.ttr) + waitSec * 1000); // GLPI pushes the due date by the wait
    out.push('glpi_tickets', {
      id,
      entities_id: ref.rootEntityId,
      name: template.title,
      date: wc(opened),
      closedate: closed ? wc(closedAt) : null,
      solvedate,
      takeintoaccountdate: taken ? wc(takenAt) : null,
      date_mod: wc(dateMod),
      users_id_lastupdater: taken ? tech : requester,
      status,
      users_id_recipient: recipient,
      requesttypes_id: ref.requestTypeIds.get(requestType.name)!,
      content: `&lt;p&gt;${template.title}. Birim: ${unit.name}.&lt;/p&gt;`,
      urgency,
      impact,
      priority,
      itilcategories_id: category.id,
      type: template.type,
      global_validation: 1,
      slas_id_ttr: ref.slaIds.get(`${priority}:ttr`)!,
      slas_id_tto: ref.slaIds.get(`${priority}:tto`)!,
      time_to_resolve: wc(ttrDue),
      time_to_own: wc(cal.addMs(opened, hMs(target.tto))),
      begin_waiting_date: status === 4 ? wc(waitStart) : null,
      sla_waiting_duration: waitSec,
      waiting_duration: waitSec,
      close_delay_stat: closed ? Math.round(cal.msBetween(opened, closedAt) / 1000 - waitSec) : 0,
      solve_delay_stat: solveDelay,
      takeintoaccount_delay_stat: taken ? Math.round(cal.msBetween(opened, takenAt) / 1000) : 0,
      actiontime: solved ? Math.round(clamp(workH * 0.25, 0.25, 16) * 4) * 900 : 0,
      is_deleted: deleted ? 1 : 0,
      locations_id: ref.locationByUnit.get(unit.code)!,
      date_creation: wc(opened),
    });

    if (fault) summary.faults[fault]++;
    if (deleted) summary.deleted++;
    else summary.byStatus[status]++;

    // Actors: requester group (the unit) and user; the assigned team and technician once taken.
    const requesterGroup = fault === 'noGroup' ? null : fault === 'unknownGroup' ? ref.legacyGroupId : ref.unitGroupIds.get(unit.code)!;
    if (requesterGroup !== null) out.push('glpi_groups_tickets', { id: ++ids.groupLink, tickets_id: id, groups_id: requesterGroup, type: 1 });
    if (taken) out.push('glpi_groups_tickets', { id: ++ids.groupLink, tickets_id: id, groups_id: category.groupId, type: 2 });
    out.push('glpi_tickets_users', { id: ++ids.userLink, tickets_id: id, users_id: requester, type: 1, use_notification: 1, alternative_email: null });
    if (taken) out.push('glpi_tickets_users', { id: ++ids.userLink, tickets_id: id, users_id: tech, type: 2, use_notification: 1, alternative_email: null });

    for (const f of followups.sort((a, b) => a.at - b.at)) {
      summary.followups++;
      out.push('glpi_itilfollowups', {
        id: ++ids.followup,
        itemtype: 'Ticket',
        items_id: id,
        date: wc(f.at),
        users_id: f.user,
        users_id_editor: 0,
        content: `&lt;p&gt;${f.text}&lt;/p&gt;`,
        is_private: 0,
        requesttypes_id: ref.requestTypeIds.get('Helpdesk')!,
        date_mod: wc(f.at),
        date_creation: wc(f.at),
        timeline_position: f.tech ? 4 : 1,
        sourceitems_id: 0,
        sourceof_items_id: 0,
      });
    }

    if (solved) {
      // About 4 % of solved tickets were reopened once: the requester refused a first solution (status 4).
      // Decided by a hash of the id, not the random stream, so the rest of the demo stays as it was.
      if (((id * 2654435761) >>> 0) % 100 < 4 && solvedAt > opened) {
        const refusedAt = sec(opened + (solvedAt - opened) / 2);
        summary.solutions++;
        out.push('glpi_itilsolutions', {
          id: ++ids.solution,
          itemtype: 'Ticket',
          items_id: id,
          solutiontypes_id: 0,
          solutiontype_name: null,
          content: `&lt;p&gt;${category.solutions[0]}&lt;/p&gt;`,
          date_creation: wc(refusedAt),
          date_mod: wc(refusedAt),
          date_approval: wc(refusedAt),
          users_id: tech,
          user_name: null,
          users_id_editor: 0,
          users_id_approval: requester,
          user_name_approval: null,
          status: 4,
          itilfollowups_id: null,
        });
      }
      summary.solutions++;
      out.push('glpi_itilsolutions', {
        id: ++ids.solution,
        itemtype: 'Ticket',
        items_id: id,
        solutiontypes_id: 0,
        solutiontype_name: null,
        content: `&lt;p&gt;${rng.pick(category.solutions)}&lt;/p&gt;`,
        date_creation: solvedate,
        date_mod: closed ? wc(closedAt) : solvedate,
        date_approval: closed ? wc(closedAt) : null,
        users_id: tech,
        user_name: null,
        users_id_editor: 0,
        users_id_approval: closed && approved ? requester : 0,
        user_name_approval: null,
        status: closed ? 3 : 2,
        itilfollowups_id: null,
      });
    }

    // Satisfaction survey on a quarter of closed tickets; about half are answered.
    if (closed && rng.chance(0.25)) {
      const answeredAt = sec(closedAt + hMs(clamp(rng.lognormal(20, 1), 0.2, 240)));
      const answered = rng.chance(0.55) && answeredAt <= nowMs;
      const score = answered ? 1 + (late ? scoreLate : scoreOnTime).pick(rng) : null;
      summary.satisfactions++;
      out.push('glpi_ticketsatisfactions', {
        id: ++ids.satisfaction,
        tickets_id: id,
        type: 1,
        date_begin: wc(closedAt),
        date_answered: answered ? wc(answeredAt) : null,
        satisfaction: score,
        comment:
          answered && rng.chance(0.3)
            ? score! >= 4
              ? rng.pick(['Hızlı çözüldü, teşekkürler.', 'İlginiz için teşekkür ederim.'])
              : rng.pick(['Çözüm uzun sürdü.', 'Sorun tekrarladı.'])
            : null,
      });
    }
    await out.maybeFlush();
  }
  await out.flushAll();
  return summary;
}

/** Opening instants: seasonal weights per hour slot (hour, weekday, holiday, month, slow growth). */
function sampleOpeningTimes(ctx: Ctx, startMs: number, nowMs: number, count: number): number[] {
  const { cal, clock, rng } = ctx;
  const first = Math.ceil(startMs / HOUR_MS) * HOUR_MS;
  const slots = Math.max(0, Math.floor((nowMs - first) / HOUR_MS));
  if (count <= 0 || slots === 0) return [];
  const weights = new Float64Array(slots);
  const spanYears = (nowMs - first) / (365.25 * DAY_MS);
  for (let s = 0; s < slots; s++) {
    const ts = first + s * HOUR_MS;
    const local = new Date(clock.epochToLocal(ts));
    const hour = local.getUTCHours();
    if (HOUR_WEIGHT[hour] === 0) continue;
    const isoDay = ((local.getUTCDay() + 6) % 7) + 1;
    const day = cal.dayOf(ts);
    const window = cal.window(day);
    let wgt = HOUR_WEIGHT[hour] * MONTH_WEIGHT[local.getUTCMonth() + 1] * (1 + 0.08 * ((s / slots) * spanYears));
    if (isoDay >= 6) wgt *= WEEKDAY_WEIGHT[isoDay];
    else if (!window) wgt *= HOLIDAY_WEIGHT;
    else {
      wgt *= WEEKDAY_WEIGHT[isoDay];
      if (ts >= window[1] && window[1] - window[0] < 6 * HOUR_MS) wgt *= 0.1; // arife afternoon
    }
    weights[s] = wgt;
  }
  const picker = new WeightedPicker(weights);
  const times = new Array<number>(count);
  for (let i = 0; i < count; i++) {
    const s = picker.pick(rng);
    times[i] = first + s * HOUR_MS + rng.int(0, 3599) * 1000;
  }
  return times.filter((t) => t < nowMs).sort((a, b) => a - b);
}

/**
 * Which tickets (by index) carry a seeded fault or are deleted: disjoint sets whose sizes
 * scale with volume but never drop to zero, so even a small demo exercises the quarantine.
 */
function chooseMarks(rng: DemoRandom, times: number[], nowMs: number): Map<number, Mark> {
  const n = times.length;
  const faults = new Map<number, Mark>();
  if (n === 0) return faults;
  const want: Array<[Mark, number]> = [
    ['noGroup', Math.max(1, Math.round(n * 0.003))],
    ['unknownGroup', Math.max(3, Math.round(n * 0.0005))],
    ['solvedBeforeOpened', Math.max(2, Math.round(n * 0.0003))],
    ['deleted', Math.max(2, Math.round(n * 0.005))],
  ];
  // Clock-skew faults only on tickets old enough to be solved anyway.
  const old = times.findIndex((t) => t > nowMs - 30 * DAY_MS);
  const oldCount = old === -1 ? n : old;
  for (const [fault, count] of want) {
    const pool = fault === 'solvedBeforeOpened' && oldCount >= count * 4 ? oldCount : n;
    for (let placed = 0, guard = 0; placed < count && faults.size < n && guard < count * 100; guard++) {
      const i = rng.int(0, pool - 1);
      if (faults.has(i)) continue;
      faults.set(i, fault);
      placed++;
    }
  }
  return faults;
}

// ---------------------------------------------------------------------------------------------
// Writing

async function maxId(trx: Knex.Transaction, table: string): Promise<number> {
  const row = (await trx(table).max({ m: 'id' }).first()) as { m: number | string | null } | undefined;
  return Number(row?.m ?? 0);
}

async function countRows(trx: Knex.Transaction, table: string): Promise<number> {
  const row = (await trx(table).count({ n: '*' }).first()) as { n: number | string } | undefined;
  return Number(row?.n ?? 0);
}

function clamp(x: number, lo: number, hi: number): number {
  return x < lo ? lo : x > hi ? hi : x;
}

function sec(ms: number): number {
  return Math.floor(ms / 1000) * 1000;
}

function hMs(hours: number): number {
  return Math.round(hours * HOUR_MS);
}
