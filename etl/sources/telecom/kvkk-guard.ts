import { hashTckn, isValidTckn } from '../../../common/kvkk.js';

/**
 * KVKK guards shared by the telecom streams.
 *
 * - `pseudonymize`: an ID marked TCKN (an e-Arşiv buyer) becomes its keyed hash.
 * - `guardKey`: a line or subscriber key that is an 11-digit number passing the TC Kimlik No check digits
 *   (some operators use the subscriber's TCKN as abone no) becomes `TCKN#<hash prefix>`. The line registry,
 *   the operator details and the invoices all pass their keys through the same guard, so they still meet
 *   on the hashed key. Telephone keys are 10 digits and are never touched.
 */
export interface KvkkGuard {
  pseudonymize(tckn: string): string;
  guardKey(key: string | null): string | null;
}

export function kvkkGuard(secret: string): KvkkGuard {
  return {
    pseudonymize: (tckn) => hashTckn(tckn.replace(/\s+/g, ''), secret),
    guardKey: (key) => (key !== null && /^[1-9]\d{10}$/.test(key) && isValidTckn(key) ? `TCKN#${hashTckn(key, secret).slice(0, 24)}` : key),
  };
}
