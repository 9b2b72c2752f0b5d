import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../common/logger.js';
import { SYSTEMS } from '../../../etl/index.js';
import { createCompiler } from '../../../portal/server/semantic/compiler.js';
import { loadCube } from '../../../portal/server/semantic/cube-internals.js';
import { MODEL_DIR, startServer, type RunningServer } from '../../../portal/server/index.js';
import { createPanoEnv, login, type PanoTestEnv } from '../../helpers/pano-env.js';

/*
 * Row-level security, proved for every view and every fact in it that has a unit, with every field of Cube's
 * query schema: what the Fen İşleri `birim` user gets equals
 *   (A) what `mudur` (all units) gets with the filter `<view>.unit_code = FEN_ISLERI` added by hand, and
 *   (B) for a fact with its own unit_code, the fact read directly by Cube's compiler (no view, no policy,
 *       no gateway) filtered on the fact row's own unit_code — so a join re-routed through another cube
 *       (a line's current unit instead of the cost row's) cannot hide behind oracle A.
 * Fields Pano refuses (joinHints, subqueryJoins, maskedMembers, member expressions) answer 400 naming them.
 */
const UNIT = 'FEN_ISLERI';
const { normalizeQuery, remapToQueryAdapterFormat } = loadCube();

type Json = Record<string, any>;
let env: PanoTestEnv;
let server: RunningServer;
let birim: string;
let mudur: string;
const compiler = createCompiler(MODEL_DIR);

interface Fact {
  view: string;
  cube: string;
  /** The fact cube has a unit_code of its own (oracle B applies). */
  ownUnit: boolean;
  measures: Json[];
  dimensions: Json[];
  times: Json[];
  segments: Json[];
}
let facts: Fact[] = [];

