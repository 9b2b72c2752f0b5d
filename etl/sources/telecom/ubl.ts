import { redactTcknInText } from '../../../common/kvkk.js';
import { parseLineKey } from './line-key.js';
import { operatorOfInvoice, type OperatorCode } from './operators.js';
import { foldKey, isoDate, parseTrDate, parseTrMonth, round2 } from './tr-format.js';
import { emptyElements, parseXml, type XNode } from './xml-ns.js';

/**
 * UBL-TR 2.1 e-Fatura / e-Arşiv invoices (GİB customization TR1.2) read into plain records.
 *
 * Elements are matched by namespace URI (Invoice-2, CommonAggregateComponents-2,
 * CommonBasicComponents-2), never by prefix: "cac:", "ns2:", "a:" or a default namespace all read the same.
 * Taxes are keyed on TaxTypeCode (0015 KDV, 4080/4081 ÖİV, the withheld 0003/0011/4171 STOPAJ, anything else
 * "other"), never on their names.
 * The base64 XSLT attachment every e-Fatura carries is dropped before parsing.
 *
 * KVKK: an ID with schemeID TCKN (a person, typically the buyer of an e-Arşiv invoice) is replaced by
 * `opts.pseudonymize` here, at the first moment it is read; a person's name is not read at all. Free
 * texts (notes, item names) pass through redactTcknInText.
 */

export const UBL_NS = {
  invoice: 'urn:oasis:names:specification:ubl:schema:xsd:Invoice-2',
  cac: 'urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2',
  cbc: 'urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2',
} as const;

const CAC = UBL_NS.cac;
const CBC = UBL_NS.cbc;

/** PartyIdentification schemeIDs that identify a line or subscription (GİB code list 3.1), in order of preference. */
export const LINE_SCHEMES = ['TELEFONNO', 'HIZMETNO', 'ABONENO', 'TESISATNO'] as const;
export type LineScheme = (typeof LINE_SCHEMES)[number];

export type TaxGroup = 'KDV' | 'OIV' | 'STOPAJ' | 'DIGER';

/**
 * TaxTotal codes of taxes the buyer withholds and pays to the tax office itself: deducted from the payable,
 * never added to it (GİB UBL-TR Kod Listeleri 1.18, 2.9 Vergi Kodları: 0003 GV STOPAJI, 0011 KV STOPAJI,
 * 4171 PTR-DGZ ÖTV TEVKİFATI). KDV tevkifatı is not here: it comes in WithholdingTaxTotal (codes 6xx).
 */
export const WITHHELD_TAX_CODES: ReadonlySet<string> = new Set(['0003', '0011', '4171']);

/** 0015 → KDV; 4080, 4081 → ÖİV; 0003, 0011, 4171 → STOPAJ (withheld); every other TaxTypeCode → other taxes and fees. */
export function taxGroupOf(code: string | null): TaxGroup {
  if (code === '0015') return 'KDV';
  if (code === '4080' || code === '4081') return 'OIV';
  if (code !== null && WITHHELD_TAX_CODES.has(code)) return 'STOPAJ';
  return 'DIGER';
}

export interface UblTax {
  /** 'VERGI' for TaxTotal, 'TEVKIFAT' for WithholdingTaxTotal. */
  kind: 'VERGI' | 'TEVKIFAT';
  code: string | null;
  name: string | null;
  percent: number | null;
  taxable: number | null;
  amount: number | null;
  exemptionCode: string | null;
}

export interface UblIdentity {
  scheme: string;
  /** As written; for TCKN always null (see `hash`). */
  value: string | null;
  /** Keyed hash of a TCKN; null for any other scheme. */
  hash: string | null;
}

export interface UblParty {
  ids: UblIdentity[];
  vkn: string | null;
  /**
   * null for a person, and for any party with a Person element (a sole trader's PartyName is often their own
   * name): names of people are not read.
   */
  name: string | null;
  /** Identified by TCKN (PartyIdentification/ID schemeID). A VKN party naming a contact Person is a company. */
  isPerson: boolean;
}

