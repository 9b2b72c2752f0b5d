import { describe, expect, it } from 'vitest';
import { QueryError } from '../../../../common/errors.js';
import {
  ALLOWED_QUERY_FIELDS,
  DEFAULT_QUERY_LIMITS,
  REFUSED_QUERY_FIELDS,
  validateQuery,
  validateResolvedDates,
  type MemberIndex,
} from '../../../../portal/server/semantic/query-validation.js';

// A small member index as /meta would give it: one view (v) and one private cube (p).
const index: MemberIndex = new Map([
  ['v.count', { kind: 'measure', type: 'number', visible: true }],
  ['v.amount', { kind: 'measure', type: 'number', visible: true }],
  ['v.unit', { kind: 'dimension', type: 'string', visible: true }],
  ['v.size', { kind: 'dimension', type: 'number', visible: true }],
  ['v.idle', { kind: 'dimension', type: 'boolean', visible: true }],
  ['v.day', { kind: 'dimension', type: 'time', visible: true }],
  ['v.open', { kind: 'segment', type: 'string', visible: true }],
  ['p.count', { kind: 'measure', type: 'number', visible: false }],
]);

const refusal = (q: unknown): { status: number; message: string } | null => {
  try {
    validateQuery(q, index, DEFAULT_QUERY_LIMITS);
    return null;
  } catch (e) {
    expect(e).toBeInstanceOf(QueryError);
    return { status: (e as QueryError).status, message: (e as Error).message };
  }
};

const filter = (member: string, operator: string, values?: unknown[]) => ({
  measures: ['v.count'],
  filters: [{ member, operator, ...(values ? { values } : {}) }],
});

describe('validateQuery: what passes', () => {
  it.each([
    ['measures and dimensions', { measures: ['v.count', 'v.amount'], dimensions: ['v.unit'] }],
    [
      'time dimension with granularity and a relative range',
      { measures: ['v.count'], timeDimensions: [{ dimension: 'v.day', granularity: 'month', dateRange: 'last 30 days' }] },
    ],
    ['an absolute range, one day', { measures: ['v.count'], timeDimensions: [{ dimension: 'v.day', dateRange: ['2026-11-01'] }] }],
    [
      'an absolute range with times',
      { measures: ['v.count'], timeDimensions: [{ dimension: 'v.day', dateRange: ['2026-11-01T00:00:00', '2026-11-30T23:59:59.999'] }] },
    ],
    ['compareDateRange', { measures: ['v.count'], timeDimensions: [{ dimension: 'v.day', compareDateRange: ['last week', ['2026-01-01', '2026-01-31']] }] }],
    ['the granularity shorthand in dimensions and order', { measures: ['v.count'], dimensions: ['v.day.month'], order: { 'v.day.month': 'asc' } }],
    ['string operators', filter('v.unit', 'startsWith', ['Fen'])],
    ['numbers as numbers or number text', filter('v.size', 'gte', [3, '4.5', '-1e3'])],
    ['measure filter', filter('v.amount', 'gt', ['1000'])],
    ['booleans', filter('v.idle', 'equals', [true, 'false'])],
    ['set without values', filter('v.unit', 'set')],
    ['date filters', filter('v.day', 'inDateRange', ['2026-01-01', '2026-02-01'])],
    ['a relative single-date filter', filter('v.day', 'afterDate', ['last week'])],
    [
      'nested and/or within the depth',
      { measures: ['v.count'], filters: [{ or: [{ and: [{ member: 'v.unit', operator: 'equals', values: ['A'] }] }, { member: 'v.idle', operator: 'set' }] }] },
    ],
    [
      'order as array, limit, offset, total, ungrouped, timezone',
      { dimensions: ['v.unit'], order: [['v.unit', 'desc']], limit: 50_000, offset: 10, total: true, ungrouped: true, timezone: 'UTC' },
    ],
    ['segments', { measures: ['v.count'], segments: ['v.open'] }],
    ['cache modes and the default response format', { measures: ['v.count'], cache: 'stale-if-slow', responseFormat: 'default' }],
  ])('%s', (_name, q) => {
    expect(refusal(q)).toBeNull();
  });
});

