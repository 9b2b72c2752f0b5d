import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { hashTckn, isValidTckn } from '../../../../common/kvkk.js';
import { allocate, buildInvoiceRows } from '../../../../etl/sources/telecom/invoice-rows.js';
import { kvkkGuard } from '../../../../etl/sources/telecom/kvkk-guard.js';
import { operatorFromName, operatorOfInvoice } from '../../../../etl/sources/telecom/operators.js';
import { identityFromNotes, periodFromNotes, readUblDocument, taxGroupOf, UBL_NS } from '../../../../etl/sources/telecom/ubl.js';
import { decodeXmlBytes, emptyElements, XmlFormatError } from '../../../../etl/sources/telecom/xml-ns.js';
import {
  cbcAsDefault,
  FATURA_2,
  FATURA_4,
  localDeclarations,
  operatorInvoice,
  readSample,
  renamePrefixes,
  TEST_TCKN,
  toEarsivPerson,
  withCustomerPerson,
  withDeclaration,
  wrongCbcNamespace,
} from './ubl-fixtures.js';

const SECRET = 'test-secret-0123456789abcdef';
const guard = kvkkGuard(SECRET);
const read = (xml: string) => readUblDocument(xml, { pseudonymize: guard.pseudonymize });
const one = (xml: string) => {
  const d = read(xml);
  expect(d.invoices).toHaveLength(1);
  return d.invoices[0];
};
const rows = (xml: string, file = 'f.xml') => buildInvoiceRows(one(xml), { file, sha256: 'x' }, { timezone: 'Europe/Istanbul', guardKey: guard.guardKey });

describe('the real samples (izibiz FATURA_2 and FATURA_4)', () => {
  it('FATURA_2: TEMELFATURA/SATIS, LegalMonetaryTotal 100 + 18 KDV (0015 at 18 %) = PayableAmount 118', () => {
    const inv = one(readSample(FATURA_2));
    expect(inv).toMatchObject({
      uuid: '8138d121-ea76-40cf-9de4-e30d3f506de1',
      invoiceNo: 'DMY2018625142607',
      profileId: 'TEMELFATURA',
      typeCode: 'SATIS',
      sign: 1,
      issueDate: '2018-06-25',
      issueTime: '14:25:07',
      currency: 'TRY',
      problems: [],
      billingReferences: [],
    });
    expect(inv.totals).toEqual({
      lineExtension: 100,
      taxExclusive: 100,
      taxInclusive: 118,
      allowanceTotal: 0,
      chargeTotal: 0,
      payableRounding: null,
      payable: 118,
    });
    expect(inv.taxTotal).toBe(18);
    expect(inv.taxes).toEqual([{ kind: 'VERGI', code: '0015', name: 'KDV', percent: 18, taxable: 100, amount: 18, exemptionCode: null }]);
    expect(inv.supplier).toMatchObject({ vkn: '4840847211', name: 'İZİBİZ BİLİŞİM TEKNOLOJİLERİ ANONİM ŞİRKETİ', isPerson: false });
    expect(inv.lines).toHaveLength(1);
    expect(inv.lines[0]).toMatchObject({
      id: '1',
      quantity: 1,
      quantityUnit: 'C62',
      net: 100,
      unitPrice: 100,
      itemName: 'deneme',
      identity: null,
      problems: [],
    });
    expect(inv.lines[0].taxes[0]).toMatchObject({ code: '0015', percent: 18, amount: 18 });

    const r = rows(readSample(FATURA_2));
    expect(r.invoice).toMatchObject({
      payable_amount: 118,
      tax_inclusive_amount: 118,
      kdv_amount: 18,
      oiv_amount: 0,
      lines_net_amount: 100,
      lines_tax_amount: 18,
      sign: 1,
    });
    expect((r.invoice.issued_at as Date).toISOString()).toBe('2018-06-25T11:25:07.000Z'); // 14:25:07 in Istanbul
    expect(r.taxes).toEqual([
      expect.objectContaining({ tax_type_code: '0015', tax_group: 'KDV', percent: 18, taxable_amount: 100, tax_amount: 18, kind: 'VERGI' }),
    ]);
    expect(r.lines[0].row).toMatchObject({ net_amount: 100, kdv_amount: 18, kdv_percent: 18, gross_amount: 118, payable_amount: 118, taxes_allocated: false });
  });

  it('FATURA_4: an IADE reverses — negative amounts — and names the invoice it returns (BillingReference)', () => {
    const inv = one(readSample(FATURA_4));
    expect(inv).toMatchObject({ typeCode: 'IADE', sign: -1, uuid: '50469493-efe3-49cb-8721-5b187cb792e8', invoiceNo: 'DMY2018625144001' });
    expect(inv.billingReferences).toEqual([{ id: '1', issueDate: '2018-06-25', typeCode: 'IADE' }]);
    const r = rows(readSample(FATURA_4));
    expect(r.invoice).toMatchObject({
      sign: -1,
      payable_amount: -118,
      line_extension_amount: -100,
      kdv_amount: -18,
      billing_reference_id: '1',
      billing_reference_date: '2018-06-25',
    });
    expect(r.taxes[0]).toMatchObject({ tax_type_code: '0015', taxable_amount: -100, tax_amount: -18, sign: -1 });
    expect(r.lines[0].row).toMatchObject({ net_amount: -100, kdv_amount: -18, gross_amount: -118, quantity: -1 });
    // A sale and its return add up to nothing.
    const sale = rows(readSample(FATURA_2));
    expect((sale.invoice.payable_amount as number) + (r.invoice.payable_amount as number)).toBe(0);
  });

  it('the base64 XSLT attachment is dropped before parsing and never kept', () => {
    const xml = readSample(FATURA_2);
    expect(xml.length).toBeGreaterThan(200_000);
    const stripped = emptyElements(xml, ['EmbeddedDocumentBinaryObject']);
    expect(stripped.length).toBeLessThan(10_000);
    expect(stripped.split('\n').length).toBe(xml.split('\n').length); // line numbers survive
    expect(JSON.stringify(one(xml))).not.toMatch(/PD94bWwg|xsl:stylesheet/);
  });
});

