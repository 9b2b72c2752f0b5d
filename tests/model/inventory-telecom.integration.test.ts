import { DuckDBInstance } from '@duckdb/node-api';
import cube, { type CubeApi, type Query } from '@cubejs-client/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../common/logger.js';
import { SnapshotStore } from '../../etl/warehouse/snapshots.js';
import { startServer, type RunningServer } from '../../portal/server/index.js';
import { createPanoEnv, login, type PanoTestEnv } from '../helpers/pano-env.js';
import { createTempPgDatabase, SKIP_POSTGRES, type TempPgDatabase } from '../helpers/postgres.js';

// The inventory (envanter) and telecom (telekom) views, through the real @cubejs-client/core: /meta, every measure
// once, numbers checked against each other and against the snapshot itself, row-level security for a birim user,
// and the same measures on the PostgreSQL warehouse (the model's SQL must run on both).
//
// The inventory demo writes its assets into the demo GLPI database, so the helpdesk demo is generated too.
// One ETL run publishes the DuckDB snapshot and, unless PANO_TEST_SKIP_POSTGRES=1, the same marts into PostgreSQL:
// `server` reads DuckDB, `pgServer` reads PostgreSQL.
let env: PanoTestEnv;
let pgDb: TempPgDatabase | null = null;
let server: RunningServer;
let pgServer: RunningServer | null = null;
let api: CubeApi;
let birimApi: CubeApi;
let snapshotFile: string;

/** The as-of day of the test data: TEST_NOW (2026-11-25T09:00Z) in Europe/Istanbul. */
const AS_OF = '2026-11-25';
const VIEWS = ['envanter', 'telekom'] as const;
const FORMATS = ['number', 'percent', 'money', 'hours', 'days', 'bytes'];

const num = (v: unknown) => (v === null || v === undefined ? NaN : Number(v));
// rawData, not tablePivot: tablePivot shows a NULL measure as 0, which would hide a broken measure
const rows = async (a: CubeApi, q: Query) => (await a.load(q)).rawData() as Array<Record<string, any>>;
const first = async (a: CubeApi, q: Query) => (await rows(a, q))[0] ?? {};
const total = async (a: CubeApi, measure: string, extra: Partial<Query> = {}) => num((await first(a, { measures: [measure], ...extra }))[measure]);
const sumOf = (rs: Array<Record<string, unknown>>, m: string) => rs.reduce((s, r) => s + (r[m] == null ? 0 : Number(r[m])), 0);

async function duck(sql: string): Promise<Array<Record<string, any>>> {
  const inst = await DuckDBInstance.create(snapshotFile, { access_mode: 'READ_ONLY' });
  const conn = await inst.connect();
  try {
    return (await conn.runAndReadAll(sql)).getRowObjectsJson() as Array<Record<string, any>>;
  } finally {
    conn.closeSync();
    inst.closeSync();
  }
}

/** The measures of a view as /meta lists them for this caller. */
async function measuresOf(a: CubeApi, view: string) {
  const meta = await a.meta();
  return meta.cubes.find((c) => c.name === view)!.measures as Array<Record<string, any>>;
}

beforeAll(async () => {
  if (!SKIP_POSTGRES) pgDb = await createTempPgDatabase();
  env = await createPanoEnv({ systems: ['helpdesk', 'inventory', 'telecom'], scale: 0.1, env: pgDb ? { PANO_WAREHOUSE_URL: pgDb.url } : {} });
  const duckConfig = { ...env.config, warehouse: { ...env.config.warehouse, postgresUrl: undefined } };
  server = await startServer(duckConfig, silentLogger, { port: 0 });
  if (pgDb) pgServer = await startServer(env.config, silentLogger, { port: 0 });
  api = cube(await login(server.url, 'mudur'), { apiUrl: `${server.url}/cubejs-api/v1` });
  birimApi = cube(await login(server.url, 'birim'), { apiUrl: `${server.url}/cubejs-api/v1` });
  const store = new SnapshotStore(env.config.warehouse.dir);
  snapshotFile = store.pathOf(store.current()!);
}, 300_000);

afterAll(async () => {
  await pgServer?.close();
  await server?.close();
  await pgDb?.drop();
  env?.cleanup();
});

