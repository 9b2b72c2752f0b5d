import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import knexFactory, { type Knex } from 'knex';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig, type PanoConfig } from '../../../../common/config.js';
import { ConfigError, SourceUnavailableError } from '../../../../common/errors.js';
import { createGlpiDemoSource } from '../../../../etl/demo/glpi-demo.js';
import { createGlpiAssetDemoTables, generateGlpiAssetsDemo, generateInventoryDemo, type InventoryDemoSummary } from '../../../../etl/demo/inventory-demo.js';
import { buildInventoryMarts, inventoryMarts } from '../../../../etl/marts/inventory.js';
import { glpiAssetsSource, inventorySources, snipeItSource } from '../../../../etl/sources/inventory/pipeline.js';
import { NotGlpiDatabaseError } from '../../../../etl/sources/helpdesk/extract.js';
import {
  addMonths,
  connectGlpiAssets,
  detectAssetLayout,
  extractGlpiAssets,
  validateGlpiAsset,
  type RawGlpiAsset,
} from '../../../../etl/sources/inventory/index.js';
import { createEtlHarness, type EtlHarness } from './helpers.js';
import { replaySnipeIt, sampleRows } from './snipeit-replay.js';

const NOW = new Date('2026-11-25T09:00:00Z'); // Wednesday 12:00 in Istanbul
const DAY = 86_400_000;
const TZ = 'Europe/Istanbul';
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pano-glpi-assets-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const open = (file: string) => knexFactory({ client: 'better-sqlite3', connection: { filename: file }, useNullAsDefault: true });

/**
 * A demo data folder: the helpdesk GLPI (small) and the inventory written into the same SQLite file.
 * Generated once per scale, then copied, so every test gets its own file to change.
 */
const templates = new Map<number, Promise<{ file: string; summary: InventoryDemoSummary }>>();
async function demoEnv(name: string, scale = 0.1): Promise<{ config: PanoConfig; file: string; summary: InventoryDemoSummary }> {
  let t = templates.get(scale);
  if (!t) {
    t = (async () => {
      const config = loadConfig({ PANO_MODE: 'demo', PANO_DATA_DIR: path.join(tmp, `template-${scale}`), PANO_LOG_LEVEL: 'silent' });
      const file = path.join(config.sources.demoDir, 'glpi.sqlite');
      await createGlpiDemoSource(file, { seed: 7, scale: 0.02, now: NOW, years: 1 });
      return { file, summary: await generateInventoryDemo(config, { seed: 7, now: NOW, scale }) };
    })();
    templates.set(scale, t);
  }
  const { file: source, summary } = await t;
  const config = loadConfig({ PANO_MODE: 'demo', PANO_DATA_DIR: path.join(tmp, name), PANO_LOG_LEVEL: 'silent' });
  const file = path.join(config.sources.demoDir, 'glpi.sqlite');
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.copyFileSync(source, file);
  return { config, file, summary };
}

async function extractAll(db: Knex): Promise<RawGlpiAsset[]> {
  const rows: RawGlpiAsset[] = [];
  for await (const page of extractGlpiAssets(db, { pageSize: 97 })) rows.push(...page);
  return rows;
}

const sourceFor = (config: PanoConfig, url = config.sources.glpi.url, unitMapFile?: string) =>
  glpiAssetsSource({ url, timezone: TZ, businessTimezone: TZ, unitMapFile, pageSize: 250 });