const call = async (path: 'load' | 'sql' | 'dry-run', token: string, query: unknown) => {
  const res = await fetch(`${server.url}/cubejs-api/v1/${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: token },
    body: JSON.stringify({ query, queryType: 'multi' }),
  });
  return { status: res.status, body: (await res.json()) as Json };
};
const load = async (token: string, query: unknown) => {
  const { status, body } = await call('load', token, query);
  if (status !== 200) throw new Error(`load answered ${status}: ${body.error} for ${JSON.stringify(query)}`);
  return body.results.map((r: Json) => ({ data: r.data as Json[], total: r.total as number | null }));
};

/** Adds the unit filter mudur must add by hand to see what birim sees. */
const withUnitFilter = (view: string, q: Json): Json => ({
  ...q,
  filters: [...(q.filters ?? []), { member: `${view}.unit_code`, operator: 'equals', values: [UNIT] }],
});

/** Numbers as Cube prints them can differ in the last digit when a sum runs in another order. */
const same = (a: unknown, b: unknown): boolean => {
  if (a === b) return true;
  if (a == null || b == null) return false;
  const x = Number(a);
  const y = Number(b);
  return Number.isFinite(x) && Number.isFinite(y) && Math.abs(x - y) <= 1e-6 * Math.max(1, Math.abs(x), Math.abs(y));
};
const canonical = (row: Json) =>
  JSON.stringify(
    Object.keys(row)
      .sort()
      .map((k) => [k, row[k]]),
  );
const sortRows = (rows: Json[]) => [...rows].sort((p, q) => canonical(p).localeCompare(canonical(q)));
const expectSameRows = (actual: Json[], expected: Json[], ordered: boolean, label: string) => {
  const a = ordered ? actual : sortRows(actual);
  const e = ordered ? expected : sortRows(expected);
  expect(a.length, `${label}: row count`).toBe(e.length);
  a.forEach((row, i) => {
    for (const key of new Set([...Object.keys(row), ...Object.keys(e[i]!)])) {
      if (!same(row[key], e[i]![key])) throw new Error(`${label}: row ${i} ${key} = ${row[key]}, expected ${e[i]![key]}`);
    }
  });
};

/** Oracle B: the private fact cube compiled by Cube alone and read from the same warehouse. */
const direct = async (q: Json): Promise<Json[]> => {
  const normalized = remapToQueryAdapterFormat(normalizeQuery({ timezone: 'Europe/Istanbul', limit: 50_000, ...q }, true));
  const { sql, aliasNameToMember } = await compiler.getSql(normalized);
  const { rows } = await server.reader.query(sql[0], sql[1]);
  return (rows as Json[]).map((r) => Object.fromEntries(Object.entries(r).map(([alias, v]) => [aliasNameToMember[alias] ?? alias, v])));
};

beforeAll(async () => {
  env = await createPanoEnv({ systems: [...SYSTEMS] });
  server = await startServer(env.config, silentLogger, { port: 0 });
  birim = await login(server.url, 'birim');
  mudur = await login(server.url, 'mudur');
  // What birim may see (a subset of mudur's), grouped by the fact cube each member comes from.
  const meta = (await (await fetch(`${server.url}/cubejs-api/v1/meta`, { headers: { authorization: birim } })).json()) as Json;
  const allCubes = await compiler.metaConfig({ securityContext: { roles: ['admin'] }, requestId: 'rls-matrix' }, { requestId: 'rls-matrix' });
  const dimsOf = new Map<string, Set<string>>(allCubes.map((c: Json) => [c.config.name, new Set(c.config.dimensions.map((d: Json) => d.name))]));
  const byFact = new Map<string, Fact>();
  const cubeOf = (m: Json) => String(m.aliasMember ?? m.name).split('.')[0]!;
  for (const view of meta.cubes) {
    for (const m of view.measures) {
      const cube = cubeOf(m);
      const key = `${view.name}/${cube}`;
      if (!byFact.has(key))
        byFact.set(key, {
          view: view.name,
          cube,
          ownUnit: dimsOf.get(cube)?.has(`${cube}.unit_code`) ?? false,
          measures: [],
          dimensions: [],
          times: [],
          segments: [],
        });
      byFact.get(key)!.measures.push(m);
    }
    for (const fact of [...byFact.values()].filter((f) => f.view === view.name)) {
      for (const d of view.dimensions) {
        if (cubeOf(d) !== fact.cube) continue;
        (d.type === 'time' ? fact.times : fact.dimensions).push(d);
      }
      fact.segments = (view.segments ?? []).filter((s: Json) => cubeOf(s) === fact.cube);
    }
  }
  facts = [...byFact.values()];
}, 300_000);
afterAll(async () => {
  await server?.close();
  env?.cleanup();
});

describe('row-level security matrix: every view, every fact with a unit', () => {
  it('covers every view and all of their facts', () => {
    const views = new Set(facts.map((f) => f.view));
    expect([...views].sort()).toEqual(['envanter', 'insan_kaynaklari', 'telekom', 'yardim_masasi', 'yedekleme', 'yonetim_ozeti']);
    // Every fact cube behind a view that carries its own unit, plus the two that reach it through a parent.
    for (const cube of [
      'telecom_costs',
      'telecom_usage',
      'telecom_lines',
      'telecom_invoices',
      'telecom_taxes',
      'assets',
      'asset_daily',
      'tickets',
      'backup_sessions',
      'trainings',
      'leaves',
      'employees',
      'exec_monthly',
    ]) {
      expect(
        facts.map((f) => f.cube),
        cube,
      ).toContain(cube);
    }
  });

  // One test per fact: ~10 query shapes × 2 users, plus the direct reads.
  it.each(['envanter', 'insan_kaynaklari', 'telekom', 'yardim_masasi', 'yedekleme', 'yonetim_ozeti'])(
    '%s: birim = mudur filtered to the unit = the fact read directly',
    async (viewName) => {
      const checked: string[] = [];
      for (const f of facts.filter((x) => x.view === viewName)) {
        const measures = f.measures.map((m) => m.name);
        const dim = f.dimensions.find((d) => d.type === 'string' && !d.name.endsWith('.unit_code'));
        const time = f.times[0];
        const first = measures[0]!;
        const shapes: Array<[string, Json | Json[], boolean]> = [
          ['measures only', { measures }, false],
          [
            'order, limit, offset, total',
            {
              measures: [first],
              dimensions: dim ? [dim.name] : [],
              order: [[first, 'desc'], ...(dim ? [[dim.name, 'asc']] : [])],
              limit: 3,
              offset: 1,
              total: true,
            },
            true,
          ],
          [
            'or-filter widening to every unit',
            {
              measures: [first],
              filters: [
                {
                  or: [
                    { member: `${f.view}.unit_code`, operator: 'notEquals', values: [UNIT] },
                    { member: `${f.view}.unit_code`, operator: 'notSet' },
                  ],
                },
              ],
            },
            false,
          ],
          ['timezone, cache fields, responseFormat', { measures: [first], timezone: 'UTC', cache: 'must-revalidate', responseFormat: 'default' }, false],
        ];
        if (dim) {
          shapes.push(['grouped by a fact dimension', { measures, dimensions: [dim.name] }, false]);
          shapes.push(['ungrouped rows', { dimensions: [dim.name, `${f.view}.unit_code`], ungrouped: true, limit: 2000 }, false]);
          shapes.push(['filter on a fact dimension', { measures: [first], filters: [{ member: dim.name, operator: 'set' }] }, false]);
        }
        if (time) {
          shapes.push([
            'granularity and dateRange',
            {
              measures: [first],
              timeDimensions: [{ dimension: time.name, granularity: 'month', dateRange: ['2020-01-01', '2026-12-31'] }],
              order: { [time.name]: 'asc' },
            },
            true,
          ]);
          shapes.push([
            'compareDateRange',
            {
              measures: [first],
              timeDimensions: [
                {
                  dimension: time.name,
                  compareDateRange: [
                    ['2025-01-01', '2025-12-31'],
                    ['2026-01-01', '2026-12-31'],
                  ],
                },
              ],
            },
            false,
          ]);
          shapes.push(['time dimension as dimension with granularity', { measures: [first], dimensions: [`${time.name}.year`] }, false]);
        }
        if (f.segments.length) shapes.push(['segments', { measures: [first], segments: f.segments.map((s) => s.name) }, false]);
        // A blending query: two queries of one request, each secured on its own.
        if (time) {
          const td = [{ dimension: time.name, granularity: 'year', dateRange: ['2020-01-01', '2026-12-31'] }];
          shapes.push([
            'blending',
            [
              { measures: [first], timeDimensions: td },
              { measures: [measures.at(-1)!], timeDimensions: td },
            ],
            false,
          ]);
        }

        for (const [shape, query, ordered] of shapes) {
          const label = `${f.view}/${f.cube} ${shape}`;
          const mine = await load(birim, query);
          const theirs = await load(mudur, Array.isArray(query) ? query.map((q) => withUnitFilter(f.view, q)) : withUnitFilter(f.view, query));
          expect(mine.length, label).toBe(theirs.length);
          mine.forEach((r: Json, i: number) => {
            expectSameRows(r.data, theirs[i].data, ordered, `${label} [${i}]`);
            expect(r.total, `${label} total`).toBe(theirs[i].total);
            for (const row of r.data) if (`${f.view}.unit_code` in row) expect(row[`${f.view}.unit_code`], label).toBe(UNIT);
          });
        }
        // The unit sees a part of the whole, not nothing and not everything.
        const mineAll = (await load(birim, { measures: [first] }))[0].data[0]?.[first];
        const everyone = (await load(mudur, { measures: [first] }))[0].data[0]?.[first];
        expect(mineAll, `${f.view}/${f.cube}: ${first} for the unit`).not.toBeUndefined();
        if (f.measures[0].aggType === 'sum' || f.measures[0].aggType === 'count') expect(Number(mineAll)).toBeLessThan(Number(everyone));

        if (f.ownUnit) {
          const aliases = f.measures.map((m) => m.aliasMember as string);
          const ownFilter = [{ member: `${f.cube}.unit_code`, operator: 'equals', values: [UNIT] }];
          const [viaView] = await load(birim, { measures });
          const [row] = await direct({ measures: aliases, filters: ownFilter });
          expect(row, `${f.cube} read directly`).toBeDefined();
          f.measures.forEach((m) => {
            if (!same(viaView.data[0]?.[m.name] ?? null, row![m.aliasMember] ?? null)) {
              throw new Error(`${f.view}/${f.cube}: ${m.name} = ${viaView.data[0]?.[m.name]} for birim, ${row![m.aliasMember]} on the fact's own unit`);
            }
          });
          if (dim) {
            const grouped = (await load(birim, { measures: [first], dimensions: [dim.name] }))[0].data;
            const alias = f.measures[0].aliasMember;
            const directRows = await direct({ measures: [alias], dimensions: [dim.aliasMember], filters: ownFilter });
            const expected = directRows.map((r) => ({ [first]: r[alias], [dim.name]: r[dim.aliasMember] }));
            // A group the view leaves out on a null measure is still the same answer.
            expectSameRows(grouped, expected, false, `${f.view}/${f.cube} grouped by ${dim.name}, read directly`);
          }
        }
        checked.push(f.cube);
      }
      expect(checked.length).toBeGreaterThan(0);
    },
    300_000,
  );
});

