import { DuckDBInstance } from '@duckdb/node-api';
import cube, { type CubeApi } from '@cubejs-client/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../common/logger.js';
import { SnapshotStore } from '../../etl/warehouse/snapshots.js';
import { startServer, type RunningServer } from '../../portal/server/index.js';
import { createPanoEnv, login, type PanoTestEnv } from '../helpers/pano-env.js';

// The helpdesk KPIs added for issue 4, the calendar dimension and the executive summary view: each number
// checked against the snapshot itself, and the executive view against the domain view it summarises.
let env: PanoTestEnv;
let server: RunningServer;
let api: CubeApi;
let birimApi: CubeApi;
let snapshotFile: string;

const one = async (sql: string): Promise<Record<string, any>> => {
  const inst = await DuckDBInstance.create(snapshotFile, { access_mode: 'READ_ONLY' });
  const conn = await inst.connect();
  try {
    await conn.run("SET TimeZone = 'Europe/Istanbul'");
    return (await conn.runAndReadAll(sql)).getRowObjectsJson()[0] as Record<string, any>;
  } finally {
    conn.closeSync();
    inst.closeSync();
  }
};
const num = (v: unknown) => Number(v);

beforeAll(async () => {
  env = await createPanoEnv({ systems: ['helpdesk', 'inventory'], scale: 0.1 });
  server = await startServer(env.config, silentLogger, { port: 0 });
  api = cube(await login(server.url, 'mudur'), { apiUrl: `${server.url}/cubejs-api/v1` });
  birimApi = cube(await login(server.url, 'birim'), { apiUrl: `${server.url}/cubejs-api/v1` });
  const store = new SnapshotStore(env.config.warehouse.dir);
  snapshotFile = store.pathOf(store.current()!);
});
afterAll(async () => {
  await server?.close();
  env?.cleanup();
});

describe('helpdesk KPIs from the issue', () => {
  it('reopen rate, satisfaction, first response and tickets per technician match the snapshot', async () => {
    const r = (
      await api.load({
        measures: [
          'yardim_masasi.reopened_count',
          'yardim_masasi.solved_count',
          'yardim_masasi.reopen_rate',
          'yardim_masasi.avg_satisfaction',
          'yardim_masasi.satisfaction_responses',
          'yardim_masasi.median_first_response_hours',
          'yardim_masasi.tto_compliance',
          'yardim_masasi.technician_count',
          'yardim_masasi.tickets_per_technician',
        ],
      })
    ).tablePivot()[0];
    const db = await one(`
      SELECT count(*) FILTER (WHERE solution_count > 1 AND solved_at IS NOT NULL) AS reopened,
             count(*) FILTER (WHERE solved_at IS NOT NULL) AS solved,
             avg(satisfaction) AS sat, count(satisfaction) AS sat_n,
             median(first_response_work_hours) AS frt,
             count(DISTINCT technician) AS techs, count(technician) AS assigned
      FROM raw_glpi.tickets`);
    expect(num(r['yardim_masasi.reopened_count'])).toBe(num(db.reopened));
    expect(num(db.reopened)).toBeGreaterThan(0);
    expect(num(r['yardim_masasi.reopen_rate'])).toBeCloseTo((100 * num(db.reopened)) / num(db.solved), 6);
    expect(num(r['yardim_masasi.satisfaction_responses'])).toBe(num(db.sat_n));
    expect(num(r['yardim_masasi.avg_satisfaction'])).toBeCloseTo(num(db.sat), 6);
    expect(num(r['yardim_masasi.median_first_response_hours'])).toBeCloseTo(num(db.frt), 6);
    expect(num(r['yardim_masasi.technician_count'])).toBe(num(db.techs));
    expect(num(db.techs)).toBeGreaterThan(3);
    expect(num(r['yardim_masasi.tickets_per_technician'])).toBeCloseTo(num(db.assigned) / num(db.techs), 6);
    const tto = num(r['yardim_masasi.tto_compliance']);
    expect(tto).toBeGreaterThan(0);
    expect(tto).toBeLessThanOrEqual(100);
  });

  it('tickets by technician list people, not logins or nulls only', async () => {
    const rows = (
      await api.load({ measures: ['yardim_masasi.ticket_count'], dimensions: ['yardim_masasi.technician'], order: { 'yardim_masasi.ticket_count': 'desc' } })
    ).tablePivot();
    const named = rows.filter((r) => r['yardim_masasi.technician']);
    expect(named.length).toBeGreaterThan(3);
    expect(String(named[0]['yardim_masasi.technician'])).toMatch(/\S+ \S+/);
  });
});

