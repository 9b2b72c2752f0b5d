import fs from 'node:fs';
import path from 'node:path';
import type { PanoConfig } from '../../../common/config.js';
import { SourceUnavailableError, errorMessage } from '../../../common/errors.js';
import { redactTcknInRecord, redactTcknInText } from '../../../common/kvkk.js';
import type { CheckContext, QualityCheckResult, SourceDefinition } from '../../source.js';
import {
  DETAIL_COLUMNS,
  DETAIL_REQUIRE_ONE_OF,
  DETAIL_SPEC,
  INVOICE_COLUMNS,
  INVOICE_FILE_COLUMNS,
  INVOICE_LINE_COLUMNS,
  INVOICE_TAX_COLUMNS,
  NdjsonSpool,
  REGISTRY_COLUMNS,
  REGISTRY_REQUIRE_ONE_OF,
  REGISTRY_SPEC,
  createSpooledTableSql,
  formatLineKey,
  insertFromSpoolSql,
  invoiceLocator,
  kvkkGuard,
  listDetailFiles,
  listXmlFiles,
  maskInvoiceRecord,
  readCsvFile,
  readInvoiceFolder,
  telecomConfigFrom,
  validateDetailItem,
  validateRegistryItem,
  type CsvItem,
  type InvoiceStreamRecord,
  type KvkkGuard,
  type TelecomConfig,
} from './index.js';
import { tableExists, type Column } from '../../warehouse/duckdb.js';
import { bulkDetailFiles } from './operator-detail-bulk.js';
import { SOURCE_IDS } from '../../source-ids.js';

/**
 * The telecom system as three runner sources, run in this order:
 *
 *   telecom_lines             line registry CSV           → raw_telecom.lines
 *   telecom_operator_details  operator detail CSVs        → raw_telecom.operator_charges
 *   telecom_invoices          UBL-TR e-Fatura XML folder  → raw_telecom.invoice_lines (+ invoices, invoice_taxes, invoice_files)
 *
 * The invoices come last so their checks can tell registered lines from unregistered ones.
 */
export function telecomSources(config: PanoConfig): SourceDefinition<any>[] {
  const cfg = telecomConfigFrom(config);
  const guard = kvkkGuard(cfg.kvkkSecret);
  return [telecomLinesSource(cfg, guard), telecomOperatorDetailsSource(cfg, guard), telecomInvoicesSource(cfg)];
}

const SCHEMA = 'raw_telecom';

// ───────────────────────────── line registry ─────────────────────────────

