import fs from 'node:fs';
import path from 'node:path';
import { XMLBuilder, type XmlBuilderOptions } from 'fast-xml-parser';
import iconv from 'iconv-lite';
import type { PanoConfig } from '../../common/config.js';
import { PanoError } from '../../common/errors.js';
import { UNITS } from '../../common/units.js';
import { toWallClock } from '../calendar/wall-clock.js';
import { formatLineKey } from '../sources/telecom/line-key.js';
import { LINE_TYPE_LABELS, type LineType } from '../sources/telecom/line-registry.js';
import { UBL_NS } from '../sources/telecom/ubl.js';
import { round2 } from '../sources/telecom/tr-format.js';
import { DemoRandom, WeightedPicker } from './demo-random.js';
import { makeDemoTckn } from './demo-tckn.js';
import { FEMALE_NAMES, MALE_NAMES, SURNAMES } from './demo-names.js';

/**
 * The demo telecom source of Sultanbeyli Belediyesi, written where Pano reads a real one:
 *
 *   <linesFile>                 hat-listesi.csv — the line registry (UTF-8 with BOM, `;`, dd.MM.yyyy, 1.234,56)
 *   <invoiceDir>/gelen/…        monthly UBL-TR 2.1 e-Fatura XML per operator account (received invoices)
 *   <invoiceDir>/earsiv/…       an e-Arşiv invoice to a person (TCKN, synthetic but valid)
 *   <invoiceDir>/giden/…        returns (İADE) the municipality issued to operators
 *   <detailDir>/<operator>/…    monthly operator detail CSVs (Türk Telekom UTF-8, Turkcell UTF-8 with BOM,
 *                               Vodafone windows-1254 with a month column)
 *
 * ~900 lines at scale 1 (PSTN, TTVPN, ADSL/fiber, GSM, data) assigned to units in proportion to their
 * staff, 36 monthly billing periods ending with the last one billed before `now`. KDV 18 % on invoices
 * issued before 10 July 2023, 20 % after; ÖİV (4080) on communication services; line-level campaign
 * discounts; quarterly PBX maintenance invoices with withholding (TEVKIFAT, code 603, 5/10).
 *
 * Each operator writes its XML its own way — declaration or none, cac/cbc prefixes, JAXB-style ns2/ns4 with
 * cbc as the default namespace, a/b prefixes — and identifies lines its own way: Türk Telekom in line notes
 * ("Hizmet No: …") or, for fiber, with the customer's HIZMETNO; Turkcell with a line-level
 * DeliveryParty/PartyIdentification TELEFONNO; Vodafone in line notes ("MSISDN: 90…") and the billing period
 * only in an invoice note.
 *
 * Seeded real-life faults (returned in the summary): one malformed (cut-off) invoice file, one invoice file
 * duplicated under another name, a few lines billed but missing from the registry, one e-Arşiv invoice with
 * a person's TC Kimlik No, and one operator detail CSV whose last row is cut off.
 *
 * Deterministic: the same seed and `now` write byte-identical files; the clock is never read. Streaming:
 * each invoice is built and written on its own, so scale 25 (~2 M invoice lines) runs in bounded memory.
 */

export interface TelecomDemoOptions {
  seed: number;
  now: Date;
  /** 1 ≈ 900 lines and ~80 000 invoice lines over 36 months. */
  scale: number;
}

export interface TelecomDemoPaths {
  invoiceDir: string;
  linesFile: string;
  detailDir: string;
}

export interface TelecomDemoSummary {
  lines: number;
  registryRows: number;
  months: number;
  firstPeriod: string;
  lastPeriod: string;
  invoiceFiles: number;
  invoices: number;
  invoiceLines: number;
  byOperator: Record<string, { invoices: number; invoiceLines: number }>;
  returns: number;
  withholdingInvoices: number;
  detailFiles: number;
  detailRows: number;
  faults: {
    malformedFile: string;
    duplicateFile: { original: string; copy: string };
    unregisteredLines: string[];
    earsivInvoice: { file: string; invoiceNo: string; line: string };
    truncatedDetailFile: { file: string; line: number };
    idleLines: number;
  };
  paths: TelecomDemoPaths;
}

const MARKER = '.pano-demo';
/** Invoice files written in the background at most (bounds memory: each is one invoice's XML). */
const WRITE_QUEUE = 16;
const MONTHS_BACK = 36;
const MUNICIPALITY = {
  vkn: '7810038929',
  name: 'SULTANBEYLİ BELEDİYESİ BAŞKANLIĞI',
  taxOffice: 'Anadolu Kurumlar VD',
  street: 'Abdurrahmangazi Mah. Fatih Blv. No:1',
  district: 'Sultanbeyli',
  city: 'İSTANBUL',
  zip: '34920',
};

type Op = 'TURK_TELEKOM' | 'TURKCELL' | 'VODAFONE';
const OPERATORS: Record<
  Op,
  {
    vkn: string;
    name: string;
    taxOffice: string;
    street: string;
    district: string;
    city: string;
    zip: string;
    web: string;
    slug: string;
    prefix: string;
    issueDay: number;
    profile: string;
  }
> = {
  TURK_TELEKOM: {
    vkn: '8760044710',
    name: 'TÜRK TELEKOMÜNİKASYON A.Ş.',
    taxOffice: 'Ankara Kurumlar VD',
    street: 'Turgut Özal Bulvarı No:7',
    district: 'Aydınlıkevler',
    city: 'ANKARA',
    zip: '06103',
    web: 'www.turktelekom.com.tr',
    slug: 'turk-telekom',
    prefix: 'TTA',
    issueDay: 1,
    profile: 'TEMELFATURA',
  },
  TURKCELL: {
    vkn: '3130020388',
    name: 'TURKCELL İLETİŞİM HİZMETLERİ A.Ş.',
    taxOffice: 'Boğaziçi Kurumlar VD',
    street: 'Aydınevler Mah. İnönü Cad. No:20',
    district: 'Maltepe',
    city: 'İSTANBUL',
    zip: '34854',
    web: 'www.turkcell.com.tr',
    slug: 'turkcell',
    prefix: 'TCL',
    issueDay: 3,
    profile: 'TICARIFATURA',
  },
  VODAFONE: {
    vkn: '9250088313',
    name: 'VODAFONE TELEKOMÜNİKASYON A.Ş.',
    taxOffice: 'Boğaziçi Kurumlar VD',
    street: 'Büyükdere Cad. No:251',
    district: 'Şişli',
    city: 'İSTANBUL',
    zip: '34398',
    web: 'www.vodafone.com.tr',
    slug: 'vodafone',
    prefix: 'VFA',
    issueDay: 5,
    profile: 'TEMELFATURA',
  },
};

interface Tariff {
  name: string;
  fixed: number;
  /** TL per minute (PSTN) or per overage event scale (GSM/data). */
  usageRate: number;
  modem?: number;
  gb?: number;
}

const TARIFFS: Record<string, Tariff[]> = {
  PSTN: [
    { name: 'Kurumsal Sabit Hat', fixed: 92, usageRate: 0.42 },
    { name: 'Kurumsal Sabit Hat 1000 dk', fixed: 165, usageRate: 0.35 },
  ],
  TTVPN: [
    { name: 'TTVPN 10 Mbps', fixed: 1450, usageRate: 0 },
    { name: 'TTVPN 50 Mbps', fixed: 3150, usageRate: 0 },
    { name: 'Metro Ethernet 100 Mbps', fixed: 5400, usageRate: 0 },
  ],
  FIBER: [
    { name: 'Fiber 100 Mbps Kurumsal', fixed: 520, usageRate: 0, modem: 35 },
    { name: 'VDSL 50 Mbps Kurumsal', fixed: 385, usageRate: 0, modem: 30 },
  ],
  GSM_TURKCELL: [
    { name: 'Kurumsal Platinum 20 GB', fixed: 315, usageRate: 1, gb: 20 },
    { name: 'Kurumsal Avantaj 10 GB', fixed: 225, usageRate: 1, gb: 10 },
  ],
  GSM_VODAFONE: [
    { name: 'Red Business 15 GB', fixed: 295, usageRate: 1, gb: 15 },
    { name: 'Kurumsal Şirket Hattı 8 GB', fixed: 198, usageRate: 1, gb: 8 },
  ],
  DATA_TURKCELL: [
    { name: 'M2M Data 1 GB', fixed: 45, usageRate: 1, gb: 1 },
    { name: 'Mobil İnternet 30 GB', fixed: 262, usageRate: 1, gb: 30 },
  ],
  DATA_VODAFONE: [
    { name: 'M2M Data 1 GB', fixed: 42, usageRate: 1, gb: 1 },
    { name: 'Mobil İnternet Kurumsal 30 GB', fixed: 255, usageRate: 1, gb: 30 },
  ],
};

