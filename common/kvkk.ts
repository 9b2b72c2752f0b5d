import crypto from 'node:crypto';

/**
 * KVKK (Law 6698) by construction: a TC Kimlik No is checked and replaced by a keyed hash at extraction,
 * whatever the source. The clear number never reaches the warehouse, the quarantine, logs or errors.
 */

/** True for an 11-digit TC Kimlik No whose two check digits are right (and whose first digit is not 0). */
export function isValidTckn(value: string): boolean {
  if (!/^[1-9]\d{10}$/.test(value)) return false;
  const d = value.split('').map(Number);
  const odd = d[0] + d[2] + d[4] + d[6] + d[8];
  const even = d[1] + d[3] + d[5] + d[7];
  const d10 = (((odd * 7 - even) % 10) + 10) % 10;
  const d11 = d.slice(0, 10).reduce((a, b) => a + b, 0) % 10;
  return d[9] === d10 && d[10] === d11;
}

/** The keyed hash that stands for a TC Kimlik No everywhere in Pano: HMAC-SHA256 with the KVKK secret, hex. */
export function hashTckn(tckn: string, secret: string): string {
  if (!secret || secret.length < 16) throw new Error('KVKK secret must be at least 16 characters');
  return crypto.createHmac('sha256', secret).update(tckn.trim()).digest('hex');
}

export type TcknResult = { ok: true; hash: string } | { ok: false; reason: string };

/**
 * Checks and hashes a TC Kimlik No in one step. The reason never contains the number itself,
 * so it can go into the quarantine and the logs as it is.
 */
export function pseudonymizeTckn(value: unknown, secret: string): TcknResult {
  const s = value == null ? '' : String(value).replace(/\s+/g, '');
  if (!s) return { ok: false, reason: 'TC Kimlik No is missing' };
  if (!/^\d{11}$/.test(s)) return { ok: false, reason: `TC Kimlik No must be 11 digits (got ${s.length} characters)` };
  if (!isValidTckn(s)) return { ok: false, reason: 'TC Kimlik No fails its check digits' };
  return { ok: true, hash: hashTckn(s, secret) };
}

/** Replaces every 11-digit run that is a valid TC Kimlik No in a text with "[TCKN]", for quarantine records and messages. */
export function redactTcknInText(text: string): string {
  return text.replace(/\b[1-9]\d{10}\b/g, (m) => (isValidTckn(m) ? '[TCKN]' : m));
}

/** Masks TC Kimlik Nos anywhere inside a record (values only), for the quarantine. */
export function redactTcknInRecord<T>(record: T): T {
  return JSON.parse(
    JSON.stringify(record, (_k, v) => (typeof v === 'string' ? redactTcknInText(v) : typeof v === 'number' && isValidTckn(String(v)) ? '[TCKN]' : v)),
  );
}
