import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { UBL_NS } from '../../../../etl/sources/telecom/ubl.js';

/**
 * The real UBL-TR samples (../shared/samples/ubl-tr, provenance in its README: izibiz/api-documentation @
 * 8092d97, FATURA_2.xml = TEMELFATURA/SATIS, FATURA_4.xml = TEMELFATURA/IADE) and rewrites of them that a
 * namespace-aware reader must read the same.
 */
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
export const SAMPLES_DIR = path.resolve(repoRoot, '../shared/samples/ubl-tr');
export const FATURA_2 = path.join(SAMPLES_DIR, 'izibiz_FATURA_2.xml');
export const FATURA_4 = path.join(SAMPLES_DIR, 'izibiz_FATURA_4.xml');

export const readSample = (file: string) => fs.readFileSync(file, 'utf8');

/** A valid (check digits pass) but synthetic TC Kimlik No, for KVKK tests. */
export const TEST_TCKN = '10000000146';

/** cac → ns2, cbc → ns3 (the way JAXB-based integrators write). */
export function renamePrefixes(xml: string): string {
  return xml
    .replace(/xmlns:cac=/g, 'xmlns:ns2=')
    .replace(/xmlns:cbc=/g, 'xmlns:ns3=')
    .replace(/<(\/?)cac:/g, '<$1ns2:')
    .replace(/<(\/?)cbc:/g, '<$1ns3:');
}

/** cbc becomes the default namespace (basic elements unprefixed) and the root is prefixed inv:. */
export function cbcAsDefault(xml: string): string {
  return xml
    .replace(`xmlns="${UBL_NS.invoice}"`, `xmlns:inv="${UBL_NS.invoice}"`)
    .replace(`xmlns:cbc="${UBL_NS.cbc}"`, `xmlns="${UBL_NS.cbc}"`)
    .replace(/<(\/?)cbc:/g, '<$1')
    .replace(/<Invoice /, '<inv:Invoice ')
    .replace(/<\/Invoice>/, '</inv:Invoice>');
}

/** The lines use another prefix (q:) for the same cac namespace, declared on each InvoiceLine itself. */
export function localDeclarations(xml: string): string {
  return xml
    .replace(/<cac:InvoiceLine>/g, `<q:InvoiceLine xmlns:q="${UBL_NS.cac}">`)
    .replace(/<\/cac:InvoiceLine>/g, '</q:InvoiceLine>')
    .replace(/<cac:TaxTotal>(?=<cbc:TaxAmount currencyID="TRY">18\.00000)/g, `<z:TaxTotal xmlns:z="${UBL_NS.cac}">`)
    .replace(/(<\/cac:TaxSubtotal>)<\/cac:TaxTotal>(<cac:Item>)/g, '$1</z:TaxTotal>$2');
}

/** Same prefixes, but cbc bound to a different namespace: a prefix-matching reader would be fooled. */
export function wrongCbcNamespace(xml: string): string {
  return xml.replace(`xmlns:cbc="${UBL_NS.cbc}"`, 'xmlns:cbc="urn:example:not-ubl"');
}

export function withDeclaration(xml: string): string {
  return `<?xml version="1.0" encoding="UTF-8" standalone="no"?>\n${xml}`;
}

/** Replaces the customer's VKN with a person's TCKN (e-Arşiv to a person), adds Person and a note naming it. */
export function toEarsivPerson(xml: string, tckn = TEST_TCKN): string {
  const at = xml.indexOf('<cac:AccountingCustomerParty>');
  const head = xml.slice(0, at);
  let tail = xml.slice(at);
  tail = tail
    .replace(
      '<cbc:ID schemeID="VKN">4840847211</cbc:ID>',
      `<cbc:ID schemeID="TCKN">${tckn}</cbc:ID></cac:PartyIdentification><cac:PartyIdentification><cbc:ID schemeID="TELEFONNO">0532 111 22 33</cbc:ID>`,
    )
    .replace('<cac:PartyName><cbc:Name>İZİBİZ BİLİŞİM TEKNOLOJİLERİ ANONİM ŞİRKETİ</cbc:Name></cac:PartyName>', '')
    .replace(
      '</cac:Contact></cac:Party></cac:AccountingCustomerParty>',
      '</cac:Contact><cac:Person><cbc:FirstName>Ayşe</cbc:FirstName><cbc:FamilyName>Yılmaz</cbc:FamilyName></cac:Person></cac:Party></cac:AccountingCustomerParty>',
    );
  return (head + tail)
    .replace('<cbc:ProfileID>TEMELFATURA</cbc:ProfileID>', '<cbc:ProfileID>EARSIVFATURA</cbc:ProfileID>')
    .replace('<cbc:Note> benim notum</cbc:Note>', `<cbc:Note>Alıcı TCKN: ${tckn}</cbc:Note>`);
}

