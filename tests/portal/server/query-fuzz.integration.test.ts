import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../common/logger.js';
import { startServer, type RunningServer } from '../../../portal/server/index.js';
import { createPanoEnv, login, type PanoTestEnv } from '../../helpers/pano-env.js';

/*
 * Property: whatever a caller sends to the query endpoints, the answer is 200, or a 4xx with a message —
 * never a 5xx. Queries are built from the view's real members (so many get deep into Cube's compiler and the
 * warehouse) mixed with wrong names, wrong operators, values of every JSON type, odd dates and limits,
 * nesting and unknown fields. Bounded in count (seeded, so a failure replays) to keep `npm test` short.
 */
let env: PanoTestEnv;
let server: RunningServer;
const tokens: Record<string, string> = {};

const MEMBERS = {
  measures: ['yardim_masasi.ticket_count', 'yardim_masasi.sla_compliance', 'yardim_masasi.median_resolution_hours', 'yardim_masasi.avg_satisfaction'],
  dimensions: [
    'yardim_masasi.status',
    'yardim_masasi.unit_code',
    'yardim_masasi.priority_label',
    'yardim_masasi.is_open',
    'yardim_masasi.satisfaction',
    'yardim_masasi.resolution_work_hours',
  ],
  times: ['yardim_masasi.opened_at', 'yardim_masasi.solved_at', 'yardim_masasi.opened_date'],
  segments: [] as string[],
  wrong: [
    'tickets.ticket_count',
    'units.unit_code',
    'yardim_masasi',
    'yardim_masasi.nope',
    '',
    'a.b.c.d',
    'telekom.gross_amount',
    '__proto__',
    'yardim_masasi.opened_at.fortnight',
  ],
};
const OPERATORS = [
  'equals',
  'notEquals',
  'contains',
  'startsWith',
  'endsWith',
  'in',
  'gt',
  'gte',
  'lt',
  'lte',
  'set',
  'notSet',
  'inDateRange',
  'notInDateRange',
  'beforeDate',
  'afterDate',
  'onTheDate',
  'like',
  '',
  'EQUALS',
];

const jsonValue = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.constantFrom(
    'abc',
    'maybe',
    'true',
    '1e400',
    '-0',
    'Invalid date',
    '2026-02-30',
    '2026-13-01',
    '9999-12-31',
    '0001-01-01',
    '2026-11-01',
    '2026-11-01T10:00:00',
    '\ud800',
    'a\u0000b',
    'from 10000 years ago to now',
    'last 7 days',
    'yesterday',
    'FEN_ISLERI',
  ),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.string({ maxLength: 4 }), { maxLength: 3 }),
  fc.object({ maxDepth: 1, maxKeys: 2 }),
);
/** Mostly right, sometimes wrong: each part of a query is valid far more often than not, so queries get deep. */
const mostly = <T, U>(valid: fc.Arbitrary<T>, wrong: fc.Arbitrary<U>) => fc.oneof({ weight: 12, arbitrary: valid }, { weight: 1, arbitrary: wrong });
const member = (pool: string[]) => mostly(fc.constantFrom(...pool), fc.oneof(fc.constantFrom(...MEMBERS.wrong), jsonValue));
const anyMember = member([...MEMBERS.measures, ...MEMBERS.dimensions, ...MEMBERS.times]);
const leaf = fc.record(
  {
    member: anyMember,
    operator: mostly(fc.constantFrom(...OPERATORS.slice(0, 12)), fc.oneof(fc.constantFrom(...OPERATORS), jsonValue)),
    values: mostly(
      fc.array(mostly(fc.oneof(fc.string({ maxLength: 6 }), fc.integer().map(String), fc.constantFrom('2026-11-01', 'Çözüldü', 'FEN_ISLERI')), jsonValue), {
        minLength: 1,
        maxLength: 3,
      }),
      jsonValue,
    ),
  },
  { requiredKeys: ['member', 'operator'] },
);
const { filter } = fc.letrec((tie) => ({
  filter: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leaf,
    fc.record({ or: fc.array(tie('filter'), { maxLength: 3 }) }),
    fc.record({ and: fc.array(tie('filter'), { maxLength: 3 }) }),
  ),
}));
const dateRange = fc.oneof(
  jsonValue,
  fc.array(jsonValue, { minLength: 0, maxLength: 3 }),
  fc.constantFrom('this year', 'last month', 'from 3 days ago to now', 'next 1000000 years'),
);
const timeDimension = fc
  .tuple(
    fc.record(
      {
        dimension: member(MEMBERS.times),
        granularity: mostly(fc.constantFrom('day', 'week', 'month', 'quarter', 'year', 'hour'), fc.oneof(fc.constant('fortnight'), jsonValue)),
      },
      { requiredKeys: ['dimension'] },
    ),
    fc.oneof(
      fc.constant({}),
      fc.record({ dateRange: mostly(fc.constantFrom(['2026-01-01', '2026-06-30'], ['2025-11-01'], 'last 30 days', 'this year'), dateRange) }),
      fc.record({
        compareDateRange: mostly(fc.constant([['2025-01-01', '2025-12-31'], 'this year']), fc.oneof(fc.array(dateRange, { maxLength: 3 }), jsonValue)),
      }),
      { weight: 1, arbitrary: fc.record({ dateRange, compareDateRange: jsonValue }) },
    ),
  )
  .map(([td, range]) => ({ ...td, ...range }));
