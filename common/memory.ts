import v8 from 'node:v8';
import vm from 'node:vm';

/**
 * A full garbage collection now, so V8 can give back the heap a large extract grew (V8 collects lazily:
 * without allocations nothing is collected, and the grown heap stays resident while DuckDB builds the marts
 * beside it). Node offers no API for this without `--expose-gc` at start, which a CLI, the scheduler and
 * the tests cannot all pass; the flag can be turned on at run time, and `gc` read from a fresh context.
 */
let gc: (() => void) | null | undefined;

export function releaseJsGarbage(): void {
  if (gc === undefined) {
    try {
      v8.setFlagsFromString('--expose-gc');
      gc = vm.runInNewContext('gc') as () => void;
    } catch {
      gc = null; // not available in this runtime: V8 collects on its own, later
    }
  }
  gc?.();
}

let liveAfterLastGc = 0;
let lastForcedAt = -Infinity;

/**
 * Keeps the JS heap near what is live: when the heap in use passes `budget` bytes (and twice what was live
 * after the last collection, so a large live set never means a collection per call), collects now — at
 * most once every `minIntervalMs`, which bounds what it costs when a source allocates fast and keeps much
 * alive (a forced collection marks everything live). Meant to be called between batches of a long extract:
 * V8 alone lets garbage pile up to hundreds of MB when the machine has memory to spare, and that heap is
 * resident beside DuckDB's. Returns whether it collected.
 */
export function keepJsHeapUnder(budget: number, minIntervalMs = 0): boolean {
  const used = v8.getHeapStatistics().used_heap_size;
  if (used < budget || used < 2 * liveAfterLastGc) return false;
  const now = performance.now();
  if (now - lastForcedAt < minIntervalMs) return false;
  releaseJsGarbage();
  lastForcedAt = performance.now();
  liveAfterLastGc = v8.getHeapStatistics().used_heap_size;
  return true;
}