describe('query fields that could re-route the unit join', () => {
  const base = { measures: ['telekom.gross_amount'], dimensions: ['telekom.line_display'] };
  it.each([
    ['joinHints', { ...base, joinHints: [['telecom_costs', 'telecom_lines', 'units']] }],
    ['subqueryJoins', { ...base, subqueryJoins: [{ sql: 'SELECT 1', on: '1=1', joinType: 'LEFT', alias: 'x' }] }],
    ['maskedMembers', { ...base, maskedMembers: [{ member: 'telekom.unit_code' }] }],
    ['renewQuery', { ...base, renewQuery: true }],
    ['anythingElse', { ...base, anythingElse: 1 }],
  ])('%s answers 400 naming the field, on /load, /sql and /dry-run', async (field, query) => {
    for (const path of ['load', 'sql', 'dry-run'] as const) {
      for (const token of [birim, mudur]) {
        const { status, body } = await call(path, token, query);
        expect(status, `${path}`).toBe(400);
        expect(body.error).toContain(`"${field}"`);
      }
    }
  });

  it('member expressions are refused: only names of the caller’s view members', async () => {
    const expr = {
      cubeName: 'telecom_costs',
      name: 'x',
      expressionName: 'x',
      definition: 'SUM(gross_amount)',
      expression: ['telecom_costs', 'return `SUM(gross_amount)`'],
    };
    for (const q of [{ measures: [expr] }, { dimensions: [JSON.stringify(expr)] }, { measures: ['telekom.gross_amount'], segments: [expr] }]) {
      const { status, body } = await call('load', birim, q);
      expect(status).toBe(400);
      expect(body.error).toMatch(/must name a member as "view.member"|Unknown member/);
    }
  });

  it('a line that moved between units: birim gets only its own unit’s part of the line', async () => {
    // Find a line billed to FEN_ISLERI and to another unit (its cost rows carry the unit at the time).
    const rows = (await load(mudur, { measures: ['telekom.gross_amount'], dimensions: ['telekom.line_key', 'telekom.unit_code'], limit: 50_000 }))[0].data;
    const unitsOf = new Map<string, Set<string>>();
    for (const r of rows) unitsOf.set(r['telekom.line_key'], (unitsOf.get(r['telekom.line_key']) ?? new Set()).add(r['telekom.unit_code']));
    const moved = [...unitsOf].find(([, u]) => u.size > 1 && u.has(UNIT))?.[0];
    expect(moved, 'the demo has a line that moved into or out of Fen İşleri').toBeDefined();
    const q = {
      measures: ['telekom.gross_amount'],
      dimensions: ['telekom.line_display'],
      filters: [{ member: 'telekom.line_key', operator: 'equals', values: [moved] }],
    };
    const mine = (await load(birim, q))[0].data;
    const own = rows.find((r: Json) => r['telekom.line_key'] === moved && r['telekom.unit_code'] === UNIT)['telekom.gross_amount'];
    expect(mine).toHaveLength(1);
    expect(same(mine[0]['telekom.gross_amount'], own)).toBe(true);
    const [fromCost] = await direct({
      measures: ['telecom_costs.gross_amount'],
      filters: [
        { member: 'telecom_costs.line_key', operator: 'equals', values: [moved] },
        { member: 'telecom_costs.unit_code', operator: 'equals', values: [UNIT] },
      ],
    });
    expect(same(mine[0]['telekom.gross_amount'], fromCost!['telecom_costs.gross_amount'])).toBe(true);
    expect((await call('load', birim, { ...q, joinHints: [['telecom_costs', 'telecom_lines', 'units']] })).status).toBe(400);
  });

  it('error messages speak in view members, never private cubes', async () => {
    const cubes = (await compiler.metaConfig({ securityContext: { roles: ['admin'] }, requestId: 'x' }, { requestId: 'x' }))
      .filter((c: Json) => c.config.public === false)
      .map((c: Json) => c.config.name as string);
    const probes = [
      { measures: ['envanter.asset_count'], dimensions: ['envanter.stock_month'] },
      { measures: ['telekom.invoice_count'], dimensions: ['telekom.line_display'] },
      { measures: ['telekom.gross_amount', 'telekom.usage_voice_minutes'], dimensions: ['telekom.line_display'] },
      { measures: ['envanter.asset_count'], filters: [{ member: 'envanter.asset_count', operator: 'gt', values: ['abc'] }] },
      { measures: ['yardim_masasi.ticket_count'], limit: 10_000_000 },
    ];
    for (const q of probes) {
      const { status, body } = await call('load', mudur, q);
      expect(status, JSON.stringify(q)).toBeGreaterThanOrEqual(400);
      expect(status).toBeLessThan(500);
      for (const c of cubes) expect(body.error, `${body.error} names ${c}`).not.toMatch(new RegExp(`\\b${c}\\b`));
    }
  });
});
