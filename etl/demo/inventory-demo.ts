import fs from 'node:fs';
import path from 'node:path';
import knexFactory, { type Knex } from 'knex';
import type { PanoConfig } from '../../common/config.js';
import { PanoError } from '../../common/errors.js';
import { UNITS, type Unit } from '../../common/units.js';
import { zoneClock, type ZoneClock } from '../calendar/wall-clock.js';
import { BatchWriter, ensureRows, insertChunked } from './demo-db.js';
import { DemoRandom } from './demo-random.js';
import { LEGACY_GROUP_NAME } from './glpi-demo.js';

/**
 * The demo IT inventory of Sultanbeyli Belediyesi, written into the demo GLPI database with GLPI's
 * own asset tables: computers (desktops, laptops, servers, the social facilities' POS terminals),
 * monitors, printers (receipt printers at the POS), network equipment (switches, access points,
 * firewalls, IP cameras) and IP phones, each with its financial record (glpi_infocoms: purchase
 * date, warranty, value, supplier, decommission date), state, location, manufacturer, type, model
 * and group (the müdürlük), over about ten years of purchases.
 *
 * Every desk of a unit is a slot that lives through a chain of assets: one is bought, ages, is
 * retired after its life (about 6–9 years), waits for the scrapping commission (hurda komisyonu,
 * June and December) as "Kullanım dışı", is then scrapped ("Hurdaya ayrıldı", decommission_date),
 * and a replacement is bought. So the demo has a realistic age mix, assets scrapped every year,
 * warranties running out, and growth where units gained staff.
 *
 * One code path for the SQLite demo source and a real GLPI 10/11 MariaDB database (knex, only
 * columns both have). GLPI 11's glpi_groups_items is detected and written when the asset tables
 * have no `groups_id`. Deterministic: same seed and `now`, same rows; the clock is never read.
 * Seeded faults (assets with no group, assets of a group that is not a unit) are counted in the
 * summary so tests can assert that the ETL quarantines exactly them.
 */

export interface InventoryDemoOptions {
  seed?: number;
  /** "Today": the end of the generated history. Required. */
  now: Date;
  /** Volume factor: 1 ≈ 3 500 assets. */
  scale?: number;
  /**
   * Years GLPI has been in use before `now` (default 4.5): assets retired before that never reached
   * it. Purchase dates reach further back (about ten years), since GLPI was filled with the kit in use.
   */
  historyYears?: number;
  /** Zone of the wall-clock datetimes written (GLPI's session zone). Default Europe/Istanbul. */
  timezone?: string;
}

export type InventoryDemoSummary = {
  /** Assets written that the ETL reads (not deleted, not templates). */
  assets: number;
  /** Assets in GLPI's trash (is_deleted = 1) and templates (is_template = 1): never read. */
  deleted: number;
  templates: number;
  infocoms: number;
  byItemtype: Record<string, number>;
  byType: Record<string, number>;
  byStatus: Record<string, number>;
  /** Assets scrapped per calendar year (decommission_date). */
  scrappedByYear: Record<string, number>;
  /** Seeded faults (all on readable assets, each asset at most one). */
  faults: { noGroup: number; unknownGroup: number };
  /** What the ETL must load and quarantine without a unit map. */
  expected: { loaded: number; quarantined: number };
  /** Where groups were written: GLPI 10 columns or GLPI 11 glpi_groups_items. */
  groupLayout: 'columns' | 'groups_items';
  locations: number;
  firstPurchase: string | null;
  lastPurchase: string | null;
};

const DAY_MS = 86_400_000;
const YEAR_MS = 365.25 * DAY_MS;
/** Assets per desk slot over ten years, measured on the generator (chains, second monitors, phones, printers). */
const ASSETS_PER_DESK = 4.45;
const TARGET_ASSETS = 3500;

// ---------------------------------------------------------------------------------------------
// Places and people

/** Where each unit sits (the helpdesk demo uses the same buildings); units not listed are in the main building. */
const UNIT_SITE: Record<string, string> = {
  FEN_ISLERI: 'Fen İşleri Ek Hizmet Binası',
  PARK_BAHCE: 'Fen İşleri Ek Hizmet Binası',
  KENTSEL_DONUSUM: 'Fen İşleri Ek Hizmet Binası',
  TEMIZLIK: 'Temizlik İşleri Şantiyesi',
  IKLIM: 'Temizlik İşleri Şantiyesi',
  ZABITA: 'Zabıta Amirliği',
  KULTUR: 'Kültür Merkezi',
  GENCLIK_SPOR: 'Kültür Merkezi',
  SOSYAL_DESTEK: 'Sosyal Destek Merkezi',
  KADIN_AILE: 'Sosyal Destek Merkezi',
  SAGLIK: 'Sosyal Destek Merkezi',
  VETERINER: 'Hayvan Bakımevi',
  ISLETME: 'Sosyal Tesis',
};
const MAIN = 'Ana Hizmet Binası';
const SITES: Array<{ name: string; building: string }> = [
  { name: MAIN, building: 'A Blok' },
  { name: 'Fen İşleri Ek Hizmet Binası', building: 'Ek Bina 1' },
  { name: 'Temizlik İşleri Şantiyesi', building: 'Şantiye' },
  { name: 'Zabıta Amirliği', building: 'Ek Bina 2' },
  { name: 'Kültür Merkezi', building: 'Kültür Merkezi' },
  { name: 'Sosyal Destek Merkezi', building: 'Sosyal Destek' },
  { name: 'Hayvan Bakımevi', building: 'Bakımevi' },
  { name: 'Sosyal Tesis', building: 'Sosyal Tesis' },
];
const FLOORS = ['Zemin Kat', '1. Kat', '2. Kat', '3. Kat', '4. Kat'];
const SERVER_ROOM = 'Sistem Odası';
const DEPOT = 'Bilgi İşlem Deposu';
/** The social facilities' sales points (restaurant, café, kiosk) with POS terminals. */
const SALES_POINTS = [
  { name: 'Restoran', pos: 3 },
  { name: 'Kafeterya', pos: 2 },
  { name: 'Büfe', pos: 2 },
];

/** Share of a unit's staff with a desk (field units mostly work outside). */
const DESK_SHARE: Record<string, number> = {
  TEMIZLIK: 0.06,
  PARK_BAHCE: 0.09,
  FEN_ISLERI: 0.26,
  ZABITA: 0.25,
  VETERINER: 0.35,
  DESTEK: 0.3,
  ISLETME: 0.3,
  GENCLIK_SPOR: 0.35,
  KULTUR: 0.5,
  SOSYAL_DESTEK: 0.6,
  KADIN_AILE: 0.6,
  SAGLIK: 0.55,
  IKLIM: 0.5,
  AFET: 0.6,
};
const DEFAULT_DESK_SHARE = 0.85;
/** Share of desks with a laptop instead of a desktop. */
const LAPTOP_SHARE: Record<string, number> = { BILGI_ISLEM: 0.55, OZEL_KALEM: 0.45, STRATEJI: 0.35, PLAN_PROJE: 0.4, IMAR: 0.3 };

const IT_UNIT = 'BILGI_ISLEM';
const SECURITY_UNIT = 'DESTEK';
const POS_UNIT = 'ISLETME';
const TECH_GROUPS = { desk: 'Bilgi İşlem Şefliği', system: 'Sistem Şefliği' } as const;

// ---------------------------------------------------------------------------------------------
// Catalogue

type Itemtype = 'Computer' | 'Monitor' | 'Printer' | 'NetworkEquipment' | 'Phone';
type AssetClass = 'desktop' | 'laptop' | 'server' | 'pos' | 'monitor' | 'laser' | 'mfp' | 'receipt' | 'switch' | 'ap' | 'firewall' | 'camera' | 'phone';

