import { fromWallClock } from '../../calendar/wall-clock.js';
import { round2 } from './tr-format.js';
import { taxGroupOf, type UblInvoice, type UblTax } from './ubl.js';

/**
 * A parsed UBL-TR invoice as the rows Pano lands: one invoice row, one row per tax subtotal, one row per
 * invoice line. Pure. Every amount is signed: a return (İADE) reverses, so its amounts are negative and
 * sums over invoices and returns give the net cost.
 *
 * Taxes per line come from the line's own TaxTotal. An invoice whose lines carry none has its invoice-level
 * taxes spread over the lines in proportion to their net amounts (`taxes_allocated`), so a line's KDV and
 * ÖİV always add up to the invoice's. Withholding (tevkifat) is spread likewise, in proportion to KDV. A
 * document-level allowance or charge (TaxExclusiveAmount ≠ LineExtensionAmount) is spread over the lines
 * as `document_adjustment`.
 *
 * A tax in TaxTotal that the buyer withholds (STOPAJ: 0003 GV stopajı, 0011 KV stopajı, 4171, see ubl.ts) is
 * not added to the gross: it is withheld like tevkifat (`withholding_amount` holds both), from the line's own
 * TaxTotal, else the invoice's spread by net. So a line's payable is gross − withholding, and the lines'
 * payable adds up to LegalMonetaryTotal/PayableAmount (less PayableRoundingAmount).
 */

export interface InvoiceFileInfo {
  /** Path relative to the invoice folder, '/'-separated. */
  file: string;
  sha256: string;
}

export interface LineRecord {
  kind: 'line';
  file: string;
  invoiceUuid: string;
  invoiceNo: string | null;
  lineId: string | null;
  seq: number;
  /** The landed row, or the reasons it cannot be. */
  row: Record<string, unknown>;
  problems: string[];
}

export interface InvoiceRows {
  invoice: Record<string, unknown>;
  taxes: Array<Record<string, unknown>>;
  lines: LineRecord[];
}

/** Keys and identity values get one more KVKK guard here (an 11-digit subscriber number may be a TCKN). */
export interface RowOptions {
  timezone: string;
  guardKey(value: string | null): string | null;
}