describe('/meta', () => {
  it('lists envanter and telekom with Turkish titles, and no private cube', async () => {
    const meta = await api.meta();
    const names = meta.cubes.map((c) => c.name);
    expect(names).toEqual(expect.arrayContaining(['envanter', 'telekom']));
    for (const hidden of [
      'assets',
      'asset_daily',
      'asset_stock_monthly',
      'locations',
      'units',
      'telecom_costs',
      'telecom_lines',
      'telecom_usage',
      'telecom_budget',
      'telecom_invoices',
      'telecom_taxes',
    ]) {
      expect(names).not.toContain(hidden);
    }
    const byName = new Map(meta.cubes.map((c) => [c.name, c as any]));
    expect(byName.get('envanter').title).toBe('Envanter');
    expect(byName.get('envanter').meta.title_en).toBe('Inventory');
    expect(byName.get('telekom').title).toBe('Telekom');
    expect(byName.get('telekom').meta.title_en).toBe('Telecom');
  });

  it.each(VIEWS)('%s: every measure has a Turkish title, a description with formula, source and clause, and meta', async (view) => {
    const measures = await measuresOf(api, view);
    expect(measures.length).toBeGreaterThan(view === 'envanter' ? 25 : 60);
    for (const m of measures) {
      const label = `${m.name}`;
      expect(m.shortTitle, label).toBeTruthy();
      expect(m.description, label).toMatch(/Kaynak: .+/);
      expect(m.description, label).toMatch(/Madde 11\(3\)-II [a-f]\.$/);
      expect(m.meta?.title_en, label).toBeTruthy();
      expect(FORMATS, label).toContain(m.meta?.format);
      expect(m.meta?.source, label).toBeTruthy();
      expect(m.meta?.article, label).toMatch(/^11\(3\)-II [a-f]$/);
      if (m.meta.format === 'money') expect(m.format, label).toBe('currency');
      if (m.meta.format === 'percent') expect(m.format, label).toBe('percent');
      if (m.format === 'currency') expect(m.meta.format, label).toBe('money');
    }
    const dims = (await api.meta()).cubes.find((c) => c.name === view)!.dimensions as Array<Record<string, any>>;
    for (const d of dims) {
      expect(d.shortTitle, d.name).toBeTruthy();
      expect(d.meta?.title_en, d.name).toBeTruthy();
    }
    expect(dims.map((d) => d.name)).toEqual(expect.arrayContaining([`${view}.unit_code`, `${view}.unit_name`]));
  });
});

describe('every measure runs', () => {
  it.each(VIEWS)(
    '%s: each measure alone and by unit; additive ones add up to the total',
    async (view) => {
      const measures = await measuresOf(api, view);
      for (const m of measures) {
        const all = await rows(api, { measures: [m.name] });
        expect(all, m.name).toHaveLength(1);
        expect(Number.isFinite(num(all[0][m.name])), `${m.name} = ${all[0][m.name]}`).toBe(true);
        const byUnit = await rows(api, { measures: [m.name], dimensions: [`${view}.unit_name`] });
        expect(byUnit.length, m.name).toBeGreaterThan(5);
        if (['count', 'sum'].includes(m.aggType)) {
          expect(sumOf(byUnit, m.name), m.name).toBeCloseTo(num(all[0][m.name]), 2);
        }
      }
    },
    120_000,
  );
});

