import cube from '@cubejs-client/core';
import knexLib from 'knex';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openAppDb, type AppDb } from '../../../../common/db/app-db.js';
import { D, helpdeskQueries, M } from '../../../../common/definitions/kpi/helpdesk.js';
import { silentLogger } from '../../../../common/logger.js';
import { runConfiguredEtl, SYSTEMS } from '../../../../etl/index.js';
import { startServer, type RunningServer } from '../../../../portal/server/index.js';
import { isoFromPgDate, isoFromPgTimestamp, textFromPgNumeric } from '../../../../portal/server/semantic/warehouse/postgres-reader.js';
import { createPanoEnv, login, TEST_NOW, type PanoTestEnv } from '../../../helpers/pano-env.js';
import { createTempPgDatabase, SKIP_POSTGRES, type TempPgDatabase } from '../../../helpers/postgres.js';

// PANO_WAREHOUSE_URL: the API reads the marts from PostgreSQL with Cube's PostgreSQL dialect and must answer
// exactly as the DuckDB warehouse does for the same snapshot.

describe('PostgreSQL values in the DuckDB path’s shape', () => {
  it.each([
    ['2026-11-01 00:00:00+00', '2026-11-01T00:00:00.000Z'],
    ['2026-11-25 09:00:00.123456+00', '2026-11-25T09:00:00.123Z'],
    ['2026-11-25 09:00:00.9999+00', '2026-11-25T09:00:00.999Z'],
    ['2026-11-25 12:00:00+03', '2026-11-25T09:00:00.000Z'],
    ['2026-11-25 05:30:00-03:30', '2026-11-25T09:00:00.000Z'],
    ['2026-11-01 00:00:00', '2026-11-01T00:00:00.000Z'],
    ['infinity', 'infinity'],
  ])('timestamp %s → %s', (text, iso) => expect(isoFromPgTimestamp(text)).toBe(iso));
  it('date', () => expect(isoFromPgDate('2026-02-28')).toBe('2026-02-28T00:00:00.000Z'));
  it.each([
    ['1234', '1234'],
    ['99.90', '99.9'],
    ['25.0000000000000000', '25'],
    ['-0.000', '0'],
    ['12345678901234.56', '12345678901234.56'],
    ['71.4285714285714286', String(500 / 7)],
    ['0.33333333333333333333', String(1 / 3)],
    ['123456789012345678901234567890', '123456789012345678901234567890'],
  ])('numeric %s → %s', (text, out) => expect(textFromPgNumeric(text)).toBe(out));
});

interface Both {
  db: TempPgDatabase;
  env: PanoTestEnv;
  appDb: AppDb;
  pgServer: RunningServer;
  duckServer: RunningServer;
}

/** A demo snapshot published to a fresh PostgreSQL database, served twice: from PostgreSQL and from DuckDB. */
async function openBoth(envOptions: Parameters<typeof createPanoEnv>[0]): Promise<Both> {
  const db = await createTempPgDatabase();
  const env = await createPanoEnv({ ...envOptions, env: { ...envOptions?.env, PANO_WAREHOUSE_URL: db.url } });
  const appDb = await openAppDb(env.config.appDbUrl);
  const pgServer = await startServer(env.config, silentLogger, { port: 0, appDb });
  const duckServer = await startServer({ ...env.config, warehouse: { ...env.config.warehouse, postgresUrl: undefined } }, silentLogger, { port: 0, appDb });
  return { db, env, appDb, pgServer, duckServer };
}

async function closeBoth(b: Partial<Both>): Promise<void> {
  await b.pgServer?.close();
  await b.duckServer?.close();
  await b.appDb?.destroy();
  await b.db?.drop();
  b.env?.cleanup();
}

const load = async (server: RunningServer, token: string, query: unknown) => {
  const res = await fetch(`${server.url}/cubejs-api/v1/load`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: token },
    body: JSON.stringify({ query, queryType: 'multi' }),
  });
  const body = await res.json();
  if (res.status !== 200) throw new Error(`${res.status} ${JSON.stringify(body)} for ${JSON.stringify(query)}`);
  return body;
};