export function buildInvoiceRows(inv: UblInvoice, info: InvoiceFileInfo, opts: RowOptions): InvoiceRows {
  if (!inv.uuid || inv.problems.length) throw new Error('buildInvoiceRows: the invoice has problems; refuse it instead');
  const s = inv.sign;
  const signed = (n: number | null | undefined) => (n === null || n === undefined ? null : round2(n * s));
  const lines = inv.lines;

  // Taxes: from the lines if any line has them, else the invoice's spread by net.
  const lineHasTaxes = lines.some((l) => l.taxes.length > 0);
  const nets = lines.map((l) => l.net ?? 0);
  const groupAmounts = (taxes: UblTax[]) => {
    const g = { KDV: 0, OIV: 0, STOPAJ: 0, DIGER: 0 };
    for (const t of taxes) g[taxGroupOf(t.code)] += t.amount ?? 0;
    return g;
  };
  const invGroups = groupAmounts(inv.taxes);
  const perLine: Array<{ KDV: number; OIV: number; DIGER: number; otherCodes: string | null; kdvPercent: number | null; oivPercent: number | null }> = [];
  if (lineHasTaxes) {
    for (const l of lines) {
      const g = groupAmounts(l.taxes);
      perLine.push({ ...roundGroups(g), otherCodes: otherCodes(l.taxes), kdvPercent: percentOf(l.taxes, 'KDV'), oivPercent: percentOf(l.taxes, 'OIV') });
    }
  } else {
    const kdv = allocate(invGroups.KDV, nets);
    const oiv = allocate(invGroups.OIV, nets);
    const other = allocate(invGroups.DIGER, nets);
    const codes = otherCodes(inv.taxes);
    lines.forEach((_l, i) =>
      perLine.push({
        KDV: kdv[i],
        OIV: oiv[i],
        DIGER: other[i],
        otherCodes: other[i] !== 0 ? codes : null,
        kdvPercent: percentOf(inv.taxes, 'KDV'),
        oivPercent: percentOf(inv.taxes, 'OIV'),
      }),
    );
  }
  const taxesAllocated = !lineHasTaxes && inv.taxes.length > 0;

  // Withholding: the lines' own, else the invoice's spread by KDV (tevkifat is a share of KDV).
  const lineHasWithholding = lines.some((l) => l.withholdings.length > 0);
  const invWithholding = sum(inv.withholdings.map((w) => w.amount ?? 0));
  const kdvWithholding = lineHasWithholding
    ? lines.map((l) => round2(sum(l.withholdings.map((w) => w.amount ?? 0))))
    : allocate(invWithholding, perLine.some((p) => p.KDV !== 0) ? perLine.map((p) => p.KDV) : nets);
  // Stopaj (withheld taxes in TaxTotal): the lines' own, else the invoice's spread by net (stopaj is a share of it).
  const isStopaj = (t: UblTax) => taxGroupOf(t.code) === 'STOPAJ';
  const lineHasStopaj = lines.some((l) => l.taxes.some(isStopaj));
  const stopaj = lineHasStopaj ? lines.map((l) => round2(groupAmounts(l.taxes).STOPAJ)) : allocate(invGroups.STOPAJ, nets);
  const invStopaj = inv.taxes.some(isStopaj) ? round2(invGroups.STOPAJ) : sum(stopaj);
  const withholding = lines.map((_l, i) => round2(kdvWithholding[i] + stopaj[i]));

  // Document-level allowance/charge: TaxExclusiveAmount − LineExtensionAmount.
  const lineExt = inv.totals.lineExtension;
  const docAdj = inv.totals.taxExclusive !== null && lineExt !== null ? round2(inv.totals.taxExclusive - lineExt) : 0;
  const adjustments = allocate(docAdj, nets);

  const issuedAt = inv.issueDate ? fromWallClock(`${inv.issueDate} ${inv.issueTime ?? '00:00:00'}`, opts.timezone) : null;
  const firstRef = inv.billingReferences[0] ?? null;
  const accountKey = inv.accountIdentity ? opts.guardKey(inv.accountIdentity.key) : null;
  const customerTckn = inv.customer.ids.find((i) => i.scheme === 'TCKN') ?? null;
  const customerVkn = inv.customer.ids.find((i) => i.scheme === 'VKN') ?? null;
  const common = {
    invoice_uuid: inv.uuid,
    invoice_no: inv.invoiceNo,
    source_file: info.file,
    profile_id: inv.profileId,
    invoice_type: inv.typeCode,
    sign: s,
    issue_date: inv.issueDate,
    period_start: inv.periodStart,
    period_end: inv.periodEnd,
    operator: inv.operator,
    currency: inv.currency,
    exchange_rate: inv.exchangeRate ?? 1,
  };

  const lineRecords: LineRecord[] = lines.map((l, i) => {
    const t = perLine[i];
    const net = l.net ?? 0;
    const gross = net + adjustments[i] + t.KDV + t.OIV + t.DIGER;
    const identityKey = l.identity ? opts.guardKey(l.identity.key) : null;
    // A guarded (hashed) key means the number itself may be a TC Kimlik No: its written form goes too.
    const identityValue = l.identity ? (identityKey === l.identity.key ? l.identity.value : identityKey) : null;
    // One literal, no spread: V8 copies wide objects built with `...` slowly (tens of µs a row).
    const row: Record<string, unknown> = {
      invoice_uuid: common.invoice_uuid,
      invoice_no: common.invoice_no,
      source_file: common.source_file,
      profile_id: common.profile_id,
      invoice_type: common.invoice_type,
      sign: common.sign,
      issue_date: common.issue_date,
      period_start: common.period_start,
      period_end: common.period_end,
      operator: common.operator,
      currency: common.currency,
      exchange_rate: common.exchange_rate,
      line_seq: l.seq,
      line_id: l.id,
      item_name: l.itemName,
      item_code: l.itemCode,
      quantity: l.quantity === null ? null : l.quantity * s,
      quantity_unit: l.quantityUnit,
      unit_price: l.unitPrice,
      allowance_amount: signed(l.allowance),
      charge_amount: signed(l.charge),
      net_amount: signed(net),
      document_adjustment: signed(adjustments[i]),
      kdv_percent: t.kdvPercent,
      kdv_amount: signed(t.KDV),
      oiv_percent: t.oivPercent,
      oiv_amount: signed(t.OIV),
      other_tax_amount: signed(t.DIGER),
      other_tax_codes: t.otherCodes,
      gross_amount: signed(gross),
      withholding_amount: signed(withholding[i]),
      payable_amount: signed(gross - withholding[i]),
      taxes_allocated: taxesAllocated,
      identity_scheme: l.identity?.scheme ?? null,
      identity_value: identityValue,
      identity_source: l.identity?.source ?? null,
      line_key: identityKey,
      note: l.notes.length ? l.notes.join(' | ') : null,
    };
    return { kind: 'line', file: info.file, invoiceUuid: inv.uuid!, invoiceNo: inv.invoiceNo, lineId: l.id, seq: l.seq, row, problems: l.problems };
  });

  const goodLines = lines.filter((l) => l.problems.length === 0);
  const invoice: Record<string, unknown> = {
    ...common,
    file_sha256: info.sha256,
    issue_time: inv.issueTime,
    issued_at: issuedAt,
    supplier_vkn: inv.supplier.vkn,
    supplier_name: inv.supplier.name,
    customer_id_scheme: customerTckn ? 'TCKN' : customerVkn ? 'VKN' : (inv.customer.ids[0]?.scheme ?? null),
    customer_id: customerTckn ? null : (customerVkn?.value ?? null),
    customer_id_hash: customerTckn?.hash ?? null,
    customer_name: inv.customer.name,
    customer_is_person: inv.customer.isPerson,
    account_identity_scheme: inv.accountIdentity?.scheme ?? null,
    account_line_key: accountKey,
    billing_reference_id: firstRef?.id ?? null,
    billing_reference_date: firstRef?.issueDate ?? null,
    billing_reference_count: inv.billingReferences.length,
    line_count: lines.length,
    line_count_numeric: inv.lineCountNumeric,
    line_extension_amount: signed(inv.totals.lineExtension),
    tax_exclusive_amount: signed(inv.totals.taxExclusive),
    tax_inclusive_amount: signed(inv.totals.taxInclusive),
    allowance_total_amount: signed(inv.totals.allowanceTotal),
    charge_total_amount: signed(inv.totals.chargeTotal),
    payable_rounding_amount: signed(inv.totals.payableRounding),
    payable_amount: signed(inv.totals.payable),
    tax_total_amount: signed(inv.taxTotal),
    kdv_amount: signed(invGroups.KDV),
    oiv_amount: signed(invGroups.OIV),
    other_tax_amount: signed(invGroups.DIGER),
    withholding_amount: signed((inv.withholdingTotal ?? (lineHasWithholding ? sum(kdvWithholding) : 0)) + invStopaj),
    lines_net_amount: signed(sum(goodLines.map((l) => l.net ?? 0))),
    // All of TaxTotal (stopaj included), to compare with TaxTotal/TaxAmount.
    lines_tax_amount: signed(sum(lines.map((l, i) => (l.problems.length ? 0 : perLine[i].KDV + perLine[i].OIV + perLine[i].DIGER + stopaj[i])))),
    lines_refused: lines.length - goodLines.length,
    note: inv.notes.length ? inv.notes.join(' | ') : null,
  };

  // kind says what a tax does to the payable: VERGI is added, TEVKIFAT withheld (WithholdingTaxTotal, and STOPAJ
  // from TaxTotal), so the taxes mart splits the same way as the lines' taxes and withholding.
  const taxes = [...inv.taxes, ...inv.withholdings].map((t, i) => ({
    invoice_uuid: inv.uuid,
    invoice_no: inv.invoiceNo,
    kind: t.kind === 'VERGI' && isStopaj(t) ? 'TEVKIFAT' : t.kind,
    seq: i + 1,
    tax_type_code: t.code,
    tax_group: t.kind === 'TEVKIFAT' ? 'TEVKIFAT' : taxGroupOf(t.code),
    tax_name: t.name,
    percent: t.percent,
    taxable_amount: signed(t.taxable),
    tax_amount: signed(t.amount),
    exemption_code: t.exemptionCode,
    sign: s,
    operator: inv.operator,
    issue_date: inv.issueDate,
  }));

  return { invoice, taxes, lines: lineRecords };
}