const TYPE_SHARES: Array<[LineType, number]> = [
  ['PSTN', 0.29],
  ['TTVPN', 0.07],
  ['FIBER', 0.08],
  ['GSM', 0.5],
  ['DATA', 0.06],
];

const DESCRIPTIONS: Record<LineType, string[]> = {
  PSTN: ['Ana hizmet binası', 'Ek hizmet binası', 'Santral dış hat', 'Faks hattı', 'Sekreterlik', 'Saha ofisi'],
  TTVPN: ['Ek hizmet binası bağlantısı', 'Kültür merkezi', 'Semt pazarı ofisi', 'Sosyal tesis', 'Şantiye şefliği'],
  FIBER: ['Misafirhane internet', 'Kütüphane internet', 'Spor tesisi', 'Muhtarlık ofisi', 'Gençlik merkezi'],
  GSM: ['Müdür hattı', 'Ekip aracı', 'Saha personeli', 'Nöbetçi hattı', 'Şef hattı', 'Koordinasyon'],
  DATA: ['Kamera modemi', 'Araç takip', 'Mobil modem', 'Sayaç okuma', 'Tablet'],
};

interface DemoLine {
  idx: number;
  /** The registry's Hat No, normalised. */
  key: string;
  hatNo: string;
  /** Türk Telekom's hizmet no of a fiber line (the registry's "Hizmet No"); invoices and details use it. */
  serviceNo: string | null;
  type: LineType;
  op: Op;
  unit: string;
  move: { month: number; unit: string } | null;
  tariff: Tariff;
  /** First and last month index billed (inclusive); `from` may be < 0 (active before the window). */
  from: number;
  to: number | null;
  activeFrom: string;
  activeTo: string | null;
  idle: boolean;
  usageLevel: number;
  campaign: boolean;
  budget: number | null;
  registered: boolean;
  account: string;
  description: string;
}

interface Month {
  index: number;
  start: string;
  end: string;
  year: number;
  month: number;
  label: string;
}

interface Item {
  name: string;
  qty: number;
  unitCode: string;
  price: number;
  allowance: number;
  net: number;
  oivRate: number;
  oiv: number;
  kdvRate: number;
  kdv: number;
  line: DemoLine | null;
  kind: 'fixed' | 'usage' | 'info' | 'service';
}

interface LineMonth {
  items: Array<Omit<Item, 'kdvRate' | 'kdv'>>;
  fixed: number;
  usage: number;
  discount: number;
  minutes: number;
  mb: number;
  sms: number;
}

interface Party {
  vkn?: string;
  tckn?: string;
  name?: string;
  person?: { first: string; family: string };
  extraIds?: Array<{ scheme: string; value: string }>;
  taxOffice: string;
  street: string;
  district: string;
  city: string;
  zip: string;
  web?: string;
}

interface DemoInvoice {
  uuid: string;
  no: string;
  profile: string;
  type: string;
  issueDate: string;
  issueTime: string;
  period: { start: string; end: string } | null;
  notes: string[];
  supplier: Party;
  customer: Party;
  items: Item[];
  identity: 'note-hizmet' | 'note-msisdn' | 'note-hat' | 'delivery-party' | 'none';
  billingRef: { id: string; date: string } | null;
  withholding: { code: string; name: string; percent: number } | null;
}

type Style = 'tt' | 'turkcell' | 'vodafone' | 'earsiv' | 'belediye';

/** Writes the demo into the configured telecom locations (config.sources.telecom). */
export async function generateTelecomDemo(config: PanoConfig, opts: TelecomDemoOptions): Promise<Record<string, unknown>> {
  const summary = await writeTelecomDemo(
    { invoiceDir: config.sources.telecom.invoiceDir, linesFile: config.sources.telecom.linesFile, detailDir: config.sources.telecom.detailDir },
    opts,
  );
  return summary as unknown as Record<string, unknown>;
}

export class DemoTargetError extends PanoError {
  constructor(message: string) {
    super(message, { code: 'demo_target_not_empty' });
  }
}

/** Writes the demo into explicit locations. Folders that hold anything but an earlier demo are refused, never emptied. */
export async function writeTelecomDemo(paths: TelecomDemoPaths, opts: TelecomDemoOptions): Promise<TelecomDemoSummary> {
  if (!(opts.scale > 0)) throw new RangeError(`scale must be > 0, got ${opts.scale}`);
  // Checked before anything is removed: the registry is ours only if the previous demo said so.
  const ownLines = (() => {
    try {
      return fs.readFileSync(path.join(paths.invoiceDir, MARKER + '.lines'), 'utf8').trim() === paths.linesFile;
    } catch {
      return false;
    }
  })();
  if (fs.existsSync(paths.linesFile) && !ownLines) {
    throw new DemoTargetError(`${paths.linesFile} exists and was not written by the demo generator; remove it or point PANO_TELECOM_LINES_FILE elsewhere`);
  }
  checkDir(paths.invoiceDir);
  checkDir(paths.detailDir);
  prepareDir(paths.invoiceDir);
  prepareDir(paths.detailDir);
  fs.mkdirSync(path.dirname(paths.linesFile), { recursive: true });

  const g = new Generator(opts, paths);
  const summary = await g.run();
  fs.writeFileSync(path.join(paths.invoiceDir, MARKER), 'Pano demo telecom invoices — regenerated by `pano demo`\n');
  fs.writeFileSync(path.join(paths.invoiceDir, MARKER + '.lines'), `${paths.linesFile}\n`);
  fs.writeFileSync(path.join(paths.detailDir, MARKER), 'Pano demo operator details — regenerated by `pano demo`\n');
  return summary;
}

function checkDir(dir: string): void {
  if (!fs.existsSync(dir)) return;
  const entries = fs.readdirSync(dir);
  if (entries.length && !entries.includes(MARKER)) {
    throw new DemoTargetError(`${dir} is not empty and was not written by the demo generator; the demo never overwrites real data`);
  }
}

function prepareDir(dir: string): void {
  checkDir(dir);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
}

class Generator {
  private readonly rng: DemoRandom;
  private readonly months: Month[];
  private readonly lines: DemoLine[] = [];
  private readonly serials = new Map<string, number>();
  private readonly dirs = new Set<string>();
  private readonly pending: Array<Promise<void>> = [];
  // jPath: false — no path string per node (the builder runs twice as fast); the option is missing from its typings.
  private readonly builder = new XMLBuilder({
    ignoreAttributes: false,
    attributeNamePrefix: '@_',
    format: false,
    suppressEmptyNode: true,
    processEntities: true,
    jPath: false,
  } as XmlBuilderOptions);
  private readonly nowWall: string;
  private readonly stats = {
    invoiceFiles: 0,
    invoices: 0,
    invoiceLines: 0,
    returns: 0,
    withholding: 0,
    detailFiles: 0,
    detailRows: 0,
    byOperator: {} as Record<string, { invoices: number; invoiceLines: number }>,
  };
  private faults: TelecomDemoSummary['faults'] = {
    malformedFile: '',
    duplicateFile: { original: '', copy: '' },
    unregisteredLines: [],
    earsivInvoice: { file: '', invoiceNo: '', line: '' },
    truncatedDetailFile: { file: '', line: 0 },
    idleLines: 0,
  };
  /** Line-month pairs refunded by an İADE, chosen up front. */
  private readonly returnTargets = new Map<string, number>();
  private earsiv: { line: DemoLine; month: number } | null = null;
  private malformedAt: { op: Op; month: number } = { op: 'VODAFONE', month: 0 };
  private duplicateAt: { op: Op; month: number } = { op: 'TURKCELL', month: 0 };
  private truncatedMonth = 0;
  private readonly xslt: Record<Style, string>;

