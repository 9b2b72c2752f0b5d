import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import knexFactory, { type Knex } from 'knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, type PanoConfig } from '../../../common/config.js';
import { UNITS } from '../../../common/units.js';
import { createGlpiDemoSource } from '../../../etl/demo/glpi-demo.js';
import {
  createGlpiAssetDemoTables,
  DEMO_STATES,
  generateGlpiAssetsDemo,
  generateInventoryDemo,
  GLPI_ASSET_DEMO_TABLES,
  type InventoryDemoSummary,
} from '../../../etl/demo/inventory-demo.js';
import { GLPI_10_EMPTY, GLPI_11_DELTAS, readGlpiColumns } from '../sources/helpdesk/glpi-ddl.js';

const NOW = new Date('2026-11-25T09:00:00Z');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pano-inv-demo-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const open = (file: string) => knexFactory({ client: 'better-sqlite3', connection: { filename: file }, useNullAsDefault: true });

async function demo(name: string, opts: { seed?: number; scale?: number } = {}): Promise<{ config: PanoConfig; file: string; summary: InventoryDemoSummary }> {
  const config = loadConfig({ PANO_MODE: 'demo', PANO_DATA_DIR: path.join(tmp, name), PANO_LOG_LEVEL: 'silent' });
  const file = path.join(config.sources.demoDir, 'glpi.sqlite');
  await createGlpiDemoSource(file, { seed: 7, scale: 0.02, now: NOW, years: 1 });
  const summary = await generateInventoryDemo(config, { seed: opts.seed ?? 42, now: NOW, scale: opts.scale ?? 1 });
  return { config, file, summary };
}

async function contentHash(file: string): Promise<string> {
  const db = open(file);
  try {
    const h = crypto.createHash('sha256');
    for (const t of GLPI_ASSET_DEMO_TABLES) {
      if (!(await db.schema.hasTable(t))) continue;
      h.update(t).update(JSON.stringify(await db(t).select('*').orderBy('id')));
    }
    return h.digest('hex');
  } finally {
    await db.destroy();
  }
}

describe('inventory demo tables (SQLite) against the real GLPI schema', () => {
  const real10 = readGlpiColumns(GLPI_10_EMPTY);
  const real11 = readGlpiColumns(GLPI_11_DELTAS);
  /** glpi_groups_items as GLPI 11's migration creates it. */
  const groupsItems = ['id', 'groups_id', 'itemtype', 'items_id', 'type'];

  it.each([['glpi10'], ['glpi11']] as const)('%s layout: every table and column exists in GLPI', async (layout) => {
    const db = knexFactory({ client: 'better-sqlite3', connection: { filename: ':memory:' }, useNullAsDefault: true });
    try {
      await createGlpiAssetDemoTables(db, { layout });
      for (const t of GLPI_ASSET_DEMO_TABLES) {
        const has = await db.schema.hasTable(t);
        if (t === 'glpi_groups_items') {
          expect(has).toBe(layout === 'glpi11');
          if (has) expect(((await db.raw(`PRAGMA table_info(${t})`)) as Array<{ name: string }>).map((c) => c.name)).toEqual(groupsItems);
          continue;
        }
        const cols = ((await db.raw(`PRAGMA table_info(${t})`)) as Array<{ name: string }>).map((c) => c.name);
        expect(cols.length, t).toBeGreaterThan(3);
        const realCols = layout === 'glpi11' && t === 'glpi_computers' ? real11.get(t) : real10.get(t);
        expect(realCols, `${t} exists in GLPI`).toBeDefined();
        expect(
          cols.filter((c) => !realCols!.includes(c)),
          t,
        ).toEqual([]);
        if (layout === 'glpi11') expect(cols).not.toContain('groups_id');
        else if (/^glpi_(computers|monitors|printers|networkequipments|phones)$/.test(t))
          expect(cols).toEqual(expect.arrayContaining(['groups_id', 'groups_id_tech']));
      }
    } finally {
      await db.destroy();
    }
  });

  it('refuses a non-SQLite database', async () => {
    const fake = { client: { config: { client: 'mysql2' } } } as unknown as Knex;
    await expect(createGlpiAssetDemoTables(fake)).rejects.toThrow(/install schema has the asset tables/);
  });
});