describe('envanter: numbers hang together', () => {
  it('assets by status, type and site add up to the total; in inventory = total − scrapped', async () => {
    const t = await total(api, 'envanter.asset_count');
    expect(t).toBeGreaterThan(100);
    for (const dim of ['envanter.status_label', 'envanter.status', 'envanter.asset_type', 'envanter.site', 'envanter.age_band']) {
      const rs = await rows(api, { measures: ['envanter.asset_count'], dimensions: [dim] });
      expect(rs.length, dim).toBeGreaterThan(1);
      expect(sumOf(rs, 'envanter.asset_count'), dim).toBe(t);
    }
    const r = await first(api, {
      measures: [
        'envanter.in_inventory_count',
        'envanter.scrapped_count',
        'envanter.in_use_count',
        'envanter.in_stock_count',
        'envanter.out_of_service_count',
        'envanter.out_of_service_share',
      ],
    });
    expect(num(r['envanter.in_inventory_count'])).toBe(t - num(r['envanter.scrapped_count']));
    expect(num(r['envanter.in_use_count']) + num(r['envanter.in_stock_count']) + num(r['envanter.out_of_service_count'])).toBeLessThanOrEqual(
      num(r['envanter.in_inventory_count']),
    );
    expect(num(r['envanter.out_of_service_share'])).toBeCloseTo((100 * num(r['envanter.out_of_service_count'])) / num(r['envanter.in_inventory_count']), 6);
    const db = (await duck(`SELECT count(*) AS n, count(*) FILTER (WHERE status = 'scrapped') AS scrapped FROM raw_inventory.glpi_assets`))[0];
    expect(t).toBe(num(db.n));
    expect(num(r['envanter.scrapped_count'])).toBe(num(db.scrapped));
  });

  it('warranty ending within 90 days equals a direct count on the snapshot, overall and for one unit', async () => {
    const sql = (unit?: string) => `
      SELECT count(*) AS n FROM raw_inventory.glpi_assets
      WHERE status <> 'scrapped' AND TRY_CAST(warranty_end AS DATE) BETWEEN DATE '${AS_OF}' AND DATE '${AS_OF}' + 90
      ${unit ? `AND unit_code = '${unit}'` : ''}`;
    const api90 = await total(api, 'envanter.warranty_ending_90d_count');
    const db90 = num((await duck(sql()))[0].n);
    expect(db90).toBeGreaterThan(0);
    expect(api90).toBe(db90);
    const byUnit = await rows(api, { measures: ['envanter.warranty_ending_90d_count'], dimensions: ['envanter.unit_code'] });
    const bilgi = byUnit.find((r) => r['envanter.unit_code'] === 'BILGI_ISLEM');
    expect(num(bilgi?.['envanter.warranty_ending_90d_count'] ?? 0)).toBe(num((await duck(sql('BILGI_ISLEM')))[0].n));
    const seg = await total(api, 'envanter.asset_count', { segments: ['envanter.warranty_expiring'] });
    expect(seg).toBe(db90);
  });

  it('age: average, median and the share older than 5 years match the snapshot', async () => {
    const r = await first(api, {
      measures: [
        'envanter.avg_age_years',
        'envanter.median_age_years',
        'envanter.older_than_5y_count',
        'envanter.aged_count',
        'envanter.older_than_5y_share',
        'envanter.missing_purchase_date_count',
        'envanter.in_inventory_count',
      ],
    });
    const db = (
      await duck(`
        SELECT avg(date_diff('day', TRY_CAST(purchase_date AS DATE), DATE '${AS_OF}') / 365.25) AS avg_age,
               count(*) FILTER (WHERE date_diff('day', TRY_CAST(purchase_date AS DATE), DATE '${AS_OF}') > 5 * 365.25) AS older,
               count(TRY_CAST(purchase_date AS DATE)) AS aged, count(*) FILTER (WHERE purchase_date IS NULL) AS missing
        FROM raw_inventory.glpi_assets WHERE status <> 'scrapped'`)
    )[0];
    // the mart rounds each age to 0.01 year
    expect(num(r['envanter.avg_age_years'])).toBeCloseTo(num(db.avg_age), 2);
    expect(num(r['envanter.older_than_5y_count'])).toBe(num(db.older));
    expect(num(r['envanter.aged_count'])).toBe(num(db.aged));
    expect(num(r['envanter.missing_purchase_date_count'])).toBe(num(db.missing));
    expect(num(r['envanter.aged_count']) + num(r['envanter.missing_purchase_date_count'])).toBe(num(r['envanter.in_inventory_count']));
    expect(num(r['envanter.older_than_5y_share'])).toBeCloseTo((100 * num(db.older)) / num(db.aged), 6);
    const median = num(r['envanter.median_age_years']);
    expect(median).toBeGreaterThan(0);
    expect(median).toBeLessThan(30);
  });

  it('scrapped this year matches the snapshot', async () => {
    const r = await total(api, 'envanter.scrapped_this_year_count');
    const db = (await duck(`SELECT count(*) AS n FROM marts.dim_assets WHERE status = 'scrapped' AND year(scrapped_date) = year(DATE '${AS_OF}')`))[0];
    expect(r).toBe(num(db.n));
    const viaDate = await total(api, 'envanter.scrapped_count', {
      timeDimensions: [{ dimension: 'envanter.scrapped_date', dateRange: ['2026-01-01', '2026-12-31'] }],
    });
    expect(viaDate).toBe(r);
  });

  it('locations: assets by site add up and match the location strings', async () => {
    const rs = await rows(api, { measures: ['envanter.asset_count'], dimensions: ['envanter.site'], order: { 'envanter.asset_count': 'desc' } });
    const db = await duck(`SELECT trim(split_part(location, '>', 1)) AS site, count(*) AS n FROM raw_inventory.glpi_assets GROUP BY 1`);
    for (const d of db) expect(num(rs.find((r) => r['envanter.site'] === d.site)?.['envanter.asset_count']), String(d.site)).toBe(num(d.n));
    const floors = await rows(api, {
      measures: ['envanter.asset_count'],
      dimensions: ['envanter.site', 'envanter.sub_location'],
      filters: [{ member: 'envanter.location_depth', operator: 'gt', values: ['1'] }],
    });
    for (const f of floors) expect(f['envanter.sub_location']).toBeTruthy();
  });

  it('monthly stock: this month-end equals the assets in inventory with a purchase date; purchases add up', async () => {
    const month = await first(api, {
      measures: ['envanter.stock_month_end'],
      timeDimensions: [{ dimension: 'envanter.stock_month', granularity: 'month', dateRange: ['2026-11-01', '2026-11-30'] }],
    });
    const now = await total(api, 'envanter.in_inventory_count', { filters: [{ member: 'envanter.purchase_date', operator: 'set' }] });
    expect(num(month['envanter.stock_month_end'])).toBe(now);
    const purchased = await total(api, 'envanter.stock_purchased');
    expect(purchased).toBe(await total(api, 'envanter.asset_count', { filters: [{ member: 'envanter.purchase_date', operator: 'set' }] }));
    // growth: stock at the end of 2026-10 + net change in 2026-11 = stock at the end of 2026-11
    const oct = await first(api, {
      measures: ['envanter.stock_month_end'],
      timeDimensions: [{ dimension: 'envanter.stock_month', dateRange: ['2026-10-01', '2026-10-31'] }],
    });
    const nov = await first(api, {
      measures: ['envanter.stock_net_change'],
      timeDimensions: [{ dimension: 'envanter.stock_month', dateRange: ['2026-11-01', '2026-11-30'] }],
    });
    expect(num(oct['envanter.stock_month_end']) + num(nov['envanter.stock_net_change'])).toBe(now);
    const years = await rows(api, {
      measures: ['envanter.stock_purchased', 'envanter.stock_scrapped', 'envanter.stock_retirement_rate', 'envanter.stock_month_count'],
      timeDimensions: [{ dimension: 'envanter.stock_month', granularity: 'year', dateRange: ['2024-01-01', '2025-12-31'] }],
    });
    expect(years).toHaveLength(2);
    for (const y of years) expect(num(y['envanter.stock_month_count'])).toBe(12);
  });

  it('daily snapshot: the snapshot day holds today’s inventory', async () => {
    const r = await first(api, {
      measures: ['envanter.daily_avg_in_inventory', 'envanter.daily_observation_count', 'envanter.daily_snapshot_days', 'envanter.daily_distinct_assets'],
      timeDimensions: [{ dimension: 'envanter.daily_day', granularity: 'day', dateRange: [AS_OF, AS_OF] }],
    });
    expect(num(r['envanter.daily_snapshot_days'])).toBe(1);
    expect(num(r['envanter.daily_avg_in_inventory'])).toBe(await total(api, 'envanter.in_inventory_count'));
    expect(num(r['envanter.daily_observation_count'])).toBe(await total(api, 'envanter.asset_count'));
    expect(num(r['envanter.daily_distinct_assets'])).toBe(num(r['envanter.daily_observation_count']));
  });
});