  constructor(
    private readonly opts: TelecomDemoOptions,
    private readonly paths: TelecomDemoPaths,
  ) {
    this.rng = new DemoRandom((opts.seed ^ 0x7e1ec0de) >>> 0);
    this.nowWall = toWallClock(opts.now, 'Europe/Istanbul');
    this.months = billingMonths(this.nowWall);
    this.xslt = {
      tt: xsltBase64('Türk Telekom e-Fatura', true),
      turkcell: xsltBase64('Turkcell e-Fatura', false),
      vodafone: xsltBase64('Vodafone e-Fatura', false),
      earsiv: xsltBase64('Turkcell e-Arşiv Fatura', false),
      belediye: xsltBase64('Sultanbeyli Belediyesi e-Fatura', false),
    };
  }

  async run(): Promise<TelecomDemoSummary> {
    this.createLines();
    this.chooseFaults();
    const registryRows = this.writeRegistry();
    await this.writeInvoicesAndDetails();
    await this.drain(0);
    return {
      lines: this.lines.length,
      registryRows,
      months: this.months.length,
      firstPeriod: this.months[0].label,
      lastPeriod: this.months[this.months.length - 1].label,
      invoiceFiles: this.stats.invoiceFiles,
      invoices: this.stats.invoices,
      invoiceLines: this.stats.invoiceLines,
      byOperator: this.stats.byOperator,
      returns: this.stats.returns,
      withholdingInvoices: this.stats.withholding,
      detailFiles: this.stats.detailFiles,
      detailRows: this.stats.detailRows,
      faults: this.faults,
      paths: this.paths,
    };
  }

  // ───────────── lines ─────────────

  private createLines(): void {
    const rng = this.rng;
    const n = Math.max(TYPE_SHARES.length * 2, Math.round(900 * this.opts.scale));
    const unitPicker = new WeightedPicker(UNITS.map((u) => u.staff));
    const used = new Set<string>();
    const unique = (make: () => string) => {
      for (;;) {
        const k = make();
        if (!used.has(k)) {
          used.add(k);
          return k;
        }
      }
    };
    const last = this.months.length - 1;
    let idx = 0;
    for (const [type, share] of TYPE_SHARES) {
      const count = Math.max(2, Math.round(n * share));
      for (let i = 0; i < count; i++) {
        // The first PSTN line of every unit, then by staff.
        const unit = type === 'PSTN' && i < UNITS.length ? UNITS[i].code : UNITS[unitPicker.pick(rng)].code;
        let op: Op = 'TURK_TELEKOM';
        if (type === 'GSM') op = rng.chance(0.55) ? 'TURKCELL' : 'VODAFONE';
        if (type === 'DATA') op = rng.chance(0.4) ? 'TURKCELL' : 'VODAFONE';
        let key: string;
        let hatNo: string;
        let serviceNo: string | null = null;
        if (type === 'PSTN' || type === 'FIBER') {
          key = unique(() => `216${rng.pick(['592', '564', '398', '419', '593'])}${String(rng.int(0, 9999)).padStart(4, '0')}`);
          hatNo = formatLineKey(key);
          if (type === 'FIBER') serviceNo = unique(() => `1${String(rng.int(0, 999_999_999)).padStart(9, '0')}`);
        } else if (type === 'TTVPN') {
          key = unique(() => `7${String(rng.int(0, 999_999_999)).padStart(9, '0')}`);
          hatNo = key;
        } else {
          const prefixes = op === 'TURKCELL' ? ['530', '532', '533', '535', '536', '537'] : ['541', '542', '543', '544', '545', '546'];
          key = unique(() => `${rng.pick(prefixes)}${String(rng.int(0, 9_999_999)).padStart(7, '0')}`);
          hatNo = formatLineKey(key);
        }
        const tariffs = type === 'GSM' || type === 'DATA' ? TARIFFS[`${type}_${op}`] : TARIFFS[type];
        const tariff = rng.chance(0.6) ? tariffs[0] : tariffs[rng.int(1, tariffs.length - 1)];
        const startsInside = rng.chance(0.18);
        const from = startsInside ? rng.int(1, last - 2) : -rng.int(1, 96);
        const ends = rng.chance(0.07);
        const to = ends ? Math.min(last - 1, Math.max(from, 0) + rng.int(3, 30)) : null;
        const move =
          (type === 'GSM' || type === 'PSTN') && rng.chance(0.015)
            ? { month: Math.max(from, 0) + rng.int(2, 20), unit: UNITS[unitPicker.pick(rng)].code }
            : null;
        const idle = rng.chance(type === 'PSTN' || type === 'GSM' || type === 'DATA' ? 0.05 : 0);
        const campaign = op === 'TURKCELL' && type === 'GSM' && rng.chance(0.5);
        // Budgets were set last year with some headroom (gross: + ÖİV 10 %, + KDV 20 %); overage months exceed them.
        const budgetBase =
          (type === 'GSM' || type === 'DATA') && rng.chance(0.7)
            ? tariff.fixed * priceFactor(30) * 1.32 * 1.2
            : type === 'PSTN' && rng.chance(0.3)
              ? tariff.fixed * priceFactor(30) * 2.4
              : null;
        const line: DemoLine = {
          idx: idx++,
          key,
          hatNo,
          serviceNo,
          type,
          op,
          unit,
          move: move && move.unit !== unit && (to === null || move.month < to) && move.month < last ? move : null,
          tariff,
          from,
          to,
          activeFrom: monthStartIso(this.months[0], from, rng.int(1, 27)),
          activeTo: to === null ? null : monthEndIso(this.months[0], to),
          idle,
          usageLevel: rng.lognormal(1, 0.5),
          campaign,
          budget: budgetBase === null ? null : Math.round(budgetBase / 50) * 50,
          registered: true,
          account: '',
          description: rng.pick(DESCRIPTIONS[type]),
        };
        this.lines.push(line);
      }
    }
    // A few lines the operators bill that the registry does not know (a line opened without telling IT).
    const gsm = this.lines.filter((l) => l.type === 'GSM' && l.to === null && l.from < 0 && !l.idle && !l.move);
    const unregistered = Math.max(3, Math.round(4 * this.opts.scale));
    for (let i = 0; i < unregistered && i < gsm.length; i++) {
      const l = gsm[gsm.length - 1 - i * 3];
      if (!l || !l.registered) continue;
      l.registered = false;
      this.faults.unregisteredLines.push(l.hatNo);
    }
    // At least one line that is paid for and never used (a desk phone in an empty office), even at tiny scales.
    if (!this.lines.some((l) => l.idle && l.to === null)) {
      const desk = this.lines.find((l) => l.type === 'PSTN' && l.to === null && l.registered && !l.move);
      if (desk) desk.idle = true;
    }
    this.faults.idleLines = this.lines.filter((l) => l.idle).length;
    this.assignAccounts();
  }

  private assignAccounts(): void {
    const byOp = new Map<string, DemoLine[]>();
    for (const l of this.lines) {
      if (l.op === 'TURK_TELEKOM') {
        l.account = l.type === 'FIBER' ? `TT-FIBER-${l.serviceNo}` : `TT-${l.unit}`;
        continue;
      }
      const list = byOp.get(l.op) ?? [];
      list.push(l);
      byOp.set(l.op, list);
    }
    for (const [op, list] of byOp) {
      list.sort((a, b) => (a.unit < b.unit ? -1 : a.unit > b.unit ? 1 : a.idx - b.idx));
      list.forEach((l, i) => (l.account = `${op}-${Math.floor(i / 150) + 1}`));
    }
  }

  private chooseFaults(): void {
    const rng = this.rng;
    const last = this.months.length - 1;
    const mobile = this.lines.filter((l) => (l.type === 'GSM' || l.type === 'DATA') && l.registered && !l.idle);
    const returns = Math.max(3, Math.round(4 * this.opts.scale));
    for (let i = 0; i < returns * 4 && this.returnTargets.size < returns; i++) {
      const l = rng.pick(mobile);
      const m = rng.int(2, Math.max(2, last - 2));
      if (isActive(l, m)) this.returnTargets.set(`${l.idx}:${m}`, m);
    }
    const earsivMonth = Math.max(0, last - 4);
    const person =
      this.lines.find((l) => l.type === 'GSM' && l.op === 'TURKCELL' && l.registered && !l.move && !l.idle && isActive(l, earsivMonth)) ??
      this.lines.find((l) => l.op === 'TURKCELL' && isActive(l, earsivMonth));
    this.earsiv = person ? { line: person, month: earsivMonth } : null;
    const has = (op: Op) => this.lines.some((l) => l.op === op);
    this.malformedAt = { op: has('VODAFONE') ? 'VODAFONE' : 'TURKCELL', month: Math.max(0, last - 6) };
    this.duplicateAt = { op: has('TURKCELL') ? 'TURKCELL' : 'VODAFONE', month: Math.min(last, 12) };
    this.truncatedMonth = Math.max(0, last - 3);
  }