export function telecomLinesSource(cfg: TelecomConfig, guard: KvkkGuard): SourceDefinition<{ file: string }> {
  const display = path.basename(cfg.linesFile);
  return {
    id: SOURCE_IDS.telecomLines,
    system: 'telecom',
    title: 'Telekom hat listesi',
    location: `line registry ${cfg.linesFile}`,
    raw: { schema: SCHEMA, table: 'lines', columns: REGISTRY_COLUMNS },
    async open() {
      try {
        await fs.promises.access(cfg.linesFile, fs.constants.R_OK);
      } catch (e) {
        throw new SourceUnavailableError(`Telecom line registry ${cfg.linesFile} cannot be read: ${errorMessage(e)}`, e);
      }
      return { file: cfg.linesFile };
    },
    close: async () => undefined,
    extract: (h) =>
      readCsvFile(h.file, REGISTRY_SPEC, { displayName: display, requireOneOf: REGISTRY_REQUIRE_ONE_OF }) as AsyncIterable<Array<Record<string, unknown>>>,
    validate: (r) => validateRegistryItem(r as unknown as CsvItem, guard),
    locator: (r) => csvLocator(r as unknown as CsvItem),
    mask: (r) => csvMask(r as unknown as CsvItem),
    async checks(ctx) {
      const out: QualityCheckResult[] = [];
      const [k] = await ctx.query(`SELECT count(*) AS n, count(DISTINCT line_key) AS lines FROM ${SCHEMA}.lines`);
      const n = Number(k.n);
      out.push({ name: 'not_empty', severity: 'fail', passed: n > 0, detail: `${n} registry rows for ${Number(k.lines)} lines` });
      const overlaps = await ctx.query(`
        SELECT a.line_number, a.unit_code AS unit_a, b.unit_code AS unit_b
        FROM ${SCHEMA}.lines a JOIN ${SCHEMA}.lines b
          ON a.line_key = b.line_key AND a.source_line < b.source_line
         AND coalesce(a.active_from, '0000-01-01') <= coalesce(b.active_to, '9999-12-31')
         AND coalesce(b.active_from, '0000-01-01') <= coalesce(a.active_to, '9999-12-31')
        ORDER BY a.source_file, a.source_line, b.source_file, b.source_line LIMIT 6`);
      out.push({
        name: 'keys_unique',
        severity: 'warn',
        passed: overlaps.length === 0,
        detail: overlaps.length
          ? `lines listed twice for overlapping periods: ${overlaps
              .slice(0, 5)
              .map((o) => `${o.line_number} (${o.unit_a}, ${o.unit_b})`)
              .join(', ')}${overlaps.length > 5 ? ' …' : ''}`
          : 'each line has one row per period',
      });
      out.push(rejectedShareCheck(ctx, 'registry rows', 0.02));
      const change = rowCountChange(ctx);
      if (change) out.push(change);
      return out;
    },
  };
}

// ───────────────────────────── operator details ─────────────────────────────

export function telecomOperatorDetailsSource(cfg: TelecomConfig, guard: KvkkGuard): SourceDefinition<{ files: string[] }> {
  // The details are optional: a site without operator exports has no folder. That is a warning, not a failure.
  let folderMissing = false;
  return {
    id: SOURCE_IDS.telecomOperatorDetails,
    system: 'telecom',
    title: 'Operatör detay dökümleri',
    location: `operator detail folder ${cfg.detailDir}`,
    raw: { schema: SCHEMA, table: 'operator_charges', columns: DETAIL_COLUMNS },
    async open() {
      folderMissing = !fs.existsSync(cfg.detailDir);
      return { files: folderMissing ? [] : listDetailFiles(cfg.detailDir) };
    },
    close: async () => undefined,
    async *extract(h) {
      for (const rel of h.files) {
        yield* readCsvFile(path.join(cfg.detailDir, rel), DETAIL_SPEC, { displayName: rel, requireOneOf: DETAIL_REQUIRE_ONE_OF }) as AsyncIterable<
          Array<Record<string, unknown>>
        >;
      }
    },
    async *bulkExtract(h, ctx) {
      yield* bulkDetailFiles(ctx.conn, cfg.detailDir, h.files, ctx) as AsyncIterable<Array<Record<string, unknown>>>;
    },
    validate: (r) => validateDetailItem(r as unknown as CsvItem, guard),
    locator: (r) => csvLocator(r as unknown as CsvItem),
    mask: (r) => csvMask(r as unknown as CsvItem),
    async checks(ctx) {
      const out: QualityCheckResult[] = [];
      const T = `${SCHEMA}.operator_charges`;
      const [k] = await ctx.query(
        `SELECT count(*) AS n, count(DISTINCT source_file) AS files, max(period_month) AS newest, count(*) FILTER (WHERE total_mismatch) AS mismatched FROM ${T}`,
      );
      const n = Number(k.n);
      out.push({
        name: 'not_empty',
        severity: 'warn',
        passed: n > 0,
        detail:
          n > 0
            ? `${n} rows from ${Number(k.files)} files`
            : folderMissing
              ? `the operator detail folder ${cfg.detailDir} does not exist (PANO_TELECOM_DETAIL_DIR)`
              : `no detail rows in ${cfg.detailDir}`,
      });
      const dups = await ctx.query(`
        SELECT line_number, period_month, count(*) AS c FROM ${T}
        GROUP BY line_key, line_number, period_month, operator HAVING count(*) > 1 ORDER BY period_month, line_number, line_key, operator LIMIT 6`);
      out.push({
        name: 'duplicate_keys',
        severity: 'warn',
        passed: dups.length === 0,
        detail: dups.length
          ? `lines with more than one row for a period (summed in the marts): ${fmtList(dups.map((d) => `${d.line_number} ${String(d.period_month).slice(0, 7)}`))}`
          : 'one row per line and period',
      });
      const mismatched = Number(k.mismatched);
      out.push({
        name: 'totals_match',
        severity: 'warn',
        passed: mismatched === 0,
        detail: mismatched ? `${mismatched} rows whose "Toplam" differs from fixed + usage − discount + other by more than 0,01` : 'every row adds up',
      });
      if (await tableExists(ctx, `${SCHEMA}.lines`)) {
        const unreg = await ctx.query(`
          SELECT DISTINCT d.line_key FROM ${T} d
          WHERE NOT EXISTS (SELECT 1 FROM ${SCHEMA}.lines r WHERE r.line_key = d.line_key OR r.service_key = d.line_key)
          ORDER BY 1 LIMIT 11`);
        out.push({
          name: 'references_resolve',
          severity: 'warn',
          passed: unreg.length === 0,
          detail: unreg.length
            ? `lines in the operator details but not in the line registry: ${fmtList(
                unreg.map((u) => formatLineKey(String(u.line_key))),
                10,
              )}`
            : 'every line is in the line registry',
        });
      }
      out.push(rejectedShareCheck(ctx, 'detail rows', 0.02));
      out.push(freshnessCheck(ctx.now, k.newest ? String(k.newest) : null, 62, 'newest billing period'));
      const change = rowCountChange(ctx);
      if (change) out.push(change);
      return out;
    },
  };
}