describe('validateQuery: what is refused, with a message naming it', () => {
  it.each([
    ['joinHints (re-routes the unit join)', { measures: ['v.count'], joinHints: [['a', 'b']] }, /"joinHints" is not accepted/],
    ['subqueryJoins', { measures: ['v.count'], subqueryJoins: [] }, /"subqueryJoins" is not accepted/],
    ['maskedMembers', { measures: ['v.count'], maskedMembers: [] }, /"maskedMembers" is not accepted/],
    ['an unknown field', { measures: ['v.count'], renewQuery: true }, /Unknown query field "renewQuery".*measures, dimensions/],
    ['a member expression object', { measures: [{ cubeName: 'v', expression: 'x' }] }, /must name a member/],
    ['an unknown member', { measures: ['v.nope'] }, /Unknown member 'v.nope' in measures/],
    ['a dimension as a measure', { measures: ['v.unit'] }, /'v.unit' in measures is a dimension, expected a measure/],
    ['an unknown granularity', { timeDimensions: [{ dimension: 'v.day', granularity: 'fortnight' }] }, /Unknown granularity "fortnight" for 'v.day'/],
    ['a granularity on a string', { dimensions: ['v.unit.month'] }, /only a time dimension takes a granularity/],
    [
      'an unknown time dimension field',
      { timeDimensions: [{ dimension: 'v.day', granularity: 'day', fillMissingDates: true }] },
      /Unknown field "fillMissingDates" in timeDimensions\[0\]/,
    ],
    ['limit above the maximum', { measures: ['v.count'], limit: 50_001 }, /"limit" 50001 is above the maximum of 50000 rows/],
    ['a fractional limit', { measures: ['v.count'], limit: 1.5 }, /"limit" must be a whole number/],
    ['limit as text', { measures: ['v.count'], limit: '10' }, /"limit" must be a whole number/],
    ['a negative offset', { measures: ['v.count'], offset: -1 }, /"offset" must be a whole number/],
    ['total as text', { measures: ['v.count'], total: 'yes' }, /"total" must be true or false/],
    ['an unknown time zone', { measures: ['v.count'], timezone: 'Mars/Olympus' }, /"timezone" must be an IANA time zone/],
    ['the compact response format', { measures: ['v.count'], responseFormat: 'compact' }, /"responseFormat" "compact" is not supported/],
    ['an unknown cache mode', { measures: ['v.count'], cache: 'forever' }, /"cache" must be one of/],
    ['"abc" for a number', filter('v.size', 'equals', ['abc']), /'v.size' is a number: "abc" in filters\[0\]\.values\[0\] is not a number/],
    ['"abc" for a measure', filter('v.amount', 'gt', ['abc']), /'v.amount' is a number/],
    ['Infinity text for a number', filter('v.size', 'lt', ['1e999']), /is not a number/],
    ['"maybe" for a boolean', filter('v.idle', 'equals', ['maybe']), /'v.idle' is true or false: "maybe"/],
    ['gt on a time', filter('v.day', 'gt', ['abc']), /Operator 'gt' does not apply to 'v.day' \(a time dimension\)/],
    ['startsWith on a time', filter('v.day', 'startsWith', ['2026']), /Operator 'startsWith' does not apply to 'v.day'/],
    ['contains on a number', filter('v.size', 'contains', ['1']), /Operator 'contains' does not apply to 'v.size'/],
    ['a lone surrogate', filter('v.unit', 'equals', ['\ud800x']), /not valid Unicode text \(a lone surrogate\)/],
    ['a NUL character', filter('v.unit', 'equals', ['a\u0000b']), /contains a NUL character/],
    ['a null value', filter('v.unit', 'equals', [null]), /use the operator set or notSet/],
    ['values missing', filter('v.unit', 'equals'), /needs values/],
    ['values given to set', filter('v.unit', 'set', ['x']), /takes no values/],
    ['an unknown operator', filter('v.unit', 'like', ['x']), /Unknown filter operator "like" on 'v.unit'/],
    [
      'member and dimension both',
      { measures: ['v.count'], filters: [{ member: 'v.unit', dimension: 'v.unit', operator: 'set' }] },
      /names both "member" and "dimension"/,
    ],
    ['and with or beside it', { measures: ['v.count'], filters: [{ and: [], or: [] }] }, /exactly one of "and" or "or"/],
    [
      'an invalid date in a range',
      { measures: ['v.count'], timeDimensions: [{ dimension: 'v.day', dateRange: ['2026-02-30', '2026-03-01'] }] },
      /"2026-02-30" is not a date in the calendar/,
    ],
    [
      'a month 13',
      { measures: ['v.count'], timeDimensions: [{ dimension: 'v.day', dateRange: ['2026-13-01', '2026-13-02'] }] },
      /"2026-13-01" is not a date in the calendar/,
    ],
    [
      'text that is not a date in a range array',
      { measures: ['v.count'], timeDimensions: [{ dimension: 'v.day', dateRange: ['yesterday', 'today'] }] },
      /"yesterday" is not a date/,
    ],
    [
      'a year out of bounds',
      { measures: ['v.count'], timeDimensions: [{ dimension: 'v.day', dateRange: ['0001-01-01', '2026-01-01'] }] },
      /outside the years 1900–2199/,
    ],
    [
      'a range that ends before it starts',
      { measures: ['v.count'], timeDimensions: [{ dimension: 'v.day', dateRange: ['2026-02-01', '2026-01-01'] }] },
      /starts after it ends/,
    ],
    [
      'three dates in a range',
      { measures: ['v.count'], timeDimensions: [{ dimension: 'v.day', dateRange: ['2026-01-01', '2026-01-02', '2026-01-03'] }] },
      /array of one or two dates/,
    ],
    ['a number as a date', filter('v.day', 'beforeDate', [20260101]), /must be a date as text/],
  ])('%s', (_name, q, message) => {
    const r = refusal(q);
    expect(r?.status).toBe(400);
    expect(r?.message).toMatch(message);
  });

  it('a private cube’s member is 403, naming it', () => {
    expect(refusal({ measures: ['p.count'] })).toEqual({ status: 403, message: expect.stringMatching(/hidden member: 'p.count'/) });
  });

  it('too many members: the count and the maximum', () => {
    const r = refusal({ dimensions: Array.from({ length: 1200 }, () => 'v.unit') });
    expect(r?.message).toBe('Too many members in query: 1200; at most 100 measures, dimensions, time dimensions and segments in one query');
  });

  it('filters nested thousands of levels deep: refused at the depth cap without recursion', () => {
    let f: unknown = { member: 'v.unit', operator: 'set' };
    for (let i = 0; i < 50_000; i++) f = { and: [f] };
    expect(refusal({ measures: ['v.count'], filters: [f] })?.message).toMatch(/Filters nested too deep at filters\[0\](\.and\[0\]){7}\.and: at most 8 levels/);
  });

  it('too many filter conditions and too many values', () => {
    const many = Array.from({ length: 101 }, () => ({ member: 'v.unit', operator: 'set' }));
    expect(refusal({ measures: ['v.count'], filters: many })?.message).toMatch(/Too many filter conditions: at most 100/);
    expect(
      refusal(
        filter(
          'v.unit',
          'in',
          Array.from({ length: 1001 }, (_, i) => `u${i}`),
        ),
      )?.message,
    ).toMatch(/Too many values for 'v.unit'.*1001; at most 1000/);
  });

  it('every field Cube’s query schema knows is either allowed or refused by name', () => {
    const cubeFields = [
      'measures',
      'dimensions',
      'filters',
      'timeDimensions',
      'order',
      'segments',
      'timezone',
      'limit',
      'offset',
      'total',
      'cacheMode',
      'cache',
      'ungrouped',
      'responseFormat',
      'subqueryJoins',
      'joinHints',
      'maskedMembers',
    ];
    for (const f of cubeFields) expect([...ALLOWED_QUERY_FIELDS, ...Object.keys(REFUSED_QUERY_FIELDS)]).toContain(f);
  });
});

describe('validateResolvedDates', () => {
  it('passes ranges Cube resolved inside the calendar', () => {
    expect(() => validateResolvedDates({ timeDimensions: [{ dateRange: ['2026-01-01T00:00:00.000', '2026-12-31T23:59:59.999'] }], filters: [] })).not.toThrow();
  });
  it.each([
    ['"Invalid date" from a range Cube could not resolve', { timeDimensions: [{ dateRange: ['Invalid date', '2026-01-01T00:00:00.000'] }] }],
    ['a year far in the past', { timeDimensions: [{ dateRange: ['-7974-01-01T00:00:00.000', '2026-01-01T00:00:00.000'] }] }],
    ['a filter value out of range', { filters: [{ or: [{ member: 'v.day', operator: 'afterDate', values: ['2300-01-01T00:00:00.000'] }] }] }],
  ])('refuses %s', (_name, q) => {
    expect(() => validateResolvedDates(q)).toThrow(/not a date within the years 1900–2199/);
  });
});
