import { describe, expect, it } from 'vitest';
import { fromWallClock, toWallClock, zoneClock } from '../../../etl/calendar/wall-clock.js';

describe('wall clock ↔ instant', () => {
  it.each([
    ['2025-01-03 16:30:00', 'Europe/Istanbul', '2025-01-03T13:30:00.000Z'],
    ['2025-07-01 00:00:00', 'Europe/Istanbul', '2025-06-30T21:00:00.000Z'],
    ['2015-07-01 12:00:00', 'Europe/Istanbul', '2015-07-01T09:00:00.000Z'], // EEST before 2016
    ['2015-01-01 12:00:00', 'Europe/Istanbul', '2015-01-01T10:00:00.000Z'], // EET before 2016
    ['2025-03-30 12:00:00', 'Europe/Berlin', '2025-03-30T10:00:00.000Z'],
    ['2025-01-03 16:30:00', 'UTC', '2025-01-03T16:30:00.000Z'],
    ['2025-01-03T16:30', 'Europe/Istanbul', '2025-01-03T13:30:00.000Z'],
    ['2025-01-03', 'Europe/Istanbul', '2025-01-02T21:00:00.000Z'],
  ])('%s in %s is %s', (wall, zone, iso) => {
    const d = fromWallClock(wall, zone)!;
    expect(d.toISOString()).toBe(iso);
  });

  it.each([['0000-00-00 00:00:00'], ['2024-02-30 10:00:00'], ['2024-13-01 10:00:00'], ['2024-01-01 24:00:00'], ['yesterday'], ['']])(
    '%j is not a date-time',
    (wall) => {
      expect(fromWallClock(wall, 'Europe/Istanbul')).toBeNull();
    },
  );

  it('formats instants as local wall clock and round-trips', () => {
    const d = new Date('2026-11-28T09:00:00.789Z');
    expect(toWallClock(d)).toBe('2026-11-28 12:00:00');
    expect(toWallClock(d, 'UTC')).toBe('2026-11-28 09:00:00');
    for (let t = Date.UTC(2024, 0, 1); t < Date.UTC(2025, 0, 1); t += 3_600_000 * 7 + 13_000) {
      expect(fromWallClock(toWallClock(new Date(t)))!.getTime()).toBe(t);
    }
  });

  it('takes the earlier instant in a DST gap, and handles the fold', () => {
    // Europe/Berlin 2025-03-30 02:30 does not exist; 2025-10-26 02:30 happens twice.
    expect(fromWallClock('2025-03-30 02:30:00', 'Europe/Berlin')!.toISOString()).toBe('2025-03-30T01:30:00.000Z');
    expect(['2025-10-26T00:30:00.000Z', '2025-10-26T01:30:00.000Z']).toContain(fromWallClock('2025-10-26 02:30:00', 'Europe/Berlin')!.toISOString());
    expect(toWallClock(new Date('2025-10-26T00:30:00Z'), 'Europe/Berlin')).toBe('2025-10-26 02:30:00');
    expect(toWallClock(new Date('2025-10-26T01:30:00Z'), 'Europe/Berlin')).toBe('2025-10-26 02:30:00');
  });

  it('rejects an unknown zone', () => {
    expect(() => zoneClock('Europe/Sultanbeyli')).toThrow(/Unknown time zone/);
  });
});