describe('namespaces, not prefixes', () => {
  const base = one(readSample(FATURA_2));
  it.each([
    ['cac/cbc renamed to ns2/ns3', renamePrefixes],
    ['cbc as the default namespace, root prefixed', cbcAsDefault],
    ['another prefix for cac declared on each line', localDeclarations],
    ['with an XML declaration', withDeclaration],
    ['with a declaration and renamed prefixes', (x: string) => withDeclaration(renamePrefixes(x))],
  ])('%s → the same invoice', (_name, rewrite) => {
    const xml = rewrite(readSample(FATURA_2));
    expect(xml).not.toBe(readSample(FATURA_2));
    expect(one(xml)).toEqual(base);
  });

  it('the usual prefix bound to another namespace is NOT read as UBL (no prefix matching)', () => {
    const inv = one(wrongCbcNamespace(readSample(FATURA_2)));
    expect(inv.problems).toEqual(
      expect.arrayContaining(['UUID (ETTN) is missing', 'ID (invoice number) is missing', 'InvoiceTypeCode is missing', 'IssueDate is missing']),
    );
  });

  it('a BOM, or a declared ISO-8859-9 encoding, is honoured', () => {
    const xml = readSample(FATURA_2);
    expect(one(decodeXmlBytes(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(xml, 'utf8')])))).toEqual(base);
    const latin5 = `<?xml version="1.0" encoding="ISO-8859-9"?>\n${xml}`;
    expect(one(decodeXmlBytes(iconv.encode(latin5, 'iso88599'))).supplier.name).toBe('İZİBİZ BİLİŞİM TEKNOLOJİLERİ ANONİM ŞİRKETİ');
  });

  it('an envelope with several invoices yields each; a document without invoices yields none', () => {
    const inner = readSample(FATURA_2);
    const env = `<sh:StandardBusinessDocument xmlns:sh="http://www.unece.org/cefact/namespaces/StandardBusinessDocumentHeader"><ef:Package xmlns:ef="http://www.efatura.gov.tr/package-namespace"><Elements><ElementList>${inner}${readSample(FATURA_4)}</ElementList></Elements></ef:Package></sh:StandardBusinessDocument>`;
    expect(read(env).invoices.map((i) => i.typeCode)).toEqual(['SATIS', 'IADE']);
    const ar = read(`<ApplicationResponse xmlns="urn:oasis:names:specification:ubl:schema:xsd:ApplicationResponse-2"><x/></ApplicationResponse>`);
    expect(ar.invoices).toEqual([]);
    expect(ar.root).toBe('{urn:oasis:names:specification:ubl:schema:xsd:ApplicationResponse-2}ApplicationResponse');
  });
});