const baseQuery = fc.record(
  {
    measures: mostly(fc.array(member(MEMBERS.measures), { maxLength: 4 }), jsonValue),
    dimensions: mostly(fc.array(member(MEMBERS.dimensions), { maxLength: 3 }), jsonValue),
    timeDimensions: mostly(fc.array(timeDimension, { maxLength: 1 }), jsonValue),
    filters: mostly(fc.array(filter, { maxLength: 2 }), jsonValue),
    segments: mostly(fc.constant([]), fc.oneof(fc.array(fc.constantFrom(...MEMBERS.wrong), { maxLength: 1 }), jsonValue)),
    order: mostly(
      fc.dictionary(fc.constantFrom(...MEMBERS.measures, ...MEMBERS.dimensions, 'x.y'), fc.oneof(fc.constantFrom('asc', 'desc'), jsonValue), { maxKeys: 2 }),
      fc.oneof(fc.array(fc.tuple(anyMember, fc.constantFrom('asc', 'desc', 'up')), { maxLength: 2 }), jsonValue),
    ),
    limit: mostly(fc.integer({ min: 0, max: 50_000 }), fc.oneof(fc.integer({ min: -5, max: 100_000 }), fc.constantFrom(50_001, 1e9), jsonValue)),
    offset: mostly(fc.integer({ min: 0, max: 1000 }), fc.oneof(fc.integer({ min: -5, max: 1e8 }), jsonValue)),
    total: mostly(fc.boolean(), jsonValue),
    ungrouped: mostly(fc.boolean(), jsonValue),
    timezone: mostly(fc.constantFrom('Europe/Istanbul', 'UTC', 'America/New_York'), fc.oneof(fc.constant('Mars/Olympus'), jsonValue)),
  },
  { requiredKeys: [] },
);
// Now and then a field of Cube's schema Pano refuses, or one no schema knows.
const query = fc
  .tuple(baseQuery, mostly(fc.constant(null), fc.constantFrom('joinHints', 'subqueryJoins', 'maskedMembers', 'renewQuery', 'x_unknown')), jsonValue)
  .map(([q, extra, value]) => (extra ? { ...q, [extra]: extra === 'joinHints' ? [['tickets', 'units']] : value } : q));
// A request is mostly one query, sometimes a blending array or something that is not a query at all.
const request = fc.oneof({ weight: 8, arbitrary: query }, { weight: 1, arbitrary: fc.array(query, { maxLength: 3 }) }, { weight: 1, arbitrary: jsonValue });

