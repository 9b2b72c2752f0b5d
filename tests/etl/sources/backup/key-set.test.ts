import { describe, expect, it } from 'vitest';
import { Hash64Set, hash64, hashHex } from '../../../../etl/sources/backup/key-set.js';

describe('Hash64Set', () => {
  it('remembers 200 000 keys through many growths, and knows each one again', () => {
    const set = new Hash64Set(16);
    let fresh = 0;
    for (let i = 0; i < 200_000; i++) if (set.add(...hash64(`vm\u0001job\u0001${i}`))) fresh++;
    expect(fresh).toBe(200_000);
    expect(set.size).toBe(200_000);
    let again = 0;
    for (let i = 0; i < 200_000; i += 7) if (!set.add(...hash64(`vm\u0001job\u0001${i}`))) again++;
    expect(again).toBe(Math.ceil(200_000 / 7));
    expect(set.size).toBe(200_000);
  });

  it('treats the hash (0, 0) like any other', () => {
    const set = new Hash64Set();
    expect(set.add(0, 0)).toBe(true);
    expect(set.add(0, 0)).toBe(false);
    expect(set.size).toBe(1);
  });

  it.each([
    ['a', 'b'],
    ['job\u0001vm\u00011', 'job\u0001vm\u00012'],
    ['ebys-db', 'ebys-dB'],
  ])('different strings, different hashes: %j / %j', (x, y) => {
    expect(hashHex(x)).not.toBe(hashHex(y));
    expect(hashHex(x)).toMatch(/^[0-9a-f]{16}$/);
    expect(hashHex(x)).toBe(hashHex(x));
  });
});