  // ───────────── registry ─────────────

  private writeRegistry(): number {
    const header = ['Hat No', 'Hizmet No', 'Birim Kodu', 'Birim', 'Hat Tipi', 'Operatör', 'Tarife', 'Aylık Bütçe (TL)', 'Başlangıç', 'Bitiş', 'Açıklama'];
    const rows: string[] = [header.join(';')];
    const unitName = (code: string) => UNITS.find((u) => u.code === code)!.name;
    const opName: Record<Op, string> = { TURK_TELEKOM: 'Türk Telekom', TURKCELL: 'Turkcell', VODAFONE: 'Vodafone' };
    let count = 0;
    for (const l of this.lines) {
      if (!l.registered) continue;
      const base = (unit: string, from: string, to: string | null) => {
        count++;
        return [
          l.hatNo,
          l.serviceNo ?? '',
          unit,
          unitName(unit),
          LINE_TYPE_LABELS[l.type],
          opName[l.op],
          l.tariff.name,
          l.budget === null ? '' : fmtTr(l.budget),
          trDate(from),
          to ? trDate(to) : '',
          l.description,
        ]
          .map(csvField)
          .join(';');
      };
      if (l.move) {
        const switchDay = monthStartIso(this.months[0], l.move.month, 1);
        rows.push(base(l.unit, l.activeFrom, addDays(switchDay, -1)));
        rows.push(base(l.move.unit, switchDay, l.activeTo));
      } else rows.push(base(l.unit, l.activeFrom, l.activeTo));
    }
    fs.writeFileSync(this.paths.linesFile, '\ufeff' + rows.join('\r\n') + '\r\n', 'utf8');
    return count;
  }

  // ───────────── invoices and details ─────────────

  private async writeInvoicesAndDetails(): Promise<void> {
    const accounts = new Map<string, DemoLine[]>();
    for (const l of this.lines) {
      const list = accounts.get(l.account) ?? [];
      list.push(l);
      accounts.set(l.account, list);
    }
    const accountIds = [...accounts.keys()].sort();
    const santrals = Math.max(1, Math.round(this.opts.scale));

    for (const month of this.months) {
      const details: Record<Op, string[]> = { TURK_TELEKOM: [], TURKCELL: [], VODAFONE: [] };
      for (const account of accountIds) {
        const lines = accounts.get(account)!.filter((l) => isActive(l, month.index));
        if (!lines.length) continue;
        const op = lines[0].op;
        const issue = issueMoment(month, OPERATORS[op].issueDay, this.rng);
        if (issue.date + ' ' + issue.time > this.nowWall) continue;
        const perLine = lines.map((l) => ({ line: l, lm: lineMonth(l, month, this.opts.seed) }));
        for (const { line, lm } of perLine) details[op].push(detailRow(op, line, month, lm));
        const billed = perLine.filter(({ line }) => !(this.earsiv && line === this.earsiv.line && month.index === this.earsiv.month));
        if (billed.length) this.writeAccountInvoice(op, account, month, issue, billed);
        for (const { line, lm } of perLine) {
          if (this.earsiv && line === this.earsiv.line && month.index === this.earsiv.month) this.writeEarsiv(line, month, lm);
        }
        await this.drain(WRITE_QUEUE);
      }
      if (month.index % 3 === 2) {
        for (let s = 0; s < santrals; s++) this.writeWithholdingInvoice(month, s);
      }
      this.writeDetails(month, details);
    }
  }

  private writeAccountInvoice(
    op: Op,
    account: string,
    month: Month,
    issue: { date: string; time: string },
    billed: Array<{ line: DemoLine; lm: LineMonth }>,
  ): void {
    const o = OPERATORS[op];
    const kdvRate = kdvRateOn(issue.date);
    const items: Item[] = [];
    for (const { lm } of billed) for (const it of lm.items) items.push(withKdv(it, kdvRate));
    const fiber = account.startsWith('TT-FIBER-');
    const style: Style = op === 'TURK_TELEKOM' ? 'tt' : op === 'TURKCELL' ? 'turkcell' : 'vodafone';
    const period = { start: month.start, end: month.end };
    const no = this.nextNo(o.prefix, issue.date);
    const customer: Party = { ...municipalityParty() };
    if (fiber) customer.extraIds = [{ scheme: 'HIZMETNO', value: billed[0].line.serviceNo! }];
    const inv: DemoInvoice = {
      uuid: uuidFrom(this.rng),
      no,
      profile: o.profile,
      type: 'SATIS',
      issueDate: issue.date,
      issueTime: issue.time,
      period: op === 'VODAFONE' ? null : period,
      notes: [
        op === 'VODAFONE' ? `Fatura Dönemi: ${trDate(month.start)} - ${trDate(month.end)}` : `Fatura dönemi ${month.label}`,
        `Müşteri No: ${account.replace(/^.*-/, '')}${op === 'TURK_TELEKOM' ? '' : '0001'}`,
        'Son ödeme tarihi faturanın tebliğinden itibaren 15 gündür.',
      ],
      supplier: operatorParty(op),
      customer,
      items,
      identity: fiber ? 'none' : op === 'TURK_TELEKOM' ? 'note-hizmet' : op === 'TURKCELL' ? 'delivery-party' : 'note-msisdn',
      billingRef: null,
      withholding: null,
    };
    const rel = `gelen/${o.slug}/${month.label}/${no}.xml`;
    let xml = this.buildXml(inv, style);
    const firstOfOp = this.firstAccount(op, account);
    if (op === this.malformedAt.op && month.index === this.malformedAt.month && firstOfOp) {
      // A file cut off while being exported: not well-formed XML any more.
      xml = xml.slice(0, Math.floor(xml.length * 0.6));
      this.faults.malformedFile = rel;
    }
    this.writeFile(rel, xml, op, items.length, !this.faults.malformedFile || this.faults.malformedFile !== rel);
    if (op === this.duplicateAt.op && month.index === this.duplicateAt.month && firstOfOp) {
      const copy = `gelen/${o.slug}/${month.label}/indirilenler/${no} (1).xml`;
      this.writeRaw(copy, xml);
      this.faults.duplicateFile = { original: rel, copy };
    }
    // Returns the municipality issues for charges it disputes on this invoice.
    for (const { line, lm } of billed) {
      if (!this.returnTargets.has(`${line.idx}:${month.index}`)) continue;
      this.writeReturn(op, line, month, lm, { no, date: issue.date }, kdvRate);
    }
  }

  private firstAccount(op: Op, account: string): boolean {
    return account === `${op}-1`;
  }

  private writeReturn(op: Op, line: DemoLine, month: Month, lm: LineMonth, original: { no: string; date: string }, kdvRate: number): void {
    const date = addDays(original.date, 20);
    if (`${date} 10:00:00` > this.nowWall) return;
    const usage = lm.items.filter((i) => i.kind === 'usage' && i.net > 0);
    const fixed = lm.items.find((i) => i.kind === 'fixed')!;
    const refunded = usage.length
      ? usage.map((i) => withKdv({ ...i, name: `İade: ${i.name}` }, kdvRate))
      : [withKdv(makeItem(`İade: hatalı tahakkuk (${fixed.name})`, 1, 'C62', round2(fixed.net / 2), 0, fixed.oivRate, line, 'fixed'), kdvRate)];
    const no = this.nextNo('SBB', date);
    const inv: DemoInvoice = {
      uuid: uuidFrom(this.rng),
      no,
      profile: 'TEMELFATURA',
      type: 'IADE',
      issueDate: date,
      issueTime: '10:00:00',
      period: { start: month.start, end: month.end },
      notes: [`${original.no} numaralı faturadaki hatalı tahakkuk nedeniyle iade faturasıdır.`],
      supplier: municipalityParty(),
      customer: operatorParty(op),
      items: refunded,
      identity: 'note-hat',
      billingRef: { id: original.no, date: original.date },
      withholding: null,
    };
    this.writeFile(`giden/${date.slice(0, 7)}/${no}.xml`, this.buildXml(inv, 'belediye'), op, refunded.length, true);
    this.stats.returns++;
  }

