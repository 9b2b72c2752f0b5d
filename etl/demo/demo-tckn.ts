import type { DemoRandom } from './demo-random.js';

/**
 * Synthetic TC Kimlik Nos for the demo source systems (HR exports, e-Arşiv invoices): they pass the check
 * digits (common/kvkk.ts isValidTckn) so the readers accept and hash them, and are drawn from the seed.
 */

/** A synthetic but valid TC Kimlik No: nine random digits (first not 0), then the two check digits. */
export function makeDemoTckn(rng: DemoRandom): string {
  const d: number[] = [rng.int(1, 9)];
  for (let i = 1; i < 9; i++) d.push(rng.int(0, 9));
  const odd = d[0] + d[2] + d[4] + d[6] + d[8];
  const even = d[1] + d[3] + d[5] + d[7];
  d.push((((odd * 7 - even) % 10) + 10) % 10);
  d.push(d.reduce((a, b) => a + b, 0) % 10);
  return d.join('');
}

/** The same number with its last check digit wrong. */
export function breakTckn(tckn: string): string {
  return tckn.slice(0, 10) + String((Number(tckn[10]) + 3) % 10);
}