describe('GLPI assets extract on the SQLite demo GLPI', () => {
  let env: Awaited<ReturnType<typeof demoEnv>>;
  let db: Knex;
  let raw: RawGlpiAsset[];

  beforeAll(async () => {
    env = await demoEnv('extract', 0.15);
    db = await connectGlpiAssets(`sqlite:${env.file}`);
    raw = await extractAll(db);
  }, 60_000);
  afterAll(() => db?.destroy());

  it('returns one row per asset of the five tables; GLPI trash and templates are left out', async () => {
    expect(raw).toHaveLength(env.summary.assets);
    expect(env.summary.deleted).toBeGreaterThan(0);
    expect(env.summary.templates).toBe(5);
    const keys = new Set(raw.map((r) => `${r.itemtype}:${r.id}`));
    expect(keys.size).toBe(raw.length);
    const tables = {
      Computer: 'glpi_computers',
      Monitor: 'glpi_monitors',
      Printer: 'glpi_printers',
      NetworkEquipment: 'glpi_networkequipments',
      Phone: 'glpi_phones',
    } as const;
    for (const [itemtype, table] of Object.entries(tables)) {
      const hidden = (await db(table).where('is_deleted', 1).orWhere('is_template', 1).pluck('id')) as number[];
      expect(hidden.filter((id) => keys.has(`${itemtype}:${id}`))).toEqual([]);
      expect(raw.filter((r) => r.itemtype === itemtype)).toHaveLength(env.summary.byItemtype[itemtype]);
    }
  });

  it('detects the GLPI 10 layout (groups on the asset tables)', async () => {
    expect(await detectAssetLayout(db)).toEqual({
      groups: { Computer: 'columns', Monitor: 'columns', Printer: 'columns', NetworkEquipment: 'columns', Phone: 'columns' },
      hasGroupsItems: false,
    });
  });

  it('refuses exactly the seeded faults, with reasons; everything else resolves to a unit', () => {
    const results = raw.map((r) => validateGlpiAsset(r as any, { timezone: TZ, unitMap: new Map() }));
    const refused = results.filter((v) => !v.ok) as Array<{ ok: false; reason: string; unitOnly: boolean }>;
    expect(refused).toHaveLength(env.summary.expected.quarantined);
    expect(refused.every((v) => v.unitOnly)).toBe(true);
    expect(refused.filter((v) => /^unit cannot be resolved: asset has no group, and location "[^"]+" is not a unit either/.test(v.reason))).toHaveLength(
      env.summary.faults.noGroup,
    );
    expect(refused.filter((v) => v.reason.startsWith('unit cannot be resolved: group "Eski Muhasebe Birimi" is not a known unit'))).toHaveLength(
      env.summary.faults.unknownGroup,
    );
  });

  it('joins state, location, model, manufacturer, type, groups and the financial record', async () => {
    const r = raw.find((x) => x.itemtype === 'Computer' && x.infocom_id !== null && x.state_name === 'Kullanımda' && x.type_name === 'Masaüstü')!;
    expect(r).toBeDefined();
    const direct = (await db('glpi_computers as c')
      .join('glpi_infocoms as i', function () {
        this.on('i.items_id', 'c.id').andOnVal('i.itemtype', 'Computer');
      })
      .join('glpi_computermodels as m', 'm.id', 'c.computermodels_id')
      .join('glpi_manufacturers as f', 'f.id', 'c.manufacturers_id')
      .join('glpi_locations as l', 'l.id', 'c.locations_id')
      .join('glpi_groups as g', 'g.id', 'c.groups_id')
      .join('glpi_groups as t', 't.id', 'c.groups_id_tech')
      .join('glpi_suppliers as s', 's.id', 'i.suppliers_id')
      .where('c.id', r.id)
      .first(
        'm.name as model',
        'f.name as manufacturer',
        'l.completename as location',
        'g.name as grp',
        't.completename as tech',
        'i.buy_date',
        'i.warranty_duration',
        's.name as supplier',
        'c.otherserial',
      )) as Record<string, unknown>;
    expect(r).toMatchObject({
      model_name: direct.model,
      manufacturer: direct.manufacturer,
      location: direct.location,
      group_name: direct.grp,
      group_path: direct.grp,
      tech_group: direct.tech,
      buy_date: direct.buy_date,
      warranty_duration: direct.warranty_duration,
      supplier: direct.supplier,
      otherserial: direct.otherserial,
      group_count: 1,
    });
    expect(r.tech_group).toBe('Bilgi İşlem Müdürlüğü > Bilgi İşlem Şefliği');
  });

  it('warranty end is warranty_date + warranty_duration months (−1 lifelong), for every asset', () => {
    let lifelong = 0;
    let dated = 0;
    for (const r of raw) {
      const v = validateGlpiAsset(r as any, { timezone: TZ, unitMap: new Map([['eski muhasebe birimi', 'MALI_HIZMETLER']]) });
      if (!v.ok) continue;
      const months = r.warranty_duration ?? 0;
      if (months === -1) {
        lifelong++;
        expect(v.row).toMatchObject({ warranty_lifelong: true, warranty_end: null });
      } else if (r.warranty_date && months > 0) {
        dated++;
        expect(v.row.warranty_end).toBe(addMonths(String(r.warranty_date).slice(0, 10), months));
      } else expect(v.row.warranty_end).toBeNull();
    }
    expect(lifelong).toBeGreaterThan(0); // switches and access points with lifetime warranty
    expect(dated).toBeGreaterThan(raw.length * 0.8);
  });

  it('pages by id without losing or repeating a row, whatever the page size', async () => {
    const pages: number[] = [];
    const ids: string[] = [];
    for await (const page of extractGlpiAssets(db, { pageSize: 50, itemtypes: ['Printer', 'Phone'] })) {
      pages.push(page.length);
      ids.push(...page.map((p) => `${p.itemtype}:${p.id}`));
    }
    expect(ids).toEqual(raw.filter((r) => r.itemtype === 'Printer' || r.itemtype === 'Phone').map((r) => `${r.itemtype}:${r.id}`));
    expect(Math.max(...pages)).toBe(50);
    await expect(
      (async () => {
        for await (const _ of extractGlpiAssets(db, { pageSize: 0 })) void _;
      })(),
    ).rejects.toThrow(/pageSize must be a positive integer/);
  });
});