/** The buyer (a company, by VKN) also names a contact person, as some integrators write it. */
export function withCustomerPerson(xml: string): string {
  const at = xml.indexOf('</cac:AccountingCustomerParty>');
  if (at < 0) throw new Error('withCustomerPerson: no AccountingCustomerParty');
  const end = xml.lastIndexOf('</cac:Party>', at);
  return `${xml.slice(0, end)}<cac:Person><cbc:FirstName>Ayşe</cbc:FirstName><cbc:FamilyName>Yılmaz</cbc:FamilyName></cac:Person>${xml.slice(end)}`;
}

/** Another invoice: the sample with a new UUID and number (so it is not a duplicate). */
export function withIdentity(xml: string, uuid: string, no: string): string {
  return xml.replace(/<cbc:UUID>[^<]+<\/cbc:UUID>/, `<cbc:UUID>${uuid}</cbc:UUID>`).replace(/<cbc:ID>DMY\d+<\/cbc:ID>/, `<cbc:ID>${no}</cbc:ID>`);
}

/**
 * A Turkcell-style account invoice in UBL-TR shape: two lines identified on the line
 * (DeliveryParty TELEFONNO and a note), KDV 0015 and ÖİV 4080 per line, period in InvoicePeriod.
 *
 * `stopaj` adds a tax the buyer withholds (GİB code 0003 GV stopajı or 0011 KV stopajı, on the net) as one
 * more TaxTotal subtotal, the way GİB's portal writes it: counted in TaxTotal/TaxAmount, not in
 * TaxInclusiveAmount, deducted from PayableAmount. With `onLines: false` only the invoice's TaxTotal carries
 * it (the lines' TaxTotal has KDV and ÖİV only).
 */