  private writeEarsiv(line: DemoLine, month: Month, lm: LineMonth): void {
    const issue = issueMoment(month, OPERATORS.TURKCELL.issueDay, this.rng);
    if (issue.date + ' ' + issue.time > this.nowWall) return;
    const kdvRate = kdvRateOn(issue.date);
    const tckn = makeDemoTckn(this.rng);
    const first = this.rng.pick([...FEMALE_NAMES, ...MALE_NAMES]);
    const family = this.rng.pick(SURNAMES);
    const no = this.nextNo('TCE', issue.date);
    const inv: DemoInvoice = {
      uuid: uuidFrom(this.rng),
      no,
      profile: 'EARSIVFATURA',
      type: 'SATIS',
      issueDate: issue.date,
      issueTime: issue.time,
      period: { start: month.start, end: month.end },
      notes: [`Abone TCKN: ${tckn}`, 'Bu fatura e-Arşiv kapsamında düzenlenmiştir.', 'Gönderim şekli: ELEKTRONIK'],
      supplier: operatorParty('TURKCELL'),
      customer: {
        tckn,
        person: { first, family },
        extraIds: [{ scheme: 'TELEFONNO', value: line.key }],
        taxOffice: '',
        street: 'Battalgazi Mah. 12. Sok. No:4',
        district: 'Sultanbeyli',
        city: 'İSTANBUL',
        zip: '34920',
      },
      items: lm.items.map((i) => withKdv(i, kdvRate)),
      identity: 'none',
      billingRef: null,
      withholding: null,
    };
    const rel = `earsiv/turkcell/${month.label}/${no}.xml`;
    this.writeFile(rel, this.buildXml(inv, 'earsiv'), 'TURKCELL', inv.items.length, true);
    this.faults.earsivInvoice = { file: rel, invoiceNo: no, line: line.hatNo };
  }

  private writeWithholdingInvoice(month: Month, santral: number): void {
    const issue = issueMoment(month, 10, this.rng);
    if (issue.date + ' ' + issue.time > this.nowWall) return;
    const kdvRate = kdvRateOn(issue.date);
    const net = round2(4200 * priceFactor(month.index) * (1 + santral * 0.15));
    const item = withKdv(makeItem(`Santral bakım onarım hizmeti (${month.label}, santral ${santral + 1})`, 1, 'C62', net, 0, 0, null, 'service'), kdvRate);
    const no = this.nextNo('TTA', issue.date);
    const inv: DemoInvoice = {
      uuid: uuidFrom(this.rng),
      no,
      profile: 'TICARIFATURA',
      type: 'TEVKIFAT',
      issueDate: issue.date,
      issueTime: issue.time,
      period: null,
      notes: ['Tevkifat oranı: 5/10 (603)', `Dönem: ${trDate(addDays(month.start, -61))} - ${trDate(month.end)}`],
      supplier: operatorParty('TURK_TELEKOM'),
      customer: municipalityParty(),
      items: [item],
      identity: 'none',
      billingRef: null,
      withholding: { code: '603', name: 'MAKİNE, TEÇHİZAT, DEMİRBAŞ VE TAŞITLARA AİT TADİL, BAKIM VE ONARIM HİZMETLERİ', percent: 50 },
    };
    this.writeFile(`gelen/turk-telekom/${month.label}/${no}.xml`, this.buildXml(inv, 'tt'), 'TURK_TELEKOM', 1, true);
    this.stats.withholding++;
  }

  private writeDetails(month: Month, details: Record<Op, string[]>): void {
    const stamp = month.label.replace('-', '');
    const specs: Array<{ op: Op; rel: string; header: string[]; encoding: 'utf8' | 'utf8bom' | 'win1254' }> = [
      {
        op: 'TURK_TELEKOM',
        rel: `turk-telekom/TT_Fatura_Detay_${month.label}.csv`,
        header: [
          'Hizmet No',
          'Dönem Başlangıç',
          'Dönem Bitiş',
          'Tarife',
          'Sabit Ücret',
          'Kullanım Ücreti',
          'İndirim',
          'Konuşma Süresi (dk)',
          'Data (MB)',
          'SMS Adedi',
          'Toplam (KDV Hariç)',
        ],
        encoding: 'utf8',
      },
      {
        op: 'TURKCELL',
        rel: `turkcell/turkcell_fatura_detay_${stamp}.csv`,
        header: [
          'MSISDN',
          'Dönem Başlangıç',
          'Dönem Bitiş',
          'Tarife',
          'Sabit Ücret',
          'Kullanım Ücreti',
          'İndirim',
          'Konuşma (dk)',
          'Data (MB)',
          'SMS',
          'Toplam',
        ],
        encoding: 'utf8bom',
      },
      {
        op: 'VODAFONE',
        rel: `vodafone/VF_Detay_${month.label.replace('-', '_')}.csv`,
        header: ['Telefon Numarası', 'Dönem', 'Tarife', 'Sabit Ücret', 'Kullanım Ücreti', 'İndirim', 'Konuşma (dk)', 'İnternet (MB)', 'SMS', 'Toplam'],
        encoding: 'win1254',
      },
    ];
    for (const s of specs) {
      const rows = details[s.op];
      if (!rows.length) continue;
      const lines = [s.header.join(';'), ...rows.map((r) => (s.op === 'VODAFONE' ? vodafoneShape(r, month) : r))];
      let text = lines.join('\r\n') + '\r\n';
      if (s.op === 'VODAFONE' && month.index === this.truncatedMonth) {
        // The export stopped in the middle of its last row.
        const lastRow = lines[lines.length - 1];
        text = lines.slice(0, -1).join('\r\n') + '\r\n' + lastRow.slice(0, Math.max(8, Math.floor(lastRow.length / 3)));
        this.faults.truncatedDetailFile = { file: s.rel, line: lines.length };
      }
      const abs = path.join(this.paths.detailDir, s.rel);
      fs.mkdirSync(path.dirname(abs), { recursive: true });
      const bytes = s.encoding === 'win1254' ? iconv.encode(text, 'win1254') : Buffer.from((s.encoding === 'utf8bom' ? '\ufeff' : '') + text, 'utf8');
      fs.writeFileSync(abs, bytes);
      this.stats.detailFiles++;
      this.stats.detailRows += rows.length;
    }
  }

  // ───────────── XML ─────────────

  private writeFile(rel: string, xml: string, op: Op, lines: number, counts: boolean): void {
    this.writeRaw(rel, xml);
    if (!counts) return;
    this.stats.invoices++;
    this.stats.invoiceLines += lines;
    const s = (this.stats.byOperator[op] ??= { invoices: 0, invoiceLines: 0 });
    s.invoices++;
    s.invoiceLines += lines;
  }

  private writeRaw(rel: string, xml: string): void {
    const abs = path.join(this.paths.invoiceDir, rel);
    const dir = path.dirname(abs);
    if (!this.dirs.has(dir)) {
      fs.mkdirSync(dir, { recursive: true });
      this.dirs.add(dir);
    }
    // Written in the background while the next invoice is built; drain() bounds what is in flight.
    this.pending.push(fs.promises.writeFile(abs, xml, 'utf8'));
    this.stats.invoiceFiles++;
  }

  /** Waits until at most `max` file writes are in flight (0: all done). */
  private async drain(max: number): Promise<void> {
    if (this.pending.length <= max) return;
    const all = this.pending.splice(0);
    await Promise.all(all);
  }

  private nextNo(prefix: string, date: string): string {
    const year = date.slice(0, 4);
    const k = `${prefix}${year}`;
    const n = (this.serials.get(k) ?? 0) + 1;
    this.serials.set(k, n);
    return `${k}${String(n).padStart(9, '0')}`;
  }