export interface UblLineIdentity {
  scheme: string;
  value: string;
  key: string;
  /** Where it was found: on the line (party or item id, or a note), or for the whole invoice (customer party or invoice note). */
  source: 'line_party' | 'line_item' | 'line_note' | 'customer_party' | 'invoice_note';
}

export interface UblLine {
  seq: number;
  id: string | null;
  quantity: number | null;
  quantityUnit: string | null;
  unitPrice: number | null;
  /** LineExtensionAmount (net of the line's allowances), as in the document (not signed). */
  net: number | null;
  allowance: number;
  charge: number;
  itemName: string | null;
  itemCode: string | null;
  notes: string[];
  taxes: UblTax[];
  withholdings: UblTax[];
  identity: UblLineIdentity | null;
  problems: string[];
}

export interface UblTotals {
  lineExtension: number | null;
  taxExclusive: number | null;
  taxInclusive: number | null;
  allowanceTotal: number | null;
  chargeTotal: number | null;
  payableRounding: number | null;
  payable: number | null;
}

export interface UblInvoice {
  uuid: string | null;
  invoiceNo: string | null;
  profileId: string | null;
  typeCode: string | null;
  /** -1 for returns (İADE and every type code ending in IADE), else 1. */
  sign: 1 | -1;
  issueDate: string | null;
  issueTime: string | null;
  currency: string | null;
  exchangeRate: number | null;
  periodStart: string | null;
  periodEnd: string | null;
  lineCountNumeric: number | null;
  notes: string[];
  supplier: UblParty;
  customer: UblParty;
  operator: OperatorCode;
  /** The customer's line/subscription identity (TELEFONNO, HIZMETNO, ABONENO …), if any. */
  accountIdentity: UblLineIdentity | null;
  billingReferences: Array<{ id: string; issueDate: string | null; typeCode: string | null }>;
  totals: UblTotals;
  taxTotal: number | null;
  taxes: UblTax[];
  withholdingTotal: number | null;
  withholdings: UblTax[];
  lines: UblLine[];
  /** Reasons the invoice as a whole cannot be loaded (empty when it can). */
  problems: string[];
}

export interface UblReadOptions {
  /** Replaces a TC Kimlik No by its keyed hash (common/kvkk.ts hashTckn with the KVKK secret). */
  pseudonymize(tckn: string): string;
  /** Replaces a line key that may be a TC Kimlik No (an 11-digit abone no) by a keyed hash; identity if absent. */
  guardKey?(key: string): string;
}

export interface UblDocument {
  /** Every Invoice-2 Invoice in the file: the root, or those inside an envelope (e.g. GİB's StandardBusinessDocument). */
  invoices: UblInvoice[];
  /** The root element, `{namespace}local`, for files that hold no invoice. */
  root: string;
}

/**
 * Reads one XML file's text. Not well-formed → XmlFormatError (message with line and column). A
 * well-formed file without any UBL Invoice returns `invoices: []` (e.g. an ApplicationResponse).
 */
export function readUblDocument(xml: string, opts: UblReadOptions): UblDocument {
  const root = parseXml(emptyElements(xml, ['EmbeddedDocumentBinaryObject']));
  const found = root.ns === UBL_NS.invoice && root.local === 'Invoice' ? [root] : root.descendants(UBL_NS.invoice, 'Invoice');
  return { invoices: found.map((n) => readInvoice(n, opts)), root: `{${root.ns}}${root.local}` };
}