export function operatorInvoice(opts: {
  uuid: string;
  no: string;
  lines: Array<{ id: string; net: number; note?: string; phone?: string }>;
  issueDate?: string;
  type?: string;
  withholdingPercent?: number;
  lineTaxes?: boolean;
  stopaj?: { code: '0003' | '0011'; percent: number; onLines?: boolean };
  /** Added to the PayableAmount written (a document whose total is off). */
  payableError?: number;
}): string {
  const kdvRate = 20;
  const oivRate = 10;
  const lines = opts.lines.map((l) => {
    const oiv = Math.round(l.net * oivRate) / 100;
    const kdv = Math.round((l.net + oiv) * kdvRate) / 100;
    const stopaj = opts.stopaj ? Math.round(l.net * opts.stopaj.percent) / 100 : 0;
    return { ...l, oiv, kdv, stopaj };
  });
  const sum = (f: (x: (typeof lines)[number]) => number) => Math.round(lines.reduce((a, l) => a + f(l), 0) * 100) / 100;
  const net = sum((l) => l.net);
  const oiv = sum((l) => l.oiv);
  const kdv = sum((l) => l.kdv);
  const stopaj = sum((l) => l.stopaj);
  const withheld = opts.withholdingPercent ? Math.round(kdv * opts.withholdingPercent) / 100 : 0;
  const amt = (v: number) => `currencyID="TRY">${v.toFixed(2)}`;
  const sub = (taxable: number, tax: number, pct: number, code: string, name: string) =>
    `<cac:TaxSubtotal><cbc:TaxableAmount ${amt(taxable)}</cbc:TaxableAmount><cbc:TaxAmount ${amt(tax)}</cbc:TaxAmount><cbc:Percent>${pct}</cbc:Percent><cac:TaxCategory><cac:TaxScheme><cbc:Name>${name}</cbc:Name><cbc:TaxTypeCode>${code}</cbc:TaxTypeCode></cac:TaxScheme></cac:TaxCategory></cac:TaxSubtotal>`;
  const stopajSub = (taxable: number, tax: number) =>
    opts.stopaj ? sub(taxable, tax, opts.stopaj.percent, opts.stopaj.code, opts.stopaj.code === '0003' ? 'GV STOPAJI' : 'KV STOPAJI') : '';
  const stopajOnLines = opts.stopaj !== undefined && opts.stopaj.onLines !== false;
  return `<?xml version="1.0" encoding="UTF-8"?>
<Invoice xmlns="${UBL_NS.invoice}" xmlns:cac="${UBL_NS.cac}" xmlns:cbc="${UBL_NS.cbc}">
<cbc:UBLVersionID>2.1</cbc:UBLVersionID><cbc:CustomizationID>TR1.2</cbc:CustomizationID><cbc:ProfileID>TICARIFATURA</cbc:ProfileID>
<cbc:ID>${opts.no}</cbc:ID><cbc:CopyIndicator>false</cbc:CopyIndicator><cbc:UUID>${opts.uuid}</cbc:UUID>
<cbc:IssueDate>${opts.issueDate ?? '2025-12-03'}</cbc:IssueDate><cbc:IssueTime>07:00:00</cbc:IssueTime><cbc:InvoiceTypeCode>${opts.type ?? 'SATIS'}</cbc:InvoiceTypeCode>
<cbc:DocumentCurrencyCode>TRY</cbc:DocumentCurrencyCode><cbc:LineCountNumeric>${lines.length}</cbc:LineCountNumeric>
<cac:InvoicePeriod><cbc:StartDate>2025-11-01</cbc:StartDate><cbc:EndDate>2025-11-30</cbc:EndDate></cac:InvoicePeriod>
<cac:AccountingSupplierParty><cac:Party><cac:PartyIdentification><cbc:ID schemeID="VKN">3130020388</cbc:ID></cac:PartyIdentification><cac:PartyName><cbc:Name>TURKCELL İLETİŞİM HİZMETLERİ A.Ş.</cbc:Name></cac:PartyName></cac:Party></cac:AccountingSupplierParty>
<cac:AccountingCustomerParty><cac:Party><cac:PartyIdentification><cbc:ID schemeID="VKN">7810038929</cbc:ID></cac:PartyIdentification><cac:PartyName><cbc:Name>SULTANBEYLİ BELEDİYESİ</cbc:Name></cac:PartyName></cac:Party></cac:AccountingCustomerParty>
<cac:TaxTotal><cbc:TaxAmount ${amt(oiv + kdv + stopaj)}</cbc:TaxAmount>${sub(net, oiv, oivRate, '4080', 'ÖİV')}${sub(Math.round((net + oiv) * 100) / 100, kdv, kdvRate, '0015', 'KDV')}${stopajSub(net, stopaj)}</cac:TaxTotal>
${opts.withholdingPercent ? `<cac:WithholdingTaxTotal><cbc:TaxAmount ${amt(withheld)}</cbc:TaxAmount>${sub(kdv, withheld, opts.withholdingPercent, '603', 'BAKIM ONARIM')}</cac:WithholdingTaxTotal>` : ''}
<cac:LegalMonetaryTotal><cbc:LineExtensionAmount ${amt(net)}</cbc:LineExtensionAmount><cbc:TaxExclusiveAmount ${amt(net)}</cbc:TaxExclusiveAmount><cbc:TaxInclusiveAmount ${amt(net + oiv + kdv)}</cbc:TaxInclusiveAmount><cbc:PayableAmount ${amt(Math.round((net + oiv + kdv - withheld - stopaj + (opts.payableError ?? 0)) * 100) / 100)}</cbc:PayableAmount></cac:LegalMonetaryTotal>
${lines
  .map(
    (l) =>
      `<cac:InvoiceLine><cbc:ID>${l.id}</cbc:ID>${l.note ? `<cbc:Note>${l.note}</cbc:Note>` : ''}<cbc:InvoicedQuantity unitCode="C62">1</cbc:InvoicedQuantity><cbc:LineExtensionAmount ${amt(l.net)}</cbc:LineExtensionAmount>${
        l.phone
          ? `<cac:Delivery><cac:DeliveryParty><cac:PartyIdentification><cbc:ID schemeID="TELEFONNO">${l.phone}</cbc:ID></cac:PartyIdentification></cac:DeliveryParty></cac:Delivery>`
          : ''
      }${opts.lineTaxes === false ? '' : `<cac:TaxTotal><cbc:TaxAmount ${amt(l.oiv + l.kdv + (stopajOnLines ? l.stopaj : 0))}</cbc:TaxAmount>${sub(l.net, l.oiv, oivRate, '4080', 'ÖİV')}${sub(Math.round((l.net + l.oiv) * 100) / 100, l.kdv, kdvRate, '0015', 'KDV')}${stopajOnLines ? stopajSub(l.net, l.stopaj) : ''}</cac:TaxTotal>`}<cac:Item><cbc:Name>Paket ücreti</cbc:Name></cac:Item><cac:Price><cbc:PriceAmount currencyID="TRY">${l.net.toFixed(2)}</cbc:PriceAmount></cac:Price></cac:InvoiceLine>`,
  )
  .join('\n')}
</Invoice>
`;
}