// ───────────────────────────── invoices ─────────────────────────────

interface InvoiceRun {
  spool: NdjsonSpool;
}

/** `workers`: parser threads (default: cores − 1, at most 4, for 16 files or more; 0 = in-process). */
export function telecomInvoicesSource(cfg: TelecomConfig, opts: { workers?: number } = {}): SourceDefinition<InvoiceRun> {
  let current: InvoiceRun | null = null;
  const spooled: Array<{ table: string; columns: Column[] }> = [
    { table: 'invoices', columns: INVOICE_COLUMNS },
    { table: 'invoice_taxes', columns: INVOICE_TAX_COLUMNS },
    { table: 'invoice_files', columns: INVOICE_FILE_COLUMNS },
  ];
  return {
    id: SOURCE_IDS.telecomInvoices,
    system: 'telecom',
    title: 'Telekom e-Faturaları',
    location: `e-Fatura folder ${cfg.invoiceDir}`,
    raw: { schema: SCHEMA, table: 'invoice_lines', columns: INVOICE_LINE_COLUMNS },
    extraTables: spooled.map((s) => s.table),
    async open() {
      listXmlFiles(cfg.invoiceDir); // fails early, naming the folder, when it cannot be read
      current = { spool: new NdjsonSpool('pano-telecom-') };
      return current;
    },
    async close(run) {
      run.spool.remove();
      if (current === run) current = null;
    },
    extract: (run) =>
      readInvoiceFolder({
        dir: cfg.invoiceDir,
        kvkkSecret: cfg.kvkkSecret,
        timezone: cfg.timezone,
        spool: run.spool,
        workers: opts.workers,
      }) as unknown as AsyncIterable<Array<Record<string, unknown>>>,
    validate(record) {
      const r = record as unknown as InvoiceStreamRecord;
      if (r.kind === 'line') return r.problems.length ? { ok: false, reason: redactTcknInText(r.problems.join('; ')) } : { ok: true, row: r.row };
      return { ok: false, reason: redactTcknInText(r.kind === 'file' ? r.reason : `invoice refused: ${r.reason}`) };
    },
    locator: (r) => invoiceLocator(r as unknown as InvoiceStreamRecord),
    mask: (r) => maskInvoiceRecord(r as unknown as InvoiceStreamRecord),
    async afterLoad(ctx) {
      const run = current;
      if (!run) throw new Error('telecom_invoices: afterLoad without an open run');
      run.spool.close();
      for (const { table, columns } of spooled) {
        await ctx.run(createSpooledTableSql(SCHEMA, table, columns));
        if (run.spool.count(table) > 0) await ctx.run(insertFromSpoolSql(SCHEMA, table, columns, run.spool.file(table), ctx.runId, ctx.now));
      }
    },
    async checks(ctx) {
      return invoiceChecks(ctx, cfg);
    },
  };
}