describe('malformed XML: a clear message with the position', () => {
  const xml = readSample(FATURA_2);
  it.each([
    [
      'cut off after a tag',
      xml.slice(0, xml.indexOf('<cac:Item>')),
      /^the file ends before 2 element\(s\) are closed \(<Invoice> > <cac:InvoiceLine>\): cut off\?$/,
    ],
    [
      'cut off inside a tag',
      xml.slice(0, xml.indexOf('</cac:Item>') + 5),
      /^the file ends before 3 element\(s\) are closed \(<Invoice> > <cac:InvoiceLine> > <cac:Item>\), in the middle of a tag: cut off\?$/,
    ],
    ['wrong closing tag', xml.replace('</cac:Item>', '</cac:Itemx>'), /^closing tag <\/cac:Itemx> where <\/cac:Item> was expected \(line 6, column \d+\)$/],
    ['broken start tag', xml.replace('<cbc:ID>1</cbc:ID>', '<cbc:ID>1</cbc:ID'), /^disallowed character in closing tag \(line 6, column \d+\)$/],
    ['not XML', 'PK\u0003\u0004 this is a zip', /not expected|Start tag expected|char/],
    ['empty', '   ', /the file is empty/],
    ['an entity XML does not define', xml.replace('<cbc:Note>', '<cbc:Note>&nbsp;'), /^undefined entity \(line \d+, column \d+\)$/],
    ['a second root element', `${xml}<x/>`, /^documents may contain only one root \(line \d+, column \d+\)$/],
    ['a comment left open at the end', `${xml}<!-- yarım`, /^unexpected end \(line \d+, column \d+\) — the file ends there: cut off\?$/],
    [
      'undeclared prefix',
      xml.replace('<cbc:UUID>', '<foo:UUID>').replace('</cbc:UUID>', '</foo:UUID>'),
      /namespace prefix "foo" of element <foo:UUID> is not declared/,
    ],
  ])('%s', (_n, bad, message) => {
    expect(() => read(bad)).toThrow(XmlFormatError);
    expect(() => read(bad)).toThrow(message);
  });

  it('bytes that are not UTF-8 (and declare nothing else)', () => {
    expect(() => decodeXmlBytes(iconv.encode(xml.replace('deneme', 'Şirket Hattı'), 'win1254'))).toThrow(/not valid UTF-8/);
  });
});

describe('invoices Pano refuses (every reason at once)', () => {
  it.each([
    ['no UUID', (x: string) => x.replace(/<cbc:UUID>[^<]*<\/cbc:UUID>/, ''), 'UUID (ETTN) is missing'],
    ['a UUID that is not one', (x: string) => x.replace(/<cbc:UUID>[^<]*</, '<cbc:UUID>ETTN-123<'), 'UUID "ETTN-123" is not a UUID'],
    [
      'a bad date',
      (x: string) => x.replace('<cbc:IssueDate>2018-06-25</cbc:IssueDate><cbc:IssueTime>', '<cbc:IssueDate>25.06.2018</cbc:IssueDate><cbc:IssueTime>'),
      'IssueDate "25.06.2018" is not a date (YYYY-MM-DD)',
    ],
    ['no PayableAmount', (x: string) => x.replace(/<cbc:PayableAmount[^>]*>[^<]*<\/cbc:PayableAmount>/, ''), 'LegalMonetaryTotal/PayableAmount is missing'],
    [
      'a comma in an amount',
      (x: string) => x.replace('<cbc:PayableAmount currencyID="TRY">118.00', '<cbc:PayableAmount currencyID="TRY">118,00'),
      'LegalMonetaryTotal/PayableAmount "118,00" is not a decimal number',
    ],
    [
      'USD without an exchange rate',
      (x: string) => x.replace('<cbc:DocumentCurrencyCode>TRY', '<cbc:DocumentCurrencyCode>USD'),
      'DocumentCurrencyCode is USD but PricingExchangeRate/CalculationRate (to TRY) is missing',
    ],
    ['no lines', (x: string) => x.replace(/<cac:InvoiceLine>[\s\S]*<\/cac:InvoiceLine>/, ''), 'the invoice has no InvoiceLine'],
  ])('%s', (_n, mutate, reason) => {
    expect(one(mutate(readSample(FATURA_2))).problems).toContain(reason);
  });

  it('a line without an amount is refused alone, with its line id', () => {
    const inv = one(readSample(FATURA_2).replace('<cbc:LineExtensionAmount currencyID="TRY">100</cbc:LineExtensionAmount>', ''));
    expect(inv.problems).toEqual([]);
    expect(inv.lines[0].problems).toEqual(['InvoiceLine 1: LineExtensionAmount is missing']);
  });
});