describe('generateInventoryDemo: determinism and targets', () => {
  it('same seed and now → identical rows; another seed → different; a rerun on the same file replaces, never doubles', async () => {
    const a = await demo('a', { scale: 0.2 });
    const b = await demo('b', { scale: 0.2 });
    const c = await demo('c', { scale: 0.2, seed: 43 });
    expect(b.summary).toEqual(a.summary);
    const [ha, hb, hc] = await Promise.all([contentHash(a.file), contentHash(b.file), contentHash(c.file)]);
    expect(hb).toBe(ha);
    expect(hc).not.toBe(ha);
    const again = await generateInventoryDemo(a.config, { seed: 42, now: NOW, scale: 0.2 });
    expect(again).toEqual(a.summary);
    expect(await contentHash(a.file)).toBe(ha);
  }, 60_000);

  it('refuses a target that is not the SQLite demo GLPI, or one that does not exist yet', async () => {
    const prod = loadConfig({
      PANO_MODE: 'demo',
      PANO_DATA_DIR: path.join(tmp, 'p'),
      PANO_LOG_LEVEL: 'silent',
      PANO_GLPI_URL: 'mysql://glpi:gizli@db:3306/glpi',
    });
    const err = await generateInventoryDemo(prod, { seed: 1, now: NOW, scale: 1 }).catch((e) => e);
    expect(err.message).toBe('The inventory demo writes only into the SQLite demo GLPI; PANO_GLPI_URL points at mysql://***@db:3306/glpi');
    const none = loadConfig({ PANO_MODE: 'demo', PANO_DATA_DIR: path.join(tmp, 'none'), PANO_LOG_LEVEL: 'silent' });
    await expect(generateInventoryDemo(none, { seed: 1, now: NOW, scale: 1 })).rejects.toThrow(/glpi\.sqlite does not exist: generate the helpdesk demo first/);
    await expect(generateInventoryDemo(none, { seed: 1, now: new Date(Number.NaN), scale: 1 })).rejects.toThrow();
  });

  it('rejects a bad `now` or scale before writing anything', async () => {
    const db = open(':memory:');
    try {
      await expect(generateGlpiAssetsDemo(db, { now: new Date(Number.NaN) })).rejects.toThrow(/`now` must be a valid Date/);
      await expect(generateGlpiAssetsDemo(db, { now: NOW, scale: -1 })).rejects.toThrow(/scale must be in/);
    } finally {
      await db.destroy();
    }
  });

  it('scales linearly: scale 2 writes about twice the assets of scale 1', async () => {
    const one = await demo('s1', { scale: 1 });
    const two = await demo('s2', { scale: 2 });
    expect(one.summary.assets).toBeGreaterThan(3200);
    expect(one.summary.assets).toBeLessThan(3800);
    expect(two.summary.assets / one.summary.assets).toBeGreaterThan(1.85);
    expect(two.summary.assets / one.summary.assets).toBeLessThan(2.15);
  }, 60_000);
});