function readInvoice(inv: XNode, opts: UblReadOptions): UblInvoice {
  const problems: string[] = [];
  const num = (node: XNode | undefined, what: string, into = problems): number | null => {
    if (!node) return null;
    const t = node.text();
    if (t === '') return null;
    if (!/^[+-]?(\d+(\.\d*)?|\.\d+)$/.test(t)) {
      into.push(`${what} "${clip(t)}" is not a decimal number`);
      return null;
    }
    return Number(t);
  };
  const text = (ns: string, local: string) => nonEmpty(inv.childText(ns, local));

  const uuidRaw = text(CBC, 'UUID');
  const uuid = uuidRaw?.toLowerCase() ?? null;
  if (!uuid) problems.push('UUID (ETTN) is missing');
  else if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(uuid)) problems.push(`UUID "${clip(uuidRaw!)}" is not a UUID`);
  const invoiceNo = text(CBC, 'ID');
  if (!invoiceNo) problems.push('ID (invoice number) is missing');
  const profileId = text(CBC, 'ProfileID')?.toUpperCase() ?? null;
  const typeCode = text(CBC, 'InvoiceTypeCode')?.toUpperCase() ?? null;
  if (!typeCode) problems.push('InvoiceTypeCode is missing');
  const sign: 1 | -1 = typeCode && typeCode.endsWith('IADE') ? -1 : 1;

  const issueRaw = text(CBC, 'IssueDate');
  const issueDate = parseIsoDate(issueRaw);
  if (!issueRaw) problems.push('IssueDate is missing');
  else if (!issueDate) problems.push(`IssueDate "${clip(issueRaw)}" is not a date (YYYY-MM-DD)`);
  const issueTimeRaw = text(CBC, 'IssueTime');
  const issueTime = issueTimeRaw && /^\d{2}:\d{2}(:\d{2})?/.test(issueTimeRaw) ? issueTimeRaw.slice(0, 8) : null;

  const currency = text(CBC, 'DocumentCurrencyCode')?.toUpperCase() ?? 'TRY';
  let exchangeRate: number | null = null;
  if (currency !== 'TRY') {
    const rate = inv.child(CAC, 'PricingExchangeRate');
    exchangeRate = num(rate?.child(CBC, 'CalculationRate'), 'PricingExchangeRate/CalculationRate');
    if (exchangeRate === null || !(exchangeRate > 0))
      problems.push(`DocumentCurrencyCode is ${currency} but PricingExchangeRate/CalculationRate (to TRY) is missing`);
  }

  const lineCountNumeric = num(inv.child(CBC, 'LineCountNumeric'), 'LineCountNumeric');
  const rawNotes = inv
    .children(CBC, 'Note')
    .map((n) => n.text())
    .filter((n) => n !== '');
  const notes = rawNotes.map((n) => cleanText(n)).filter((n): n is string => n !== null);
  const period = inv.child(CAC, 'InvoicePeriod');
  let periodStart = parseIsoDate(nonEmpty(period?.childText(CBC, 'StartDate')));
  let periodEnd = parseIsoDate(nonEmpty(period?.childText(CBC, 'EndDate')));
  if (!periodStart) ({ start: periodStart, end: periodEnd } = periodFromNotes(notes));

  const supplier = readParty(inv.child(CAC, 'AccountingSupplierParty')?.child(CAC, 'Party'), opts);
  const customer = readParty(inv.child(CAC, 'AccountingCustomerParty')?.child(CAC, 'Party'), opts);
  const operator = operatorOfInvoice(supplier, customer);

  const billingReferences = inv
    .children(CAC, 'BillingReference')
    .flatMap((b) =>
      b.children(CAC, 'InvoiceDocumentReference').map((r) => ({
        id: nonEmpty(r.childText(CBC, 'ID')) ?? '',
        issueDate: parseIsoDate(nonEmpty(r.childText(CBC, 'IssueDate'))),
        typeCode: nonEmpty(r.childText(CBC, 'DocumentTypeCode')),
      })),
    )
    .filter((r) => r.id !== '');

  const readTaxTotals = (parent: XNode, local: 'TaxTotal' | 'WithholdingTaxTotal', into: string[]) => {
    const kind = local === 'TaxTotal' ? 'VERGI' : 'TEVKIFAT';
    let total: number | null = null;
    const subs: UblTax[] = [];
    for (const tt of parent.children(CAC, local)) {
      const a = num(tt.child(CBC, 'TaxAmount'), `${local}/TaxAmount`, into);
      if (a !== null) total = (total ?? 0) + a;
      for (const st of tt.children(CAC, 'TaxSubtotal')) {
        const cat = st.child(CAC, 'TaxCategory');
        const scheme = cat?.child(CAC, 'TaxScheme');
        subs.push({
          kind,
          code: nonEmpty(scheme?.childText(CBC, 'TaxTypeCode')),
          name: cleanText(scheme?.childText(CBC, 'Name') ?? ''),
          percent: num(st.child(CBC, 'Percent'), `${local}/TaxSubtotal/Percent`, into),
          taxable: num(st.child(CBC, 'TaxableAmount'), `${local}/TaxSubtotal/TaxableAmount`, into),
          amount: num(st.child(CBC, 'TaxAmount'), `${local}/TaxSubtotal/TaxAmount`, into),
          exemptionCode: nonEmpty(cat?.childText(CBC, 'TaxExemptionReasonCode')),
        });
      }
    }
    return { total: total === null ? null : round2(total), subs };
  };

  const taxTotals = readTaxTotals(inv, 'TaxTotal', problems);
  const wh = readTaxTotals(inv, 'WithholdingTaxTotal', problems);
  for (const t of [...taxTotals.subs, ...wh.subs])
    if (t.code === null) problems.push(`a ${t.kind === 'VERGI' ? 'TaxTotal' : 'WithholdingTaxTotal'} subtotal has no TaxScheme/TaxTypeCode`);

  const lmt = inv.child(CAC, 'LegalMonetaryTotal');
  if (!lmt) problems.push('LegalMonetaryTotal is missing');
  const totals: UblTotals = {
    lineExtension: num(lmt?.child(CBC, 'LineExtensionAmount'), 'LegalMonetaryTotal/LineExtensionAmount'),
    taxExclusive: num(lmt?.child(CBC, 'TaxExclusiveAmount'), 'LegalMonetaryTotal/TaxExclusiveAmount'),
    taxInclusive: num(lmt?.child(CBC, 'TaxInclusiveAmount'), 'LegalMonetaryTotal/TaxInclusiveAmount'),
    allowanceTotal: num(lmt?.child(CBC, 'AllowanceTotalAmount'), 'LegalMonetaryTotal/AllowanceTotalAmount'),
    chargeTotal: num(lmt?.child(CBC, 'ChargeTotalAmount'), 'LegalMonetaryTotal/ChargeTotalAmount'),
    payableRounding: num(lmt?.child(CBC, 'PayableRoundingAmount'), 'LegalMonetaryTotal/PayableRoundingAmount'),
    payable: num(lmt?.child(CBC, 'PayableAmount'), 'LegalMonetaryTotal/PayableAmount'),
  };
  if (lmt && totals.payable === null && !problems.some((p) => p.includes('PayableAmount'))) problems.push('LegalMonetaryTotal/PayableAmount is missing');

  const accountIdentity = guardIdentity(identityOfParty(customer, 'customer_party'), opts);
  const invoiceNoteIdentity = guardIdentity(identityFromNotes(rawNotes, 'invoice_note', true), opts);

  const lines = inv.children(CAC, 'InvoiceLine').map((node, i) => readLine(node, i + 1, opts, readTaxTotals));
  if (lines.length === 0) problems.push('the invoice has no InvoiceLine');
  for (const line of lines) line.identity ??= accountIdentity ?? invoiceNoteIdentity;

  return {
    uuid,
    invoiceNo,
    profileId,
    typeCode,
    sign,
    issueDate,
    issueTime,
    currency,
    exchangeRate,
    periodStart,
    periodEnd,
    lineCountNumeric,
    notes,
    supplier,
    customer,
    operator,
    accountIdentity,
    billingReferences,
    totals,
    taxTotal: taxTotals.total,
    taxes: taxTotals.subs,
    withholdingTotal: wh.total,
    withholdings: wh.subs,
    lines,
    problems,
  };
}