describe('taxes by TaxTypeCode, withholding, line identity, periods', () => {
  it.each([
    ['0015', 'KDV'],
    ['4080', 'OIV'],
    ['4081', 'OIV'],
    ['8006', 'DIGER'],
    ['0003', 'STOPAJ'],
    ['0011', 'STOPAJ'],
    ['4171', 'STOPAJ'],
    ['0061', 'DIGER'],
    [null, 'DIGER'],
  ])('TaxTypeCode %s → %s', (code, group) => expect(taxGroupOf(code)).toBe(group));

  it('a tax is known by its code whatever its name says', () => {
    const xml = readSample(FATURA_2).replace(/<cbc:Name>KDV<\/cbc:Name>/g, '<cbc:Name>Özel İletişim Vergisi (yanlış ad)</cbc:Name>');
    expect(rows(xml).invoice).toMatchObject({ kdv_amount: 18, oiv_amount: 0 });
  });

  it('line taxes: ÖİV 4080 and KDV 0015 per line; identity from the line party and from a note', () => {
    const xml = operatorInvoice({
      uuid: '11111111-2222-4333-8444-555555555555',
      no: 'TCL2025000000001',
      lines: [
        { id: '1', net: 250, phone: '5321112233' },
        { id: '2', net: 40.5, note: 'MSISDN: 905321112234 Dönem 11.2025' },
        { id: '3', net: 10 },
      ],
    });
    const inv = one(xml);
    expect(inv.operator).toBe('TURKCELL');
    expect(inv.periodStart).toBe('2025-11-01');
    expect(inv.lines.map((l) => l.identity && [l.identity.source, l.identity.scheme, l.identity.key])).toEqual([
      ['line_party', 'TELEFONNO', '5321112233'],
      ['line_note', 'TELEFONNO', '5321112234'],
      null,
    ]);
    const r = rows(xml);
    expect(r.lines.map((l) => [l.row.net_amount, l.row.oiv_amount, l.row.kdv_amount, l.row.gross_amount])).toEqual([
      [250, 25, 55, 330],
      [40.5, 4.05, 8.91, 53.46],
      [10, 1, 2.2, 13.2],
    ]);
    expect(r.invoice).toMatchObject({ oiv_amount: 30.05, kdv_amount: 66.11, payable_amount: 396.66, lines_tax_amount: 96.16, tax_total_amount: 96.16 });
  });

  it('invoice-level taxes are spread over lines that carry none, adding up exactly', () => {
    const xml = operatorInvoice({
      uuid: '11111111-2222-4333-8444-555555555556',
      no: 'X1',
      lineTaxes: false,
      lines: [
        { id: '1', net: 33.33 },
        { id: '2', net: 33.33 },
        { id: '3', net: 33.34 },
      ],
    });
    const r = rows(xml);
    expect(r.lines.every((l) => l.row.taxes_allocated === true)).toBe(true);
    const kdv = r.lines.map((l) => l.row.kdv_amount as number);
    expect(Math.round(kdv.reduce((a, b) => a + b) * 100) / 100).toBe(r.invoice.kdv_amount);
  });

  it('withholding (TEVKIFAT): payable = tax-inclusive − withheld KDV, spread to the lines', () => {
    const xml = operatorInvoice({
      uuid: '11111111-2222-4333-8444-555555555557',
      no: 'TTA2025000000009',
      type: 'TEVKIFAT',
      withholdingPercent: 50,
      lines: [{ id: '1', net: 4200 }],
    });
    const r = rows(xml);
    // 4200 + ÖİV 420 + KDV 924 = 5544; half the KDV (462) is withheld.
    expect(r.invoice).toMatchObject({ invoice_type: 'TEVKIFAT', tax_inclusive_amount: 5544, withholding_amount: 462, payable_amount: 5082 });
    expect(r.lines[0].row).toMatchObject({ gross_amount: 5544, withholding_amount: 462, payable_amount: 5082 });
    expect(r.taxes.find((t) => t.kind === 'TEVKIFAT')).toMatchObject({ tax_type_code: '603', tax_group: 'TEVKIFAT', percent: 50, tax_amount: 462 });
  });

  // 250 + 99.90 + 12 net; ÖİV 36.19, KDV 79.62 → 477.71 tax-inclusive; 20 % GV stopajı on the net is 72.38.
  it.each([
    ['0003 on the lines too', { code: '0003', percent: 20, onLines: true }],
    ['0003 in the invoice TaxTotal only', { code: '0003', percent: 20, onLines: false }],
    ['0011 on the lines too', { code: '0011', percent: 20, onLines: true }],
  ] as const)('a withheld tax in TaxTotal (%s) is deducted from the payable, not added: the lines add up to PayableAmount', (_name, stopaj) => {
    const xml = operatorInvoice({
      uuid: '11111111-2222-4333-8444-555555555560',
      no: 'TCL2025000000020',
      stopaj,
      lines: [
        { id: '1', net: 250 },
        { id: '2', net: 99.9 },
        { id: '3', net: 12 },
      ],
    });
    const r = rows(xml);
    expect(r.invoice).toMatchObject({
      tax_inclusive_amount: 477.71,
      payable_amount: 405.33,
      tax_total_amount: 188.19,
      lines_tax_amount: 188.19,
      other_tax_amount: 0,
      withholding_amount: 72.38,
    });
    expect(r.lines.map((l) => [l.row.net_amount, l.row.other_tax_amount, l.row.gross_amount, l.row.withholding_amount, l.row.payable_amount])).toEqual([
      [250, 0, 330, 50, 280],
      [99.9, 0, 131.87, 19.98, 111.89],
      [12, 0, 15.84, 2.4, 13.44],
    ]);
    const linePayable = Math.round(r.lines.reduce((a, l) => a + (l.row.payable_amount as number), 0) * 100) / 100;
    expect(linePayable).toBe(r.invoice.payable_amount);
    expect(r.taxes.find((t) => t.tax_type_code === stopaj.code)).toMatchObject({ kind: 'TEVKIFAT', tax_group: 'STOPAJ', percent: 20, tax_amount: 72.38 });
  });

  it('KDV tevkifatı and a KV stopajı together: both withheld, the payable still adds up', () => {
    const xml = operatorInvoice({
      uuid: '11111111-2222-4333-8444-555555555561',
      no: 'TTA2025000000011',
      type: 'TEVKIFAT',
      withholdingPercent: 50,
      stopaj: { code: '0011', percent: 15 },
      lines: [{ id: '1', net: 4200 }],
    });
    const r = rows(xml);
    // 4200 + ÖİV 420 + KDV 924 = 5544; half the KDV (462) and 15 % of the net (630) are withheld.
    expect(r.invoice).toMatchObject({ tax_inclusive_amount: 5544, withholding_amount: 1092, payable_amount: 4452 });
    expect(r.lines[0].row).toMatchObject({ gross_amount: 5544, other_tax_amount: 0, withholding_amount: 1092, payable_amount: 4452 });
  });

  it('a withheld tax on a return reverses like every other amount', () => {
    const xml = operatorInvoice({
      uuid: '11111111-2222-4333-8444-555555555562',
      no: 'TCL2025000000021',
      type: 'IADE',
      stopaj: { code: '0003', percent: 20, onLines: false },
      lines: [{ id: '1', net: 250 }],
    });
    const r = rows(xml);
    expect(r.invoice).toMatchObject({ sign: -1, payable_amount: -280, withholding_amount: -50 });
    expect(r.lines[0].row).toMatchObject({ gross_amount: -330, withholding_amount: -50, payable_amount: -280 });
  });

  it.each([
    [['Hizmet No: 0216 564 12 34'], 'HIZMETNO', '2165641234'],
    [['MSISDN=905321234567'], 'TELEFONNO', '5321234567'],
    [['TELEFON NO 0 (532) 123-45-67'], 'TELEFONNO', '5321234567'],
    [['Abone No: 1234567 Dönem: 01.11.2025'], 'ABONENO', '1234567'],
    [['Hizmet No: 7123456789 01.11.2025 - 30.11.2025'], 'HIZMETNO', '7123456789'],
    [['Hat No: 0532 123 45 67'], 'TELEFONNO', '5321234567'],
  ])('note %j → %s %s', (notes, scheme, key) => {
    expect(identityFromNotes(notes, 'line_note', false)).toMatchObject({ scheme, key });
  });

  it('notes that name no line, or (invoice-wide) several lines, give no identity', () => {
    expect(identityFromNotes(['Son ödeme tarihi 15.12.2025, tutar 1.234,56 TL'], 'line_note', false)).toBeNull();
    expect(identityFromNotes(['Tel: 0216 111 11 11', 'Tel: 0216 222 22 22'], 'invoice_note', true)).toBeNull();
  });

  it.each([
    [['Fatura Dönemi: 01.11.2025 - 30.11.2025'], { start: '2025-11-01', end: '2025-11-30' }],
    [['DÖNEMİ: 01.10.2025 ile 31.10.2025'], { start: '2025-10-01', end: '2025-10-31' }],
    [['Dönem: Kasım 2025'], { start: '2025-11-01', end: '2025-11-30' }],
    [['Fatura dönemi 2025-02'], { start: '2025-02-01', end: '2025-02-28' }],
    [['benim notum'], { start: null, end: null }],
  ])('period from notes %j', (notes, expected) => expect(periodFromNotes(notes)).toEqual(expected));

  it.each([
    ['TÜRK TELEKOMÜNİKASYON A.Ş.', 'TURK_TELEKOM'],
    ['TTNET A.Ş.', 'TURK_TELEKOM'],
    ['Turkcell İletişim Hizmetleri A.Ş.', 'TURKCELL'],
    ['SUPERONLINE İLETİŞİM HİZMETLERİ A.Ş.', 'TURKCELL'],
    ['VODAFONE TELEKOMÜNİKASYON A.Ş.', 'VODAFONE'],
    ['İZİBİZ BİLİŞİM TEKNOLOJİLERİ A.Ş.', null],
  ])('operator of %s → %s', (name, op) => expect(operatorFromName(name)).toBe(op));

  it('a return the municipality issued to an operator belongs to that operator', () => {
    expect(operatorOfInvoice({ vkn: '7810038929', name: 'SULTANBEYLİ BELEDİYESİ' }, { vkn: null, name: 'VODAFONE TELEKOMÜNİKASYON A.Ş.' })).toBe('VODAFONE');
    expect(operatorOfInvoice({ vkn: '8760044710', name: 'X' }, { name: 'Y' })).toBe('TURK_TELEKOM');
  });

  it.each([
    [1, [1, 1, 1], [0.34, 0.33, 0.33]],
    [-1, [1, 1, 1], [-0.34, -0.33, -0.33]],
    [100, [30, 70], [30, 70]],
    [0.05, [0, 0], [0.03, 0.02]],
    [18, [100, -100], [9, 9]],
    [0, [5], [0]],
    [7, [], []],
  ])('allocate(%d, %j) = %j', (total, weights, parts) => {
    const got = allocate(total, weights);
    expect(got).toEqual(parts);
    if (parts.length) expect(Math.round(got.reduce((a, b) => a + b, 0) * 100)).toBe(Math.round(total * 100));
  });
});

