/**
 * A set of 64-bit string hashes in two typed arrays (open addressing, linear probing, at most 3/4 full):
 * remembers which Veeam sessions a run has already read with 8 bytes a slot, so ten million sessions cost
 * ~130 MB instead of the gigabyte a `Set<string>` would take. A false "already seen" needs a 64-bit
 * collision (about one in 10⁶ for ten million keys).
 */

/** Two independent 32-bit hashes of `s` (murmur-style mixing), together 64 bits. */
export function hash64(s: string): [number, number] {
  let h1 = 0xdeadbeef ^ s.length;
  let h2 = 0x41c6ce57 ^ s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return [h1 >>> 0, h2 >>> 0];
}

/** 16 hex digits of hash64(s). */
export function hashHex(s: string): string {
  const [a, b] = hash64(s);
  return a.toString(16).padStart(8, '0') + b.toString(16).padStart(8, '0');
}

export class Hash64Set {
  private hi: Uint32Array;
  private lo: Uint32Array;
  private count = 0;

  constructor(initialCapacity = 1 << 16) {
    let cap = 16;
    while (cap < initialCapacity) cap <<= 1;
    this.hi = new Uint32Array(cap);
    this.lo = new Uint32Array(cap);
  }

  get size(): number {
    return this.count;
  }

  /** Adds the hash; false when it was already there. */
  add(h1: number, h2: number): boolean {
    if ((this.count + 1) * 4 > this.hi.length * 3) this.grow();
    h1 >>>= 0;
    h2 >>>= 0;
    if (h1 === 0 && h2 === 0) h2 = 1; // (0, 0) marks an empty slot
    return this.insert(h1, h2);
  }

  private insert(h1: number, h2: number): boolean {
    const { hi, lo } = this;
    const mask = hi.length - 1;
    let i = (h1 ^ Math.imul(h2, 0x9e3779b1)) & mask;
    for (;;) {
      const a = hi[i];
      const b = lo[i];
      if (a === 0 && b === 0) {
        hi[i] = h1;
        lo[i] = h2;
        this.count++;
        return true;
      }
      if (a === h1 && b === h2) return false;
      i = (i + 1) & mask;
    }
  }

  private grow(): void {
    const { hi, lo } = this;
    this.hi = new Uint32Array(hi.length * 2);
    this.lo = new Uint32Array(lo.length * 2);
    this.count = 0;
    for (let i = 0; i < hi.length; i++) if (hi[i] !== 0 || lo[i] !== 0) this.insert(hi[i], lo[i]);
  }
}