interface ClassDef {
  itemtype: Itemtype;
  /** GLPI type (glpi_<x>types.name); null = none set, as is common for monitors. */
  type: string | null;
  prefix: string;
  /** Median life in years and spread. */
  life: [number, number];
  /** Price in 2016 Turkish lira. */
  price: number;
  supplier: string[];
  models: Array<{ m: string; name: string; from: number; to: number; warranty: number }>;
}

const CLASSES: Record<AssetClass, ClassDef> = {
  desktop: {
    itemtype: 'Computer',
    type: 'Masaüstü',
    prefix: 'PC',
    life: [8, 1.5],
    price: 2800,
    supplier: ['Devlet Malzeme Ofisi', 'Marmara Bilgisayar A.Ş.'],
    models: [
      { m: 'Dell Inc.', name: 'OptiPlex 3050', from: 2014, to: 2018, warranty: 36 },
      { m: 'Dell Inc.', name: 'OptiPlex 3070', from: 2019, to: 2020, warranty: 36 },
      { m: 'Dell Inc.', name: 'OptiPlex 3090', from: 2021, to: 2022, warranty: 36 },
      { m: 'Dell Inc.', name: 'OptiPlex 7010', from: 2023, to: 2030, warranty: 36 },
      { m: 'HP Inc.', name: 'ProDesk 400 G4', from: 2014, to: 2018, warranty: 36 },
      { m: 'HP Inc.', name: 'ProDesk 400 G6', from: 2019, to: 2021, warranty: 36 },
      { m: 'HP Inc.', name: 'ProDesk 400 G9', from: 2022, to: 2030, warranty: 36 },
      { m: 'Lenovo', name: 'ThinkCentre M720s', from: 2018, to: 2020, warranty: 36 },
      { m: 'Lenovo', name: 'ThinkCentre M70s', from: 2021, to: 2030, warranty: 36 },
      { m: 'Casper', name: 'Nirvana M400', from: 2014, to: 2030, warranty: 24 },
    ],
  },
  laptop: {
    itemtype: 'Computer',
    type: 'Dizüstü',
    prefix: 'NB',
    life: [6, 1.2],
    price: 3600,
    supplier: ['Devlet Malzeme Ofisi', 'Marmara Bilgisayar A.Ş.'],
    models: [
      { m: 'HP Inc.', name: 'ProBook 450 G3', from: 2014, to: 2017, warranty: 24 },
      { m: 'Dell Inc.', name: 'Latitude 3570', from: 2014, to: 2017, warranty: 24 },
      { m: 'Dell Inc.', name: 'Latitude 5490', from: 2018, to: 2020, warranty: 36 },
      { m: 'Dell Inc.', name: 'Latitude 5420', from: 2021, to: 2022, warranty: 36 },
      { m: 'Dell Inc.', name: 'Latitude 5440', from: 2023, to: 2030, warranty: 36 },
      { m: 'HP Inc.', name: 'ProBook 450 G5', from: 2017, to: 2019, warranty: 24 },
      { m: 'HP Inc.', name: 'ProBook 450 G8', from: 2020, to: 2022, warranty: 24 },
      { m: 'HP Inc.', name: 'ProBook 450 G10', from: 2023, to: 2030, warranty: 24 },
      { m: 'Lenovo', name: 'ThinkPad E14', from: 2020, to: 2030, warranty: 24 },
      { m: 'Casper', name: 'Excalibur G770', from: 2019, to: 2030, warranty: 24 },
    ],
  },
  server: {
    itemtype: 'Computer',
    type: 'Sunucu',
    prefix: 'SRV',
    life: [8, 1],
    price: 28000,
    supplier: ['Boğaziçi Ağ Teknolojileri Ltd. Şti.'],
    models: [
      { m: 'Dell Inc.', name: 'PowerEdge R730', from: 2014, to: 2018, warranty: 60 },
      { m: 'Dell Inc.', name: 'PowerEdge R740', from: 2019, to: 2021, warranty: 60 },
      { m: 'Dell Inc.', name: 'PowerEdge R750', from: 2022, to: 2030, warranty: 60 },
      { m: 'Hewlett Packard Enterprise', name: 'ProLiant DL380 Gen10', from: 2018, to: 2030, warranty: 36 },
    ],
  },
  pos: {
    itemtype: 'Computer',
    type: 'POS Terminali',
    prefix: 'POS',
    life: [6, 1],
    price: 4500,
    supplier: ['Anadolu Bilişim Ltd. Şti.'],
    models: [
      { m: 'Posiflex', name: 'XT-3815', from: 2014, to: 2020, warranty: 24 },
      { m: 'Posiflex', name: 'RT-6015', from: 2021, to: 2030, warranty: 24 },
    ],
  },
  monitor: {
    itemtype: 'Monitor',
    type: null,
    prefix: 'MON',
    life: [9, 1.5],
    price: 700,
    supplier: ['Devlet Malzeme Ofisi', 'Marmara Bilgisayar A.Ş.'],
    models: [
      { m: 'Dell Inc.', name: 'P2217H', from: 2014, to: 2018, warranty: 36 },
      { m: 'Dell Inc.', name: 'P2419H', from: 2019, to: 2021, warranty: 36 },
      { m: 'Dell Inc.', name: 'P2422H', from: 2022, to: 2030, warranty: 36 },
      { m: 'Philips', name: '223V5LSB', from: 2014, to: 2019, warranty: 36 },
      { m: 'Philips', name: '243V7QDSB', from: 2019, to: 2030, warranty: 36 },
      { m: 'Samsung', name: 'S24R350', from: 2019, to: 2024, warranty: 24 },
      { m: 'LG', name: '24MK430H', from: 2018, to: 2023, warranty: 24 },
      { m: 'HP Inc.', name: 'P24 G4', from: 2021, to: 2030, warranty: 36 },
    ],
  },
  laser: {
    itemtype: 'Printer',
    type: 'Lazer Yazıcı',
    prefix: 'YZC',
    life: [7, 1.2],
    price: 1000,
    supplier: ['Anadolu Bilişim Ltd. Şti.', 'Devlet Malzeme Ofisi'],
    models: [
      { m: 'HP Inc.', name: 'LaserJet Pro M402dn', from: 2014, to: 2019, warranty: 24 },
      { m: 'HP Inc.', name: 'LaserJet Pro M404dn', from: 2019, to: 2022, warranty: 24 },
      { m: 'HP Inc.', name: 'LaserJet Pro 4003dn', from: 2023, to: 2030, warranty: 24 },
      { m: 'Brother', name: 'HL-L5100DN', from: 2017, to: 2023, warranty: 24 },
      { m: 'Kyocera', name: 'ECOSYS P2040dn', from: 2018, to: 2030, warranty: 24 },
    ],
  },
  mfp: {
    itemtype: 'Printer',
    type: 'Çok Fonksiyonlu Yazıcı',
    prefix: 'YZC',
    life: [6.5, 1.2],
    price: 2400,
    supplier: ['Anadolu Bilişim Ltd. Şti.'],
    models: [
      { m: 'Samsung', name: 'Xpress M2070', from: 2014, to: 2018, warranty: 24 },
      { m: 'Kyocera', name: 'ECOSYS M2540dn', from: 2017, to: 2023, warranty: 24 },
      { m: 'Canon', name: 'i-SENSYS MF443dw', from: 2019, to: 2030, warranty: 24 },
      { m: 'HP Inc.', name: 'LaserJet Pro MFP M428fdn', from: 2019, to: 2024, warranty: 24 },
      { m: 'Kyocera', name: 'ECOSYS MA4000fx', from: 2023, to: 2030, warranty: 24 },
    ],
  },
  receipt: {
    itemtype: 'Printer',
    type: 'Fiş Yazıcısı',
    prefix: 'FIS',
    life: [6, 1],
    price: 600,
    supplier: ['Anadolu Bilişim Ltd. Şti.'],
    models: [
      { m: 'Epson', name: 'TM-T20II', from: 2014, to: 2018, warranty: 12 },
      { m: 'Epson', name: 'TM-T20III', from: 2018, to: 2030, warranty: 24 },
    ],
  },
  switch: {
    itemtype: 'NetworkEquipment',
    type: 'Switch',
    prefix: 'SW',
    life: [9, 1],
    price: 4500,
    supplier: ['Boğaziçi Ağ Teknolojileri Ltd. Şti.'],
    models: [
      { m: 'Cisco', name: 'Catalyst 2960-X 48', from: 2014, to: 2020, warranty: -1 },
      { m: 'HPE Aruba', name: '2930F 48G', from: 2019, to: 2030, warranty: -1 },
      { m: 'Cisco', name: 'Catalyst 9200L 48', from: 2021, to: 2030, warranty: -1 },
      { m: 'Huawei', name: 'S5735-L48T4X', from: 2020, to: 2030, warranty: 36 },
    ],
  },
  ap: {
    itemtype: 'NetworkEquipment',
    type: 'Kablosuz Erişim Noktası',
    prefix: 'AP',
    life: [7, 1],
    price: 900,
    supplier: ['Boğaziçi Ağ Teknolojileri Ltd. Şti.'],
    models: [
      { m: 'Ubiquiti', name: 'UniFi AP AC Pro', from: 2014, to: 2021, warranty: 12 },
      { m: 'Ubiquiti', name: 'UniFi U6 Pro', from: 2021, to: 2030, warranty: 12 },
      { m: 'HPE Aruba', name: 'AP-505', from: 2020, to: 2030, warranty: -1 },
    ],
  },
  firewall: {
    itemtype: 'NetworkEquipment',
    type: 'Güvenlik Duvarı',
    prefix: 'FW',
    life: [6, 0.8],
    price: 14000,
    supplier: ['Boğaziçi Ağ Teknolojileri Ltd. Şti.'],
    models: [
      { m: 'Fortinet', name: 'FortiGate 100E', from: 2014, to: 2020, warranty: 12 },
      { m: 'Fortinet', name: 'FortiGate 100F', from: 2020, to: 2030, warranty: 12 },
    ],
  },
  camera: {
    itemtype: 'NetworkEquipment',
    type: 'IP Kamera',
    prefix: 'KAM',
    life: [6, 1.2],
    price: 850,
    supplier: ['Boğaziçi Ağ Teknolojileri Ltd. Şti.', 'Anadolu Bilişim Ltd. Şti.'],
    models: [
      { m: 'Hikvision', name: 'DS-2CD2143G0-I', from: 2014, to: 2021, warranty: 24 },
      { m: 'Hikvision', name: 'DS-2CD2143G2-I', from: 2021, to: 2030, warranty: 24 },
      { m: 'Dahua', name: 'IPC-HFW2431S', from: 2018, to: 2024, warranty: 24 },
    ],
  },
  phone: {
    itemtype: 'Phone',
    type: 'IP Telefon',
    prefix: 'TEL',
    life: [9.5, 1.5],
    price: 450,
    supplier: ['Boğaziçi Ağ Teknolojileri Ltd. Şti.'],
    models: [
      { m: 'Cisco', name: 'IP Phone 7821', from: 2014, to: 2021, warranty: 12 },
      { m: 'Grandstream', name: 'GXP1625', from: 2014, to: 2022, warranty: 24 },
      { m: 'Alcatel-Lucent', name: '8018 DeskPhone', from: 2017, to: 2023, warranty: 24 },
      { m: 'Yealink', name: 'SIP-T31P', from: 2020, to: 2030, warranty: 24 },
    ],
  },
};

