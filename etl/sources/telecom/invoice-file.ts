import crypto from 'node:crypto';
import { errorMessage } from '../../../common/errors.js';
import { redactTcknInText } from '../../../common/kvkk.js';
import { buildInvoiceRows, type InvoiceRows } from './invoice-rows.js';
import { kvkkGuard } from './kvkk-guard.js';
import { readUblDocument } from './ubl.js';
import { decodeXmlBytes, XmlFormatError } from './xml-ns.js';

/**
 * One e-Fatura file, read into everything Pano lands from it — pure CPU work on bytes, so it can run in a
 * worker thread as well as in-process (invoices.ts decides). What to keep (duplicates) is decided by the
 * caller, in path order.
 */

export interface ParsedInvoice {
  uuid: string | null;
  invoiceNo: string | null;
  issueDate: string | null;
  lineCount: number;
  payableAmount: number | null;
  /** Reasons the invoice is refused; empty when `rows` is set. */
  problems: string[];
  rows: InvoiceRows | null;
}

export type ParsedFile =
  | { kind: 'invoices'; file: string; sha256: string; sizeBytes: number; invoices: ParsedInvoice[] }
  | { kind: 'not_invoice'; file: string; sha256: string; sizeBytes: number; root: string }
  | { kind: 'malformed'; file: string; sha256: string; sizeBytes: number; reason: string };

export interface ParseSettings {
  kvkkSecret: string;
  timezone: string;
}

export function sha256Of(bytes: Uint8Array): string {
  return crypto.createHash('sha256').update(bytes).digest('hex');
}

export function parseInvoiceFile(file: string, bytes: Buffer, settings: ParseSettings, sha256 = sha256Of(bytes)): ParsedFile {
  const guard = guardFor(settings.kvkkSecret);
  const base = { file, sha256, sizeBytes: bytes.length };
  let doc;
  try {
    doc = readUblDocument(decodeXmlBytes(bytes), { pseudonymize: guard.pseudonymize, guardKey: (k) => guard.guardKey(k) ?? k });
  } catch (e) {
    const reason = e instanceof XmlFormatError ? `malformed XML: ${e.message}` : `cannot be read as UBL-TR: ${errorMessage(e)}`;
    return { kind: 'malformed', ...base, reason: redactTcknInText(reason) };
  }
  if (doc.invoices.length === 0) return { kind: 'not_invoice', ...base, root: doc.root };
  return {
    kind: 'invoices',
    ...base,
    invoices: doc.invoices.map((inv) => {
      const ok = inv.problems.length === 0 && inv.uuid !== null;
      return {
        uuid: inv.uuid,
        invoiceNo: inv.invoiceNo,
        issueDate: inv.issueDate,
        lineCount: inv.lines.length,
        payableAmount: inv.totals.payable,
        problems: inv.problems,
        rows: ok ? buildInvoiceRows(inv, { file, sha256 }, { timezone: settings.timezone, guardKey: guard.guardKey }) : null,
      };
    }),
  };
}

let cached: { secret: string; guard: ReturnType<typeof kvkkGuard> } | null = null;
function guardFor(secret: string) {
  if (cached?.secret !== secret) cached = { secret, guard: kvkkGuard(secret) };
  return cached.guard;
}