async function invoiceChecks(ctx: CheckContext, cfg: TelecomConfig): Promise<QualityCheckResult[]> {
  const out: QualityCheckResult[] = [];
  const I = `${SCHEMA}.invoices`;
  const L = `${SCHEMA}.invoice_lines`;
  const F = `${SCHEMA}.invoice_files`;
  const [k] = await ctx.query(
    `SELECT count(*) AS n, count(DISTINCT invoice_uuid) AS uuids, max(issue_date) AS newest, count(*) FILTER (WHERE sign < 0) AS returns FROM ${I}`,
  );
  const n = Number(k.n);
  out.push({
    name: 'not_empty',
    severity: 'fail',
    passed: n > 0,
    detail: n > 0 ? `${n} invoices (${Number(k.returns)} returns)` : `no invoice could be loaded from ${cfg.invoiceDir}`,
  });
  out.push({ name: 'keys_unique', severity: 'fail', passed: Number(k.uuids) === n, detail: `${n - Number(k.uuids)} duplicate invoice UUIDs` });
  const [nl] = await ctx.query(`SELECT count(*) FILTER (WHERE invoice_uuid IS NULL) AS no_uuid FROM ${L}`);
  out.push({
    name: 'keys_not_null',
    severity: 'fail',
    passed: Number(nl.no_uuid) === 0,
    detail: `${Number(nl.no_uuid)} invoice lines without an invoice UUID`,
  });

  const files = await ctx.query(`SELECT status, file, duplicate_of, message FROM ${F} WHERE status <> 'loaded' ORDER BY file`);
  const of = (...s: string[]) => files.filter((f) => s.includes(String(f.status)));
  const bad = of('malformed', 'unreadable');
  out.push({
    name: 'malformed_files',
    severity: 'warn',
    passed: bad.length === 0,
    detail: bad.length
      ? `${bad.length} file(s) could not be read, see the quarantine: ${fmtList(bad.map((f) => String(f.file)))}`
      : 'every file is well-formed XML',
  });
  const dup = of('duplicate_file', 'duplicate_invoice');
  out.push({
    name: 'duplicate_files',
    severity: 'warn',
    passed: dup.length === 0,
    detail: dup.length
      ? `${dup.length} file(s) repeat an invoice already loaded and were loaded once: ${fmtList(dup.map((f) => `${f.file} = ${f.duplicate_of}`))}`
      : 'no file or invoice appears twice',
  });
  const notInvoice = of('not_invoice');
  if (notInvoice.length) {
    out.push({
      name: 'files_not_invoices',
      severity: 'warn',
      passed: false,
      detail: `${notInvoice.length} XML file(s) hold no UBL invoice: ${fmtList(notInvoice.map((f) => String(f.file)))}`,
    });
  }
  out.push(rejectedShareCheck(ctx, 'invoice lines and files', 0.01));

  // Each comparison: what the lines (or the document's own totals) give vs what the document says, in its currency.
  const mismatches = await ctx.query(`
    WITH lp AS (SELECT invoice_uuid, sum(payable_amount) AS lines_payable FROM ${L} GROUP BY invoice_uuid),
    c AS (
      SELECT i.invoice_no, i.invoice_uuid, i.issue_date, 0.01 * greatest(i.line_count, 1) AS tolerance,
        i.lines_net_amount AS lines_net, coalesce(i.line_extension_amount, i.lines_net_amount) AS doc_net,
        i.lines_tax_amount AS lines_tax, coalesce(i.tax_total_amount, i.lines_tax_amount) AS doc_tax,
        round(coalesce(lp.lines_payable, 0) + coalesce(i.payable_rounding_amount, 0), 2) AS lines_payable,
        round(coalesce(i.tax_inclusive_amount, i.payable_amount) - coalesce(i.withholding_amount, 0) + coalesce(i.payable_rounding_amount, 0), 2) AS doc_payable,
        i.payable_amount
      FROM ${I} i LEFT JOIN lp ON lp.invoice_uuid = i.invoice_uuid
      WHERE i.lines_refused = 0)
    SELECT * FROM c
    WHERE abs(doc_net - lines_net) > tolerance OR abs(doc_tax - lines_tax) > tolerance
       OR abs(lines_payable - payable_amount) > tolerance OR abs(doc_payable - payable_amount) > tolerance
    ORDER BY issue_date, invoice_no, invoice_uuid LIMIT 6`);
  out.push({
    name: 'totals_match',
    severity: 'warn',
    passed: mismatches.length === 0,
    detail: mismatches.length
      ? `invoices whose lines do not add up to LegalMonetaryTotal/TaxTotal (within 0,01 a line): ${fmtList(mismatches.map(describeMismatch))}`
      : 'every invoice: lines = LineExtensionAmount, line taxes = TaxTotal, lines payable + rounding = PayableAmount, TaxInclusive − withholding + rounding = PayableAmount',
  });

  const [ops] = await ctx.query(
    `SELECT count(*) AS n, string_agg(DISTINCT coalesce(supplier_name, supplier_vkn, '?'), ', ' ORDER BY coalesce(supplier_name, supplier_vkn, '?')) AS names FROM ${I} WHERE operator = 'DIGER'`,
  );
  out.push({
    name: 'operator_known',
    severity: 'warn',
    passed: Number(ops.n) === 0,
    detail: Number(ops.n)
      ? `${Number(ops.n)} invoices from suppliers that are not a known operator: ${redactTcknInText(String(ops.names ?? ''))}`
      : 'every invoice is from Türk Telekom, Turkcell or Vodafone',
  });

  if (await tableExists(ctx, `${SCHEMA}.lines`)) {
    const [u] = await ctx.query(`
      SELECT count(*) FILTER (WHERE line_key IS NULL) AS no_identity,
             count(*) FILTER (WHERE line_key IS NOT NULL AND NOT EXISTS (
               SELECT 1 FROM ${SCHEMA}.lines r WHERE r.line_key = l.line_key OR r.service_key = l.line_key)) AS unregistered,
             count(*) AS n
      FROM ${L} l`);
    const keys = await ctx.query(`
      SELECT DISTINCT line_key FROM ${L} l
      WHERE line_key IS NOT NULL AND NOT EXISTS (SELECT 1 FROM ${SCHEMA}.lines r WHERE r.line_key = l.line_key OR r.service_key = l.line_key)
      ORDER BY 1 LIMIT 11`);
    const unreg = Number(u.unregistered);
    const none = Number(u.no_identity);
    out.push({
      name: 'references_resolve',
      severity: 'warn',
      passed: unreg === 0,
      detail:
        (unreg
          ? `${unreg} invoice lines for lines not in the line registry (shown as KAYITSIZ): ${fmtList(
              keys.map((x) => formatLineKey(String(x.line_key))),
              10,
            )}`
          : 'every identified invoice line is a registered line') + (none ? `; ${none} lines name no line at all (account-level charges)` : ''),
    });
  } else {
    out.push({
      name: 'references_resolve',
      severity: 'warn',
      passed: false,
      detail: 'the line registry is not loaded: invoice lines cannot be matched to units',
    });
  }
  out.push(freshnessCheck(ctx.now, k.newest ? String(k.newest) : null, 45, 'newest invoice issued'));
  const change = rowCountChange(ctx);
  if (change) out.push(change);
  return out;
}