const post = async (path: string, token: string, body: string) => {
  const res = await fetch(`${server.url}/cubejs-api/v1/${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: token },
    body,
  });
  return { status: res.status, text: await res.text() };
};
const expectAnswered = (status: number, text: string, sent: string) => {
  if (status >= 500) throw new Error(`${status} for ${sent}: ${text.slice(0, 300)}`);
  if (status !== 200) {
    expect(status, sent).toBeGreaterThanOrEqual(400);
    const error = JSON.parse(text).error;
    expect(typeof error, sent).toBe('string');
    expect(error.length, sent).toBeGreaterThan(5);
  }
};

beforeAll(async () => {
  env = await createPanoEnv();
  server = await startServer(env.config, silentLogger, { port: 0 });
  for (const u of ['analist', 'birim']) tokens[u] = await login(server.url, u);
}, 120_000);
afterAll(async () => {
  await server?.close();
  env?.cleanup();
});

describe('query endpoints under fuzz: 4xx with a message, never 5xx', () => {
  it.each([
    ['load', 'analist', 1],
    ['load', 'birim', 2],
    ['sql', 'analist', 3],
    ['dry-run', 'birim', 4],
  ] as const)(
    '/%s as %s',
    async (path, user, seed) => {
      const statuses = new Map<number, number>();
      await fc.assert(
        fc.asyncProperty(request, async (q) => {
          const sent = JSON.stringify({ query: q, queryType: 'multi' });
          const { status, text } = await post(path, tokens[user]!, sent);
          statuses.set(status, (statuses.get(status) ?? 0) + 1);
          if (process.env.PANO_FUZZ_DEBUG && status !== 200) console.log(JSON.parse(text).error?.slice(0, 120));
          expectAnswered(status, text, sent);
        }),
        { numRuns: Number(process.env.PANO_FUZZ_RUNS ?? 150), seed: Number(process.env.PANO_FUZZ_SEED ?? seed), endOnFailure: true },
      );
      // Both sides of the property are exercised: some queries run, most are refused.
      expect([...statuses.keys()].some((s) => s >= 400)).toBe(true);
      if (process.env.PANO_FUZZ_DEBUG) console.log(path, user, Object.fromEntries(statuses));
    },
    120_000,
  );

  it('queries made only of valid parts mostly run, and still never 5xx', async () => {
    const valid = fc.record(
      {
        measures: fc.subarray(MEMBERS.measures, { minLength: 1 }),
        dimensions: fc.subarray(MEMBERS.dimensions),
        timeDimensions: fc.array(
          fc.record({
            dimension: fc.constantFrom(...MEMBERS.times),
            granularity: fc.constantFrom('day', 'week', 'month', 'year'),
            dateRange: fc.constantFrom(['2026-01-01', '2026-06-30'], 'last 90 days', 'this year'),
          }),
          { maxLength: 1 },
        ),
        filters: fc.array(
          fc.oneof(
            fc.record({
              member: fc.constantFrom('yardim_masasi.status', 'yardim_masasi.priority_label'),
              operator: fc.constantFrom('equals', 'notEquals', 'contains', 'startsWith'),
              values: fc.array(fc.string({ maxLength: 8 }), { minLength: 1, maxLength: 3 }),
            }),
            fc.record({
              member: fc.constantFrom('yardim_masasi.resolution_work_hours', 'yardim_masasi.ticket_count'),
              operator: fc.constantFrom('gt', 'lt', 'equals'),
              values: fc.array(fc.integer({ min: -10, max: 1000 }).map(String), { minLength: 1, maxLength: 1 }),
            }),
          ),
          { maxLength: 3 },
        ),
        limit: fc.integer({ min: 1, max: 50_000 }),
        offset: fc.integer({ min: 0, max: 100 }),
        total: fc.boolean(),
      },
      { requiredKeys: ['measures'] },
    );
    let ok = 0;
    await fc.assert(
      fc.asyncProperty(valid, async (q) => {
        const sent = JSON.stringify({ query: q, queryType: 'multi' });
        const { status, text } = await post('load', tokens.birim!, sent);
        expectAnswered(status, text, sent);
        if (status === 200) ok++;
      }),
      { numRuns: 100, seed: Number(process.env.PANO_FUZZ_SEED ?? 5), endOnFailure: true },
    );
    expect(ok).toBeGreaterThan(80);
  }, 120_000);

  it('bodies that are not queries: 400, never 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.string({ maxLength: 40 }),
          fc.json(),
          fc.constantFrom(
            '{',
            '{"query":',
            '{"query":"{"}',
            '{"query":"[]"}',
            '{"query":{"measures":["yardim_masasi.ticket_count"]},"queryType":"nope"}',
            '[]',
            'null',
          ),
        ),
        async (body) => {
          for (const path of ['load', 'sql', 'dry-run']) {
            const { status, text } = await post(path, tokens.analist!, body);
            expectAnswered(status, text, body);
          }
        },
      ),
      { numRuns: 60, seed: 6, endOnFailure: true },
    );
    // GET with the query in the URL, as @cubejs-client/core sends small queries.
    const raw = ['{', '"x"', JSON.stringify({ measures: ['yardim_masasi.ticket_count'], limit: 'all' })].map(encodeURIComponent);
    for (const q of [...raw, '%ED%A0%80', '%E0%A4%A', '%7B%22measures%22%3A%5B%22%ED%A0%80%22%5D%7D']) {
      const res = await fetch(`${server.url}/cubejs-api/v1/load?query=${q}`, { headers: { authorization: tokens.analist! } });
      expectAnswered(res.status, await res.text(), q);
    }
  }, 120_000);
});