function readLine(
  node: XNode,
  seq: number,
  opts: UblReadOptions,
  readTaxTotals: (parent: XNode, local: 'TaxTotal' | 'WithholdingTaxTotal', into: string[]) => { total: number | null; subs: UblTax[] },
): UblLine {
  const problems: string[] = [];
  const id = nonEmpty(node.childText(CBC, 'ID'));
  const where = `InvoiceLine ${id ?? `#${seq}`}`;
  const num = (n: XNode | undefined, what: string): number | null => {
    if (!n) return null;
    const t = n.text();
    if (t === '') return null;
    if (!/^[+-]?(\d+(\.\d*)?|\.\d+)$/.test(t)) {
      problems.push(`${where}: ${what} "${clip(t)}" is not a decimal number`);
      return null;
    }
    return Number(t);
  };
  const qtyNode = node.child(CBC, 'InvoicedQuantity');
  const quantity = num(qtyNode, 'InvoicedQuantity');
  const netNode = node.child(CBC, 'LineExtensionAmount');
  const net = num(netNode, 'LineExtensionAmount');
  if (!netNode || (net === null && !problems.length)) problems.push(`${where}: LineExtensionAmount is missing`);
  let allowance = 0;
  let charge = 0;
  for (const ac of node.children(CAC, 'AllowanceCharge')) {
    const amount = num(ac.child(CBC, 'Amount'), 'AllowanceCharge/Amount') ?? 0;
    if (ac.childText(CBC, 'ChargeIndicator')?.toLowerCase() === 'true') charge += amount;
    else allowance += amount;
  }
  const taxes = readTaxTotals(node, 'TaxTotal', problems).subs;
  const withholdings = readTaxTotals(node, 'WithholdingTaxTotal', problems).subs;
  const item = node.child(CAC, 'Item');
  const rawNotes = node
    .children(CBC, 'Note')
    .map((n) => n.text())
    .filter((n) => n !== '');
  const notes = rawNotes.map((n) => cleanText(n)).filter((n): n is string => n !== null);
  const itemName = cleanText(item?.childText(CBC, 'Name') ?? '') ?? cleanText(item?.childText(CBC, 'Description') ?? '');
  const itemCode = nonEmpty(item?.child(CAC, 'SellersItemIdentification')?.childText(CBC, 'ID'));

  return {
    seq,
    id,
    quantity,
    quantityUnit: qtyNode?.attr('unitCode') ?? null,
    unitPrice: num(node.child(CAC, 'Price')?.child(CBC, 'PriceAmount'), 'Price/PriceAmount'),
    net,
    allowance: round2(allowance),
    charge: round2(charge),
    itemName: itemName ? clipLong(itemName) : null,
    itemCode,
    notes,
    taxes,
    withholdings,
    identity: guardIdentity(identityOfLine(node, item, rawNotes, opts), opts),
    problems,
  };
}