  private buildXml(inv: DemoInvoice, style: Style): string {
    const ns = STYLES[style];
    const b = (n: string) => (ns.cbc ? `${ns.cbc}:${n}` : n);
    const a = (n: string) => `${ns.cac}:${n}`;
    const e = (n: string) => `${ns.ext}:${n}`;
    const amt = (v: number) => ({ '#text': v.toFixed(2), '@_currencyID': 'TRY' });
    const party = (p: Party) =>
      obj([
        [b('WebsiteURI'), p.web ?? ''],
        [
          a('PartyIdentification'),
          [
            ...(p.vkn ? [{ [b('ID')]: { '#text': p.vkn, '@_schemeID': 'VKN' } }] : []),
            ...(p.tckn ? [{ [b('ID')]: { '#text': p.tckn, '@_schemeID': 'TCKN' } }] : []),
            ...(p.extraIds ?? []).map((x) => ({ [b('ID')]: { '#text': x.value, '@_schemeID': x.scheme } })),
          ],
        ],
        p.name ? [a('PartyName'), { [b('Name')]: p.name }] : null,
        [
          a('PostalAddress'),
          obj([
            [b('StreetName'), p.street],
            [b('CitySubdivisionName'), p.district],
            [b('CityName'), p.city],
            [b('PostalZone'), p.zip],
            [a('Country'), { [b('Name')]: 'Türkiye' }],
          ]),
        ],
        p.taxOffice ? [a('PartyTaxScheme'), { [a('TaxScheme')]: { [b('Name')]: p.taxOffice } }] : null,
        p.person ? [a('Person'), { [b('FirstName')]: p.person.first, [b('FamilyName')]: p.person.family }] : null,
      ]);
    const taxSubtotal = (taxable: number, amount: number, percent: number, code: string, name: string, seq: number) => ({
      [b('TaxableAmount')]: amt(taxable),
      [b('TaxAmount')]: amt(amount),
      [b('CalculationSequenceNumeric')]: String(seq),
      [b('Percent')]: percent.toFixed(2),
      [a('TaxCategory')]: { [a('TaxScheme')]: { [b('Name')]: name, [b('TaxTypeCode')]: code } },
    });
    const itemTaxes = (it: Item) => {
      const subs = [];
      if (it.oivRate > 0) subs.push(taxSubtotal(it.net, it.oiv, it.oivRate, '4080', 'ÖZEL İLETİŞİM VERGİSİ', 1));
      subs.push(taxSubtotal(round2(it.net + it.oiv), it.kdv, it.kdvRate, '0015', 'KDV', 2));
      return { [b('TaxAmount')]: amt(round2(it.oiv + it.kdv)), [a('TaxSubtotal')]: subs };
    };

    // Invoice-level totals.
    const lineExt = round2(sum(inv.items.map((i) => i.net)));
    const byTax = new Map<string, { taxable: number; amount: number; percent: number; code: string; name: string }>();
    for (const it of inv.items) {
      if (it.oivRate > 0) addTax(byTax, '4080', it.oivRate, it.net, it.oiv, 'ÖZEL İLETİŞİM VERGİSİ');
      addTax(byTax, '0015', it.kdvRate, round2(it.net + it.oiv), it.kdv, 'KDV');
    }
    const taxes = [...byTax.values()].sort((x, y) => (x.code < y.code ? 1 : x.code > y.code ? -1 : x.percent - y.percent));
    const taxTotal = round2(sum(taxes.map((t) => t.amount)));
    const kdvTotal = round2(sum(taxes.filter((t) => t.code === '0015').map((t) => t.amount)));
    const withheld = inv.withholding ? round2((kdvTotal * inv.withholding.percent) / 100) : 0;
    const taxInclusive = round2(lineExt + taxTotal);

    const lineXml = inv.items.map((it, i) => {
      const ident = it.line;
      const notes: string[] = [];
      if (ident && inv.identity === 'note-hizmet') notes.push(`Hizmet No: ${ident.type === 'PSTN' ? ident.hatNo : ident.key}`);
      if (ident && inv.identity === 'note-msisdn') notes.push(`MSISDN: 90${ident.key}`);
      if (ident && inv.identity === 'note-hat') notes.push(`Hat No: ${ident.hatNo}`);
      return obj([
        [b('ID'), String(i + 1)],
        notes.length ? [b('Note'), notes] : null,
        [b('InvoicedQuantity'), { '#text': fmtQty(it.qty), '@_unitCode': it.unitCode }],
        [b('LineExtensionAmount'), amt(it.net)],
        ident && inv.identity === 'delivery-party'
          ? [a('Delivery'), { [a('DeliveryParty')]: { [a('PartyIdentification')]: { [b('ID')]: { '#text': ident.key, '@_schemeID': 'TELEFONNO' } } } }]
          : null,
        it.allowance > 0
          ? [
              a('AllowanceCharge'),
              obj([
                [b('ChargeIndicator'), 'false'],
                [b('AllowanceChargeReason'), 'Kurumsal kampanya indirimi'],
                [b('MultiplierFactorNumeric'), (it.allowance / (it.qty * it.price)).toFixed(2)],
                [b('Amount'), amt(it.allowance)],
                [b('BaseAmount'), amt(round2(it.qty * it.price))],
              ]),
            ]
          : null,
        [a('TaxTotal'), itemTaxes(it)],
        [
          a('Item'),
          obj([
            [b('Name'), it.name],
            ident && inv.identity !== 'none'
              ? [a('SellersItemIdentification'), { [b('ID')]: it.kind === 'fixed' ? 'PKT' : it.kind === 'usage' ? 'KLN' : 'BLG' }]
              : null,
          ]),
        ],
        [a('Price'), { [b('PriceAmount')]: { '#text': fmtPrice(it.price), '@_currencyID': 'TRY' } }],
      ]);
    });

    const signer = inv.supplier.vkn ?? MUNICIPALITY.vkn;
    const body = obj([
      [e('UBLExtensions'), { [e('UBLExtension')]: { [e('ExtensionContent')]: '' } }],
      [b('UBLVersionID'), '2.1'],
      [b('CustomizationID'), 'TR1.2'],
      [b('ProfileID'), inv.profile],
      [b('ID'), inv.no],
      [b('CopyIndicator'), 'false'],
      [b('UUID'), inv.uuid],
      [b('IssueDate'), inv.issueDate],
      [b('IssueTime'), inv.issueTime],
      [b('InvoiceTypeCode'), inv.type],
      inv.notes.length ? [b('Note'), inv.notes] : null,
      [b('DocumentCurrencyCode'), 'TRY'],
      [b('LineCountNumeric'), String(inv.items.length)],
      inv.period ? [a('InvoicePeriod'), { [b('StartDate')]: inv.period.start, [b('EndDate')]: inv.period.end }] : null,
      inv.billingRef
        ? [
            a('BillingReference'),
            { [a('InvoiceDocumentReference')]: { [b('ID')]: inv.billingRef.id, [b('IssueDate')]: inv.billingRef.date, [b('DocumentTypeCode')]: 'IADE' } },
          ]
        : null,
      [
        a('AdditionalDocumentReference'),
        {
          [b('ID')]: inv.uuid,
          [b('IssueDate')]: inv.issueDate,
          [b('DocumentType')]: 'XSLT',
          [a('Attachment')]: {
            [b('EmbeddedDocumentBinaryObject')]: {
              '#text': this.xslt[style],
              '@_characterSetCode': 'UTF-8',
              '@_encodingCode': 'Base64',
              '@_filename': `${inv.no}.xslt`,
              '@_mimeCode': 'application/xml',
            },
          },
        },
      ],
      [
        a('Signature'),
        {
          [b('ID')]: { '#text': signer, '@_schemeID': 'VKN_TCKN' },
          [a('SignatoryParty')]: {
            [a('PartyIdentification')]: { [b('ID')]: { '#text': signer, '@_schemeID': 'VKN' } },
            [a('PostalAddress')]: obj([
              [b('StreetName'), inv.supplier.street],
              [b('CitySubdivisionName'), inv.supplier.district],
              [b('CityName'), inv.supplier.city],
              [a('Country'), { [b('Name')]: 'Türkiye' }],
            ]),
          },
          [a('DigitalSignatureAttachment')]: { [a('ExternalReference')]: { [b('URI')]: `#Signature_${inv.no}` } },
        },
      ],
      [a('AccountingSupplierParty'), { [a('Party')]: party(inv.supplier) }],
      [a('AccountingCustomerParty'), { [a('Party')]: party(inv.customer) }],
      [
        a('TaxTotal'),
        {
          [b('TaxAmount')]: amt(taxTotal),
          [a('TaxSubtotal')]: taxes.map((t, i) => taxSubtotal(round2(t.taxable), round2(t.amount), t.percent, t.code, t.name, i + 1)),
        },
      ],
      inv.withholding
        ? [
            a('WithholdingTaxTotal'),
            {
              [b('TaxAmount')]: amt(withheld),
              [a('TaxSubtotal')]: {
                [b('TaxableAmount')]: amt(kdvTotal),
                [b('TaxAmount')]: amt(withheld),
                [b('Percent')]: inv.withholding.percent.toFixed(2),
                [a('TaxCategory')]: { [a('TaxScheme')]: { [b('Name')]: inv.withholding.name, [b('TaxTypeCode')]: inv.withholding.code } },
              },
            },
          ]
        : null,
      [
        a('LegalMonetaryTotal'),
        {
          [b('LineExtensionAmount')]: amt(lineExt),
          [b('TaxExclusiveAmount')]: amt(lineExt),
          [b('TaxInclusiveAmount')]: amt(taxInclusive),
          [b('AllowanceTotalAmount')]: amt(0),
          [b('ChargeTotalAmount')]: amt(0),
          [b('PayableAmount')]: amt(round2(taxInclusive - withheld)),
        },
      ],
      [a('InvoiceLine'), lineXml],
    ]);
    const root = { [ns.root]: { ...ns.attrs, ...body } };
    const xml = this.builder.build(root) as string;
    return (ns.declaration ? '<?xml version="1.0" encoding="UTF-8"?>\n' : '') + xml;
  }
}

