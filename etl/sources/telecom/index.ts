export { telecomConfigFrom, telecomConfigSchema, type TelecomConfig } from './config.js';
export { readCsvFile, mapColumns, detectDelimiter, TelecomFormatError, type ColumnSpec, type CsvItem, type CsvRow, type CsvProblem } from './csv.js';
export { buildInvoiceRows, allocate, type LineRecord, type InvoiceRows } from './invoice-rows.js';
export { readInvoiceFolder, listXmlFiles, invoiceLocator, maskInvoiceRecord, type InvoiceStreamRecord, type FileStatus } from './invoices.js';
export { kvkkGuard, type KvkkGuard } from './kvkk-guard.js';
export { normalizeLineKey, parseLineKey, formatLineKey, type LineKey } from './line-key.js';
export {
  LINE_TYPES,
  LINE_TYPE_LABELS,
  REGISTRY_COLUMNS,
  REGISTRY_SPEC,
  REGISTRY_REQUIRE_ONE_OF,
  lineTypeOf,
  resolveUnit,
  validateRegistryItem,
  type LineType,
} from './line-registry.js';
export { DETAIL_COLUMNS, DETAIL_SPEC, DETAIL_REQUIRE_ONE_OF, listDetailFiles, operatorFromPath, validateDetailItem } from './operator-detail.js';
export {
  OPERATOR_LABELS,
  OPERATOR_VKNS,
  isValidVkn,
  operatorFromName,
  operatorOfInvoice,
  operatorOfParty,
  vknCheckDigit,
  type OperatorCode,
} from './operators.js';
export { NdjsonSpool, createSpooledTableSql, insertFromSpoolSql } from './spool.js';
export { decodeText, foldKey, parseTrDate, parseTrDecimal, parseTrMonth, round2 } from './tr-format.js';
export { LINE_SCHEMES, UBL_NS, identityFromNotes, readUblDocument, taxGroupOf, type UblDocument, type UblInvoice, type UblLine, type UblTax } from './ubl.js';
export { XmlFormatError, decodeXmlBytes, emptyElements, parseXml } from './xml-ns.js';
export { INVOICE_COLUMNS, INVOICE_FILE_COLUMNS, INVOICE_LINE_COLUMNS, INVOICE_TAX_COLUMNS } from './raw-tables.js';
export { parseInvoiceFile, sha256Of, type ParsedFile, type ParsedInvoice, type ParseSettings } from './invoice-file.js';