/** Price index of IT equipment in Turkish lira (2016 = 1): the lira's slide makes a 2024 PC cost many times a 2016 one. */
const PRICE_INDEX: Record<number, number> = {
  2012: 0.7,
  2013: 0.75,
  2014: 0.82,
  2015: 0.9,
  2016: 1,
  2017: 1.12,
  2018: 1.4,
  2019: 1.62,
  2020: 1.95,
  2021: 2.6,
  2022: 5.3,
  2023: 8.6,
  2024: 12.6,
  2025: 15.6,
  2026: 18.4,
  2027: 21,
  2028: 24,
};

const SUPPLIERS = ['Devlet Malzeme Ofisi', 'Marmara Bilgisayar A.Ş.', 'Anadolu Bilişim Ltd. Şti.', 'Boğaziçi Ağ Teknolojileri Ltd. Şti.'];

/** GLPI states the municipality uses (glpi_states.name) and Pano's class for each. */
export const DEMO_STATES = {
  inUse: 'Kullanımda',
  inStock: 'Depoda',
  faulty: 'Arızalı',
  retired: 'Kullanım dışı',
  scrapped: 'Hurdaya ayrıldı',
} as const;

// ---------------------------------------------------------------------------------------------
// SQLite schema (GLPI 10.0.19 names; see tests/etl/demo/inventory-demo.test.ts)

type T = Knex.CreateTableBuilder;
const int0 = (t: T, name: string) => t.integer(name).notNullable().defaultTo(0);
const flag = (t: T, name: string, dflt: 0 | 1) => t.tinyint(name).notNullable().defaultTo(dflt);
const ts = (t: T, name: string) => t.timestamp(name, { useTz: false }).nullable().defaultTo(null);
const str = (t: T, name: string) => t.string(name, 255).nullable().defaultTo(null);

const ASSET_TABLES: Record<Itemtype, { table: string; typeTable: string; typeFk: string; modelTable: string; modelFk: string; extra: (t: T) => void }> = {
  Computer: {
    table: 'glpi_computers',
    typeTable: 'glpi_computertypes',
    typeFk: 'computertypes_id',
    modelTable: 'glpi_computermodels',
    modelFk: 'computermodels_id',
    extra: () => undefined,
  },
  Monitor: {
    table: 'glpi_monitors',
    typeTable: 'glpi_monitortypes',
    typeFk: 'monitortypes_id',
    modelTable: 'glpi_monitormodels',
    modelFk: 'monitormodels_id',
    extra: (t) => {
      t.decimal('size', 5, 2).notNullable().defaultTo(0);
      flag(t, 'have_hdmi', 0);
      flag(t, 'have_displayport', 0);
    },
  },
  Printer: {
    table: 'glpi_printers',
    typeTable: 'glpi_printertypes',
    typeFk: 'printertypes_id',
    modelTable: 'glpi_printermodels',
    modelFk: 'printermodels_id',
    extra: (t) => {
      flag(t, 'have_ethernet', 0);
      flag(t, 'have_usb', 0);
      int0(t, 'last_pages_counter');
    },
  },
  NetworkEquipment: {
    table: 'glpi_networkequipments',
    typeTable: 'glpi_networkequipmenttypes',
    typeFk: 'networkequipmenttypes_id',
    modelTable: 'glpi_networkequipmentmodels',
    modelFk: 'networkequipmentmodels_id',
    extra: (t) => {
      t.integer('ram').nullable();
    },
  },
  Phone: {
    table: 'glpi_phones',
    typeTable: 'glpi_phonetypes',
    typeFk: 'phonetypes_id',
    modelTable: 'glpi_phonemodels',
    modelFk: 'phonemodels_id',
    extra: (t) => {
      str(t, 'number_line');
      flag(t, 'have_headset', 0);
    },
  },
};
const ITEMTYPES = Object.keys(ASSET_TABLES) as Itemtype[];

