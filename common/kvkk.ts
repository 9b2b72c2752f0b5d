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
 * Checks a TC Kimlik No as sources hold it (text, or a number such as an Excel cell) and returns its keyed
 * hash (hashTckn), or why it was refused. Spaces are ignored, and so is a zero fraction of Excel float text
 * ('10000000146.0'). The reason never contains the number itself, so it can go into the quarantine and the
 * logs as it is. `cache` (clear number → hash, valid numbers only) saves hashing a person's number on
 * every row.
 */
export function pseudonymizeTckn(value: unknown, secret: string, cache?: Map<string, string>): TcknResult {
  const refuse = (reason: string): TcknResult => ({ ok: false, reason });
  if (value === null || value === undefined || (typeof value === 'string' && value.trim() === '')) return refuse('TC Kimlik No is missing');
  let s: string;
  if (typeof value === 'number') {
    if (!Number.isInteger(value)) return refuse('TC Kimlik No is not a whole number (format the column as text)');
    s = String(value);
  } else if (typeof value === 'string') {
    s = value.replace(/[\s\u00a0]/g, '');
    if (/^\d+[.,]0+$/.test(s)) s = s.replace(/[.,]0+$/, '');
    if (/^\d([.,]\d+)?E\+?\d+$/i.test(s))
      return refuse('TC Kimlik No is in scientific notation: digits were lost in Excel (format the column as text and export again)');
  } else {
    return refuse('TC Kimlik No is not a number');
  }
  const known = cache?.get(s);
  if (known) return { ok: true, hash: known };
  if (!/^\d+$/.test(s)) return refuse(`TC Kimlik No must be 11 digits (got ${s.length} characters, not all digits)`);
  if (s.length !== 11) return refuse(`TC Kimlik No must be 11 digits (got ${s.length})`);
  if (s[0] === '0') return refuse('TC Kimlik No cannot start with 0');
  if (!isValidTckn(s)) return refuse('TC Kimlik No fails its check digits');
  const hash = hashTckn(s, secret);
  if (cache) {
    if (cache.size > 500_000) cache.clear();
    cache.set(s, hash);
  }
  return { ok: true, hash };
}

/**
 * What stands for hidden personal data in a text or record Pano keeps (the quarantine, reasons, free
 * texts): Turkish, like everything its users read, and the same word the logger uses for a secret.
 * It does not say what was hidden: HR also masks phone numbers and broken TC Kimlik Nos with it.
 */
export const MASK = '[gizli]';

/** Replaces every 11-digit run that is a valid TC Kimlik No in a text with MASK ("[gizli]"), for quarantine records and messages. */
export function redactTcknInText(text: string): string {
  return text.replace(/\b[1-9]\d{10}\b/g, (m) => (isValidTckn(m) ? MASK : m));
}

/** Masks TC Kimlik Nos anywhere inside a record (values only), for the quarantine. */
export function redactTcknInRecord<T>(record: T): T {
  return JSON.parse(
    JSON.stringify(record, (_k, v) => (typeof v === 'string' ? redactTcknInText(v) : typeof v === 'number' && isValidTckn(String(v)) ? MASK : v)),
  );
}
