import { describe, expect, it, vi } from 'vitest';
import { keepJsHeapUnder, releaseJsGarbage } from '../../common/memory.js';

describe('releaseJsGarbage', () => {
  it('collects what nothing refers to any more, now (without node --expose-gc)', () => {
    let garbage: string[] | null = Array.from({ length: 200_000 }, (_, i) => `satır ${i} `.repeat(8));
    const held = process.memoryUsage().heapUsed;
    garbage = null;
    releaseJsGarbage();
    const after = process.memoryUsage().heapUsed;
    expect(garbage).toBeNull();
    expect(held - after).toBeGreaterThan(20 * 1024 * 1024); // 200 000 strings of ≈ 100 characters (≈ 34 MB here) are gone
  });

  it('can be called again (the collector is looked up once)', () => {
    expect(() => {
      releaseJsGarbage();
      releaseJsGarbage();
    }).not.toThrow();
  });
});

describe('keepJsHeapUnder', () => {
  it('collects once the heap in use passes the budget, and not while it is under', () => {
    expect(keepJsHeapUnder(Number.MAX_SAFE_INTEGER)).toBe(false);
    let garbage: string[] | null = Array.from({ length: 200_000 }, (_, i) => `satır ${i} `.repeat(8));
    expect(garbage.length).toBe(200_000);
    garbage = null;
    const before = process.memoryUsage().heapUsed;
    expect(keepJsHeapUnder(16 * 1024 * 1024)).toBe(true);
    expect(before - process.memoryUsage().heapUsed).toBeGreaterThan(20 * 1024 * 1024);
  });

  it('a live set larger than the budget does not mean a collection on every call', () => {
    const live = Array.from({ length: 200_000 }, (_, i) => `satır ${i} `.repeat(8));
    keepJsHeapUnder(1); // collects, and notes what is live
    expect(keepJsHeapUnder(1)).toBe(false); // nothing new: under twice the live heap
    expect(live.length).toBe(200_000);
  });
});

describe('keepJsHeapUnder with a minimum interval', () => {
  it('collects at most once per interval, however often the budget is passed', async () => {
    vi.resetModules();
    const fresh = await import('../../common/memory.js'); // its own record of the last collection
    expect(fresh.keepJsHeapUnder(1024 * 1024, 60_000)).toBe(true);
    let garbage: string[] | null = Array.from({ length: 600_000 }, (_, i) => `satır ${i} `.repeat(8)); // ≈ 100 MB
    expect(garbage.length).toBe(600_000);
    garbage = null;
    expect(fresh.keepJsHeapUnder(1024 * 1024, 60_000)).toBe(false); // far past the budget, but within the interval
    expect(fresh.keepJsHeapUnder(1024 * 1024, 0)).toBe(true); // the same heap, no interval: collected
  });
});