// ───────────── XML styles: the same document, written the way each operator's software writes it ─────────────

const XSI = 'http://www.w3.org/2001/XMLSchema-instance';
const EXT = 'urn:oasis:names:specification:ubl:schema:xsd:CommonExtensionComponents-2';
const DS = 'http://www.w3.org/2000/09/xmldsig#';
const XADES = 'http://uri.etsi.org/01903/v1.3.2#';
const SCHEMA_LOCATION = 'urn:oasis:names:specification:ubl:schema:xsd:Invoice-2 UBL-Invoice-2.1.xsd';

const STYLES: Record<Style, { declaration: boolean; root: string; cac: string; cbc: string; ext: string; attrs: Record<string, string> }> = {
  // The samples' shape: default namespace Invoice-2, cac/cbc/ext prefixes.
  tt: {
    declaration: true,
    root: 'Invoice',
    cac: 'cac',
    cbc: 'cbc',
    ext: 'ext',
    attrs: {
      '@_xmlns': UBL_NS.invoice,
      '@_xmlns:cac': UBL_NS.cac,
      '@_xmlns:cbc': UBL_NS.cbc,
      '@_xmlns:ext': EXT,
      '@_xmlns:ds': DS,
      '@_xmlns:xades': XADES,
      '@_xmlns:xsi': XSI,
      '@_xsi:schemaLocation': SCHEMA_LOCATION,
    },
  },
  // JAXB-style: prefixed root, cac as ns2, cbc as the DEFAULT namespace (basic elements unprefixed).
  turkcell: {
    declaration: true,
    root: 'ns4:Invoice',
    cac: 'ns2',
    cbc: '',
    ext: 'ns5',
    attrs: {
      '@_xmlns': UBL_NS.cbc,
      '@_xmlns:ns2': UBL_NS.cac,
      '@_xmlns:ns3': DS,
      '@_xmlns:ns4': UBL_NS.invoice,
      '@_xmlns:ns5': EXT,
      '@_xmlns:ns6': XADES,
      '@_xmlns:xsi': XSI,
      '@_xsi:schemaLocation': SCHEMA_LOCATION,
    },
  },
  // No XML declaration (like the izibiz samples).
  vodafone: {
    declaration: false,
    root: 'Invoice',
    cac: 'cac',
    cbc: 'cbc',
    ext: 'ext',
    attrs: { '@_xmlns': UBL_NS.invoice, '@_xmlns:cac': UBL_NS.cac, '@_xmlns:cbc': UBL_NS.cbc, '@_xmlns:ext': EXT, '@_xmlns:xsi': XSI },
  },
  earsiv: {
    declaration: true,
    root: 'Invoice',
    cac: 'a',
    cbc: 'b',
    ext: 'x',
    attrs: {
      '@_xmlns': UBL_NS.invoice,
      '@_xmlns:a': UBL_NS.cac,
      '@_xmlns:b': UBL_NS.cbc,
      '@_xmlns:x': EXT,
      '@_xmlns:xsi': XSI,
      '@_xsi:schemaLocation': SCHEMA_LOCATION,
    },
  },
  belediye: {
    declaration: true,
    root: 'inv:Invoice',
    cac: 'cac',
    cbc: 'cbc',
    ext: 'ext',
    attrs: { '@_xmlns:inv': UBL_NS.invoice, '@_xmlns:cac': UBL_NS.cac, '@_xmlns:cbc': UBL_NS.cbc, '@_xmlns:ext': EXT, '@_xmlns:xsi': XSI },
  },
};

function xsltBase64(title: string, wrap: boolean): string {
  const xslt = `<?xml version="1.0" encoding="UTF-8"?>
<xsl:stylesheet version="2.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform" xmlns:n1="${UBL_NS.invoice}" xmlns:cac="${UBL_NS.cac}" xmlns:cbc="${UBL_NS.cbc}">
<xsl:output method="html" encoding="UTF-8" indent="no"/>
<xsl:template match="/">
<html><head><meta charset="UTF-8"/><title>${title}</title></head><body>
<h1>${title}</h1>
<p>Fatura No: <xsl:value-of select="n1:Invoice/cbc:ID"/> — Tarih: <xsl:value-of select="n1:Invoice/cbc:IssueDate"/></p>
<p>ETTN: <xsl:value-of select="n1:Invoice/cbc:UUID"/></p>
<table border="1"><tr><th>Sıra</th><th>Mal/Hizmet</th><th>Miktar</th><th>Tutar</th></tr>
<xsl:for-each select="n1:Invoice/cac:InvoiceLine"><tr><td><xsl:value-of select="cbc:ID"/></td><td><xsl:value-of select="cac:Item/cbc:Name"/></td><td><xsl:value-of select="cbc:InvoicedQuantity"/></td><td><xsl:value-of select="cbc:LineExtensionAmount"/></td></tr></xsl:for-each>
</table>
<p>Ödenecek Tutar: <xsl:value-of select="n1:Invoice/cac:LegalMonetaryTotal/cbc:PayableAmount"/> TL</p>
</body></html>
</xsl:template>
</xsl:stylesheet>
`;
  const b64 = Buffer.from(xslt, 'utf8').toString('base64');
  return wrap ? (b64.match(/.{1,76}/g) ?? []).join('\n') : b64;
}

// ───────────── charges ─────────────

/** Tariff prices rise by 7.5 % every quarter (about 2.4× over three years). */
function priceFactor(monthIndex: number): number {
  return Math.pow(1.075, Math.floor(Math.max(0, monthIndex) / 3));
}

function kdvRateOn(issueDate: string): number {
  return issueDate >= '2023-07-10' ? 20 : 18;
}

function makeItem(
  name: string,
  qty: number,
  unitCode: string,
  price: number,
  allowance: number,
  oivRate: number,
  line: DemoLine | null,
  kind: Item['kind'],
): Omit<Item, 'kdvRate' | 'kdv'> {
  const net = round2(qty * price - allowance);
  return { name, qty, unitCode, price, allowance: round2(allowance), net, oivRate, oiv: round2((net * oivRate) / 100), line, kind };
}

function withKdv(it: Omit<Item, 'kdvRate' | 'kdv'>, kdvRate: number): Item {
  return { ...it, kdvRate, kdv: round2(((it.net + it.oiv) * kdvRate) / 100) };
}

