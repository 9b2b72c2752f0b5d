import { foldKey } from './tr-format.js';

/**
 * The carriers Pano tells apart. An invoice's operator comes from its supplier party (VKN first, then the
 * registered name); a return (İADE) the municipality issued to an operator has the operator as the
 * customer instead. Anything else is 'DIGER' and is named in the source's checks.
 */
export type OperatorCode = 'TURK_TELEKOM' | 'TURKCELL' | 'VODAFONE' | 'DIGER';

const OPERATOR_LABELS: Record<OperatorCode, string> = {
  TURK_TELEKOM: 'Türk Telekom',
  TURKCELL: 'Turkcell',
  VODAFONE: 'Vodafone',
  DIGER: 'Diğer',
};

/**
 * Tax numbers (VKN) of the operators' invoicing companies, as they appear in
 * `AccountingSupplierParty/Party/PartyIdentification/ID[@schemeID='VKN']`. The demo generator uses these
 * (fictional) numbers. A site whose operators invoice from other VKNs needs nothing here as long as the
 * registered names below match; add a VKN only for a company whose name does not say who it is.
 * (The numbers pass the VKN check digit, like real ones, but belong to no real company we know of.)
 */
export const OPERATOR_VKNS: Readonly<Record<string, OperatorCode>> = {
  '8760044710': 'TURK_TELEKOM',
  '8590029959': 'TURK_TELEKOM',
  '3130020388': 'TURKCELL',
  '9250088313': 'VODAFONE',
};

/** Registered trade names, folded (see foldKey), by operator. Group companies bill under their own names. */
const NAME_PATTERNS: Array<[RegExp, OperatorCode]> = [
  [/turktelekom|turktelekomunikasyon|ttnet|ttmobil|avea/, 'TURK_TELEKOM'],
  [/turkcell|superonline|lifecell/, 'TURKCELL'],
  [/vodafone|telsim/, 'VODAFONE'],
];

/** The operator a party stands for, by VKN and then by name; null when neither says so. */
export function operatorOfParty(party: { vkn?: string | null; name?: string | null }): OperatorCode | null {
  if (party.vkn && OPERATOR_VKNS[party.vkn]) return OPERATOR_VKNS[party.vkn];
  return party.name ? operatorFromName(party.name) : null;
}

/** "Türk Telekom", "TURKCELL İLETİŞİM HİZMETLERİ A.Ş.", "vodafone", "TT" → the operator; null if unknown. */
export function operatorFromName(name: string): OperatorCode | null {
  const k = foldKey(name);
  if (k === '') return null;
  if (k === 'tt' || k === 'turktelekom') return 'TURK_TELEKOM';
  if (k === 'diger') return 'DIGER';
  for (const [re, code] of NAME_PATTERNS) if (re.test(k)) return code;
  if (k === 'turkcell' || k === 'tcell') return 'TURKCELL';
  if (k === 'vf') return 'VODAFONE';
  return null;
}

/**
 * The operator of an invoice: its supplier, or — for an invoice the municipality issued itself (a return
 * to the operator) — its customer. 'DIGER' when neither party is a known operator.
 */
export function operatorOfInvoice(
  supplier: { vkn?: string | null; name?: string | null },
  customer: { vkn?: string | null; name?: string | null },
): OperatorCode {
  return operatorOfParty(supplier) ?? operatorOfParty(customer) ?? 'DIGER';
}

/** True when a 10-digit Vergi Kimlik No's last digit is its check digit (GİB's algorithm). */
function isValidVkn(value: string): boolean {
  if (!/^\d{10}$/.test(value)) return false;
  return vknCheckDigit(value.slice(0, 9)) === Number(value[9]);
}

/** The check digit that completes the first nine digits of a VKN. */
export function vknCheckDigit(first9: string): number {
  let sum = 0;
  for (let i = 0; i < 9; i++) {
    const tmp = (Number(first9[i]) + 9 - i) % 10;
    let v = (tmp * 2 ** (9 - i)) % 9;
    if (tmp !== 0 && v === 0) v = 9;
    sum += v;
  }
  return (10 - (sum % 10)) % 10;
}