/** A line's own identity: a PartyIdentification anywhere inside it, an item identification, or a note. */
function identityOfLine(node: XNode, item: XNode | undefined, notes: string[], opts: UblReadOptions): UblLineIdentity | null {
  const fromParties: UblIdentity[] = node.descendants(CAC, 'PartyIdentification').flatMap((p) => identitiesOf(p, opts));
  const party = bestIdentity(fromParties, 'line_party');
  if (party) return party;
  if (item) {
    const itemIds: UblIdentity[] = [];
    for (const local of ['AdditionalItemIdentification', 'SellersItemIdentification', 'BuyersItemIdentification']) {
      for (const ii of item.children(CAC, local)) {
        const idNode = ii.child(CBC, 'ID');
        const scheme = idNode?.attr('schemeID')?.toUpperCase();
        const value = nonEmpty(idNode?.text());
        if (scheme && value) itemIds.push({ scheme, value, hash: null });
      }
    }
    const fromItem = bestIdentity(itemIds, 'line_item');
    if (fromItem) return fromItem;
  }
  return identityFromNotes(notes, 'line_note', false);
}

/** The KVKK guard on a found identity: a key that may be a TC Kimlik No is replaced (value and key) by its hash. */
function guardIdentity(id: UblLineIdentity | null, opts: UblReadOptions): UblLineIdentity | null {
  if (!id || !opts.guardKey) return id;
  const key = opts.guardKey(id.key);
  return key === id.key ? id : { ...id, value: key, key };
}