// ───────────────────────────── shared ─────────────────────────────

function csvLocator(r: CsvItem): string {
  return redactTcknInText(`${r.file}:line ${r.line}`);
}

function csvMask(r: CsvItem): Record<string, unknown> {
  return redactTcknInRecord(r.kind === 'row' ? { file: r.file, line: r.line, values: r.values, raw: r.raw } : { file: r.file, line: r.line, raw: r.raw });
}

function rejectedShareCheck(ctx: CheckContext, what: string, limit: number): QualityCheckResult {
  const share = ctx.rowsRead ? ctx.rowsRejected / ctx.rowsRead : 0;
  return {
    name: 'rows_refused',
    severity: 'warn',
    passed: share <= limit,
    detail: `${ctx.rowsRejected} of ${ctx.rowsRead} ${what} refused, see the quarantine (${(share * 100).toFixed(2)} %; limit ${limit * 100} %)`,
  };
}

function rowCountChange(ctx: CheckContext): QualityCheckResult | null {
  if (!ctx.previousRowsLoaded) return null;
  const change = (ctx.rowsLoaded - ctx.previousRowsLoaded) / ctx.previousRowsLoaded;
  return {
    name: 'row_count_change',
    severity: 'warn',
    passed: change > -0.2,
    detail: `${ctx.rowsLoaded} rows against ${ctx.previousRowsLoaded} in the previous run (${(change * 100).toFixed(1)} %; limit −20 %)`,
  };
}