describe('generateInventoryDemo: shape of the data (scale 1)', () => {
  let db: Knex;
  let s: InventoryDemoSummary;
  type Row = Record<string, any>;
  let assets: Row[];

  beforeAll(async () => {
    const d = await demo('shape');
    s = d.summary;
    db = open(d.file);
    const parts = [
      ['Computer', 'glpi_computers'],
      ['Monitor', 'glpi_monitors'],
      ['Printer', 'glpi_printers'],
      ['NetworkEquipment', 'glpi_networkequipments'],
      ['Phone', 'glpi_phones'],
    ];
    assets = [];
    for (const [it, t] of parts) {
      const rows = await db(`${t} as a`)
        .leftJoin('glpi_infocoms as i', function () {
          this.on('i.items_id', 'a.id').andOnVal('i.itemtype', it);
        })
        .leftJoin('glpi_states as s', 's.id', 'a.states_id')
        .leftJoin('glpi_locations as l', 'l.id', 'a.locations_id')
        .leftJoin('glpi_groups as g', 'g.id', 'a.groups_id')
        .where({ 'a.is_deleted': 0, 'a.is_template': 0 })
        .select(
          'a.*',
          'i.buy_date',
          'i.warranty_duration',
          'i.warranty_date',
          'i.decommission_date',
          'i.value',
          's.name as state',
          'l.completename as location',
          'g.name as grp',
        );
      assets.push(...rows.map((r: Row) => ({ ...r, itemtype: it })));
    }
  }, 60_000);
  afterAll(() => db?.destroy());

  it('writes ~3 500 assets of every kind, the summary matching the tables', () => {
    expect(assets).toHaveLength(s.assets);
    expect(s.assets).toBeGreaterThan(3200);
    expect(s.assets).toBeLessThan(3800);
    for (const t of ['Bilgisayar', 'Sunucu', 'POS cihazı', 'Monitör', 'Yazıcı', 'Ağ cihazı', 'Kamera', 'IP telefon']) expect(s.byType[t], t).toBeGreaterThan(0);
    expect(s.templates).toBe(5);
    expect(s.deleted).toBeGreaterThan(0);
  });

  it('assigns assets to units in proportion to their desks (office staff), every unit has some', () => {
    const pcs = new Map<string, number>();
    for (const a of assets.filter((x) => x.itemtype === 'Computer' && x.state === DEMO_STATES.inUse && x.grp)) pcs.set(a.grp, (pcs.get(a.grp) ?? 0) + 1);
    for (const u of UNITS) expect(pcs.get(u.name) ?? 0, u.name).toBeGreaterThan(0);
    const of = (code: string) => pcs.get(UNITS.find((u) => u.code === code)!.name) ?? 0;
    expect(of('MALI_HIZMETLER')).toBeGreaterThan(of('HUKUK') * 2.5); // 96 vs 22 office staff
    expect(of('FEN_ISLERI')).toBeGreaterThan(of('STRATEJI'));
    expect(of('TEMIZLIK')).toBeLessThan(of('MALI_HIZMETLER')); // 420 staff, mostly in the field
  });

  it('places assets in real buildings: main building floors, annexes, the social facilities with POS terminals', () => {
    const sites = new Set(assets.map((a) => String(a.location).split(' > ')[0]));
    expect(sites).toEqual(
      new Set([
        'Ana Hizmet Binası',
        'Fen İşleri Ek Hizmet Binası',
        'Temizlik İşleri Şantiyesi',
        'Zabıta Amirliği',
        'Kültür Merkezi',
        'Sosyal Destek Merkezi',
        'Hayvan Bakımevi',
        'Sosyal Tesis',
      ]),
    );
    const pos = assets.filter((a) => a.name?.includes('-POS'));
    expect(pos.length).toBeGreaterThan(0);
    expect(new Set(pos.map((a) => a.location))).toEqual(new Set(['Sosyal Tesis > Restoran', 'Sosyal Tesis > Kafeterya', 'Sosyal Tesis > Büfe']));
    const servers = assets.filter((a) => a.name?.includes('-SRV'));
    expect(servers.filter((a) => a.state === DEMO_STATES.inUse).every((a) => a.location === 'Ana Hizmet Binası > Sistem Odası')).toBe(true);
    // Retired kit waits in the IT depot for the scrapping commission.
    expect(assets.filter((a) => a.state === DEMO_STATES.retired).every((a) => a.location === 'Ana Hizmet Binası > Bilgi İşlem Deposu')).toBe(true);
  });

  it('purchases span about ten years; every year since adoption some assets are scrapped; dates are consistent', () => {
    const years = assets.filter((a) => a.buy_date).map((a) => Number(String(a.buy_date).slice(0, 4)));
    expect(Math.max(...years) - Math.min(...years)).toBeGreaterThanOrEqual(10);
    for (const y of ['2023', '2024', '2025', '2026']) expect(s.scrappedByYear[y], y).toBeGreaterThan(10);
    const nowWall = '2026-11-25 12:00:00';
    for (const a of assets) {
      expect(a.date_mod <= nowWall && a.date_creation <= a.date_mod, `${a.itemtype} ${a.id}`).toBe(true);
      if (a.decommission_date) {
        expect(a.state).toBe(DEMO_STATES.scrapped);
        expect(String(a.decommission_date).slice(0, 10) >= String(a.buy_date)).toBe(true);
      }
      // Scrapped kit has its decommission date in its financial record — when it has one (a few old
      // assets were entered without; the marts then date the scrapping by date_mod).
      if (a.state === DEMO_STATES.scrapped && a.buy_date) expect(a.decommission_date).toBeTruthy();
    }
  });

  it('has a realistic status mix and warranties (lifelong for part of the network kit)', () => {
    const share = (k: string) => (s.byStatus[k] ?? 0) / s.assets;
    expect(share('in_use')).toBeGreaterThan(0.6);
    expect(share('scrapped')).toBeGreaterThan(0.1);
    expect(share('scrapped')).toBeLessThan(0.35);
    expect(share('out_of_service')).toBeGreaterThan(0.02);
    expect(share('in_stock')).toBeGreaterThan(0.005);
    expect(assets.some((a) => a.warranty_duration === -1 && a.itemtype === 'NetworkEquipment')).toBe(true);
    expect(assets.filter((a) => a.buy_date).every((a) => Number(a.value) > 0)).toBe(true);
    // Lira prices rise with the years.
    const avg = (y: string) => {
      const v = assets.filter((a) => a.itemtype === 'Computer' && String(a.buy_date).startsWith(y) && a.name.includes('-PC')).map((a) => Number(a.value));
      return v.reduce((x, z) => x + z, 0) / v.length;
    };
    expect(avg('2025')).toBeGreaterThan(avg('2019') * 4);
  });

  it('seeds the faults the summary counts: assets with no group, assets of a group that is not a unit', () => {
    const noGroup = assets.filter((a) => a.groups_id === 0);
    const legacy = assets.filter((a) => a.grp === 'Eski Muhasebe Birimi');
    expect(noGroup).toHaveLength(s.faults.noGroup);
    expect(legacy).toHaveLength(s.faults.unknownGroup);
    expect(s.faults.noGroup).toBeGreaterThanOrEqual(3);
    expect(s.faults.unknownGroup).toBeGreaterThanOrEqual(2);
    expect(s.expected).toEqual({ loaded: s.assets - s.faults.noGroup - s.faults.unknownGroup, quarantined: s.faults.noGroup + s.faults.unknownGroup });
  });
});