describe('calendar dimension', () => {
  it('knows Turkish public holidays and working days', async () => {
    const db = await one(`
      SELECT (SELECT holiday_name FROM marts.dim_calendar WHERE date = DATE '2026-10-29') AS cumhuriyet,
             (SELECT is_working_day FROM marts.dim_calendar WHERE date = DATE '2026-10-29') AS cumhuriyet_working,
             (SELECT is_half_day FROM marts.dim_calendar WHERE date = DATE '2026-10-28') AS arife,
             (SELECT count(*) FROM marts.dim_calendar WHERE date BETWEEN DATE '2026-11-01' AND DATE '2026-11-30' AND is_working_day) AS nov_working,
             (SELECT day_name FROM marts.dim_calendar WHERE date = DATE '2026-11-23') AS monday`);
    expect(db.cumhuriyet).toMatch(/Cumhuriyet/);
    expect(db.cumhuriyet_working).toBe(false);
    expect(db.arife).toBe(true);
    expect(num(db.nov_working)).toBe(21);
    expect(db.monday).toBe('Pazartesi');
  });

  it('tickets opened on holidays and weekends are queryable through the view', async () => {
    const rows = (await api.load({ measures: ['yardim_masasi.ticket_count'], dimensions: ['yardim_masasi.opened_on_working_day'] })).tablePivot();
    const total = num((await api.load({ measures: ['yardim_masasi.ticket_count'] })).tablePivot()[0]['yardim_masasi.ticket_count']);
    expect(rows.reduce((s, r) => s + num(r['yardim_masasi.ticket_count']), 0)).toBe(total);
    const offDay = rows.find((r) => String(r['yardim_masasi.opened_on_working_day']) === 'false');
    const db = await one(`
      SELECT count(*) AS n FROM marts.fct_tickets t JOIN marts.dim_calendar c ON c.date = t.opened_date WHERE NOT c.is_working_day`);
    expect(num(offDay?.['yardim_masasi.ticket_count'] ?? 0)).toBe(num(db.n));
  });
});

describe('yonetim_ozeti (executive summary)', () => {
  it('counts the same tickets per month as the helpdesk view', async () => {
    const range: [string, string] = ['2026-01-01', '2026-10-31'];
    const exec = (
      await api.load({
        measures: ['yonetim_ozeti.tickets_opened'],
        timeDimensions: [{ dimension: 'yonetim_ozeti.month', granularity: 'month', dateRange: range }],
      })
    ).tablePivot();
    const help = (
      await api.load({
        measures: ['yardim_masasi.ticket_count'],
        timeDimensions: [{ dimension: 'yardim_masasi.opened_at', granularity: 'month', dateRange: range }],
      })
    ).tablePivot();
    expect(exec).toHaveLength(10);
    const helpByMonth = new Map(help.map((r) => [String(r['yardim_masasi.opened_at.month']), num(r['yardim_masasi.ticket_count'])]));
    for (const r of exec) expect(num(r['yonetim_ozeti.tickets_opened'])).toBe(helpByMonth.get(String(r['yonetim_ozeti.month.month'])));
  });

  it('ratios are built from the period averages of the stocks', async () => {
    const q = {
      measures: [
        'yonetim_ozeti.tickets_opened',
        'yonetim_ozeti.month_count',
        'yonetim_ozeti.assets_avg',
        'yonetim_ozeti.headcount_avg',
        'yonetim_ozeti.tickets_per_asset',
        'yonetim_ozeti.tickets_per_100_staff',
        'yonetim_ozeti.assets_per_staff',
      ],
      timeDimensions: [{ dimension: 'yonetim_ozeti.month', dateRange: ['2026-01-01', '2026-06-30'] as [string, string] }],
    };
    const r = (await api.load(q)).tablePivot()[0];
    expect(num(r['yonetim_ozeti.month_count'])).toBe(6);
    const assets = num(r['yonetim_ozeti.assets_avg']);
    const staff = num(r['yonetim_ozeti.headcount_avg']);
    expect(assets).toBeGreaterThan(0);
    expect(staff).toBeGreaterThan(0);
    expect(num(r['yonetim_ozeti.tickets_per_asset'])).toBeCloseTo(num(r['yonetim_ozeti.tickets_opened']) / assets, 6);
    expect(num(r['yonetim_ozeti.tickets_per_100_staff'])).toBeCloseTo((100 * num(r['yonetim_ozeti.tickets_opened'])) / staff, 6);
    expect(num(r['yonetim_ozeti.assets_per_staff'])).toBeCloseTo(assets / staff, 6);
    const db = await one(`
      SELECT sum(assets_in_inventory) / count(DISTINCT month) AS a FROM marts.fct_asset_stock_monthly WHERE month BETWEEN DATE '2026-01-01' AND DATE '2026-06-30' AND unit_code IS NOT NULL`);
    expect(assets).toBeCloseTo(num(db.a), 6);
  });

  it('a birim user sees only their unit in the executive view', async () => {
    const rows = (await birimApi.load({ measures: ['yonetim_ozeti.tickets_opened'], dimensions: ['yonetim_ozeti.unit_code'] })).tablePivot();
    expect(rows.map((r) => r['yonetim_ozeti.unit_code'])).toEqual(['FEN_ISLERI']);
    const other = (
      await birimApi.load({ measures: ['yonetim_ozeti.it_cost'], filters: [{ member: 'yonetim_ozeti.unit_code', operator: 'equals', values: ['ZABITA'] }] })
    ).tablePivot();
    expect(other.every((r) => r['yonetim_ozeti.it_cost'] === null || num(r['yonetim_ozeti.it_cost']) === 0)).toBe(true);
  });
});