describe('KVKK: a TC Kimlik No never leaves the parser in clear', () => {
  it('e-Arşiv to a person: the TCKN becomes its keyed hash, the name is not read, a note is redacted', () => {
    expect(isValidTckn(TEST_TCKN)).toBe(true);
    const xml = toEarsivPerson(readSample(FATURA_2));
    expect(xml).toContain(TEST_TCKN);
    const inv = one(xml);
    expect(inv.profileId).toBe('EARSIVFATURA');
    expect(inv.customer).toMatchObject({ isPerson: true, name: null, vkn: null });
    expect(inv.customer.ids).toContainEqual({ scheme: 'TCKN', value: null, hash: hashTckn(TEST_TCKN, SECRET) });
    expect(inv.accountIdentity).toMatchObject({ scheme: 'TELEFONNO', key: '5321112233', source: 'customer_party' });
    expect(inv.lines[0].identity?.key).toBe('5321112233');
    const r = rows(xml);
    expect(r.invoice).toMatchObject({
      customer_id_scheme: 'TCKN',
      customer_id: null,
      customer_id_hash: hashTckn(TEST_TCKN, SECRET),
      customer_is_person: true,
      customer_name: null,
      note: 'Alıcı TCKN: [gizli]',
    });
    const everything = JSON.stringify({ inv, r });
    expect(everything).not.toContain(TEST_TCKN);
    expect(everything).not.toMatch(/Ayşe|Yılmaz/);
  });

  it('a subscriber number that is a valid TCKN is hashed as a key, the same way everywhere', () => {
    expect(guard.guardKey(TEST_TCKN)).toMatch(/^TCKN#[0-9a-f]{24}$/);
    expect(guard.guardKey(TEST_TCKN)).toBe(kvkkGuard(SECRET).guardKey(TEST_TCKN));
    expect(guard.guardKey('10000000147')).toBe('10000000147'); // fails the check digits: not a TCKN
    expect(guard.guardKey('5321234567')).toBe('5321234567');
  });

  it('an invoice line that names a line by a TCKN-shaped abone no keeps only the hash', () => {
    const xml = operatorInvoice({ uuid: '11111111-2222-4333-8444-555555555558', no: 'X2', lines: [{ id: '1', net: 10, note: `Abone No: ${TEST_TCKN}` }] });
    const r = rows(xml);
    expect(JSON.stringify(r)).not.toContain(TEST_TCKN);
    expect(r.lines[0].row.line_key).toBe(guard.guardKey(TEST_TCKN));
  });
});

describe('buyer kind: a person only when identified by TCKN', () => {
  const company = operatorInvoice({ uuid: '11111111-2222-4333-8444-555555555563', no: 'TCL2025000000022', lines: [{ id: '1', net: 10 }] });
  it.each([
    ['VKN', false, company],
    ['VKN, with a cac:Person contact', false, withCustomerPerson(company)],
    ['TCKN (with cac:Person)', true, toEarsivPerson(readSample(FATURA_2))],
  ])('a buyer identified by %s → customer_is_person %s', (_name, person, xml) => {
    expect(one(xml).customer.isPerson).toBe(person);
    expect(rows(xml).invoice).toMatchObject({ customer_is_person: person, customer_id_scheme: person ? 'TCKN' : 'VKN' });
  });

  it('a company buyer with a contact person is still a company, and no person’s name is read', () => {
    const xml = withCustomerPerson(company);
    expect(xml).toContain('<cac:Person><cbc:FirstName>Ayşe</cbc:FirstName>');
    const r = rows(xml);
    expect(r.invoice).toMatchObject({ customer_id: '7810038929', customer_is_person: false });
    expect(JSON.stringify({ inv: one(xml), r })).not.toMatch(/Ayşe|Yılmaz/);
  });
});

describe('UBL_NS', () => {
  it('are the OASIS UBL 2.1 namespace URIs the samples declare', () => {
    const xml = readSample(FATURA_2);
    for (const uri of Object.values(UBL_NS)) expect(xml).toContain(`"${uri}"`);
  });
});
