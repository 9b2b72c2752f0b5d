import { LRUCache } from 'lru-cache';

/**
 * The /load answers kept for reuse, as UTF-8 JSON bytes, bounded by the bytes they hold (not by how many there are:
 * one ungrouped answer can weigh as much as a thousand dashboard tiles). Least recently used leaves first; an answer
 * larger than `maxEntryBytes` is never kept. An entry that leaves is dropped whole (its bytes are the only copy),
 * so the memory is the garbage collector's again. The bookkeeping is lru-cache's; this class adds the counters the
 * health detail and the bench report.
 */
export class ResultCache {
  private readonly lru: LRUCache<string, Buffer> | null;
  private hits = 0;
  private misses = 0;
  private skipped = 0;

  constructor(
    readonly maxBytes: number,
    readonly maxEntryBytes: number,
  ) {
    // A size of 0 turns the cache off (PANO_API_CACHE_MB=0).
    this.lru =
      maxBytes >= 1 && maxEntryBytes >= 1
        ? new LRUCache<string, Buffer>({
            maxSize: maxBytes,
            maxEntrySize: Math.min(maxEntryBytes, maxBytes),
            sizeCalculation: (json) => Math.max(1, json.length),
          })
        : null;
  }

  get(key: string): Buffer | undefined {
    const hit = this.lru?.get(key);
    if (hit === undefined) this.misses++;
    else this.hits++;
    return hit;
  }

  set(key: string, json: Buffer): void {
    if (!this.lru || json.length > this.lru.maxEntrySize) {
      this.lru?.delete(key);
      this.skipped++;
      return;
    }
    this.lru.set(key, json);
  }

  clear(): void {
    this.lru?.clear();
  }

  stats() {
    return {
      entries: this.lru?.size ?? 0,
      bytes: this.lru?.calculatedSize ?? 0,
      maxBytes: this.maxBytes,
      maxEntryBytes: this.maxEntryBytes,
      hits: this.hits,
      misses: this.misses,
      skipped: this.skipped,
    };
  }
}