function identitiesOf(pi: XNode, opts: UblReadOptions): UblIdentity[] {
  return pi.children(CBC, 'ID').flatMap((idNode): UblIdentity[] => {
    const scheme = (idNode.attr('schemeID') ?? '').trim().toUpperCase();
    const value = nonEmpty(idNode.text());
    if (!value) return [];
    if (scheme === 'TCKN') return [{ scheme, value: null, hash: opts.pseudonymize(value) }];
    return [{ scheme: scheme || 'ID', value, hash: null }];
  });
}

function bestIdentity(ids: UblIdentity[], source: UblLineIdentity['source']): UblLineIdentity | null {
  for (const scheme of LINE_SCHEMES) {
    const hit = ids.find((i) => i.scheme === scheme && i.value);
    if (hit?.value) {
      const key = parseLineKey(hit.value)?.key;
      if (key) return { scheme, value: hit.value, key, source };
    }
  }
  return null;
}

function identityOfParty(party: UblParty, source: UblLineIdentity['source']): UblLineIdentity | null {
  return bestIdentity(party.ids, source);
}

/** Labels operators put before a line's number in notes, folded (see foldKey), with the scheme they mean. */
const NOTE_LABELS: Array<[string, LineScheme]> = [
  ['telefonnumarasi', 'TELEFONNO'],
  ['telefonno', 'TELEFONNO'],
  ['telno', 'TELEFONNO'],
  ['telefon', 'TELEFONNO'],
  ['hatnumarasi', 'TELEFONNO'],
  ['hatno', 'TELEFONNO'],
  ['msisdn', 'TELEFONNO'],
  ['gsmno', 'TELEFONNO'],
  ['gsm', 'TELEFONNO'],
  ['hizmetnumarasi', 'HIZMETNO'],
  ['hizmetno', 'HIZMETNO'],
  ['devreno', 'HIZMETNO'],
  ['abonenumarasi', 'ABONENO'],
  ['aboneno', 'ABONENO'],
  ['tesisatno', 'TESISATNO'],
];

