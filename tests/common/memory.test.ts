import { describe, expect, it } from 'vitest';
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