function roundGroups(g: { KDV: number; OIV: number; DIGER: number }) {
  return { KDV: round2(g.KDV), OIV: round2(g.OIV), DIGER: round2(g.DIGER) };
}

function percentOf(taxes: UblTax[], group: 'KDV' | 'OIV'): number | null {
  return taxes.find((t) => taxGroupOf(t.code) === group && t.percent !== null)?.percent ?? null;
}

function otherCodes(taxes: UblTax[]): string | null {
  const by = new Map<string, number>();
  for (const t of taxes) {
    if (taxGroupOf(t.code) !== 'DIGER') continue;
    const code = t.code ?? '?';
    by.set(code, (by.get(code) ?? 0) + (t.amount ?? 0));
  }
  if (by.size === 0) return null;
  return [...by.entries()].map(([c, a]) => `${c}:${round2(a).toFixed(2)}`).join(',');
}

function sum(xs: number[]): number {
  let s = 0;
  for (const x of xs) s += x;
  return round2(s);
}

/**
 * Splits `total` (kuruş precision) over items in proportion to `weights` (absolute values), so the parts
 * add up to `total` exactly: largest remainders get the leftover kuruş. Zero weights everywhere → equal parts.
 */
export function allocate(total: number, weights: number[]): number[] {
  const n = weights.length;
  if (n === 0) return [];
  const cents = Math.round(total * 100);
  if (cents === 0) return weights.map(() => 0);
  let w = weights.map((x) => Math.abs(x));
  let wsum = w.reduce((a, b) => a + b, 0);
  if (!(wsum > 0)) {
    w = weights.map(() => 1);
    wsum = n;
  }
  const exact = w.map((x) => (cents * x) / wsum);
  const base = exact.map((x) => Math.trunc(x));
  let rest = cents - base.reduce((a, b) => a + b, 0);
  const order = exact.map((x, i) => ({ i, r: Math.abs(x - Math.trunc(x)) })).sort((a, b) => b.r - a.r || a.i - b.i);
  const step = Math.sign(rest);
  for (let k = 0; rest !== 0; k = (k + 1) % n) {
    base[order[k].i] += step;
    rest -= step;
  }
  return base.map((c) => c / 100);
}