describe('GLPI 11 layout (glpi_groups_items) on SQLite', () => {
  it('reads the same assets as the GLPI 10 layout from the same seed; several groups: the earliest link counts', async () => {
    const f10 = path.join(tmp, 'l10.sqlite');
    const f11 = path.join(tmp, 'l11.sqlite');
    const sums: InventoryDemoSummary[] = [];
    for (const [file, layout] of [
      [f10, 'glpi10'],
      [f11, 'glpi11'],
    ] as const) {
      await createGlpiDemoSource(file, { seed: 7, scale: 0.02, now: NOW, years: 1 });
      const w = open(file);
      try {
        await createGlpiAssetDemoTables(w, { layout });
        sums.push(await generateGlpiAssetsDemo(w, { seed: 9, now: NOW, scale: 0.08 }));
      } finally {
        await w.destroy();
      }
    }
    expect(sums[0].groupLayout).toBe('columns');
    expect(sums[1].groupLayout).toBe('groups_items');
    expect({ ...sums[1], groupLayout: 'columns' }).toEqual(sums[0]);

    const read = async (file: string) => {
      const db = await connectGlpiAssets(`sqlite:${file}`);
      try {
        return { layout: await detectAssetLayout(db), rows: await extractAll(db) };
      } finally {
        await db.destroy();
      }
    };
    const [a, b] = [await read(f10), await read(f11)];
    expect(b.layout.groups).toEqual({
      Computer: 'groups_items',
      Monitor: 'groups_items',
      Printer: 'groups_items',
      NetworkEquipment: 'groups_items',
      Phone: 'groups_items',
    });
    expect(b.rows).toEqual(a.rows);

    // A second normal group, linked later, does not change the unit; the count says there are two.
    const w = open(f11);
    const target = b.rows.find((r) => r.itemtype === 'Monitor' && r.group_name === 'Fen İşleri Müdürlüğü')!;
    const zabita = (await w('glpi_groups').where('name', 'Zabıta Müdürlüğü').first('id')) as { id: number };
    await w('glpi_groups_items').insert({ groups_id: zabita.id, itemtype: 'Monitor', items_id: target.id, type: 1 });
    await w.destroy();
    const after = (await read(f11)).rows.find((r) => r.itemtype === 'Monitor' && r.id === target.id)!;
    expect(after).toMatchObject({ group_name: 'Fen İşleri Müdürlüğü', group_count: 2 });
  }, 60_000);
});

