import { describe, expect, it } from 'vitest';
import { helpdeskQueries, M, D } from '../../../common/definitions/kpi/helpdesk.js';
import {
  barItems,
  chartData,
  compareValues,
  firstValue,
  formatValue,
  formatXLabel,
  formatChartValue,
  memberLabel,
  monthBuckets,
  timeKey,
  toNumber,
  viewsOf,
} from '../../../portal/web/src/lib/blocks.js';

describe('toNumber', () => {
  it.each([
    ['42', 42],
    [42, 42],
    ['12.5', 12.5],
    [null, null],
    [undefined, null],
    ['', null],
    ['abc', null],
    [true, 1],
  ])('%j → %j', (input, expected) => {
    expect(toNumber(input)).toBe(expected);
  });
});

describe('formatValue', () => {
  it.each([
    ['1234', 'number', '1.234'],
    [92.44, 'percent', '%92,4'],
    ['12.46', 'hours', '12,5 saat'],
    [1234.5, 'money', '₺1.234,50'],
    [null, 'number', '–'],
    ['Yazıcı', 'text', 'Yazıcı'],
    ['', 'text', '–'],
  ] as const)('%j as %s → %s', (value, format, expected) => {
    expect(formatValue(value, format)).toBe(expected);
  });
});

describe('timeKey and formatXLabel', () => {
  it('splits a granularity off a time dimension and leaves plain dimensions alone', () => {
    expect(timeKey('yardim_masasi.opened_at.month')).toEqual({ dimension: 'yardim_masasi.opened_at', granularity: 'month' });
    expect(timeKey('yardim_masasi.unit_name')).toBeNull();
  });
  it.each([
    ['yardim_masasi.opened_at.month', '2026-11-01T00:00:00.000', 'Kas 2026'],
    ['yardim_masasi.opened_at.month', '2026-02-01T00:00:00.000', 'Şub 2026'],
    ['yardim_masasi.opened_at.day', '2026-11-28T00:00:00.000', '28.11.2026'],
    ['yardim_masasi.opened_at.quarter', '2026-10-01T00:00:00.000', 'Ç4 2026'],
    ['yardim_masasi.opened_at.year', '2026-01-01T00:00:00.000', '2026'],
    ['yardim_masasi.unit_name', 'Fen İşleri Müdürlüğü', 'Fen İşleri Müdürlüğü'],
    ['yardim_masasi.unit_name', null, '–'],
  ])('%s %j → %s', (x, raw, expected) => {
    expect(formatXLabel(x, raw)).toBe(expected);
  });
});

describe('monthBuckets', () => {
  it('covers every month of a range across a year end', () => {
    expect(monthBuckets('2025-12-01', '2026-02-28')).toEqual(['2025-12-01T00:00:00.000', '2026-01-01T00:00:00.000', '2026-02-01T00:00:00.000']);
  });
  it('is empty for an inverted or broken range', () => {
    expect(monthBuckets('2026-03-01', '2026-01-01')).toEqual([]);
    expect(monthBuckets('x', '2026-01-01')).toEqual([]);
  });
});

describe('chartData', () => {
  const queries = helpdeskQueries(new Date('2026-11-28T09:00:00Z'), 'Europe/Istanbul');
  const block = { x: `${D.openedAt}.month`, measures: [M.ticketCount], format: 'number' as const };

  it('fills the months Cube leaves out with 0 for counts, in order, with Turkish labels and dot-free keys', () => {
    const rows = [
      { [`${D.openedAt}.month`]: '2026-11-01T00:00:00.000', [D.openedAt]: '2026-11-01T00:00:00.000', [M.ticketCount]: '120' },
      { [`${D.openedAt}.month`]: '2026-01-01T00:00:00.000', [D.openedAt]: '2026-01-01T00:00:00.000', [M.ticketCount]: '1034' },
    ];
    const { data, categories } = chartData(rows, block, queries.monthlyTrend);
    expect(categories).toEqual(['Talep']);
    expect(data).toHaveLength(12);
    expect(data[0]).toEqual({ label: 'Ara 2025', Talep: 0 });
    expect(data[1]).toEqual({ label: 'Oca 2026', Talep: 1034 });
    expect(data[11]).toEqual({ label: 'Kas 2026', Talep: 120 });
    expect(Object.keys(data[0]).some((k) => k.includes('.'))).toBe(false);
  });

  it('leaves non-count measures empty for missing months', () => {
    const sla = { ...block, measures: [M.slaCompliance], format: 'percent' as const };
    const { data } = chartData([], sla, queries.monthlyTrend);
    expect(data.every((d) => d['SLA uyumu'] === null)).toBe(true);
  });

  it('keeps rows as they come when there is no date range to fill', () => {
    const rows = [{ [`${D.openedAt}.month`]: '2026-11-01T00:00:00.000', [M.ticketCount]: 7 }];
    expect(chartData(rows, block).data).toEqual([{ label: 'Kas 2026', Talep: 7 }]);
  });
});

describe('barItems', () => {
  it('sorts by value, converts strings and names an empty dimension', () => {
    const rows = [
      { [D.unitName]: 'Zabıta Müdürlüğü', [M.ticketCount]: '12' },
      { [D.unitName]: 'Fen İşleri Müdürlüğü', [M.ticketCount]: '40' },
      { [D.unitName]: null, [M.ticketCount]: '3' },
    ];
    expect(barItems(rows, { x: D.unitName, measures: [M.ticketCount] }).map((i) => [i.name, i.value])).toEqual([
      ['Fen İşleri Müdürlüğü', 40],
      ['Zabıta Müdürlüğü', 12],
      ['Belirtilmemiş', 3],
    ]);
  });
});

describe('firstValue', () => {
  it('reads the first row and is null without rows', () => {
    expect(firstValue([{ [M.openCount]: '318' }], M.openCount)).toBe(318);
    expect(firstValue([], M.openCount)).toBeNull();
  });
});

describe('compareValues', () => {
  it.each([
    [110, 100, '+%10,0', 'increase'],
    [105, 100, '+%5,0', 'moderateIncrease'],
    [100.5, 100, '+%0,5', 'unchanged'],
    [95, 100, '−%5,0', 'moderateDecrease'],
    [50, 100, '−%50,0', 'decrease'],
    [10, 0, '–', 'unchanged'],
    [null, 100, '–', 'unchanged'],
  ] as const)('%j vs %j → %s %s', (current, previous, text, deltaType) => {
    const c = compareValues(current, previous);
    expect(c.text).toBe(text);
    expect(c.deltaType).toBe(deltaType);
  });
});

describe('members and views', () => {
  it('labels known members in Turkish and falls back to the member name', () => {
    expect(memberLabel(M.ticketCount)).toBe('Talep');
    expect(memberLabel('yedekleme.job_count')).toBe('job count');
  });
  it('lists the views a set of queries reads', () => {
    const q = helpdeskQueries(new Date('2026-11-28T09:00:00Z'));
    expect(viewsOf(Object.values(q))).toEqual(['yardim_masasi']);
  });
});

describe('formatChartValue', () => {
  it.each([
    [100, 'percent', '%100'],
    [92.44, 'percent', '%92,4'],
    [12, 'hours', '12 saat'],
    [12.5, 'hours', '12,5 saat'],
    [1200, 'number', '1.200'],
  ] as const)('%j as %s → %s', (value, format, expected) => {
    expect(formatChartValue(value, format)).toBe(expected);
  });
});