describe('telekom: numbers hang together', () => {
  it('gross = net + KDV + ÖİV + other taxes, overall and per unit; costs equal the invoices and the tax subtotals', async () => {
    const ms = [
      'telekom.gross_amount',
      'telekom.net_amount',
      'telekom.kdv_amount',
      'telekom.oiv_amount',
      'telekom.other_tax_amount',
      'telekom.tax_amount',
      'telekom.withholding_amount',
      'telekom.payable_amount',
    ];
    const t = await first(api, { measures: ms });
    const gross = num(t['telekom.gross_amount']);
    expect(gross).toBeGreaterThan(100_000);
    const parts = num(t['telekom.net_amount']) + num(t['telekom.kdv_amount']) + num(t['telekom.oiv_amount']) + num(t['telekom.other_tax_amount']);
    expect(Math.abs(gross - parts)).toBeLessThanOrEqual(1);
    expect(num(t['telekom.tax_amount'])).toBeCloseTo(num(t['telekom.kdv_amount']) + num(t['telekom.oiv_amount']) + num(t['telekom.other_tax_amount']), 1);
    expect(Math.abs(num(t['telekom.payable_amount']) - (gross - num(t['telekom.withholding_amount'])))).toBeLessThanOrEqual(1);
    for (const r of await rows(api, { measures: ms, dimensions: ['telekom.unit_name'] })) {
      const p = num(r['telekom.net_amount']) + num(r['telekom.kdv_amount']) + num(r['telekom.oiv_amount']) + num(r['telekom.other_tax_amount']);
      expect(Math.abs(num(r['telekom.gross_amount']) - p), String(r['telekom.unit_name'])).toBeLessThanOrEqual(0.5);
    }

    const inv = await first(api, {
      measures: ['telekom.invoice_gross_amount', 'telekom.invoice_net_amount', 'telekom.invoice_kdv_amount', 'telekom.invoice_oiv_amount'],
    });
    expect(num(inv['telekom.invoice_gross_amount'])).toBeCloseTo(gross, 1);
    expect(num(inv['telekom.invoice_net_amount'])).toBeCloseTo(num(t['telekom.net_amount']), 1);
    expect(num(inv['telekom.invoice_kdv_amount'])).toBeCloseTo(num(t['telekom.kdv_amount']), 1);
    expect(num(inv['telekom.invoice_oiv_amount'])).toBeCloseTo(num(t['telekom.oiv_amount']), 1);

    const taxes = await rows(api, {
      measures: ['telekom.tax_breakdown_amount', 'telekom.tax_withheld_amount', 'telekom.tax_effective_rate'],
      dimensions: ['telekom.tax_group'],
    });
    const g = (k: string) => taxes.find((r) => r['telekom.tax_group'] === k) ?? {};
    expect(num(g('KDV')['telekom.tax_breakdown_amount'])).toBeCloseTo(num(t['telekom.kdv_amount']), 1);
    expect(num(g('OIV')['telekom.tax_breakdown_amount'])).toBeCloseTo(num(t['telekom.oiv_amount']), 1);
    expect(num(g('KDV')['telekom.tax_effective_rate'])).toBeCloseTo(20, 1);
    expect(num(g('OIV')['telekom.tax_effective_rate'])).toBeCloseTo(10, 1);
    expect(sumOf(taxes, 'telekom.tax_withheld_amount')).toBeCloseTo(num(t['telekom.withholding_amount']), 1);

    const db = (await duck(`SELECT sum(payable_amount) AS payable FROM raw_telecom.invoices`))[0];
    expect(num(t['telekom.payable_amount'])).toBeCloseTo(num(db.payable), 1);
  });

  it('by operator and by line type the cost adds up to the total; cost per line is its formula', async () => {
    const gross = await total(api, 'telekom.gross_amount');
    for (const dim of ['telekom.operator_name', 'telekom.line_type_label', 'telekom.unit_name', 'telekom.registry_line_type']) {
      const rs = await rows(api, { measures: ['telekom.gross_amount'], dimensions: [dim] });
      expect(rs.length, dim).toBeGreaterThan(1);
      expect(sumOf(rs, 'telekom.gross_amount'), dim).toBeCloseTo(gross, 1);
    }
    const byOp = await rows(api, {
      measures: [
        'telekom.gross_amount',
        'telekom.cost_per_line',
        'telekom.line_gross_amount',
        'telekom.charged_line_count',
        'telekom.monthly_cost_per_line',
        'telekom.line_month_count',
      ],
      dimensions: ['telekom.operator_name'],
    });
    expect(byOp.map((r) => r['telekom.operator_name']).sort()).toEqual(['Turkcell', 'Türk Telekom', 'Vodafone']);
    for (const r of byOp) {
      expect(num(r['telekom.cost_per_line'])).toBeCloseTo(num(r['telekom.line_gross_amount']) / num(r['telekom.charged_line_count']), 6);
      expect(num(r['telekom.monthly_cost_per_line'])).toBeCloseTo(num(r['telekom.line_gross_amount']) / num(r['telekom.line_month_count']), 6);
    }
    const acc = await first(api, { measures: ['telekom.line_gross_amount', 'telekom.account_gross_amount'] });
    expect(num(acc['telekom.line_gross_amount']) + num(acc['telekom.account_gross_amount'])).toBeCloseTo(gross, 1);
  });

  it('top lines: an ordered query lists the most expensive lines first', async () => {
    const top = await rows(api, {
      measures: ['telekom.gross_amount'],
      dimensions: ['telekom.line_key', 'telekom.line_display'],
      order: { 'telekom.gross_amount': 'desc' },
      limit: 5,
      filters: [{ member: 'telekom.line_key', operator: 'set' }],
    });
    expect(top).toHaveLength(5);
    for (let i = 1; i < top.length; i++) expect(num(top[i - 1]['telekom.gross_amount'])).toBeGreaterThanOrEqual(num(top[i]['telekom.gross_amount']));
    const db = await duck(`SELECT line_key, sum(gross_amount) AS g FROM marts.fct_telecom_costs WHERE line_key IS NOT NULL GROUP BY 1 ORDER BY 2 DESC LIMIT 1`);
    expect(num(top[0]['telekom.gross_amount'])).toBeCloseTo(num(db[0].g), 2);
    const cheap = await rows(api, { measures: ['telekom.gross_amount'], dimensions: ['telekom.line_key'], order: [['telekom.gross_amount', 'asc']], limit: 3 });
    expect(num(cheap[0]['telekom.gross_amount'])).toBeLessThanOrEqual(num(cheap[2]['telekom.gross_amount']));
  });

  it('month over month: the previous-month measure, the change and compareDateRange agree', async () => {
    const months = await rows(api, {
      measures: ['telekom.gross_amount', 'telekom.gross_amount_prev_month', 'telekom.gross_mom_change'],
      timeDimensions: [{ dimension: 'telekom.cost_month', granularity: 'month', dateRange: ['2026-07-01', '2026-10-31'] }],
      order: { 'telekom.cost_month': 'asc' },
    });
    expect(months).toHaveLength(4);
    for (let i = 1; i < months.length; i++) {
      const cur = num(months[i]['telekom.gross_amount']);
      const prev = num(months[i - 1]['telekom.gross_amount']);
      expect(num(months[i]['telekom.gross_amount_prev_month'])).toBeCloseTo(prev, 2);
      expect(num(months[i]['telekom.gross_mom_change'])).toBeCloseTo((100 * (cur - prev)) / prev, 6);
    }
    // the first month's previous month lies outside the date range and is still found
    const june = await total(api, 'telekom.gross_amount', { timeDimensions: [{ dimension: 'telekom.cost_month', dateRange: ['2026-06-01', '2026-06-30'] }] });
    expect(num(months[0]['telekom.gross_amount_prev_month'])).toBeCloseTo(june, 2);

    const cmp = await api.load({
      measures: ['telekom.gross_amount'],
      timeDimensions: [
        {
          dimension: 'telekom.cost_month',
          compareDateRange: [
            ['2026-09-01', '2026-09-30'],
            ['2026-10-01', '2026-10-31'],
          ],
        },
      ],
    });
    const [sep, oct] = cmp.decompose().map((p) => num(p.rawData()[0]['telekom.gross_amount']));
    expect(sep).toBeCloseTo(num(months[2]['telekom.gross_amount']), 2);
    expect(oct).toBeCloseTo(num(months[3]['telekom.gross_amount']), 2);
  });

  it('idle lines: charged months without usage match the snapshot', async () => {
    const r = await first(api, {
      measures: [
        'telekom.idle_line_month_count',
        'telekom.idle_line_count',
        'telekom.idle_gross_amount',
        'telekom.idle_cost_share',
        'telekom.line_gross_amount',
      ],
    });
    const db = (
      await duck(`
        SELECT count(*) AS months, count(DISTINCT c.line_key) AS lines, sum(c.gross_amount) AS gross
        FROM marts.fct_telecom_costs c JOIN marts.fct_telecom_usage u ON u.line_key = c.line_key AND u.cost_month = c.cost_month
        WHERE c.gross_amount > 0 AND NOT u.has_usage`)
    )[0];
    expect(num(db.months)).toBeGreaterThan(0);
    expect(num(r['telekom.idle_line_month_count'])).toBe(num(db.months));
    expect(num(r['telekom.idle_line_count'])).toBe(num(db.lines));
    expect(num(r['telekom.idle_gross_amount'])).toBeCloseTo(num(db.gross), 2);
    expect(num(r['telekom.idle_cost_share'])).toBeCloseTo((100 * num(db.gross)) / num(r['telekom.line_gross_amount']), 6);
    const lines = await first(api, { measures: ['telekom.idle_active_line_count', 'telekom.active_line_count', 'telekom.idle_line_share'] });
    const dbl = (
      await duck(`SELECT count(*) FILTER (WHERE is_idle AND is_active) AS idle, count(*) FILTER (WHERE is_active) AS active FROM marts.dim_telecom_lines`)
    )[0];
    expect(num(lines['telekom.idle_active_line_count'])).toBe(num(dbl.idle));
    expect(num(lines['telekom.active_line_count'])).toBe(num(dbl.active));
    const idleList = await rows(api, {
      measures: ['telekom.gross_amount'],
      dimensions: ['telekom.line_display'],
      filters: [{ member: 'telekom.line_is_idle', operator: 'equals', values: ['true'] }],
    });
    expect(idleList.length).toBeGreaterThan(0);
  });

  it('budget vs actual: budget equals the registry, variance and shares are their formulas', async () => {
    const oct = await first(api, {
      measures: [
        'telekom.budget_amount',
        'telekom.budget_actual_budgeted',
        'telekom.budget_variance',
        'telekom.budget_utilization',
        'telekom.budget_actual_gross',
      ],
      timeDimensions: [{ dimension: 'telekom.budget_month', dateRange: ['2026-10-01', '2026-10-31'] }],
    });
    const reg = (
      await duck(`
        SELECT sum(monthly_budget) AS b FROM raw_telecom.lines
        WHERE (TRY_CAST(active_from AS DATE) IS NULL OR TRY_CAST(active_from AS DATE) <= DATE '2026-10-31')
          AND (TRY_CAST(active_to AS DATE) IS NULL OR TRY_CAST(active_to AS DATE) >= DATE '2026-10-01')`)
    )[0];
    expect(num(reg.b)).toBeGreaterThan(0);
    expect(num(oct['telekom.budget_amount'])).toBeCloseTo(num(reg.b), 2);
    expect(num(oct['telekom.budget_variance'])).toBeCloseTo(num(oct['telekom.budget_actual_budgeted']) - num(oct['telekom.budget_amount']), 1);
    expect(num(oct['telekom.budget_utilization'])).toBeCloseTo((100 * num(oct['telekom.budget_actual_budgeted'])) / num(oct['telekom.budget_amount']), 6);
    // actual of all lines with a unit = the cost of that month on lines that have a unit
    const costs = await total(api, 'telekom.gross_amount', {
      timeDimensions: [{ dimension: 'telekom.cost_month', dateRange: ['2026-10-01', '2026-10-31'] }],
      filters: [{ member: 'telekom.unit_code', operator: 'set' }],
    });
    expect(num(oct['telekom.budget_actual_gross'])).toBeCloseTo(costs, 1);

    const shares = await first(api, {
      measures: [
        'telekom.budget_lines_over',
        'telekom.budget_budgeted_line_months',
        'telekom.budget_lines_over_share',
        'telekom.budget_units_over',
        'telekom.budget_unit_months',
        'telekom.budget_units_over_share',
      ],
    });
    expect(num(shares['telekom.budget_lines_over'])).toBeGreaterThan(0);
    // the budget fact and the cost fact are separate queries (they do not join); they count the same line-months
    expect(num(shares['telekom.budget_lines_over'])).toBe(await total(api, 'telekom.over_budget_line_month_count'));
    expect(num(shares['telekom.budget_lines_over_share'])).toBeCloseTo(
      (100 * num(shares['telekom.budget_lines_over'])) / num(shares['telekom.budget_budgeted_line_months']),
      6,
    );
    expect(num(shares['telekom.budget_units_over_share'])).toBeCloseTo(
      (100 * num(shares['telekom.budget_units_over'])) / num(shares['telekom.budget_unit_months']),
      6,
    );
    // no budget, no variance
    const byUnit = await rows(api, { measures: ['telekom.budget_variance'], dimensions: ['telekom.unit_name', 'telekom.budget_configured'] });
    const unconfigured = byUnit.filter((x) => String(x['telekom.budget_configured']) === 'false');
    expect(unconfigured.length).toBeGreaterThan(0);
    for (const r of unconfigured) expect(r['telekom.budget_variance']).toBeNull();
  });

  it('usage from the operator details: idle detail months are the ones without usage', async () => {
    const r = await first(api, {
      measures: ['telekom.usage_line_month_count', 'telekom.usage_idle_line_month_count', 'telekom.usage_data_mb', 'telekom.usage_voice_minutes'],
    });
    const db = (await duck(`SELECT count(*) AS n, count(*) FILTER (WHERE NOT has_usage) AS idle, sum(data_mb) AS mb FROM marts.fct_telecom_usage`))[0];
    expect(num(r['telekom.usage_line_month_count'])).toBe(num(db.n));
    expect(num(r['telekom.usage_idle_line_month_count'])).toBe(num(db.idle));
    expect(num(r['telekom.usage_data_mb'])).toBeCloseTo(num(db.mb), 0);
  });
});

