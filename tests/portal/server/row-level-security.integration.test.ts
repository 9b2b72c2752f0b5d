import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { D, M } from '../../../common/definitions/kpi/helpdesk.js';
import { silentLogger } from '../../../common/logger.js';
import { startServer, type RunningServer } from '../../../portal/server/index.js';
import { createPanoEnv, login, type PanoTestEnv } from '../../helpers/pano-env.js';

// A birim user (Fen İşleri) must never reach another unit's rows, whatever the query's shape.
let env: PanoTestEnv;
let server: RunningServer;
let birim: string;
let mudur: string;

const call = async (path: string, token: string, query: unknown) => {
  const res = await fetch(`${server.url}/cubejs-api/v1/${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: token },
    body: JSON.stringify({ query, queryType: 'multi' }),
  });
  return { status: res.status, body: await res.json() };
};
const rowsOf = (body: any) => body.results.flatMap((r: any) => r.data);

beforeAll(async () => {
  env = await createPanoEnv();
  server = await startServer(env.config, silentLogger, { port: 0 });
  birim = await login(server.url, 'birim');
  mudur = await login(server.url, 'mudur');
});
afterAll(async () => {
  await server?.close();
  env?.cleanup();
});

describe('row-level security for a birim user', () => {
  it.each([
    ['grouped by unit', { measures: [M.ticketCount], dimensions: [D.unitCode] }],
    ['ungrouped rows', { dimensions: [D.ticketId, D.unitCode], ungrouped: true, limit: 5000 }],
    [
      'filter naming another unit',
      { dimensions: [D.unitCode], measures: [M.ticketCount], filters: [{ member: D.unitCode, operator: 'equals', values: ['ZABITA'] }] },
    ],
    [
      'or-filter widening the set',
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
    ],
    ['by unit name through the join', { measures: [M.ticketCount], dimensions: [D.unitName, D.unitCode] }],
    ['time series', { measures: [M.ticketCount], dimensions: [D.unitCode], timeDimensions: [{ dimension: D.openedAt, granularity: 'month' }] }],
    [
      'blending query',
      [
        { measures: [M.ticketCount], dimensions: [D.unitCode], timeDimensions: [{ dimension: D.openedAt, granularity: 'year' }] },
        { measures: [M.openCount], dimensions: [D.unitCode], timeDimensions: [{ dimension: D.openedAt, granularity: 'year' }] },
      ],
    ],
  ])('%s: only FEN_ISLERI rows', async (_name, query) => {
    const { status, body } = await call('load', birim, query);
    expect(status).toBe(200);
    const rows = rowsOf(body);
    for (const r of rows) expect(r[D.unitCode]).toBe('FEN_ISLERI');
  });

  it('totals equal the unit’s own total, never the municipality’s', async () => {
    const own = rowsOf((await call('load', birim, { measures: [M.ticketCount] })).body)[0][M.ticketCount];
    const all = rowsOf((await call('load', mudur, { measures: [M.ticketCount], dimensions: [D.unitCode] })).body);
    const fen = all.find((r: any) => r[D.unitCode] === 'FEN_ISLERI')[M.ticketCount];
    expect(own).toBe(fen);
    expect(all.length).toBeGreaterThan(1);
  });

  it('cannot bypass the view through the private cube', async () => {
    for (const q of [
      { measures: ['tickets.ticket_count'] },
      { dimensions: ['tickets.unit_code'] },
      { measures: [M.ticketCount], filters: [{ member: 'units.unit_code', operator: 'set' }] },
    ]) {
      const { status } = await call('load', birim, q);
      expect(status).toBe(403);
      expect((await call('sql', birim, q)).status).toBe(403);
      expect((await call('dry-run', birim, q)).status).toBe(403);
    }
  });

  it('/sql and /dry-run show the unit filter the policy adds', async () => {
    const sql = await call('sql', birim, { measures: [M.ticketCount] });
    expect(sql.body.sql.sql[0]).toMatch(/unit_code = \?/);
    expect(sql.body.sql.sql[1]).toContain('FEN_ISLERI');
    const dry = await call('dry-run', birim, { measures: [M.ticketCount] });
    expect(JSON.stringify(dry.body.normalizedQueries[0].filters)).toContain('FEN_ISLERI');
  });

  it('/meta shows only public views, never a private cube', async () => {
    const res = await fetch(`${server.url}/cubejs-api/v1/meta`, { headers: { authorization: birim } });
    const meta = await res.json();
    const names: string[] = meta.cubes.map((c: any) => c.name);
    expect(names).toContain('yardim_masasi');
    const views = fs.readdirSync('model/views').map((f) => f.replace(/\.ya?ml$/, ''));
    for (const n of names) expect(views).toContain(n);
    for (const c of meta.cubes) for (const m of [...c.measures, ...c.dimensions]) expect(m.name.startsWith(`${c.name}.`)).toBe(true);
  });

  it('the cache never serves one user’s rows to another', async () => {
    const q = { measures: [M.ticketCount], dimensions: [D.unitCode] };
    const a = rowsOf((await call('load', mudur, q)).body);
    const b = rowsOf((await call('load', birim, q)).body);
    const a2 = rowsOf((await call('load', mudur, q)).body);
    expect(b).toHaveLength(1);
    expect(a2).toEqual(a);
  });
});