/** Tables the inventory demo owns in the SQLite demo GLPI (dropped and recreated on every generation). */
export const GLPI_ASSET_DEMO_TABLES: readonly string[] = [
  'glpi_manufacturers',
  'glpi_states',
  'glpi_suppliers',
  ...ITEMTYPES.flatMap((i) => [ASSET_TABLES[i].typeTable, ASSET_TABLES[i].modelTable, ASSET_TABLES[i].table]),
  'glpi_infocoms',
  'glpi_groups_items',
];

/**
 * Creates the asset tables in the SQLite demo GLPI (dropping earlier ones), with GLPI 10.0's
 * layout (groups on the asset) or GLPI 11.0's (glpi_groups_items). Not for MariaDB: a real GLPI
 * has its own install schema.
 */
export async function createGlpiAssetDemoTables(knex: Knex, opts: { layout?: 'glpi10' | 'glpi11' } = {}): Promise<void> {
  const client = String(knex.client.config.client);
  if (!/sqlite/.test(client)) {
    throw new Error(`createGlpiAssetDemoTables is for the SQLite demo source; on ${client} GLPI's own install schema has the asset tables`);
  }
  const glpi11 = opts.layout === 'glpi11';
  for (const name of [...GLPI_ASSET_DEMO_TABLES].reverse()) await knex.schema.dropTableIfExists(name);
  const dropdown = (withProduct: boolean) => (t: T) => {
    t.increments('id');
    str(t, 'name');
    t.text('comment');
    if (withProduct) str(t, 'product_number');
    ts(t, 'date_mod');
    ts(t, 'date_creation');
    t.index(['name'], undefined);
  };
  await knex.schema.createTable('glpi_manufacturers', dropdown(false));
  await knex.schema.createTable('glpi_states', (t) => {
    t.increments('id');
    str(t, 'name');
    int0(t, 'entities_id');
    flag(t, 'is_recursive', 0);
    t.text('comment');
    int0(t, 'states_id');
    t.text('completename');
    t.integer('level').notNullable().defaultTo(0);
    for (const v of ['computer', 'monitor', 'networkequipment', 'peripheral', 'phone', 'printer']) flag(t, `is_visible_${v}`, 1);
    ts(t, 'date_mod');
    ts(t, 'date_creation');
    t.unique(['states_id', 'name'], { indexName: 'glpi_states_unicity' });
  });
  await knex.schema.createTable('glpi_suppliers', (t) => {
    t.increments('id');
    int0(t, 'entities_id');
    flag(t, 'is_recursive', 0);
    str(t, 'name');
    int0(t, 'suppliertypes_id');
    str(t, 'registration_number');
    str(t, 'town');
    str(t, 'country');
    t.text('comment');
    flag(t, 'is_deleted', 0);
    ts(t, 'date_mod');
    ts(t, 'date_creation');
    flag(t, 'is_active', 0);
  });
  for (const it of ITEMTYPES) {
    const d = ASSET_TABLES[it];
    await knex.schema.createTable(d.typeTable, dropdown(false));
    await knex.schema.createTable(d.modelTable, dropdown(true));
    await knex.schema.createTable(d.table, (t) => {
      t.increments('id');
      int0(t, 'entities_id');
      flag(t, 'is_recursive', 0);
      str(t, 'name');
      str(t, 'serial');
      str(t, 'otherserial');
      str(t, 'contact');
      int0(t, 'users_id_tech');
      if (!glpi11) int0(t, 'groups_id_tech');
      t.text('comment');
      ts(t, 'date_mod');
      int0(t, 'locations_id');
      int0(t, d.typeFk);
      int0(t, d.modelFk);
      int0(t, 'manufacturers_id');
      flag(t, 'is_template', 0);
      str(t, 'template_name');
      flag(t, 'is_deleted', 0);
      flag(t, 'is_dynamic', 0);
      int0(t, 'users_id');
      if (!glpi11) int0(t, 'groups_id');
      int0(t, 'states_id');
      str(t, 'uuid');
      ts(t, 'date_creation');
      d.extra(t);
      t.index(['is_deleted'], undefined);
      t.index(['is_template'], undefined);
    });
  }
  await knex.schema.createTable('glpi_infocoms', (t) => {
    t.increments('id');
    int0(t, 'items_id');
    t.string('itemtype', 100).notNullable();
    int0(t, 'entities_id');
    flag(t, 'is_recursive', 0);
    t.date('buy_date').nullable();
    t.date('use_date').nullable();
    t.integer('warranty_duration').notNullable().defaultTo(0);
    str(t, 'warranty_info');
    int0(t, 'suppliers_id');
    str(t, 'order_number');
    str(t, 'delivery_number');
    str(t, 'immo_number');
    t.decimal('value', 20, 4).notNullable().defaultTo(0);
    t.decimal('warranty_value', 20, 4).notNullable().defaultTo(0);
    t.text('comment');
    str(t, 'bill');
    t.date('order_date').nullable();
    t.date('delivery_date').nullable();
    t.date('warranty_date').nullable();
    ts(t, 'date_mod');
    ts(t, 'date_creation');
    ts(t, 'decommission_date');
    t.unique(['itemtype', 'items_id'], { indexName: 'glpi_infocoms_unicity' });
  });
  if (glpi11) {
    await knex.schema.createTable('glpi_groups_items', (t) => {
      t.increments('id');
      int0(t, 'groups_id');
      t.string('itemtype', 255).notNullable().defaultTo('');
      int0(t, 'items_id');
      t.tinyint('type').notNullable();
      t.unique(['groups_id', 'itemtype', 'items_id', 'type'], { indexName: 'glpi_groups_items_unicity' });
      t.index(['itemtype', 'items_id'], 'glpi_groups_items_item');
    });
  }
}

// ---------------------------------------------------------------------------------------------
// Entry points

/**
 * `pano demo`: writes the demo inventory into the demo GLPI SQLite database
 * (`config.sources.glpi.url`, created first by the helpdesk demo). Refuses any other database: a
 * real GLPI is filled only on purpose, with generateGlpiAssetsDemo (integration tests).
 */