describe('GLPI assets through the runner', () => {
  let etl: EtlHarness;
  beforeEach(async () => {
    etl = await createEtlHarness('pano-glpi-assets-etl-');
  });
  afterEach(() => etl.close());

  it('loads every good asset, quarantines each seeded fault with reason and locator, passes the checks', async () => {
    const env = await demoEnv('runner');
    const r = await etl.run(inventorySources(env.config), NOW);
    const s = r.sources[0];
    expect(r.failed).toBe(false);
    expect(s).toMatchObject({
      source: 'glpi_assets',
      status: 'ok',
      rowsRead: env.summary.assets,
      rowsLoaded: env.summary.expected.loaded,
      rowsRejected: env.summary.expected.quarantined,
    });
    expect(s.checks.map((c) => [c.name, c.passed])).toEqual([
      ['keys_not_null', true],
      ['keys_unique', true],
      ['references_resolve', true],
      ['freshness', true],
      ['purchase_dates_plausible', true],
      ['daily_snapshot', true],
      ['not_empty', true],
    ]);
    const q = await etl.quarantine('glpi_assets');
    expect(q).toHaveLength(env.summary.expected.quarantined);
    for (const x of q) {
      expect(x.locator).toMatch(/^glpi_(computers|monitors|printers|phones)\.id=\d+$/);
      expect(x.reason).toMatch(
        /^unit cannot be resolved: (asset has no group|group "Eski Muhasebe Birimi" is not a known unit), and location ".+" is not a unit either/,
      );
      expect(x.location).toMatch(/^GLPI .*glpi\.sqlite glpi_computers, glpi_monitors/);
    }
    const byStatus = await etl.query('SELECT status, count(*)::INT AS n FROM raw_inventory.glpi_assets GROUP BY 1 ORDER BY 1');
    const expected = { ...env.summary.byStatus, in_use: env.summary.byStatus.in_use - env.summary.expected.quarantined };
    expect(Object.fromEntries(byStatus.map((x) => [x.status, x.n]))).toEqual(expected);
  });

  it('with the legacy group in PANO_GLPI_UNIT_MAP only the assets without any group stay in quarantine', async () => {
    const env = await demoEnv('mapped');
    const map = path.join(tmp, 'units-legacy.json');
    fs.writeFileSync(map, JSON.stringify({ 'Eski Muhasebe Birimi': 'MALI_HIZMETLER' }));
    const r = await etl.run([sourceFor(env.config, undefined, map)], NOW);
    expect(r.sources[0].rowsRejected).toBe(env.summary.faults.noGroup);
    const viaMap = await etl.query(`SELECT count(*)::INT AS n FROM raw_inventory.glpi_assets WHERE unit_resolved_via = 'map' AND unit_code = 'MALI_HIZMETLER'`);
    expect(viaMap[0].n).toBe(env.summary.faults.unknownGroup);
  });

  it('the daily snapshot: a rerun the same day changes nothing, a new day adds a day, a failed day leaves a gap but loses no history', async () => {
    const env = await demoEnv('daily');
    const n = env.summary.expected.loaded;
    const days = () =>
      etl.query(
        `SELECT strftime("day", '%Y-%m-%d') AS day, count(*)::INT AS n, count(DISTINCT asset_key)::INT AS assets FROM raw_inventory.asset_daily GROUP BY 1 ORDER BY 1`,
      );
    const content = () =>
      etl.query(`SELECT strftime("day", '%Y-%m-%d') AS day, asset_key, status, unit_code, asset_type FROM raw_inventory.asset_daily ORDER BY 1, 2`);

    await etl.run([sourceFor(env.config)], NOW);
    const first = await content();
    expect(await days()).toEqual([{ day: '2026-11-25', n, assets: n }]);

    const again = await etl.run([sourceFor(env.config)], new Date(NOW.getTime() + 6 * 3600_000)); // 18:00 the same day
    expect(again.sources[0].checks.find((c) => c.name === 'daily_snapshot')?.passed).toBe(true);
    expect(await content()).toEqual(first);

    // Overnight a computer is scrapped in GLPI.
    const w = open(env.file);
    const scrappedState = (await w('glpi_states').where('name', 'Hurdaya ayrıldı').first('id')) as { id: number };
    const inUse = (await w('glpi_states').where('name', 'Kullanımda').first('id')) as { id: number };
    const pc = (await w('glpi_computers').where({ states_id: inUse.id, is_deleted: 0, is_template: 0 }).whereNot('groups_id', 0).orderBy('id').first('id')) as {
      id: number;
    };
    await w('glpi_computers').where('id', pc.id).update({ states_id: scrappedState.id, date_mod: '2026-11-25 16:00:00' });
    await w('glpi_infocoms').where({ itemtype: 'Computer', items_id: pc.id }).update({ decommission_date: '2026-11-25 16:00:00' });
    await w.destroy();

    await etl.run([sourceFor(env.config)], new Date(NOW.getTime() + DAY));
    expect(await days()).toEqual([
      { day: '2026-11-25', n, assets: n },
      { day: '2026-11-26', n, assets: n },
    ]);
    expect(
      await etl.query(`SELECT strftime("day", '%Y-%m-%d') AS day, status FROM raw_inventory.asset_daily WHERE asset_key = 'glpi:Computer:${pc.id}' ORDER BY 1`),
    ).toEqual([
      { day: '2026-11-25', status: 'in_use' },
      { day: '2026-11-26', status: 'scrapped' },
    ]);

    // GLPI is down on the 27th: the source fails, the snapshot keeps serving both days.
    const down = await etl.run([sourceFor(env.config, `sqlite:${path.join(tmp, 'nowhere.sqlite')}`)], new Date(NOW.getTime() + 2 * DAY));
    expect(down.sources[0].status).toBe('failed');
    expect(down.sources[0].message).toMatch(/^GLPI database at .*nowhere\.sqlite is unreachable: file not found/);
    expect((await days()).map((d) => d.day)).toEqual(['2026-11-25', '2026-11-26']);

    await etl.run([sourceFor(env.config)], new Date(NOW.getTime() + 3 * DAY));
    expect((await days()).map((d) => d.day)).toEqual(['2026-11-25', '2026-11-26', '2026-11-28']);
    expect(await etl.query(`SELECT count(DISTINCT _run_id)::INT AS runs FROM raw_inventory.asset_daily`)).toEqual([{ runs: 3 }]);
  }, 60_000);

  it('a run of another source alone keeps the GLPI assets and their history as they were', async () => {
    const env = await demoEnv('carry');
    await etl.run([sourceFor(env.config)], NOW);
    const map = path.join(tmp, 'units-carry.json');
    fs.writeFileSync(map, JSON.stringify({ 'West Alize': 'BILGI_ISLEM' }));
    const snipe = snipeItSource({
      url: 'https://envanter.test',
      token: 't0ken-xyz',
      timezone: TZ,
      businessTimezone: TZ,
      unitMapFile: map,
      fetch: replaySnipeIt({ rows: sampleRows(2) }).fetch,
    });
    // Only Snipe-IT runs on the next day; GLPI assets and their daily table come over unchanged into the new snapshot.
    const r = await etl.run([sourceFor(env.config), snipe], new Date(NOW.getTime() + DAY), { only: ['snipeit'] });
    expect(r.manifest).not.toBeNull();
    expect(r.sources.map((s) => [s.source, s.loadedByRun === r.runId])).toEqual([
      ['glpi_assets', false],
      ['snipeit', true],
    ]);
    expect(await etl.query(`SELECT strftime("day", '%Y-%m-%d') AS day, count(*)::INT AS n FROM raw_inventory.asset_daily GROUP BY 1`)).toEqual([
      { day: '2026-11-25', n: env.summary.expected.loaded },
    ]);
    expect(await etl.query(`SELECT strftime("day", '%Y-%m-%d') AS day, count(*)::INT AS n FROM raw_inventory.snipeit_asset_daily GROUP BY 1`)).toEqual([
      { day: '2026-11-26', n: 2 },
    ]);
    expect(await etl.query(`SELECT count(*)::INT AS n FROM raw_inventory.glpi_assets`)).toEqual([{ n: env.summary.expected.loaded }]);
  });

  it('hand-made bad rows are refused with a reason naming the field; odd but valid ones load right', async () => {
    const env = await demoEnv('bad');
    const w = open(env.file);
    const legacy = (await w('glpi_groups').where('name', 'Eski Muhasebe Birimi').first('id')) as { id: number };
    const ids = (await w('glpi_monitors')
      .where({ is_deleted: 0, is_template: 0 })
      .whereNot('groups_id', 0)
      .whereNot('groups_id', legacy.id)
      .whereIn('id', w('glpi_infocoms').where('itemtype', 'Monitor').whereNull('decommission_date').select('items_id'))
      .orderBy('id')
      .limit(12)
      .pluck('id')) as number[];
    expect(ids).toHaveLength(12);
    const inf = (id: number, patch: Record<string, unknown>) => w('glpi_infocoms').where({ itemtype: 'Monitor', items_id: id }).update(patch);
    const mon = (id: number, patch: Record<string, unknown>) => w('glpi_monitors').where('id', id).update(patch);
    await inf(ids[0], { buy_date: '2023-02-30' });
    await inf(ids[1], { warranty_duration: -5 });
    await inf(ids[2], { buy_date: '2024-05-01', decommission_date: '2022-01-10 10:00:00' });
    await mon(ids[3], { groups_id: 99999 });
    await inf(ids[4], { value: -10 });
    await mon(ids[5], { date_mod: 'dün akşam' });
    const [fen] = (await w('glpi_groups').where('name', 'Fen İşleri Müdürlüğü').pluck('id')) as number[];
    const [yol] = await w('glpi_groups')
      .insert({ entities_id: 0, is_recursive: 1, name: 'Yol Bakım', completename: 'Fen İşleri Müdürlüğü > Yol Bakım', groups_id: fen, level: 2 })
      .returning('id');
    await mon(ids[6], { groups_id: typeof yol === 'object' ? (yol as any).id : yol });
    const [enc] = await w('glpi_groups')
      .insert({ entities_id: 0, is_recursive: 1, name: 'Merkez Ekip', completename: 'Zabıta Müdürlüğü &#62; Merkez Ekip', level: 2 })
      .returning('id');
    await mon(ids[7], { groups_id: typeof enc === 'object' ? (enc as any).id : enc });
    const [hurda] = await w('glpi_states')
      .insert({ name: 'Hurda', completename: 'Kullanım dışı > Hurda', entities_id: 0, states_id: 0, level: 2 })
      .returning('id');
    await mon(ids[8], { states_id: typeof hurda === 'object' ? (hurda as any).id : hurda });
    await inf(ids[9], { warranty_duration: -1, warranty_date: '2020-01-01' });
    await w('glpi_infocoms').where({ itemtype: 'Monitor', items_id: ids[10] }).delete();
    await w.destroy();

    const r = await etl.run([sourceFor(env.config)], NOW);
    expect(r.sources[0].rowsRejected).toBe(env.summary.expected.quarantined + 6);
    const q = Object.fromEntries((await etl.quarantine('glpi_assets')).map((x) => [x.locator, x.reason]));
    expect(q[`glpi_monitors.id=${ids[0]}`]).toBe('buy_date "2023-02-30" is not a real calendar date');
    expect(q[`glpi_monitors.id=${ids[1]}`]).toBe('warranty_duration -5 is not a number of months (−1 = lifelong)');
    expect(q[`glpi_monitors.id=${ids[2]}`]).toBe('decommission_date 2022-01-10 is before buy_date 2024-05-01');
    expect(q[`glpi_monitors.id=${ids[3]}`]).toMatch(/^unit cannot be resolved: group id 99999 is not in glpi_groups, and location ".+" is not a unit either/);
    expect(q[`glpi_monitors.id=${ids[4]}`]).toBe('value -10 is negative');
    expect(q[`glpi_monitors.id=${ids[5]}`]).toBe(`date_mod "dün akşam" is not a date-time 'YYYY-MM-DD HH:MM:SS'`);
    const rows = await etl.query(
      `SELECT item_id, unit_code, unit_resolved_via, group_name, status, state_name, warranty_lifelong, warranty_end, purchase_date, has_infocom FROM raw_inventory.glpi_assets WHERE itemtype = 'Monitor' AND item_id IN (${ids.slice(6, 11).join(',')}) ORDER BY item_id`,
    );
    expect(rows).toEqual([
      expect.objectContaining({ item_id: String(ids[6]), unit_code: 'FEN_ISLERI', unit_resolved_via: 'group', group_name: 'Fen İşleri Müdürlüğü > Yol Bakım' }),
      expect.objectContaining({ item_id: String(ids[7]), unit_code: 'ZABITA', unit_resolved_via: 'group', group_name: 'Zabıta Müdürlüğü > Merkez Ekip' }),
      expect.objectContaining({ item_id: String(ids[8]), status: 'scrapped', state_name: 'Kullanım dışı > Hurda' }),
      expect.objectContaining({ item_id: String(ids[9]), warranty_lifelong: true, warranty_end: null }),
      expect.objectContaining({ item_id: String(ids[10]), purchase_date: null, has_infocom: false }),
    ]);
  });

  it('row count change against the previous run warns when a fifth of the assets vanish', async () => {
    const env = await demoEnv('shrink');
    await etl.run([sourceFor(env.config)], NOW);
    const w = open(env.file);
    await w('glpi_monitors').update({ is_deleted: 1 });
    await w.destroy();
    const r = await etl.run([sourceFor(env.config)], new Date(NOW.getTime() + DAY));
    const c = r.sources[0].checks.find((x) => x.name === 'row_count_change')!;
    expect(r.sources[0].status).toBe('warn');
    expect(c.passed).toBe(false);
    expect(c.detail).toMatch(/^\d+ assets against \d+ in the previous run \(-\d+\.\d %; limits -10 % \/ \+50 %\)$/);
  });

  it.each<[string, (env: { config: PanoConfig; file: string }) => Promise<string>, RegExp, unknown]>([
    [
      'the database file is missing',
      async () => `sqlite:${path.join(tmp, 'missing', 'glpi.sqlite')}`,
      /^GLPI database at .*missing\/glpi\.sqlite is unreachable: file not found/,
      SourceUnavailableError,
    ],
    [
      'a helpdesk-only GLPI (no asset tables)',
      async () => {
        const f = path.join(tmp, 'helpdesk-only.sqlite');
        await createGlpiDemoSource(f, { seed: 1, scale: 0.01, now: NOW, years: 1 });
        return `sqlite:${f}`;
      },
      /does not look like a GLPI database|has no asset inventory: tables glpi_computers, glpi_computertypes, glpi_computermodels/,
      NotGlpiDatabaseError,
    ],
    [
      'a MariaDB that is down',
      async () => 'mysql://pano:cok-gizli@127.0.0.1:1/glpi',
      /^GLPI database at 127\.0\.0\.1:1\/glpi is unreachable/,
      SourceUnavailableError,
    ],
  ])(
    '%s: a clear error naming the place, never the password',
    async (_what, urlOf, message, type) => {
      const env = await demoEnv('down');
      const url = await urlOf(env);
      const err = await connectGlpiAssets(url).catch((e) => e);
      expect(err).toBeInstanceOf(type);
      expect(err.message).toMatch(message);
      expect(err.message).not.toContain('cok-gizli');
      const r = await etl.run([sourceFor(env.config, url)], NOW);
      expect(r.sources[0]).toMatchObject({ status: 'failed', rowsLoaded: 0 });
      expect(r.sources[0].message).toMatch(message);
      expect(r.manifest).toBeNull();
    },
    30_000,
  );

  it('a broken unit map stops the source at start as a configuration error', () => {
    const bad = path.join(tmp, 'bad-map.json');
    fs.writeFileSync(bad, JSON.stringify({ 'Eski Muhasebe Birimi': 'MUHASEBE' }));
    expect(() => glpiAssetsSource({ url: 'sqlite:x', timezone: TZ, businessTimezone: TZ, unitMapFile: bad })).toThrow(ConfigError);
    expect(() => glpiAssetsSource({ url: 'sqlite:x', timezone: TZ, businessTimezone: TZ, unitMapFile: bad })).toThrow(/unknown unit code "MUHASEBE"/);
  });
});