function freshnessCheck(now: Date, newest: string | null, limitDays: number, what: string): QualityCheckResult {
  if (!newest) return { name: 'freshness', severity: 'warn', passed: false, detail: 'nothing loaded' };
  const age = (now.getTime() - Date.parse(`${newest.slice(0, 10)}T00:00:00Z`)) / 86_400_000;
  return {
    name: 'freshness',
    severity: 'warn',
    passed: age <= limitDays,
    detail: `${what} ${newest.slice(0, 10)}, ${Math.floor(age)} days ago (limit ${limitDays})`,
  };
}

/**
 * One invoice of the totals_match check, naming only what differs, each with both amounts:
 * 'TCL2025000000034 (payable: lines 405.33 vs PayableAmount 415.33, difference 10.00; …)'.
 */
function describeMismatch(m: Record<string, unknown>): string {
  const tol = Number(m.tolerance);
  const parts: string[] = [];
  const add = (what: string, from: string, ours: unknown, label: string, theirs: unknown) => {
    const a = Number(ours);
    const b = Number(theirs);
    if (Math.abs(a - b) > tol) parts.push(`${what}: ${from} ${a.toFixed(2)} vs ${label} ${b.toFixed(2)}, difference ${(b - a).toFixed(2)}`);
  };
  add('net', 'lines', m.lines_net, 'LineExtensionAmount', m.doc_net);
  add('taxes', 'lines', m.lines_tax, 'TaxTotal', m.doc_tax);
  add('payable', 'lines', m.lines_payable, 'PayableAmount', m.payable_amount);
  add('payable', 'TaxInclusive − withholding', m.doc_payable, 'PayableAmount', m.payable_amount);
  return `${m.invoice_no} (${parts.join('; ')})`;
}

function fmtList(items: string[], max = 5): string {
  return items.slice(0, max).join(', ') + (items.length > max ? ' …' : '');
}