describe('row-level security for a birim user (FEN_ISLERI)', () => {
  const grouped: Array<[string, Query]> = [
    ['assets', { measures: ['envanter.asset_count'], dimensions: ['envanter.unit_code'] }],
    ['assets by site', { measures: ['envanter.in_inventory_count'], dimensions: ['envanter.unit_code', 'envanter.site'] }],
    [
      'monthly stock',
      {
        measures: ['envanter.stock_purchased'],
        dimensions: ['envanter.unit_code'],
        timeDimensions: [{ dimension: 'envanter.stock_month', granularity: 'year', dateRange: ['2020-01-01', '2026-12-31'] }],
      },
    ],
    ['daily snapshot', { measures: ['envanter.daily_observation_count'], dimensions: ['envanter.unit_code'] }],
    ['costs', { measures: ['telekom.gross_amount'], dimensions: ['telekom.unit_code', 'telekom.operator_name'] }],
    ['lines', { measures: ['telekom.line_count'], dimensions: ['telekom.unit_code'] }],
    ['usage', { measures: ['telekom.usage_data_mb'], dimensions: ['telekom.unit_code'] }],
    ['budget', { measures: ['telekom.budget_amount'], dimensions: ['telekom.unit_code'] }],
    ['invoices', { measures: ['telekom.invoice_count'], dimensions: ['telekom.unit_code'] }],
    ['taxes', { measures: ['telekom.tax_breakdown_amount'], dimensions: ['telekom.unit_code'] }],
    [
      'month over month',
      {
        measures: ['telekom.gross_amount_prev_month'],
        dimensions: ['telekom.unit_code'],
        timeDimensions: [{ dimension: 'telekom.cost_month', granularity: 'month', dateRange: ['2026-08-01', '2026-10-31'] }],
      },
    ],
  ];

  it.each(grouped)('%s: only FEN_ISLERI rows, with the unit’s own totals', async (_name, q) => {
    const mine = await rows(birimApi, q);
    expect(mine.length).toBeGreaterThan(0);
    const unitMember = q.dimensions!.find((d) => d.endsWith('.unit_code'))!;
    for (const r of mine) expect(r[unitMember]).toBe('FEN_ISLERI');
    const measure = q.measures![0];
    const all = await rows(api, q);
    expect(new Set(all.map((r) => r[unitMember])).size).toBeGreaterThan(3);
    expect(sumOf(mine, measure)).toBeCloseTo(
      sumOf(
        all.filter((r) => r[unitMember] === 'FEN_ISLERI'),
        measure,
      ),
      2,
    );
  });

  it.each([
    ['envanter', 'envanter.asset_count'],
    ['envanter', 'envanter.stock_purchased'],
    ['telekom', 'telekom.gross_amount'],
    ['telekom', 'telekom.invoice_gross_amount'],
    ['telekom', 'telekom.budget_amount'],
  ])('%s: a filter naming another unit returns nothing (%s)', async (view, measure) => {
    const other = await rows(birimApi, {
      measures: [measure],
      dimensions: [`${view}.unit_code`],
      filters: [{ member: `${view}.unit_code`, operator: 'equals', values: ['ZABITA'] }],
    });
    expect(other).toHaveLength(0);
    const widened = await rows(birimApi, {
      measures: [measure],
      dimensions: [`${view}.unit_code`],
      filters: [
        {
          or: [
            { member: `${view}.unit_code`, operator: 'notEquals', values: ['FEN_ISLERI'] },
            { member: `${view}.unit_code`, operator: 'set' },
          ],
        },
      ],
    });
    for (const r of widened) expect(r[`${view}.unit_code`]).toBe('FEN_ISLERI');
    // an ungrouped total is the unit's, not the municipality's
    expect(await total(birimApi, measure)).toBeLessThan(await total(api, measure));
  });

  it('ungrouped queries list only the unit’s rows', async () => {
    const assets = await rows(birimApi, { dimensions: ['envanter.asset_key', 'envanter.unit_code', 'envanter.unit_name'], ungrouped: true, limit: 5000 });
    expect(assets.length).toBeGreaterThan(0);
    for (const r of assets) expect(r['envanter.unit_code']).toBe('FEN_ISLERI');
    const db = (await duck(`SELECT count(*) AS n FROM marts.dim_assets WHERE unit_code = 'FEN_ISLERI'`))[0];
    expect(assets).toHaveLength(num(db.n));
    const costs = await rows(birimApi, { dimensions: ['telekom.line_display', 'telekom.unit_code', 'telekom.cost_month'], ungrouped: true, limit: 5000 });
    expect(costs.length).toBeGreaterThan(0);
    for (const r of costs) expect(r['telekom.unit_code']).toBe('FEN_ISLERI');
    const invoices = await rows(birimApi, { dimensions: ['telekom.invoice_no', 'telekom.unit_code'], ungrouped: true, limit: 5000 });
    for (const r of invoices) expect(r['telekom.unit_code']).toBe('FEN_ISLERI');
  });

  it('/sql shows the unit filter the policy adds, for every fact of both views', async () => {
    for (const measure of [
      'envanter.asset_count',
      'envanter.stock_month_end',
      'envanter.daily_observation_count',
      'telekom.gross_amount',
      'telekom.line_count',
      'telekom.usage_data_mb',
      'telekom.budget_amount',
      'telekom.invoice_count',
      'telekom.tax_breakdown_amount',
    ]) {
      const [text, params] = (await birimApi.sql({ measures: [measure] })).rawQuery().sql as unknown as [string, unknown[]];
      expect(text, measure).toMatch(/"units"\.unit_code = \?/);
      expect(params, measure).toContain('FEN_ISLERI');
    }
    const [mudurText] = (await api.sql({ measures: ['telekom.gross_amount'] })).rawQuery().sql as unknown as [string, unknown[]];
    expect(mudurText).not.toMatch(/unit_code = \?/);
  });

  it('cannot reach the private cubes behind the views', async () => {
    for (const q of [
      { measures: ['assets.asset_count'] },
      { measures: ['telecom_costs.gross_amount'] },
      { dimensions: ['telecom_invoices.invoice_no'] },
      { measures: ['envanter.asset_count'], dimensions: ['locations.site'] },
    ]) {
      await expect(birimApi.load(q)).rejects.toThrow(/hidden member/);
    }
  });
});