describe('inventory marts', () => {
  let etl: EtlHarness;
  let env: Awaited<ReturnType<typeof demoEnv>>;
  beforeAll(async () => {
    etl = await createEtlHarness('pano-inv-marts-');
    env = await demoEnv('marts', 0.15);
    const map = path.join(tmp, 'units-snipe.json');
    fs.writeFileSync(map, JSON.stringify({ 'West Alize': 'BILGI_ISLEM' }));
    const snipe = snipeItSource({
      url: 'https://envanter.test',
      token: 't0ken-xyz',
      timezone: TZ,
      businessTimezone: TZ,
      unitMapFile: map,
      fetch: replaySnipeIt({ rows: sampleRows(3) }).fetch,
    });
    const r = await etl.run([sourceFor(env.config), snipe], NOW);
    expect(r.sources.map((s) => s.status)).toEqual(['ok', 'warn']); // the 2025 sample is not fresh in late 2026
  }, 60_000);
  afterAll(() => etl.close());

  it('dim_assets: one row per loaded asset of both sources, with unit, type, status, age, warranty and scrapping', async () => {
    const [bySource, byStatus, kpi, scrappedYear, sample] = await etl.marts(
      ['glpi_assets', 'snipeit'],
      [
        `SELECT source, count(*)::INT AS n, count(DISTINCT asset_key)::INT AS keys, count(unit_code)::INT AS with_unit FROM marts.dim_assets GROUP BY 1 ORDER BY 1`,
        `SELECT status, count(*)::INT AS n FROM marts.dim_assets WHERE source = 'glpi' GROUP BY 1 ORDER BY 1`,
        `SELECT count(*) FILTER (WHERE in_inventory)::INT AS in_inventory,
              round(avg(age_years) FILTER (WHERE in_inventory), 1) AS avg_age,
              round(avg(CASE WHEN older_than_5y THEN 1 ELSE 0 END) FILTER (WHERE in_inventory AND purchase_date IS NOT NULL), 2) AS share_old,
              count(*) FILTER (WHERE warranty_ends_within_90d)::INT AS warranty_90d,
              round(avg(CASE WHEN out_of_service THEN 1 ELSE 0 END) FILTER (WHERE in_inventory), 3) AS oos_share,
              count(*) FILTER (WHERE scrapped_this_year)::INT AS scrapped_this_year,
              min(strftime(as_of_date, '%Y-%m-%d')) AS as_of
       FROM marts.dim_assets WHERE source = 'glpi'`,
        `SELECT scrapped_year, count(*)::INT AS n FROM marts.dim_assets WHERE source = 'glpi' AND is_scrapped GROUP BY 1 ORDER BY 1`,
        `SELECT * FROM marts.dim_assets WHERE source = 'snipeit' ORDER BY asset_key LIMIT 1`,
      ],
    );
    expect(bySource).toEqual([
      { source: 'glpi', n: env.summary.expected.loaded, keys: env.summary.expected.loaded, with_unit: env.summary.expected.loaded },
      { source: 'snipeit', n: 3, keys: 3, with_unit: 3 },
    ]);
    const expectedStatus = { ...env.summary.byStatus, in_use: env.summary.byStatus.in_use - env.summary.expected.quarantined };
    expect(Object.fromEntries(byStatus.map((x) => [x.status, x.n]))).toEqual(expectedStatus);
    expect(kpi[0].as_of).toBe('2026-11-25');
    expect(kpi[0].in_inventory).toBe(env.summary.expected.loaded - (env.summary.byStatus.scrapped ?? 0));
    expect(kpi[0].avg_age).toBeGreaterThan(2);
    expect(kpi[0].avg_age).toBeLessThan(6);
    expect(kpi[0].share_old).toBeGreaterThan(0.1);
    expect(kpi[0].share_old).toBeLessThan(0.6);
    expect(kpi[0].warranty_90d).toBeGreaterThan(0);
    expect(kpi[0].oos_share).toBeGreaterThan(0.01);
    expect(kpi[0].oos_share).toBeLessThan(0.15);
    expect(kpi[0].scrapped_this_year).toBe(env.summary.scrappedByYear['2026']);
    expect(Object.fromEntries(scrappedYear.map((x) => [String(x.scrapped_year), x.n]))).toEqual(env.summary.scrappedByYear);
    expect(sample).toEqual([
      expect.objectContaining({
        asset_key: 'snipeit:10002',
        source: 'snipeit',
        asset_type: 'Monitör',
        unit_code: 'BILGI_ISLEM',
        site: 'West Alize',
        manufacturer: 'Dell',
      }),
    ]);
  });

  it('the warranty window and age follow the as-of day, checked row by row against the raw dates', async () => {
    const [rows] = await etl.marts(
      ['glpi_assets'],
      [
        `SELECT strftime(purchase_date, '%Y-%m-%d') AS purchase_date, strftime(warranty_end, '%Y-%m-%d') AS warranty_end, warranty_lifelong,
              warranty_ends_within_90d AS w90, under_warranty, age_years, is_scrapped, strftime(scrapped_date, '%Y-%m-%d') AS scrapped_date
       FROM marts.dim_assets`,
      ],
    );
    const asOf = Date.UTC(2026, 10, 25);
    const days = (iso: string) => Math.round((Date.UTC(+iso.slice(0, 4), +iso.slice(5, 7) - 1, +iso.slice(8, 10)) - asOf) / DAY);
    for (const r of rows) {
      const left = r.warranty_end ? days(r.warranty_end) : null;
      expect(r.w90).toBe(!r.is_scrapped && left !== null && left >= 0 && left <= 90);
      expect(r.under_warranty).toBe(!r.is_scrapped && (r.warranty_lifelong || (left !== null && left >= 0)));
      if (r.purchase_date) {
        const end = r.scrapped_date ? days(r.scrapped_date) : 0;
        expect(r.age_years).toBeCloseTo((end - days(r.purchase_date)) / 365.25, 1);
      }
    }
  });

  it("fct_asset_daily has today for every asset; the monthly stock ends with today's inventory", async () => {
    const [daily, last, first] = await etl.marts(
      ['glpi_assets', 'snipeit'],
      [
        `SELECT source, strftime("day", '%Y-%m-%d') AS day, count(*)::INT AS n, count(*) FILTER (WHERE in_inventory)::INT AS in_inventory FROM marts.fct_asset_daily GROUP BY ALL ORDER BY 1`,
        `SELECT sum(assets_in_inventory)::INT AS n, sum(purchased)::INT AS bought FROM marts.fct_asset_stock_monthly WHERE source = 'glpi' AND month = DATE '2026-11-01'`,
        `SELECT min(month) AS first FROM marts.fct_asset_stock_monthly`,
      ],
    );
    expect(daily).toEqual([
      { source: 'glpi', day: '2026-11-25', n: env.summary.expected.loaded, in_inventory: env.summary.expected.loaded - env.summary.byStatus.scrapped },
      { source: 'snipeit', day: '2026-11-25', n: 3, in_inventory: 3 },
    ]);
    const [withDate] = await etl.marts(['glpi_assets'], [`SELECT count(*)::INT AS n FROM marts.dim_assets WHERE in_inventory AND purchase_date IS NOT NULL`]);
    expect(last[0].n).toBe(withDate[0].n);
    expect(last[0].bought).toBeGreaterThan(0);
    expect(String(first[0].first) < '2017-01-01').toBe(true);
  });

  it('no inventory source in the snapshot (or its table missing): no inventory marts', async () => {
    const instance = await DuckDBInstance.create(':memory:');
    const conn = await instance.connect();
    try {
      await buildInventoryMarts(conn, new Set());
      await buildInventoryMarts(conn, new Set(['glpi_assets', 'snipeit'])); // "present" but no raw table
      const r = (await conn.runAndReadAll(`SELECT count(*)::INT AS n FROM duckdb_tables() WHERE schema_name = 'marts'`)).getRowObjectsJson();
      expect(r).toEqual([{ n: 0 }]);
      expect(inventoryMarts).toMatchObject({ name: 'inventory', requires: [] });
    } finally {
      conn.closeSync();
      instance.closeSync();
    }
  });
});