const NOTE_RE = /([A-Za-zÇĞİÖŞÜçğıöşü][A-Za-zÇĞİÖŞÜçğıöşü .]{1,24}?)\s*[:=#-]?\s*(\+?\(?\d[\d ()./-]{0,40})/g;

/**
 * The number at the start of `s`: the shortest run of digit groups that makes a Turkish telephone number
 * ("0216 564 12 34", "+90 (532) 123-45-67"), else the first unbroken digit group ("7123456789"), so a date
 * or amount written after the number is never glued to it.
 */
function leadingNumber(s: string): string | null {
  const groups = [...s.matchAll(/(\+?)\(?(\d+)\)?/g)];
  let digits = '';
  for (const g of groups) {
    digits += g[2];
    if (digits.length > 12) break;
    const k = parseLineKey(`${groups[0][1]}${digits}`);
    if (k?.kind === 'phone') return `${groups[0][1]}${digits}`;
  }
  const first = groups[0]?.[2] ?? '';
  return first.length >= 4 ? first : null;
}

/**
 * A line number written in free text: "Hizmet No: 0216 564 12 34", "MSISDN=905321234567",
 * "TELEFON NO 2165641234", "Abone No: 1234567". With `single`, only a text naming exactly one line counts.
 */
export function identityFromNotes(notes: string[], source: UblLineIdentity['source'], single: boolean): UblLineIdentity | null {
  const hits: UblLineIdentity[] = [];
  for (const note of notes) {
    NOTE_RE.lastIndex = 0;
    for (let m = NOTE_RE.exec(note); m; m = NOTE_RE.exec(note)) {
      const label = foldKey(m[1]);
      const entry = NOTE_LABELS.find(([l]) => label.endsWith(l));
      if (!entry) continue;
      const value = leadingNumber(m[2]);
      const key = value ? parseLineKey(value)?.key : null;
      if (value && key) hits.push({ scheme: entry[1], value, key, source });
    }
  }
  if (hits.length === 0) return null;
  if (single && new Set(hits.map((h) => h.key)).size > 1) return null;
  for (const scheme of LINE_SCHEMES) {
    const h = hits.find((x) => x.scheme === scheme);
    if (h) return h;
  }
  return hits[0];
}

const DATE_TR = '(\\d{1,2}[./]\\d{1,2}[./]\\d{4})';
const PERIOD_RANGE_RE = new RegExp(`d[öo]nem[a-zıiİ]*\\s*[:=]?\\s*${DATE_TR}\\s*(?:[-–]|ile)?\\s*${DATE_TR}`, 'iu');
const PERIOD_MONTH_RE = /d[öo]nem[a-zıiİ]*\s*[:=]?\s*(\d{1,2}[./]\d{4}|\d{4}-\d{2}|[A-Za-zÇĞİÖŞÜçğıöşü]+\s+\d{4})/iu;

/**
 * The billing period written in an invoice note, for invoices without InvoicePeriod:
 * "Fatura Dönemi: 01.11.2025 - 30.11.2025", "DÖNEM 11.2025", "Dönem: Kasım 2025".
 */
export function periodFromNotes(notes: string[]): { start: string | null; end: string | null } {
  for (const note of notes) {
    const r = PERIOD_RANGE_RE.exec(note);
    if (r) {
      const start = parseTrDate(r[1]);
      const end = parseTrDate(r[2]);
      if (start && end && end >= start) return { start, end };
    }
    const m = PERIOD_MONTH_RE.exec(note);
    if (m) {
      const start = parseTrMonth(m[1]);
      if (start) {
        const [y, mo] = start.split('-').map(Number);
        return { start, end: isoDate(y, mo, new Date(Date.UTC(y, mo, 0)).getUTCDate()) };
      }
    }
  }
  return { start: null, end: null };
}

function readParty(party: XNode | undefined, opts: UblReadOptions): UblParty {
  if (!party) return { ids: [], vkn: null, name: null, isPerson: false };
  const ids = party.children(CAC, 'PartyIdentification').flatMap((p) => identitiesOf(p, opts));
  const isPerson = ids.some((i) => i.scheme === 'TCKN');
  const vkn = ids.find((i) => i.scheme === 'VKN')?.value ?? null;
  const name = isPerson || party.child(CAC, 'Person') !== undefined ? null : cleanText(party.child(CAC, 'PartyName')?.childText(CBC, 'Name') ?? '');
  return { ids, vkn, name, isPerson };
}

function parseIsoDate(s: string | null | undefined): string | null {
  if (!s) return null;
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(s);
  return m ? isoDate(+m[1], +m[2], +m[3]) : null;
}

function nonEmpty(s: string | undefined | null): string | null {
  if (s === undefined || s === null) return null;
  const t = s.trim();
  return t === '' ? null : t;
}

/** Free text as Pano keeps it: trimmed, whitespace collapsed, any valid TC Kimlik No replaced by [gizli] (MASK). */
function cleanText(s: string): string | null {
  const t = s.replace(/\s+/g, ' ').trim();
  return t === '' ? null : redactTcknInText(t);
}

function clip(s: string): string {
  const t = redactTcknInText(s);
  return t.length > 40 ? `${t.slice(0, 40)}…` : t;
}

function clipLong(s: string): string {
  return s.length > 500 ? `${s.slice(0, 500)}…` : s;
}
