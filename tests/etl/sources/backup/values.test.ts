import { describe, expect, it } from 'vitest';
import {
  cultureOfDate,
  describeUnreadableDate,
  isFailure,
  parseByteCount,
  parseDateTime,
  parseDecimal,
  parseGigabytes,
  parseHumanSize,
  parseRatio,
  parseTimeSpan,
  type Culture,
} from '../../../../etl/sources/backup/values.js';

const iso = (v: unknown) => (typeof v === 'number' ? new Date(v).toISOString() : v);

describe('parseDateTime: every culture to a UTC instant', () => {
  it.each<[string, Culture, string, string]>([
    // value, culture, host zone, UTC instant
    ['7/27/2020 1:05:49 PM', 'en-US', 'Europe/Istanbul', '2020-07-27T10:05:49.000Z'],
    ['7/28/2020 12:00:00 AM', 'en-US', 'Europe/Istanbul', '2020-07-27T21:00:00.000Z'],
    ['7/28/2020 12:30:00 PM', 'en-US', 'Europe/Istanbul', '2020-07-28T09:30:00.000Z'],
    ['7/27/2020 1:05:49 PM', 'en-US', 'America/Chicago', '2020-07-27T18:05:49.000Z'],
    ['1/15/2015 1:05:49 PM', 'en-US', 'Europe/Istanbul', '2015-01-15T11:05:49.000Z'], // UTC+2 before 2016
    ['27.07.2020 13:05:49', 'tr-TR', 'Europe/Istanbul', '2020-07-27T10:05:49.000Z'],
    ['01.12.2024 00:00:00', 'tr-TR', 'Europe/Istanbul', '2024-11-30T21:00:00.000Z'],
    ['1.2.2024 9:05', 'tr-TR', 'Europe/Istanbul', '2024-02-01T06:05:00.000Z'],
    ['2019-04-18T17:27:47.74Z', 'iso', 'Europe/Istanbul', '2019-04-18T17:27:47.740Z'],
    ['2019-04-18T17:25:19.8Z', 'iso', 'America/Chicago', '2019-04-18T17:25:19.800Z'],
    ['2024-03-05T10:00:00+03:00', 'iso', 'UTC', '2024-03-05T07:00:00.000Z'],
    ['2024-03-05T10:00:00', 'iso', 'Europe/Istanbul', '2024-03-05T07:00:00.000Z'],
  ])('%s (%s, host in %s) → %s', (value, culture, tz, expected) => {
    expect(iso(parseDateTime(value, culture, tz, 'Date'))).toBe(expected);
  });

  it.each<[string, Culture, RegExp]>([
    ['2/30/2020 1:00:00 PM', 'en-US', /Date "2\/30\/2020 1:00:00 PM" is not a real date-time \(en-US month\/day\/year\)/],
    ['13/1/2020 1:00:00 PM', 'en-US', /is not a real date-time/],
    ['7/27/2020 13:05:49 PM', 'en-US', /hour 13 is not a 12-hour clock hour/],
    ['31.09.2024 10:00:00', 'tr-TR', /is not a real date-time \(day\.month\.year\)/],
    ['27.07.2020 13:05:49', 'en-US', /is not a date-time in the file's format \(M\/d\/yyyy h:mm:ss AM\/PM/],
    ['7/27/2020 1:05:49 PM', 'tr-TR', /is not a date-time in the file's format \(dd\.MM\.yyyy HH:mm:ss/],
    ['yesterday', 'iso', /Date "yesterday" is not a date-time/],
  ])('refuses %s in a %s file', (value, culture, reason) => {
    const r = parseDateTime(value, culture, 'Europe/Istanbul', 'Date');
    expect(isFailure(r)).toBe(true);
    expect((r as { fail: string }).fail).toMatch(reason);
  });

  it('an empty value is null, not an error', () => {
    expect(parseDateTime('  ', 'en-US', 'Europe/Istanbul', 'Date')).toBeNull();
  });
});

describe('cultureOfDate', () => {
  it.each([
    ['7/27/2020 1:05:49 PM', 'en-US'],
    ['27.07.2020 13:05:49', 'tr-TR'],
    ['2019-04-18T17:27:47.74Z', 'iso'],
    ['27/07/2020 13:05:49', null],
    ['garbage', null],
  ])('%s → %s', (v, c) => expect(cultureOfDate(v)).toBe(c));

  it('explains a day-first slash date', () => {
    expect(describeUnreadableDate('27/07/2020 13:05:49')).toMatch(/slashes without AM\/PM \(a day-first en-GB style\?\)/);
  });
});

describe('numbers and sizes', () => {
  it.each<[string, Culture, number | null]>([
    ['0.17', 'en-US', 0.17],
    ['1,234.5', 'en-US', 1234.5],
    ['40', 'en-US', 40],
    ['0,17', 'tr-TR', 0.17],
    ['1.234,5', 'tr-TR', 1234.5],
    ['1.234', 'tr-TR', 1234],
    ['', 'tr-TR', null],
  ])('parseDecimal(%s, %s) = %s', (v, c, n) => expect(parseDecimal(v, c, 'x')).toBe(n));

  it.each<[string, Culture]>([
    ['0,17', 'en-US'],
    ['1.5.3', 'tr-TR'],
    ['abc', 'en-US'],
  ])('parseDecimal refuses %s in %s', (v, c) => expect(isFailure(parseDecimal(v, c, 'DataSize(GB)'))).toBe(true));

  it.each<[string, Culture, number]>([
    ['40', 'en-US', 42949672960],
    ['0.17', 'en-US', Math.round(0.17 * 1024 ** 3)],
    ['6,5', 'tr-TR', Math.round(6.5 * 1024 ** 3)],
  ])('parseGigabytes(%s) = %d bytes (1 GB = 1024³ B)', (v, c, b) => expect(parseGigabytes(v, c, 'DataSize(GB)')).toBe(b));

  it('a negative size is refused', () => {
    expect(parseGigabytes('-1', 'en-US', 'DataSize(GB)')).toEqual({ fail: 'DataSize(GB) "-1" is negative' });
  });

  it.each<[string, Culture, number | null]>([
    ['30 GB', 'en-US', 30 * 1024 ** 3],
    ['9.18 GB', 'en-US', Math.round(9.18 * 1024 ** 3)],
    ['9,18 GB', 'tr-TR', Math.round(9.18 * 1024 ** 3)],
    ['17.04 MB', 'en-US', Math.round(17.04 * 1024 ** 2)],
    ['64 B', 'en-US', 64],
    ['0 B', 'tr-TR', 0],
    ['1.5 TB', 'en-US', Math.round(1.5 * 1024 ** 4)],
    ['512 KiB', 'en-US', 512 * 1024],
    ['', 'en-US', null],
  ])('parseHumanSize(%s, %s) = %s', (v, c, b) => expect(parseHumanSize(v, c, 'TotalSize')).toBe(b));

  it.each([['30 GiG'], ['GB'], ['12']])('parseHumanSize refuses %s', (v) => {
    expect((parseHumanSize(v, 'en-US', 'TotalSize') as { fail: string }).fail).toMatch(/TotalSize ".*" is not a size/);
  });

  it.each<[string, Culture, number]>([
    ['3.3x', 'en-US', 3.3],
    ['1x', 'en-US', 1],
    ['1,62x', 'tr-TR', 1.62],
  ])('parseRatio(%s) = %d', (v, c, n) => expect(parseRatio(v, c, 'Dedupe')).toBe(n));

  it.each<[string, number | null]>([
    ['00:01:35.8830000', 95.883],
    ['00:10:32.1800000', 632.18],
    ['1.02:03:04', 93784],
    ['0:01:35,883', 95.883],
    ['', null],
  ])('parseTimeSpan(%s) = %s s', (v, n) => expect(parseTimeSpan(v, 'Duration')).toBe(n));

  it.each([['1:99:00'], ['-00:00:05'], ['5 minutes']])('parseTimeSpan refuses %s', (v) => expect(isFailure(parseTimeSpan(v, 'Duration'))).toBe(true));

  it.each<[string, number | null | 'fail']>([
    ['58987184128', 58987184128],
    ['0', 0],
    ['', null],
    ['1.5', 'fail'],
    ['-3', 'fail'],
  ])('parseByteCount(%s)', (v, n) => {
    const r = parseByteCount(v, 'TotalSize');
    if (n === 'fail') expect(isFailure(r)).toBe(true);
    else expect(r).toBe(n);
  });
});