type Row = Record<string, unknown>;
const FRACTION = /^-?\d+\.\d+(e[+-]?\d+)?$|^-?\d+e[+-]?\d+$/i;

/** Equal numbers: exactly, or — for fractions computed in floating point — to 1e-9 relative (the last digit may differ). */
function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'string' || typeof b !== 'string' || !(FRACTION.test(a) || FRACTION.test(b))) return false;
  const x = Number(a);
  const y = Number(b);
  return Number.isFinite(x) && Number.isFinite(y) && Math.abs(x - y) <= 1e-9 * Math.max(1, Math.abs(x), Math.abs(y));
}

/**
 * The differences between two result sets of the same query: rows matched on their dimension values (rows whose
 * order is a tie may come in either order), every value compared with sameValue, and the order of the ordered
 * members' values must agree.
 */
function differencesBetween(pgRows: Row[], duckRows: Row[], query: Record<string, any>): string[] {
  const out: string[] = [];
  if (pgRows.length !== duckRows.length) return [`${pgRows.length} rows ≠ ${duckRows.length} rows`];
  const dims: string[] = [
    ...(query.dimensions ?? []),
    ...(query.timeDimensions ?? []).filter((td: any) => td.granularity).flatMap((td: any) => [td.dimension, `${td.dimension}.${td.granularity}`]),
  ];
  const keyOf = (r: Row) => JSON.stringify(dims.map((d) => r[d] ?? null));
  const byKey = new Map(duckRows.map((r) => [keyOf(r), r]));
  for (const r of pgRows) {
    const d = byKey.get(keyOf(r));
    if (!d) {
      out.push(`row ${keyOf(r)} only on PostgreSQL`);
      continue;
    }
    const members = new Set([...Object.keys(r), ...Object.keys(d)]);
    for (const m of members) if (!sameValue(r[m], d[m])) out.push(`${keyOf(r)} ${m}: PostgreSQL ${JSON.stringify(r[m])} ≠ DuckDB ${JSON.stringify(d[m])}`);
  }
  const ordered = Array.isArray(query.order) ? query.order.map((o: any) => o[0]) : Object.keys(query.order ?? {});
  for (const m of ordered) {
    pgRows.forEach((r, i) => {
      if (!sameValue(r[m], duckRows[i][m])) out.push(`order of ${m} differs at row ${i}`);
    });
  }
  return out.slice(0, 20);
}