export async function generateInventoryDemo(config: PanoConfig, opts: { seed: number; now: Date; scale: number }): Promise<InventoryDemoSummary> {
  const url = config.sources.glpi.url;
  if (!url.startsWith('sqlite:')) {
    throw new PanoError(`The inventory demo writes only into the SQLite demo GLPI; PANO_GLPI_URL points at ${url.replace(/\/\/[^@/]*@/, '//***@')}`, {
      code: 'demo_target_not_sqlite',
    });
  }
  const file = path.resolve(url.slice('sqlite:'.length).replace(/^\/\//, ''));
  if (!fs.existsSync(file)) {
    throw new PanoError(`The demo GLPI database ${file} does not exist: generate the helpdesk demo first (createGlpiDemoSource)`, {
      code: 'demo_glpi_missing',
    });
  }
  const db = knexFactory({ client: 'better-sqlite3', connection: { filename: file }, useNullAsDefault: true });
  try {
    await db.raw('PRAGMA journal_mode = MEMORY');
    await db.raw('PRAGMA synchronous = OFF');
    for (const t of ['glpi_groups', 'glpi_locations', 'glpi_entities']) {
      if (!(await db.schema.hasTable(t)))
        throw new PanoError(`The demo GLPI database ${file} has no ${t}: generate the helpdesk demo first`, { code: 'demo_glpi_missing' });
    }
    await createGlpiAssetDemoTables(db);
    const summary = await generateGlpiAssetsDemo(db, { seed: opts.seed, now: opts.now, scale: opts.scale, timezone: config.sources.glpi.timezone });
    await db.raw('PRAGMA journal_mode = DELETE');
    return summary;
  } finally {
    await db.destroy();
  }
}

/**
 * Fills the asset tables of a GLPI database (SQLite demo or a real GLPI 10/11 MariaDB install)
 * that has no assets yet. Groups, locations, states, manufacturers, types, models and suppliers are
 * found by name or created. One transaction.
 */
export async function generateGlpiAssetsDemo(knex: Knex, opts: InventoryDemoOptions): Promise<InventoryDemoSummary> {
  const seed = opts.seed ?? 42;
  const scale = opts.scale ?? 1;
  const years = opts.historyYears ?? 4.5;
  const timezone = opts.timezone ?? 'Europe/Istanbul';
  if (!(opts.now instanceof Date) || !Number.isFinite(opts.now.getTime())) throw new RangeError('generateGlpiAssetsDemo: `now` must be a valid Date');
  if (!(scale >= 0) || scale > 1000) throw new RangeError(`generateGlpiAssetsDemo: scale must be in [0, 1000], got ${scale}`);
  if (!(years >= 0.5) || years > 30) throw new RangeError(`generateGlpiAssetsDemo: historyYears must be in [0.5, 30], got ${years}`);

  const groupLayout: InventoryDemoSummary['groupLayout'] = (await knex.schema.hasColumn('glpi_computers', 'groups_id')) ? 'columns' : 'groups_items';
  if (groupLayout === 'groups_items' && !(await knex.schema.hasTable('glpi_groups_items'))) {
    throw new PanoError('glpi_computers has no groups_id and glpi_groups_items does not exist: not a GLPI 10 or 11 asset schema', {
      code: 'demo_target_unknown',
    });
  }
  const nowMs = Math.floor(opts.now.getTime() / 1000) * 1000;
  const clock = zoneClock(timezone);

  return knex.transaction(async (trx) => {
    for (const it of ITEMTYPES) {
      const row = (await trx(ASSET_TABLES[it].table).count({ n: '*' }).first()) as { n: number | string } | undefined;
      if (Number(row?.n ?? 0) > 0) {
        throw new PanoError(
          `generateGlpiAssetsDemo: ${ASSET_TABLES[it].table} already has ${row?.n} rows; the demo generator only fills a GLPI without assets`,
          { code: 'demo_target_not_empty' },
        );
      }
    }
    const ctx: Ctx = { trx, clock, rng: new DemoRandom((seed ^ 0x1a55e7) >>> 0), nowMs, startMs: nowMs - years * YEAR_MS, groupLayout };
    const ref = await writeReferenceData(ctx);
    const plan = planAssets(ctx, scale);
    return writeAssets(ctx, ref, plan);
  });
}

// ---------------------------------------------------------------------------------------------
// Reference data

interface Ctx {
  trx: Knex.Transaction;
  clock: ZoneClock;
  rng: DemoRandom;
  nowMs: number;
  startMs: number;
  groupLayout: InventoryDemoSummary['groupLayout'];
}

interface RefData {
  unitGroup: Map<string, number>;
  legacyGroup: number;
  techGroup: Record<keyof typeof TECH_GROUPS, number>;
  /** completename → id */
  location: Map<string, number>;
  state: Record<keyof typeof DEMO_STATES, number>;
  manufacturer: Map<string, number>;
  supplier: Map<string, number>;
  /** `${itemtype}:${type name}` → id */
  type: Map<string, number>;
  /** `${itemtype}:${model name}` → id */
  model: Map<string, number>;
}

async function writeReferenceData(ctx: Ctx): Promise<RefData> {
  const setupAt = ctx.clock.format(ctx.startMs - 120 * DAY_MS);
  const stamps = { date_creation: setupAt, date_mod: setupAt };
  const entity = { entities_id: 0, is_recursive: 1 };

  // Groups: one per unit (the helpdesk demo's requester groups, found by name), the legacy group, the IT teams.
  const groupBase = {
    ...entity,
    level: 1,
    groups_id: 0,
    is_requester: 1,
    is_watcher: 1,
    is_assign: 0,
    is_task: 0,
    is_notify: 1,
    is_itemgroup: 1,
    is_usergroup: 1,
    is_manager: 1,
    ...stamps,
  };
  const groups = await ensureRows(ctx.trx, 'glpi_groups', 'completename', [
    ...UNITS.map((u) => ({ ...groupBase, name: u.name, completename: u.name, comment: `Birim kodu ${u.code}` })),
    { ...groupBase, name: LEGACY_GROUP_NAME, completename: LEGACY_GROUP_NAME, comment: "Mali Hizmetler Müdürlüğü'ne bağlanan eski birim; grup GLPI'da kaldı." },
  ]);
  const itName = UNITS.find((u) => u.code === IT_UNIT)!.name;
  const itGroups = await ensureRows(
    ctx.trx,
    'glpi_groups',
    'completename',
    Object.values(TECH_GROUPS).map((g) => ({
      ...groupBase,
      level: 2,
      groups_id: groups.ids.get(itName)!,
      name: g,
      completename: `${itName} > ${g}`,
      is_requester: 0,
      is_assign: 1,
      is_task: 1,
    })),
  );

  // Locations: the buildings, the main building's floors, the server room and depot, the social facilities' sales points.
  const sites = await ensureRows(
    ctx.trx,
    'glpi_locations',
    'completename',
    SITES.map((s) => ({
      ...entity,
      name: s.name,
      completename: s.name,
      locations_id: 0,
      level: 1,
      building: s.building,
      town: 'Sultanbeyli',
      ...stamps,
    })),
  );
  const children = [
    ...[...FLOORS, SERVER_ROOM, DEPOT].map((f) => ({ parent: MAIN, name: f })),
    ...SALES_POINTS.map((p) => ({ parent: 'Sosyal Tesis', name: p.name })),
  ];
  const rooms = await ensureRows(
    ctx.trx,
    'glpi_locations',
    'completename',
    children.map((c) => ({
      ...entity,
      name: c.name,
      completename: `${c.parent} > ${c.name}`,
      locations_id: sites.ids.get(c.parent)!,
      level: 2,
      building: SITES.find((s) => s.name === c.parent)!.building,
      town: 'Sultanbeyli',
      ...stamps,
    })),
  );

  const states = await ensureRows(
    ctx.trx,
    'glpi_states',
    'name',
    Object.values(DEMO_STATES).map((name) => ({
      name,
      completename: name,
      ...entity,
      states_id: 0,
      level: 1,
      ...stamps,
    })),
  );
  const manufacturers = await ensureRows(
    ctx.trx,
    'glpi_manufacturers',
    'name',
    [...new Set(Object.values(CLASSES).flatMap((c) => c.models.map((m) => m.m)))].map((name) => ({ name, ...stamps })),
  );
  const suppliers = await ensureRows(
    ctx.trx,
    'glpi_suppliers',
    'name',
    SUPPLIERS.map((name) => ({ ...entity, name, town: name === 'Devlet Malzeme Ofisi' ? 'Ankara' : 'İstanbul', country: 'Türkiye', is_active: 1, ...stamps })),
  );

  const type = new Map<string, number>();
  const model = new Map<string, number>();
  for (const it of ITEMTYPES) {
    const defs = Object.values(CLASSES).filter((c) => c.itemtype === it);
    const typeNames = [...new Set(defs.map((c) => c.type).filter((t): t is string => t !== null))];
    const tr = await ensureRows(
      ctx.trx,
      ASSET_TABLES[it].typeTable,
      'name',
      typeNames.map((name) => ({ name, ...stamps })),
    );
    for (const [name, id] of tr.ids) type.set(`${it}:${name}`, id);
    const modelNames = [...new Set(defs.flatMap((c) => c.models.map((m) => m.name)))];
    const mr = await ensureRows(
      ctx.trx,
      ASSET_TABLES[it].modelTable,
      'name',
      modelNames.map((name) => ({ name, ...stamps })),
    );
    for (const [name, id] of mr.ids) model.set(`${it}:${name}`, id);
  }

  return {
    unitGroup: new Map(UNITS.map((u) => [u.code, groups.ids.get(u.name)!])),
    legacyGroup: groups.ids.get(LEGACY_GROUP_NAME)!,
    techGroup: { desk: itGroups.ids.get(`${itName} > ${TECH_GROUPS.desk}`)!, system: itGroups.ids.get(`${itName} > ${TECH_GROUPS.system}`)! },
    location: new Map([...sites.ids, ...rooms.ids]),
    state: {
      inUse: states.ids.get(DEMO_STATES.inUse)!,
      inStock: states.ids.get(DEMO_STATES.inStock)!,
      faulty: states.ids.get(DEMO_STATES.faulty)!,
      retired: states.ids.get(DEMO_STATES.retired)!,
      scrapped: states.ids.get(DEMO_STATES.scrapped)!,
    },
    manufacturer: manufacturers.ids,
    supplier: suppliers.ids,
    type,
    model,
  };
}

// ---------------------------------------------------------------------------------------------
// Planning: slots and their chains of assets

type StateKey = keyof typeof DEMO_STATES;

interface PlannedAsset {
  cls: AssetClass;
  unit: string;
  location: string;
  techGroup: keyof typeof TECH_GROUPS;
  buyMs: number;
  state: StateKey;
  /** Instant it left service (retired), and when it was scrapped (decommission), if so. */
  retiredMs: number | null;
  scrappedMs: number | null;
  faulty: boolean;
}

interface Slot {
  cls: AssetClass;
  unit: string;
  location: string;
  techGroup: keyof typeof TECH_GROUPS;
  /** A slot added in the last years (the unit grew) rather than one as old as the history. */
  recent: boolean;
}

function planAssets(ctx: Ctx, scale: number): PlannedAsset[] {
  const { rng } = ctx;
  const slots: Slot[] = [];
  const desksWanted = (TARGET_ASSETS * scale) / ASSETS_PER_DESK;
  const weights = UNITS.map((u) => u.staff * (DESK_SHARE[u.code] ?? DEFAULT_DESK_SHARE));
  const desks = apportion(weights, Math.round(desksWanted));
  const desksAtSite = new Map<string, number>();
  const mainUnits = UNITS.filter((u) => !UNIT_SITE[u.code]);

  UNITS.forEach((u, i) => {
    const n = desks[i];
    if (n === 0) return;
    const site = UNIT_SITE[u.code] ?? MAIN;
    const location = site === MAIN ? `${MAIN} > ${floorOf(u, mainUnits)}` : site === 'Sosyal Tesis' ? 'Sosyal Tesis' : site;
    desksAtSite.set(site, (desksAtSite.get(site) ?? 0) + n);
    const laptopShare = LAPTOP_SHARE[u.code] ?? 0.15;
    for (let d = 0; d < n; d++) {
      const recent = rng.chance(0.12);
      slots.push({ cls: rng.chance(laptopShare) ? 'laptop' : 'desktop', unit: u.code, location, techGroup: 'desk', recent });
      slots.push({ cls: 'monitor', unit: u.code, location, techGroup: 'desk', recent });
      if (rng.chance(0.18)) slots.push({ cls: 'monitor', unit: u.code, location, techGroup: 'desk', recent: true });
      if (rng.chance(0.62)) slots.push({ cls: 'phone', unit: u.code, location, techGroup: 'system', recent });
    }
    for (let p = 0; p < Math.max(1, Math.round(n / 7)); p++) {
      slots.push({ cls: rng.chance(0.4) ? 'mfp' : 'laser', unit: u.code, location, techGroup: 'desk', recent: rng.chance(0.1) });
    }
  });

  // Network: switches and access points per building, cameras (security: Destek Hizmetleri), central kit in the server room.
  const atLeast = (x: number) => Math.max(1, Math.round(x));
  for (const s of SITES) {
    const n = desksAtSite.get(s.name) ?? 0;
    if (n === 0 && s.name !== 'Sosyal Tesis') continue;
    for (let i = 0; i < Math.ceil(n / 22) + 1; i++) slots.push({ cls: 'switch', unit: IT_UNIT, location: s.name, techGroup: 'system', recent: false });
    for (let i = 0; i < Math.ceil(n / 28) + 1; i++) slots.push({ cls: 'ap', unit: IT_UNIT, location: s.name, techGroup: 'system', recent: rng.chance(0.3) });
    for (let i = 0; i < atLeast(scale * 3) + Math.round(n / 35); i++)
      slots.push({ cls: 'camera', unit: SECURITY_UNIT, location: s.name, techGroup: 'system', recent: rng.chance(0.25) });
  }
  const room = `${MAIN} > ${SERVER_ROOM}`;
  for (let i = 0; i < atLeast(scale * 10); i++) slots.push({ cls: 'server', unit: IT_UNIT, location: room, techGroup: 'system', recent: rng.chance(0.2) });
  for (let i = 0; i < atLeast(scale * 2); i++) slots.push({ cls: 'firewall', unit: IT_UNIT, location: room, techGroup: 'system', recent: false });
  for (let i = 0; i < atLeast(scale * 2); i++) slots.push({ cls: 'switch', unit: IT_UNIT, location: room, techGroup: 'system', recent: false });
  // The social facilities' sales points: POS terminals with receipt printers.
  for (const p of SALES_POINTS) {
    for (let i = 0; i < atLeast(scale * p.pos); i++) {
      const location = `Sosyal Tesis > ${p.name}`;
      slots.push({ cls: 'pos', unit: POS_UNIT, location, techGroup: 'desk', recent: false });
      slots.push({ cls: 'receipt', unit: POS_UNIT, location, techGroup: 'desk', recent: false });
    }
  }

  const out: PlannedAsset[] = [];
  for (const slot of slots) chainOf(ctx, slot, out);

  // Spares in the IT depot: a few recent purchases of the common kinds, not yet handed out.
  const depot = `${MAIN} > ${DEPOT}`;
  const current = out.filter((a) => a.state === 'inUse');
  for (const cls of ['desktop', 'laptop', 'monitor', 'laser', 'phone', 'switch'] as AssetClass[]) {
    const inUse = current.filter((a) => a.cls === cls).length;
    const n = Math.round(inUse * 0.025) + (inUse > 0 ? rng.int(0, 2) : 0);
    for (let i = 0; i < n; i++) {
      out.push({
        cls,
        unit: IT_UNIT,
        location: depot,
        techGroup: 'desk',
        buyMs: ctx.nowMs - rng.int(5, 200) * DAY_MS,
        state: 'inStock',
        retiredMs: null,
        scrappedMs: null,
        faulty: false,
      });
    }
  }
  return out;
}

/** One slot's assets: bought, retired after its life, scrapped at the next commission, replaced. */
function chainOf(ctx: Ctx, slot: Slot, out: PlannedAsset[]): void {
  const { rng, nowMs, startMs } = ctx;
  const def = CLASSES[slot.cls];
  const [lifeMed, lifeSd] = def.life;
  const life = () => Math.max(2.5, lifeMed + lifeSd * rng.normal()) * YEAR_MS;
  // The slot's first asset: a recent slot's within the last 3 years; an old slot's phase is anywhere in
  // a life before GLPI was adopted (it was filled with the kit already in use), so retirements and
  // scrappings happen every year. Assets retired before the adoption never reached GLPI.
  let buy = slot.recent ? nowMs - rng.next() * 3 * YEAR_MS : startMs - rng.next() * lifeMed * YEAR_MS;
  for (let guard = 0; guard < 12; guard++) {
    const end = buy + life();
    if (end >= nowMs) {
      const faulty = rng.chance(slot.cls === 'laser' || slot.cls === 'mfp' ? 0.05 : 0.025);
      out.push({ ...slot, buyMs: buy, state: faulty ? 'faulty' : 'inUse', retiredMs: null, scrappedMs: null, faulty });
      return;
    }
    if (end >= startMs) {
      const commission = nextCommission(ctx, end + 20 * DAY_MS);
      const scrapped = commission <= nowMs;
      out.push({
        ...slot,
        location: scrapped ? slot.location : `${MAIN} > ${DEPOT}`,
        buyMs: buy,
        state: scrapped ? 'scrapped' : 'retired',
        retiredMs: end,
        scrappedMs: scrapped ? commission : null,
        faulty: false,
      });
    }
    buy = end + rng.int(2, 45) * DAY_MS;
    if (buy >= nowMs) return;
  }
}

/** The scrapping commission meets on 15 June and 15 December, 10:00 local time. */
function nextCommission(ctx: Ctx, fromMs: number): number {
  const local = new Date(ctx.clock.epochToLocal(fromMs));
  const y = local.getUTCFullYear();
  for (const [yy, m] of [
    [y, 5],
    [y, 11],
    [y + 1, 5],
    [y + 1, 11],
  ] as const) {
    const t = ctx.clock.localToEpoch(Date.UTC(yy, m, 15, 10, 0, 0));
    if (t >= fromMs) return t;
  }
  return ctx.clock.localToEpoch(Date.UTC(y + 2, 5, 15, 10, 0, 0));
}

function floorOf(u: Unit, mainUnits: Unit[]): string {
  if (u.code === 'OZEL_KALEM') return '4. Kat';
  if (u.code === IT_UNIT) return 'Zemin Kat';
  const i = mainUnits.filter((x) => x.code !== 'OZEL_KALEM' && x.code !== IT_UNIT).findIndex((x) => x.code === u.code);
  return FLOORS[i % FLOORS.length];
}

/** Splits `total` into integers proportional to `weights` (largest remainder). */
function apportion(weights: number[], total: number): number[] {
  const sum = weights.reduce((a, b) => a + b, 0);
  if (sum <= 0 || total <= 0) return weights.map(() => 0);
  const exact = weights.map((w) => (w / sum) * total);
  const base = exact.map(Math.floor);
  let left = total - base.reduce((a, b) => a + b, 0);
  const order = exact.map((e, i) => [e - Math.floor(e), i] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  for (const [, i] of order) {
    if (left <= 0) break;
    base[i]++;
    left--;
  }
  return base;
}

// ---------------------------------------------------------------------------------------------
// Writing

async function writeAssets(ctx: Ctx, ref: RefData, plan: PlannedAsset[]): Promise<InventoryDemoSummary> {
  const { rng, clock, nowMs } = ctx;
  const wc = (ms: number) => clock.format(ms);
  const day = (ms: number) => clock.formatDate(ms);
  // Purchases in time order, so ids grow with purchase dates as in a real GLPI.
  plan.sort((a, b) => a.buyMs - b.buyMs);

  // Faults on assets in use (not network kit, which belongs to Bilgi İşlem anyway).
  const candidates = plan
    .map((a, i) => [a, i] as const)
    .filter(([a]) => a.state === 'inUse' && CLASSES[a.cls].itemtype !== 'NetworkEquipment')
    .map(([, i]) => i);
  const marks = new Map<number, 'noGroup' | 'unknownGroup' | 'deleted'>();
  const pickMarks = (kind: 'noGroup' | 'unknownGroup' | 'deleted', count: number, pool: number[]) => {
    for (let placed = 0, guard = 0; placed < count && guard < count * 200 && pool.length; guard++) {
      const i = pool[rng.int(0, pool.length - 1)];
      if (marks.has(i)) continue;
      marks.set(i, kind);
      placed++;
    }
  };
  pickMarks('noGroup', Math.max(3, Math.round(plan.length * 0.004)), candidates);
  pickMarks('unknownGroup', Math.max(2, Math.round(plan.length * 0.002)), candidates);
  pickMarks(
    'deleted',
    Math.max(2, Math.round(plan.length * 0.004)),
    plan.map((_, i) => i),
  );

  const summary: InventoryDemoSummary = {
    assets: 0,
    deleted: 0,
    templates: 0,
    infocoms: 0,
    byItemtype: {},
    byType: {},
    byStatus: {},
    scrappedByYear: {},
    faults: { noGroup: 0, unknownGroup: 0 },
    expected: { loaded: 0, quarantined: 0 },
    groupLayout: ctx.groupLayout,
    locations: ref.location.size,
    firstPurchase: null,
    lastPurchase: null,
  };
  const out = new BatchWriter(ctx.trx, 5000);
  const nextId: Record<Itemtype, number> = { Computer: 0, Monitor: 0, Printer: 0, NetworkEquipment: 0, Phone: 0 };
  const seqByPrefix = new Map<string, number>();
  let infocomId = 0;
  let groupLinkId = 0;
  const linkGroup = async (itemtype: Itemtype, id: number, groupId: number, type: 1 | 2) => {
    if (ctx.groupLayout !== 'groups_items' || groupId === 0) return;
    await out.add('glpi_groups_items', { id: ++groupLinkId, groups_id: groupId, itemtype, items_id: id, type });
  };

  // Templates (one per itemtype): GLPI keeps them in the asset tables; Pano must never count them.
  for (const it of ITEMTYPES) {
    const id = ++nextId[it];
    const d = ASSET_TABLES[it];
    const row: Record<string, unknown> = {
      id,
      entities_id: 0,
      is_recursive: 1,
      name: null,
      is_template: 1,
      template_name: `Standart ${it === 'Computer' ? 'masaüstü' : it.toLowerCase()}`,
      is_deleted: 0,
      is_dynamic: 0,
      states_id: ref.state.inStock,
      locations_id: 0,
      manufacturers_id: 0,
      [d.typeFk]: 0,
      [d.modelFk]: 0,
      date_creation: wc(ctx.startMs),
      date_mod: wc(ctx.startMs),
    };
    if (ctx.groupLayout === 'columns') Object.assign(row, { groups_id: 0, groups_id_tech: 0 });
    await out.add(d.table, row);
    summary.templates++;
  }

  for (let i = 0; i < plan.length; i++) {
    const a = plan[i];
    const def = CLASSES[a.cls];
    const it = def.itemtype;
    const d = ASSET_TABLES[it];
    const id = ++nextId[it];
    const mark = marks.get(i);
    const buyYear = Number(day(a.buyMs).slice(0, 4));
    const models = def.models.filter((m) => buyYear >= m.from && buyYear <= m.to);
    const model = rng.pick(models.length ? models : def.models);
    const unit = UNITS.find((u) => u.code === a.unit)!;
    const seqKey = `${a.unit}:${def.prefix}`;
    const seq = (seqByPrefix.get(seqKey) ?? 0) + 1;
    seqByPrefix.set(seqKey, seq);

    const delivered = a.buyMs + rng.int(0, 12) * DAY_MS;
    const createdMs = Math.min(nowMs, atLocalMinute(clock, delivered + rng.int(0, 5) * DAY_MS, rng.int(9 * 60, 17 * 60)));
    const dynamic = it === 'Computer' && a.cls !== 'pos' && (a.state === 'inUse' || a.state === 'faulty');
    let modMs = createdMs;
    if (a.state === 'scrapped' && a.scrappedMs) modMs = a.scrappedMs + rng.int(0, 3) * DAY_MS;
    else if (a.state === 'retired' && a.retiredMs) modMs = a.retiredMs + rng.int(0, 10) * DAY_MS;
    else if (dynamic)
      modMs = nowMs - rng.int(1, 60 * 30) * 60_000; // the inventory agent reports every day
    else if (a.state === 'faulty') modMs = nowMs - rng.int(1, 40) * DAY_MS;
    else modMs = Math.max(createdMs, nowMs - rng.int(10, 400) * DAY_MS);
    modMs = Math.max(createdMs, Math.min(nowMs, modMs));

    const groupId = mark === 'noGroup' ? 0 : mark === 'unknownGroup' ? ref.legacyGroup : ref.unitGroup.get(a.unit)!;
    const techGroupId = ref.techGroup[a.techGroup];
    const stateId = ref.state[a.state];
    const row: Record<string, unknown> = {
      id,
      entities_id: 0,
      is_recursive: 0,
      name: `SBB-${tagOf(unit)}-${def.prefix}${String(seq).padStart(3, '0')}`,
      serial: serialOf(rng, model.m),
      otherserial: `DMB-${buyYear}-${String(id).padStart(5, '0')}`,
      users_id_tech: 0,
      comment: null,
      date_mod: wc(modMs),
      locations_id: ref.location.get(a.location) ?? 0,
      [d.typeFk]: def.type ? ref.type.get(`${it}:${def.type}`)! : 0,
      [d.modelFk]: ref.model.get(`${it}:${model.name}`)!,
      manufacturers_id: ref.manufacturer.get(model.m)!,
      is_template: 0,
      is_deleted: mark === 'deleted' ? 1 : 0,
      is_dynamic: dynamic ? 1 : 0,
      users_id: 0,
      states_id: stateId,
      uuid: null,
      date_creation: wc(createdMs),
    };
    if (ctx.groupLayout === 'columns') Object.assign(row, { groups_id: groupId, groups_id_tech: techGroupId });
    if (it === 'Monitor') Object.assign(row, { size: rng.pick([21.5, 23.8, 23.8, 27]), have_hdmi: buyYear >= 2018 ? 1 : 0, have_displayport: 1 });
    if (it === 'Printer')
      Object.assign(row, {
        have_ethernet: a.cls === 'receipt' ? 0 : 1,
        have_usb: 1,
        last_pages_counter: Math.round(((nowMs - a.buyMs) / YEAR_MS) * rng.int(4000, 15000)),
      });
    if (it === 'Phone') Object.assign(row, { number_line: String(rng.int(1000, 4999)), have_headset: rng.chance(0.1) ? 1 : 0 });
    await out.add(d.table, row);
    await linkGroup(it, id, groupId, 1);
    await linkGroup(it, id, techGroupId, 2);

    // Financial record: almost every asset has one; a few old ones were entered without it.
    if (!(a.buyMs < ctx.startMs + YEAR_MS && rng.chance(0.08))) {
      const index = PRICE_INDEX[Math.min(2028, Math.max(2012, buyYear))];
      const value = Math.round(def.price * index * (0.9 + rng.next() * 0.25) * 100) / 100;
      const supplier = rng.pick(def.supplier);
      const orderMs = a.buyMs - rng.int(10, 60) * DAY_MS;
      await out.add('glpi_infocoms', {
        id: ++infocomId,
        items_id: id,
        itemtype: it,
        entities_id: 0,
        is_recursive: 0,
        buy_date: day(a.buyMs),
        use_date: day(delivered + rng.int(0, 7) * DAY_MS),
        warranty_duration: model.warranty,
        warranty_info: model.warranty === -1 ? 'Ömür boyu sınırlı garanti' : 'Üretici garantisi',
        suppliers_id: ref.supplier.get(supplier)!,
        order_number: `SAS-${buyYear}-${String(rng.int(1, 999)).padStart(3, '0')}`,
        delivery_number: `IRS-${rng.int(100000, 999999)}`,
        immo_number: `253.02.${def.itemtype === 'Computer' ? '01' : '02'}-${buyYear}-${String(id).padStart(5, '0')}`,
        value,
        warranty_value: 0,
        comment: null,
        bill: `FTR${buyYear}${String(rng.int(1, 99999)).padStart(5, '0')}`,
        order_date: day(orderMs),
        delivery_date: day(delivered),
        warranty_date: day(delivered),
        date_mod: wc(a.scrappedMs ?? createdMs),
        date_creation: wc(createdMs),
        decommission_date: a.scrappedMs ? wc(a.scrappedMs) : null,
      });
      summary.infocoms++;
      const bd = day(a.buyMs);
      if (mark !== 'deleted') {
        if (!summary.firstPurchase || bd < summary.firstPurchase) summary.firstPurchase = bd;
        if (!summary.lastPurchase || bd > summary.lastPurchase) summary.lastPurchase = bd;
      }
    }

    if (mark === 'deleted') {
      summary.deleted++;
      continue;
    }
    summary.assets++;
    if (mark === 'noGroup' || mark === 'unknownGroup') summary.faults[mark]++;
    summary.byItemtype[it] = (summary.byItemtype[it] ?? 0) + 1;
    const type = typeLabel(a.cls);
    summary.byType[type] = (summary.byType[type] ?? 0) + 1;
    const status = { inUse: 'in_use', inStock: 'in_stock', faulty: 'out_of_service', retired: 'out_of_service', scrapped: 'scrapped' }[a.state];
    summary.byStatus[status] = (summary.byStatus[status] ?? 0) + 1;
    if (a.scrappedMs) {
      const y = day(a.scrappedMs).slice(0, 4);
      summary.scrappedByYear[y] = (summary.scrappedByYear[y] ?? 0) + 1;
    }
  }
  await out.flushAll();
  summary.expected = {
    quarantined: summary.faults.noGroup + summary.faults.unknownGroup,
    loaded: summary.assets - summary.faults.noGroup - summary.faults.unknownGroup,
  };
  return summary;
}

/** The same local day as `ms`, at `minute` minutes after local midnight. */
function atLocalMinute(clock: ZoneClock, ms: number, minute: number): number {
  const local = clock.epochToLocal(ms);
  return clock.localToEpoch(Math.floor(local / DAY_MS) * DAY_MS + minute * 60_000);
}

function typeLabel(cls: AssetClass): string {
  switch (cls) {
    case 'desktop':
    case 'laptop':
      return 'Bilgisayar';
    case 'server':
      return 'Sunucu';
    case 'pos':
      return 'POS cihazı';
    case 'monitor':
      return 'Monitör';
    case 'laser':
    case 'mfp':
    case 'receipt':
      return 'Yazıcı';
    case 'camera':
      return 'Kamera';
    case 'phone':
      return 'IP telefon';
    default:
      return 'Ağ cihazı';
  }
}

function tagOf(u: Unit): string {
  return u.code.replace(/_/g, '').slice(0, 4);
}

const SERIAL_CHARS = 'ABCDEFGHJKLMNPQRSTUVWXYZ0123456789';
function serialOf(rng: DemoRandom, manufacturer: string): string {
  const len = manufacturer.startsWith('Dell') ? 7 : manufacturer.startsWith('HP') ? 10 : 12;
  let s = '';
  for (let i = 0; i < len; i++) s += SERIAL_CHARS[rng.int(0, SERIAL_CHARS.length - 1)];
  return s;
}
