import fs from 'node:fs';
import jwt from 'jsonwebtoken';
import cube, { type CubeApi } from '@cubejs-client/core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { helpdeskQueries, M, D } from '../../../common/definitions/kpi/helpdesk.js';
import { silentLogger } from '../../../common/logger.js';
import { startServer, type RunningServer } from '../../../portal/server/index.js';
import { createPanoEnv, login, TEST_NOW, type PanoTestEnv } from '../../helpers/pano-env.js';

// The Cube REST contract, exercised with the real @cubejs-client/core against a real snapshot.
let env: PanoTestEnv;
let server: RunningServer;
let mudur: string;
let api: CubeApi;

const post = (path: string, body: unknown, token?: string, raw = false) =>
  fetch(`${server.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: token } : {}) },
    body: raw ? (body as string) : JSON.stringify(body),
  });

beforeAll(async () => {
  env = await createPanoEnv();
  server = await startServer(env.config, silentLogger, { port: 0 });
  mudur = await login(server.url, 'mudur');
  api = cube(mudur, { apiUrl: `${server.url}/cubejs-api/v1` });
});

afterAll(async () => {
  await server?.close();
  env?.cleanup();
});

describe('Cube REST API through @cubejs-client/core', () => {
  it('serves /meta with Turkish titles and only the public view', async () => {
    const meta = await api.meta();
    const names = meta.cubes.map((c) => c.name).sort();
    // every public view of model/views, and nothing else (no private cube)
    const views = fs
      .readdirSync('model/views')
      .map((f) => f.replace(/\.ya?ml$/, ''))
      .sort();
    expect(names).toEqual(views);
    expect(names).toContain('yardim_masasi');
    const sla = meta.cubes.find((c) => c.name === 'yardim_masasi')!.measures.find((m) => m.name === M.slaCompliance)!;
    expect(sla.shortTitle).toBe('SLA uyum oranı');
    expect((sla as any).meta.title_en).toBe('SLA compliance');
    expect((sla as any).format).toBe('percent');
  });

  it('answers every helpdesk KPI query, and the numbers hang together', async () => {
    const q = helpdeskQueries(TEST_NOW);
    const total = Number((await api.load({ measures: [M.ticketCount] })).tablePivot()[0][M.ticketCount]);
    const backlog = Number((await api.load(q.backlog)).tablePivot()[0][M.openCount]);
    expect(backlog).toBeGreaterThan(0);
    expect(backlog).toBeLessThan(total);

    const byUnit = (await api.load({ measures: [M.ticketCount], dimensions: [D.unitName] })).tablePivot();
    expect(byUnit.length).toBeGreaterThan(20);
    expect(byUnit.reduce((s, r) => s + Number(r[M.ticketCount]), 0)).toBe(total);

    const trend = await api.load(q.monthlyTrend);
    const months = trend.chartPivot();
    expect(months).toHaveLength(12);
    expect(months[0].x).toMatch(/^2025-12-01T00:00:00\.000$/);

    const res = (await api.load(q.resolution)).tablePivot()[0];
    const median = Number(res[M.medianResolutionHours]);
    const p90 = Number(res[M.p90ResolutionHours]);
    const sla = Number(res[M.slaCompliance]);
    expect(median).toBeGreaterThan(0);
    expect(p90).toBeGreaterThanOrEqual(median);
    expect(sla).toBeGreaterThan(50);
    expect(sla).toBeLessThanOrEqual(100);
  });

  it('splits compareDateRange into one result set per range', async () => {
    const rs = await api.load(helpdeskQueries(TEST_NOW).openedThisMonth);
    const parts = rs.decompose();
    expect(parts).toHaveLength(2);
    for (const p of parts) expect(Number(p.tablePivot()[0][M.ticketCount])).toBeGreaterThan(0);
  });

  it('supports filters, segments, order, limit, offset and total', async () => {
    const all = await api.load({
      dimensions: [D.ticketId],
      order: { [D.ticketId]: 'asc' },
      limit: 5,
      offset: 2,
      total: true,
      filters: [{ member: D.status, operator: 'equals', values: ['Kapandı'] }],
    });
    const rows = all.tablePivot();
    expect(rows).toHaveLength(5);
    expect((all as any).loadResponse.results[0].total).toBeGreaterThan(5);
    const open = await api.load({ measures: [M.ticketCount], segments: ['yardim_masasi.open'] });
    const backlog = await api.load({ measures: [M.openCount] });
    expect(open.tablePivot()[0][M.ticketCount]).toBe(backlog.tablePivot()[0][M.openCount]);
    const orq = await api.load({
      measures: [M.ticketCount],
      filters: [
        {
          or: [
            { member: D.category, operator: 'startsWith', values: ['Donanım'] },
            { member: D.category, operator: 'contains', values: ['Ağ'] },
          ],
        },
      ],
    });
    expect(Number(orq.tablePivot()[0][M.ticketCount])).toBeGreaterThan(0);
  });

  it('returns the snapshot time as lastRefreshTime and freshness per source', async () => {
    const body = await (await post('/cubejs-api/v1/load', { query: { measures: [M.ticketCount] }, queryType: 'multi' }, mudur)).json();
    const manifest = server.reader.manifest()!;
    expect(body.results[0].lastRefreshTime).toBe(manifest.publishedAt);
    expect(body.results[0].pano.sources[0]).toMatchObject({ source: 'glpi', status: 'ok', dataAsOf: TEST_NOW.toISOString() });
  });

  it('serves /sql and /dry-run', async () => {
    const sql = await api.sql({ measures: [M.ticketCount], dimensions: [D.unitName] });
    expect(sql.rawQuery().sql[0]).toMatch(/FROM\s+marts\.fct_tickets/);
    const dry = await api.dryRun({ measures: [M.ticketCount] });
    expect(dry.queryType).toBe('regularQuery');
    expect(dry.normalizedQueries[0].timezone).toBe('Europe/Istanbul');
  });
});

describe('errors in Cube’s shape', () => {
  it.each([
    ['unknown member', { measures: ['yardim_masasi.nope'] }, 400, /Unknown member 'yardim_masasi.nope'/],
    ['unknown view', { measures: ['tickets_view.count'] }, 400, /Unknown member/],
    ['private cube behind the view', { measures: ['tickets.ticket_count'] }, 403, /hidden member: 'tickets.ticket_count'/],
    ['measure given as a dimension', { dimensions: [M.ticketCount] }, 400, /is a measure/],
    ['not a time dimension', { measures: [M.ticketCount], timeDimensions: [{ dimension: D.status, granularity: 'month' }] }, 400, /not a time dimension/],
    [
      'unknown operator',
      { measures: [M.ticketCount], filters: [{ member: D.status, operator: 'like', values: ['x'] }] },
      400,
      /Unknown filter operator "like" on 'yardim_masasi.status' in filters\[0\]/,
    ],
    ['filters not an array', { measures: [M.ticketCount], filters: 'x' }, 400, /"filters" must be an array/],
    ['bad granularity', { measures: [M.ticketCount], timeDimensions: [{ dimension: D.openedAt, granularity: 'fortnight' }] }, 400, /./],
    ['empty query array', [], 400, /empty/],
  ])('%s → %i', async (_name, query, status, message) => {
    const res = await post('/cubejs-api/v1/load', { query }, mudur);
    expect(res.status).toBe(status);
    expect((await res.json()).error).toMatch(message);
  });

  it.each([
    ['malformed JSON body', '{"query": {', 400],
    ['query that is not JSON (GET)', null, 400],
    ['no query at all', '{}', 400],
  ])('%s → %i, never 500', async (_name, body, status) => {
    const res =
      body === null
        ? await fetch(`${server.url}/cubejs-api/v1/load?query=%7Bnope`, { headers: { authorization: mudur } })
        : await post('/cubejs-api/v1/load', body, mudur, true);
    expect(res.status).toBe(status);
    expect(typeof (await res.json()).error).toBe('string');
  });

  it('refuses missing, forged, expired and alg:none tokens with 401', async () => {
    const payload = { sub: 'mudur', roles: ['admin'], unit_code: null };
    const forged = jwt.sign(payload, 'not-the-secret-not-the-secret');
    const expired = jwt.sign({ ...payload, exp: Math.floor(Date.now() / 1000) - 60 }, env.config.auth.jwtSecret);
    const none = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.`;
    for (const [token, msg] of [
      [undefined, /missing/],
      [forged, /Invalid token/],
      [expired, /expired/],
      [none, /Invalid token/],
      ['garbage', /Invalid token/],
    ] as const) {
      const res = await post('/cubejs-api/v1/load', { query: { measures: [M.ticketCount] } }, token);
      expect(res.status).toBe(401);
      expect((await res.json()).error).toMatch(msg);
    }
    const meta = await fetch(`${server.url}/cubejs-api/v1/meta`);
    expect(meta.status).toBe(401);
  });

  it('login: wrong password 401, then rate-limited 429', async () => {
    let last = 0;
    for (let i = 0; i < 12; i++) {
      const r = await fetch(`${server.url}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'analist', password: 'wrong' }),
      });
      last = r.status;
      if (i === 0) expect(r.status).toBe(401);
    }
    expect(last).toBe(429);
  });
});

describe('views whose source is not loaded', () => {
  it('answer 400 naming the missing table, not 500', async () => {
    // this snapshot holds the helpdesk only: the inventory view has no data behind it
    const res = await post('/cubejs-api/v1/load', { query: { measures: ['envanter.asset_count'] } }, mudur);
    const body = (await res.json()) as { error: string };
    expect(res.status).toBe(400);
    expect(body.error).toMatch(/not in the serving snapshot \(table marts\.\w+ is missing\)/);
  });
});

describe('concurrent identical queries', () => {
  it('run once: the others wait for the same answer (single flight), per security context', async () => {
    const reader = (server.queries as any).reader;
    server.queries.clearCache();
    const spy = vi.spyOn(reader, 'query');
    try {
      const q = { measures: [M.ticketCount], dimensions: [D.category] };
      const answers = await Promise.all(Array.from({ length: 12 }, () => post('/cubejs-api/v1/load', { query: q }, mudur).then((r) => r.json())));
      expect(spy).toHaveBeenCalledTimes(1);
      for (const a of answers) expect((a as any).data).toEqual((answers[0] as any).data);
    } finally {
      spy.mockRestore();
    }
  });
});