describe.skipIf(SKIP_POSTGRES)('the same model on the PostgreSQL warehouse', () => {
  it('every measure of both views runs on PostgreSQL and gives the DuckDB answer', async () => {
    const pgApi = cube(await login(pgServer!.url, 'mudur'), { apiUrl: `${pgServer!.url}/cubejs-api/v1` });
    for (const view of VIEWS) {
      const measures = await measuresOf(pgApi, view);
      for (const m of measures) {
        const q: Query = { measures: [m.name], dimensions: [`${view}.unit_code`], order: { [`${view}.unit_code`]: 'asc' } };
        const [onPg, onDuck] = [await rows(pgApi, q), await rows(api, q)];
        expect(onPg.length, m.name).toBe(onDuck.length);
        const byUnit = new Map(onDuck.map((r) => [r[`${view}.unit_code`], r[m.name]]));
        for (const r of onPg) {
          const d = byUnit.get(r[`${view}.unit_code`]);
          if (d === null || r[m.name] === null) expect(r[m.name], m.name).toBe(d);
          else expect(num(r[m.name]), `${m.name} ${r[`${view}.unit_code`]}`).toBeCloseTo(num(d), 4);
        }
      }
    }
    const mom = {
      measures: ['telekom.gross_mom_change'],
      timeDimensions: [{ dimension: 'telekom.cost_month', granularity: 'month' as const, dateRange: ['2026-07-01', '2026-10-31'] as [string, string] }],
    };
    const [pgMom, duckMom] = [await rows(pgApi, mom), await rows(api, mom)];
    expect(pgMom.map((r) => num(r['telekom.gross_mom_change']).toFixed(6))).toEqual(duckMom.map((r) => num(r['telekom.gross_mom_change']).toFixed(6)));
  }, 180_000);
});