describe.skipIf(SKIP_POSTGRES)('API on the PostgreSQL warehouse (helpdesk)', () => {
  let db: TempPgDatabase;
  let env: PanoTestEnv;
  let appDb: AppDb;
  let pgServer: RunningServer;
  let duckServer: RunningServer;
  let mudur: string;
  let birim: string;

  beforeAll(async () => {
    ({ db, env, appDb, pgServer, duckServer } = await openBoth({ systems: ['helpdesk'] }));
    mudur = await login(pgServer.url, 'mudur');
    birim = await login(pgServer.url, 'birim');
  });
  afterAll(() => closeBoth({ db, env, appDb, pgServer, duckServer }));

  it('serves the same snapshot from PostgreSQL, with Cube’s PostgreSQL dialect', async () => {
    expect(pgServer.reader.dbType).toBe('postgres');
    expect(duckServer.reader.dbType).toBe('duckdb');
    expect(pgServer.reader.manifest()!.snapshotId).toBe(duckServer.reader.manifest()!.snapshotId);
    const body = await load(pgServer, mudur, { measures: [M.ticketCount] });
    expect(body.results[0].dbType).toBe('postgres');
    expect(body.results[0].pano.snapshotId).toBe(pgServer.reader.manifest()!.snapshotId);
    const sql = await fetch(`${pgServer.url}/cubejs-api/v1/sql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: birim },
      body: JSON.stringify({ query: { measures: [M.ticketCount], timeDimensions: [{ dimension: D.openedAt, granularity: 'month' }] } }),
    }).then((r) => r.json());
    expect(sql.sql.sql[0]).toMatch(/unit_code = \$1/); // PostgreSQL parameters, not DuckDB's ?
    expect(sql.sql.sql[0]).toMatch(/date_trunc\('month', \(.*::timestamptz AT TIME ZONE 'Europe\/Istanbul'\)\)/);
  });

  it('answers every helpdesk KPI query with the DuckDB warehouse’s numbers (through @cubejs-client/core)', async () => {
    const pgApi = cube(mudur, { apiUrl: `${pgServer.url}/cubejs-api/v1` });
    const duckApi = cube(mudur, { apiUrl: `${duckServer.url}/cubejs-api/v1` });
    const queries = helpdeskQueries(TEST_NOW);
    let rows = 0;
    for (const [name, query] of Object.entries(queries)) {
      const [a, b] = await Promise.all([pgApi.load(query), duckApi.load(query)]);
      const pgData = a.decompose().map((r) => r.rawData() as Row[]);
      const duckData = b.decompose().map((r) => r.rawData() as Row[]);
      expect(pgData.length, name).toBe(duckData.length);
      pgData.forEach((rs, i) => expect(differencesBetween(rs, duckData[i], query as Record<string, unknown>), name).toEqual([]));
      rows += duckData.flat().length;
    }
    expect(rows).toBeGreaterThan(20);
    // and the numbers are real: a median in working hours, an SLA percentage
    const res = await pgApi.load(queries.resolution);
    const r = res.rawData()[0] as Record<string, string>;
    expect(Number(r[M.medianResolutionHours])).toBeGreaterThan(0);
    expect(Number(r[M.slaCompliance])).toBeGreaterThan(0);
    expect(Number(r[M.slaCompliance])).toBeLessThanOrEqual(100);
  });

  it('lists rows and time series in the same shape: timestamps, booleans, numbers as strings', async () => {
    for (const query of [
      { dimensions: [D.ticketId, D.openedAt, D.solvedAt, D.status, 'yardim_masasi.is_open'], ungrouped: true, order: { [D.ticketId]: 'asc' }, limit: 300 },
      {
        measures: [M.ticketCount, M.medianResolutionHours, M.p90ResolutionHours, M.slaCompliance],
        timeDimensions: [{ dimension: D.openedAt, granularity: 'week' }],
        order: { [D.openedAt]: 'asc' },
      },
      { measures: [M.ticketCount], timeDimensions: [{ dimension: D.solvedAt, granularity: 'day', dateRange: 'last 90 days' }], order: { [D.solvedAt]: 'asc' } },
    ]) {
      const [a, b] = await Promise.all([load(pgServer, mudur, query), load(duckServer, mudur, query)]);
      expect(a.results[0].data.length).toBeGreaterThan(0);
      expect(differencesBetween(a.results[0].data, b.results[0].data, query)).toEqual([]);
    }
    const row = (
      await load(pgServer, mudur, { dimensions: [D.ticketId, D.openedAt, 'yardim_masasi.is_open'], ungrouped: true, order: { [D.ticketId]: 'asc' }, limit: 1 })
    ).results[0].data[0];
    expect(row[D.openedAt]).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z?$/);
    expect(typeof row[D.ticketId]).toBe('string');
  });

  it('row-level security holds for a birim user', async () => {
    for (const query of [
      { measures: [M.ticketCount], dimensions: [D.unitCode] },
      { dimensions: [D.ticketId, D.unitCode], ungrouped: true, limit: 5000 },
      { dimensions: [D.unitCode], measures: [M.ticketCount], filters: [{ member: D.unitCode, operator: 'equals', values: ['ZABITA'] }] },
      {
        dimensions: [D.unitCode],
        measures: [M.ticketCount],
        filters: [
          {
            or: [
              { member: D.unitCode, operator: 'notEquals', values: ['FEN_ISLERI'] },
              { member: D.unitCode, operator: 'set' },
            ],
          },
        ],
      },
      { measures: [M.ticketCount], dimensions: [D.unitName, D.unitCode] },
      { measures: [M.ticketCount], dimensions: [D.unitCode], timeDimensions: [{ dimension: D.openedAt, granularity: 'month' }] },
    ]) {
      const body = await load(pgServer, birim, query);
      for (const r of body.results[0].data) expect(r[D.unitCode]).toBe('FEN_ISLERI');
      expect(differencesBetween(body.results[0].data, (await load(duckServer, birim, query)).results[0].data, query)).toEqual([]);
    }
    const own = (await load(pgServer, birim, { measures: [M.ticketCount] })).results[0].data[0][M.ticketCount];
    const all = (await load(pgServer, mudur, { measures: [M.ticketCount], dimensions: [D.unitCode] })).results[0].data;
    expect(own).toBe(all.find((r: any) => r[D.unitCode] === 'FEN_ISLERI')[M.ticketCount]);
    expect(all.length).toBeGreaterThan(1);
    const hidden = await fetch(`${pgServer.url}/cubejs-api/v1/load`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: birim },
      body: JSON.stringify({ query: { measures: ['tickets.ticket_count'] } }),
    });
    expect(hidden.status).toBe(403);
  });

  it('a new publish moves the API to the new snapshot: cached answers are keyed on the PostgreSQL snapshot id', async () => {
    const query = { measures: [M.ticketCount, M.openCount] };
    const before = await load(pgServer, mudur, query);
    const again = await load(pgServer, mudur, query);
    expect(again).toEqual(before); // from the cache
    const glpi = knexLib({ client: 'better-sqlite3', connection: { filename: env.config.sources.glpi.url.slice('sqlite:'.length) }, useNullAsDefault: true });
    await glpi.raw('UPDATE glpi_tickets SET is_deleted = 1 WHERE id IN (SELECT id FROM glpi_tickets WHERE is_deleted = 0 ORDER BY id LIMIT 30)');
    await glpi.destroy();
    const r = await runConfiguredEtl(env.config, silentLogger, { now: () => TEST_NOW, sources: ['helpdesk'], full: true });
    expect(r.failed).toBe(false);
    // NOTIFY (or the once-a-second poll) brings the new manifest without a query
    const deadline = Date.now() + 5000;
    const moved = (s: RunningServer) => s.reader.manifest()!.snapshotId === r.manifest!.snapshotId;
    while (!(moved(pgServer) && moved(duckServer)) && Date.now() < deadline) await new Promise((res) => setTimeout(res, 20));
    expect(pgServer.reader.manifest()!.snapshotId).toBe(r.manifest!.snapshotId);
    const after = await load(pgServer, mudur, query);
    expect(after.results[0].pano.snapshotId).toBe(r.manifest!.snapshotId);
    expect(Number(after.results[0].data[0][M.ticketCount])).toBe(Number(before.results[0].data[0][M.ticketCount]) - 30);
    const snap = await fetch(`${pgServer.url}/api/snapshot`, { headers: { authorization: mudur } }).then((x) => x.json());
    expect(snap.snapshotId).toBe(r.manifest!.snapshotId);
    expect(after.results[0].data).toEqual((await load(duckServer, mudur, query)).results[0].data);
  });

  it('says 503 before anything is published, then serves once the ETL publishes', async () => {
    const empty = await createTempPgDatabase();
    const server = await startServer({ ...env.config, warehouse: { ...env.config.warehouse, postgresUrl: empty.url } }, silentLogger, { port: 0, appDb });
    try {
      const res = await fetch(`${server.url}/cubejs-api/v1/load`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: mudur },
        body: JSON.stringify({ query: { measures: [M.ticketCount] } }),
      });
      expect(res.status).toBe(503);
      const r = await runConfiguredEtl({ ...env.config, warehouse: { ...env.config.warehouse, postgresUrl: empty.url } }, silentLogger, {
        now: () => TEST_NOW,
        sources: ['helpdesk'],
      });
      expect(r.failed).toBe(false);
      const body = await load(server, mudur, { measures: [M.ticketCount] });
      expect(body.results[0].pano.snapshotId).toBe(r.manifest!.snapshotId);
    } finally {
      await server.close();
      await empty.drop();
    }
  });
});

describe.skipIf(SKIP_POSTGRES)('every measure of every public view, all systems, on both warehouses', () => {
  let db: TempPgDatabase;
  let env: PanoTestEnv;
  let appDb: AppDb;
  let pgServer: RunningServer;
  let duckServer: RunningServer;

  beforeAll(async () => {
    ({ db, env, appDb, pgServer, duckServer } = await openBoth({ systems: [...SYSTEMS], scale: 0.05 }));
  });
  afterAll(() => closeBoth({ db, env, appDb, pgServer, duckServer }));

  it('PostgreSQL holds every mart with the DuckDB row counts', async () => {
    const c = new pg.Client({ connectionString: db.url });
    await c.connect();
    try {
      const [meta] = (await c.query(`SELECT tables FROM pano_meta.snapshots WHERE is_current`)).rows;
      for (const t of meta.tables as Array<{ table: string; rows: number }>) {
        expect(Number((await c.query(`SELECT count(*) AS n FROM marts."${t.table}"`)).rows[0].n), t.table).toBe(t.rows);
      }
      expect((meta.tables as unknown[]).length).toBeGreaterThan(5);
    } finally {
      await c.end();
    }
  });

  it('answers alike, measure by measure and grouped by month', async () => {
    const admin = await login(pgServer.url, 'admin');
    const meta = await fetch(`${duckServer.url}/cubejs-api/v1/meta`, { headers: { authorization: admin } }).then((r) => r.json());
    expect(meta.cubes.length).toBeGreaterThan(0);
    const differences: string[] = [];
    let compared = 0;
    /** Runs the query on both; false when DuckDB refuses it too (e.g. no join path between the view's cubes). */
    const compare = async (label: string, query: Record<string, unknown>): Promise<boolean> => {
      const [duck, onPg] = await Promise.allSettled([load(duckServer, admin, query), load(pgServer, admin, query)]);
      if (duck.status === 'rejected') {
        if (/^Error: 400 /.test(String(duck.reason))) return false; // not a query this view answers (e.g. no join path)
        differences.push(`${label}: DuckDB failed: ${String(duck.reason).slice(0, 300)}`);
        return false;
      }
      if (onPg.status === 'rejected') {
        differences.push(`${label}: PostgreSQL failed: ${String(onPg.reason).slice(0, 400)}`);
        return true;
      }
      compared++;
      for (const d of differencesBetween(onPg.value.results[0].data, duck.value.results[0].data, query)) differences.push(`${label}: ${d}`);
      return true;
    };
    for (const view of meta.cubes) {
      const times = view.dimensions.filter((d: any) => d.type === 'time').map((d: any) => d.name);
      const unit = view.dimensions.find((d: any) => d.name.endsWith('.unit_code'))?.name;
      for (const m of view.measures.map((x: any) => x.name)) {
        await compare(m, { measures: [m] });
        if (unit) await compare(`${m} by unit`, { measures: [m], dimensions: [unit] });
        for (const t of times) if (await compare(`${m} by month of ${t}`, { measures: [m], timeDimensions: [{ dimension: t, granularity: 'month' }] })) break;
      }
    }
    expect(differences).toEqual([]);
    expect(compared).toBeGreaterThan(meta.cubes.reduce((n: number, c: any) => n + c.measures.length, 0));
  }, 600_000);
});