/** One line's charges for one month, from its own seeded stream (independent of generation order). */
function lineMonth(l: DemoLine, m: Month, seed: number): LineMonth {
  const rng = new DemoRandom(((seed * 31 + l.idx) * 64 + m.index) >>> 0);
  const f = priceFactor(m.index);
  const oiv = 10;
  const items: LineMonth['items'] = [];
  let usage = 0;
  let discount = 0;
  let minutes = 0;
  let mb = 0;
  let sms = 0;
  const fixedPrice = round2(l.tariff.fixed * f);
  const use = l.idle ? 0 : l.usageLevel * (0.6 + rng.next() * 0.8);
  switch (l.type) {
    case 'PSTN': {
      items.push(makeItem('Sabit hat aylık abonelik ücreti', 1, 'C62', fixedPrice, 0, oiv, l, 'fixed'));
      // Calls to fixed lines and to mobile operators are billed on separate lines at their own rates.
      const fixedMin = Math.round(use * 90);
      const mobileMin = Math.round(use * 50);
      minutes = fixedMin + mobileMin;
      const rate = round2(l.tariff.usageRate * f);
      const mobileRate = round2(l.tariff.usageRate * 1.6 * f);
      if (fixedMin > 0) items.push(makeItem('Şehir içi ve şehirlerarası konuşma ücreti', fixedMin, 'MIN', rate, 0, oiv, l, 'usage'));
      if (mobileMin > 0) items.push(makeItem('GSM operatörlerine konuşma ücreti', mobileMin, 'MIN', mobileRate, 0, oiv, l, 'usage'));
      usage = round2(fixedMin * rate + mobileMin * mobileRate);
      break;
    }
    case 'TTVPN': {
      items.push(makeItem(`${l.tariff.name} devre kira ücreti`, 1, 'C62', fixedPrice, 0, oiv, l, 'fixed'));
      mb = Math.round(use * 180_000);
      break;
    }
    case 'FIBER': {
      items.push(makeItem(`${l.tariff.name} aylık ücret`, 1, 'C62', fixedPrice, 0, oiv, l, 'fixed'));
      items.push(makeItem('Modem kira bedeli', 1, 'C62', round2((l.tariff.modem ?? 30) * f), 0, 0, l, 'fixed'));
      mb = Math.round(use * 95_000);
      break;
    }
    case 'GSM':
    case 'DATA': {
      const allowance = l.campaign && m.index < 18 ? round2(fixedPrice * 0.1) : 0;
      discount = allowance;
      items.push(makeItem(`${l.tariff.name} paket ücreti`, 1, 'C62', fixedPrice, allowance, oiv, l, 'fixed'));
      mb = Math.round(use * (l.tariff.gb ?? 5) * 1024 * 0.55);
      if (l.type === 'GSM') {
        minutes = Math.round(use * 420);
        sms = Math.round(use * 25);
        if (minutes > 0) items.push(makeItem('Yurtiçi konuşma (paket içi)', minutes, 'MIN', 0, 0, oiv, l, 'info'));
        if (mb > 0) items.push(makeItem('Mobil internet (paket içi)', mb, '4L', 0, 0, oiv, l, 'info'));
      }
      if (!l.idle && rng.chance(l.type === 'GSM' ? 0.22 : 0.1)) {
        const extra = round2((15 + rng.next() * 120) * f * l.usageLevel);
        items.push(makeItem(l.type === 'GSM' ? 'Paket aşım kullanım bedeli' : 'Data aşım ücreti', 1, 'C62', extra, 0, oiv, l, 'usage'));
        usage = extra;
      }
      break;
    }
  }
  const fixed = round2(sum(items.filter((i) => i.kind === 'fixed').map((i) => i.qty * i.price)));
  return { items, fixed, usage, discount, minutes, mb, sms };
}

function detailRow(op: Op, l: DemoLine, m: Month, lm: LineMonth): string {
  const total = round2(lm.fixed + lm.usage - lm.discount);
  const number = op === 'TURK_TELEKOM' ? (l.serviceNo ?? (l.type === 'PSTN' ? `0${l.key}` : l.key)) : op === 'TURKCELL' ? `90${l.key}` : formatLineKey(l.key);
  return [
    number,
    trDate(m.start),
    trDate(m.end),
    l.tariff.name,
    fmtTr(lm.fixed),
    fmtTr(lm.usage),
    lm.discount ? fmtTr(lm.discount) : '',
    String(lm.minutes),
    String(lm.mb),
    String(lm.sms),
    fmtTr(total),
  ]
    .map(csvField)
    .join(';');
}

/** Vodafone's export has one "Dönem" column (MM.yyyy) instead of start and end dates. */
function vodafoneShape(row: string, m: Month): string {
  const f = row.split(';');
  return [f[0], `${String(m.month).padStart(2, '0')}.${m.year}`, ...f.slice(3)].join(';');
}

function isActive(l: DemoLine, monthIndex: number): boolean {
  return l.from <= monthIndex && (l.to === null || l.to >= monthIndex);
}

// ───────────── calendar ─────────────

/** The 36 billing months that end with the last month whose invoices are issued before `now`. */
function billingMonths(nowWall: string): Month[] {
  const y = Number(nowWall.slice(0, 4));
  const mo = Number(nowWall.slice(5, 7));
  // The month before now's month is billed early in now's month.
  let endY = y;
  let endM = mo - 1;
  if (endM === 0) {
    endY--;
    endM = 12;
  }
  const out: Month[] = [];
  for (let i = MONTHS_BACK - 1; i >= 0; i--) {
    let yy = endY;
    let mm = endM - i;
    while (mm <= 0) {
      mm += 12;
      yy--;
    }
    const last = new Date(Date.UTC(yy, mm, 0)).getUTCDate();
    const label = `${yy}-${String(mm).padStart(2, '0')}`;
    out.push({ index: out.length, start: `${label}-01`, end: `${label}-${String(last).padStart(2, '0')}`, year: yy, month: mm, label });
  }
  return out;
}

function issueMoment(m: Month, day: number, rng: DemoRandom): { date: string; time: string } {
  const next = addDays(m.end, day);
  const h = 6 + rng.int(0, 3);
  return { date: next, time: `${String(h).padStart(2, '0')}:${String(rng.int(0, 59)).padStart(2, '0')}:${String(rng.int(0, 59)).padStart(2, '0')}` };
}

function monthStartIso(first: Month, offset: number, day: number): string {
  let y = first.year;
  let mo = first.month + offset;
  while (mo <= 0) {
    mo += 12;
    y--;
  }
  while (mo > 12) {
    mo -= 12;
    y++;
  }
  const last = new Date(Date.UTC(y, mo, 0)).getUTCDate();
  return `${y}-${String(mo).padStart(2, '0')}-${String(Math.min(day, last)).padStart(2, '0')}`;
}

function monthEndIso(first: Month, offset: number): string {
  return monthStartIso(first, offset, 31);
}

function addDays(iso: string, days: number): string {
  const t = Date.UTC(Number(iso.slice(0, 4)), Number(iso.slice(5, 7)) - 1, Number(iso.slice(8, 10))) + days * 86_400_000;
  return new Date(t).toISOString().slice(0, 10);
}

function trDate(iso: string): string {
  return `${iso.slice(8, 10)}.${iso.slice(5, 7)}.${iso.slice(0, 4)}`;
}

// ───────────── small helpers ─────────────

function municipalityParty(): Party {
  return {
    vkn: MUNICIPALITY.vkn,
    name: MUNICIPALITY.name,
    taxOffice: MUNICIPALITY.taxOffice,
    street: MUNICIPALITY.street,
    district: MUNICIPALITY.district,
    city: MUNICIPALITY.city,
    zip: MUNICIPALITY.zip,
    web: 'www.sultanbeyli.bel.tr',
  };
}

function operatorParty(op: Op): Party {
  const o = OPERATORS[op];
  return { vkn: o.vkn, name: o.name, taxOffice: o.taxOffice, street: o.street, district: o.district, city: o.city, zip: o.zip, web: o.web };
}

function addTax(
  map: Map<string, { taxable: number; amount: number; percent: number; code: string; name: string }>,
  code: string,
  percent: number,
  taxable: number,
  amount: number,
  name: string,
): void {
  const k = `${code}:${percent}`;
  const t = map.get(k) ?? { taxable: 0, amount: 0, percent, code, name };
  t.taxable += taxable;
  t.amount += amount;
  map.set(k, t);
}

/** An object from [key, value] pairs in order, skipping nulls (XMLBuilder writes keys in insertion order). */
function obj(pairs: Array<[string, unknown] | null>): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  for (const p of pairs) if (p) o[p[0]] = p[1];
  return o;
}

function sum(xs: number[]): number {
  let s = 0;
  for (const x of xs) s += x;
  return s;
}

/** 1234.5 → "1.234,50" */
export function fmtTr(n: number): string {
  const neg = n < 0;
  const [i, d] = Math.abs(n).toFixed(2).split('.');
  return `${neg ? '-' : ''}${i.replace(/\B(?=(\d{3})+(?!\d))/g, '.')},${d}`;
}

function fmtQty(q: number): string {
  return Number.isInteger(q) ? String(q) : q.toFixed(3);
}

function fmtPrice(p: number): string {
  return p.toFixed(2);
}

function csvField(s: string): string {
  return /[;"\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

function uuidFrom(rng: DemoRandom): string {
  const hex = Array.from({ length: 32 }, () => rng.int(0, 15).toString(16));
  hex[12] = '4';
  hex[16] = ((rng.int(0, 15) & 0x3) | 0x8).toString(16);
  const h = hex.join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
