import { describe, expect, it } from 'vitest';
import { releaseJsGarbage } from '../../common/memory.js';

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
