import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, type PanoConfig } from '../../../common/config.js';
import { openAppDb } from '../../../common/db/app-db.js';
import { isValidTckn, redactTcknInText } from '../../../common/kvkk.js';
import { silentLogger } from '../../../common/logger.js';
import { UNITS } from '../../../common/units.js';
import { DemoTargetError, generateTelecomDemo, writeTelecomDemo, type TelecomDemoSummary } from '../../../etl/demo/telecom-demo.js';
import { buildTelecomMarts } from '../../../etl/marts/telecom.js';
import { telecomSources } from '../../../etl/sources/telecom/pipeline.js';
import { runEtl } from '../../../etl/runner.js';
import { readCsvFile } from '../../../etl/sources/telecom/csv.js';
import { kvkkGuard } from '../../../etl/sources/telecom/kvkk-guard.js';
import { REGISTRY_REQUIRE_ONE_OF, REGISTRY_SPEC, validateRegistryItem } from '../../../etl/sources/telecom/line-registry.js';
import { decodeText, round2 } from '../../../etl/sources/telecom/tr-format.js';
import { readUblDocument, UBL_NS, type UblInvoice } from '../../../etl/sources/telecom/ubl.js';
import { decodeXmlBytes } from '../../../etl/sources/telecom/xml-ns.js';
import { readInvoiceFolder } from '../../../etl/sources/telecom/invoices.js';
import { NdjsonSpool } from '../../../etl/sources/telecom/spool.js';
import { SnapshotStore } from '../../../etl/warehouse/snapshots.js';

const NOW = new Date('2026-11-25T09:00:00Z');
const OPTS = { seed: 7, now: NOW, scale: 0.03 };
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pano-telecom-demo-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
const guard = kvkkGuard('demo-test-secret-0123456789');

const pathsIn = (dir: string) => ({
  invoiceDir: path.join(dir, 'invoices'),
  linesFile: path.join(dir, 'hat-listesi.csv'),
  detailDir: path.join(dir, 'operator'),
});

function walk(dir: string, rel = ''): string[] {
  return fs
    .readdirSync(path.join(dir, rel), { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? walk(dir, path.join(rel, e.name)) : [path.join(rel, e.name)]))
    .sort();
}

function treeHash(dir: string): string {
  const h = crypto.createHash('sha256');
  // The .pano-demo markers name their own folder; everything else must be byte-identical.
  for (const f of walk(dir).filter((x) => !path.basename(x).startsWith('.pano-demo'))) h.update(f).update(fs.readFileSync(path.join(dir, f)));
  return h.digest('hex');
}

/** The demo generated once through the config, shared by the tests that need it. */
let generated: Promise<{ config: PanoConfig; summary: TelecomDemoSummary }> | null = null;
function viaConfig() {
  generated ??= (async () => {
    const config = loadConfig({
      PANO_MODE: 'demo',
      PANO_DATA_DIR: path.join(tmp, 'cfg'),
      PANO_LOG_LEVEL: 'silent',
      PANO_KVKK_SECRET: 'demo-etl-secret-0123456789',
    });
    return { config, summary: (await generateTelecomDemo(config, OPTS)) as unknown as TelecomDemoSummary };
  })();
  return generated;
}

let a: TelecomDemoSummary;
let dirA: string;
const parsed: Array<{ rel: string; text: string; inv: UblInvoice }> = [];

beforeAll(async () => {
  dirA = path.join(tmp, 'a');
  a = await writeTelecomDemo(pathsIn(dirA), OPTS);
  const root = pathsIn(dirA).invoiceDir;
  for (const rel of walk(root).filter((f) => f.endsWith('.xml'))) {
    if (rel === a.faults.malformedFile) continue;
    const text = decodeXmlBytes(fs.readFileSync(path.join(root, rel)));
    for (const inv of readUblDocument(text, { pseudonymize: guard.pseudonymize }).invoices) parsed.push({ rel, text, inv });
  }
}, 60_000);

describe('generateTelecomDemo', () => {
  it('is deterministic: same seed and now → byte-identical files; another seed → different', async () => {
    const b = await writeTelecomDemo(pathsIn(path.join(tmp, 'b')), OPTS);
    const c = await writeTelecomDemo(pathsIn(path.join(tmp, 'c')), { ...OPTS, seed: 8 });
    expect(c.invoiceLines).not.toBe(a.invoiceLines);
    expect({ ...b, paths: null }).toEqual({ ...a, paths: null });
    expect(treeHash(path.join(tmp, 'b'))).toBe(treeHash(dirA));
    expect(treeHash(path.join(tmp, 'c'))).not.toBe(treeHash(dirA));
    expect(c.lines).toBe(a.lines);
  });

  it('writes where the config says and summarises what it wrote, seeded faults included', async () => {
    const { config, summary: s } = await viaConfig();
    expect(fs.existsSync(config.sources.telecom.linesFile)).toBe(true);
    expect(walk(config.sources.telecom.invoiceDir).filter((f) => f.endsWith('.xml'))).toHaveLength(s.invoiceFiles);
    expect(s).toMatchObject({ months: 36, firstPeriod: '2023-11', lastPeriod: '2026-10', returns: 3, withholdingInvoices: 12 });
    expect(Math.abs(s.lines - 900 * OPTS.scale)).toBeLessThanOrEqual(2);
    expect({ ...s, paths: null }).toEqual({ ...a, paths: null }); // same seed, same demo, wherever it is written
    expect(s.faults.malformedFile).toMatch(/^gelen\/vodafone\/\d{4}-\d{2}\/VFA\d{13}\.xml$/);
    expect(s.faults.duplicateFile.copy).toMatch(/ \(1\)\.xml$/);
    expect(s.faults.unregisteredLines.length).toBeGreaterThanOrEqual(3);
    expect(s.faults.earsivInvoice.file).toMatch(/^earsiv\/turkcell\//);
    expect(s.faults.truncatedDetailFile.file).toMatch(/^vodafone\/VF_Detay_/);
    expect(s.invoiceLines).toBeGreaterThan(1500);
  });

  it('regenerates over its own earlier output (same files again)', async () => {
    const again = await writeTelecomDemo(pathsIn(dirA), OPTS);
    expect({ ...again, paths: null }).toEqual({ ...a, paths: null });
  });

  it('never overwrites a folder it did not write', async () => {
    const p = pathsIn(path.join(tmp, 'real'));
    fs.mkdirSync(p.invoiceDir, { recursive: true });
    fs.writeFileSync(path.join(p.invoiceDir, 'gercek-fatura.xml'), '<Invoice/>');
    await expect(writeTelecomDemo(p, OPTS)).rejects.toThrow(DemoTargetError);
    expect(fs.existsSync(path.join(p.invoiceDir, 'gercek-fatura.xml'))).toBe(true);
    // Nor a registry file it did not write, and it says so before touching anything.
    const q = pathsIn(path.join(tmp, 'real2'));
    fs.mkdirSync(path.dirname(q.linesFile), { recursive: true });
    fs.writeFileSync(q.linesFile, 'Hat No;Birim\n');
    await expect(writeTelecomDemo(q, OPTS)).rejects.toThrow(/hat-listesi\.csv exists and was not written by the demo generator/);
    expect(fs.readFileSync(q.linesFile, 'utf8')).toBe('Hat No;Birim\n');
  });

  it('~900 lines at scale 1 would be spread over units by staff; here every line has a known unit', async () => {
    const items = [];
    for await (const b of readCsvFile(pathsIn(dirA).linesFile, REGISTRY_SPEC, { displayName: 'hat-listesi.csv', requireOneOf: REGISTRY_REQUIRE_ONE_OF }))
      items.push(...b);
    const rows = items.map((i) => validateRegistryItem(i, guard));
    expect(rows.every((r) => r.ok)).toBe(true);
    expect(rows).toHaveLength(a.registryRows);
    const keys = new Set(rows.map((r) => (r.ok ? r.row.line_key : null)));
    for (const hat of a.faults.unregisteredLines) expect(keys.has(hat.replace(/\D/g, '').slice(1))).toBe(false);
    const units = new Set(rows.map((r) => (r.ok ? r.row.unit_code : null)));
    for (const u of units) expect(UNITS.some((x) => x.code === u)).toBe(true);
    const types = new Set(rows.map((r) => (r.ok ? r.row.line_type : null)));
    expect([...types].sort()).toEqual(['DATA', 'FIBER', 'GSM', 'PSTN', 'TTVPN']);
  });
});

describe('the demo invoices are real UBL-TR 2.1, in each operator’s own style', () => {
  it('every invoice parses with Pano’s reader, lines add up to LegalMonetaryTotal and taxes to TaxTotal', () => {
    expect(parsed.length).toBe(a.invoices + 1); // + the duplicated copy
    for (const { rel, inv } of parsed) {
      expect(inv.problems, rel).toEqual([]);
      const net = inv.lines.reduce((s, l) => s + (l.net ?? 0), 0);
      expect(Math.abs(net - inv.totals.lineExtension!), rel).toBeLessThan(0.005);
      const lineTax = inv.lines.reduce((s, l) => s + l.taxes.reduce((t, x) => t + (x.amount ?? 0), 0), 0);
      expect(Math.abs(lineTax - inv.taxTotal!), rel).toBeLessThan(0.005);
      expect(Math.abs(inv.totals.taxInclusive! - (inv.withholdingTotal ?? 0) - inv.totals.payable!), rel).toBeLessThan(0.005);
      expect(inv.operator, rel).not.toBe('DIGER');
    }
  });

  it('look like the samples: Invoice-2 root, TR1.2, a base64 XSLT attachment, cac/cbc content', () => {
    for (const { text } of parsed.slice(0, 50)) {
      expect(text).toContain(UBL_NS.invoice);
      expect(text).toMatch(/<(\w+:)?CustomizationID>TR1\.2</);
      expect(text).toMatch(
        /<(\w+:)?EmbeddedDocumentBinaryObject characterSetCode="UTF-8" encodingCode="Base64" filename="[A-Z]{3}\d{13}\.xslt" mimeCode="application\/xml">[A-Za-z0-9+/=\n]{500,}</,
      );
    }
  });

  it('prefixes and declarations differ by operator; the reader does not care', () => {
    const first = (re: RegExp) => parsed.find((p) => re.test(p.rel))!.text;
    expect(first(/^gelen\/turkcell\//)).toMatch(/^<\?xml[^>]*>\n<ns4:Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"/);
    expect(first(/^gelen\/turkcell\//)).toContain('<UUID>');
    expect(first(/^gelen\/vodafone\//)).toMatch(/^<Invoice xmlns=/); // no XML declaration
    expect(first(/^gelen\/turk-telekom\//)).toMatch(/^<\?xml[^>]*>\n<Invoice [^>]*xmlns:cac=/);
    expect(first(/^earsiv\//)).toContain('<a:AccountingCustomerParty>');
    expect(first(/^giden\//)).toMatch(/<inv:Invoice /);
  });

  it('lines are identified the way each operator does it', () => {
    const sources = (re: RegExp) => new Set(parsed.filter((p) => re.test(p.rel)).flatMap((p) => p.inv.lines.map((l) => l.identity?.source ?? 'none')));
    expect(sources(/^gelen\/turkcell\//)).toEqual(new Set(['line_party']));
    expect(sources(/^gelen\/vodafone\//)).toEqual(new Set(['line_note']));
    const tt = parsed.filter((p) => /^gelen\/turk-telekom\//.test(p.rel));
    expect(new Set(tt.flatMap((p) => p.inv.lines.map((l) => l.identity?.source ?? 'none')))).toEqual(new Set(['line_note', 'customer_party', 'none']));
    // 'none': only the quarterly PBX maintenance invoices (withholding), which are account-level.
    for (const p of tt.filter((x) => x.inv.lines.some((l) => !l.identity))) expect(p.inv.typeCode).toBe('TEVKIFAT');
    // Vodafone writes the billing period only in a note.
    expect(
      parsed
        .filter((p) => /^gelen\/vodafone\//.test(p.rel))
        .every((p) => p.inv.periodStart && p.text.includes('Fatura Dönemi:') && !p.text.includes('InvoicePeriod')),
    ).toBe(true);
  });

  it('returns reference the invoice they reverse; withholding invoices withhold half the KDV (603)', () => {
    const returns = parsed.filter((p) => p.inv.typeCode === 'IADE');
    expect(returns).toHaveLength(a.returns);
    const numbers = new Set(parsed.map((p) => p.inv.invoiceNo));
    for (const r of returns) {
      expect(r.inv.sign).toBe(-1);
      expect(numbers.has(r.inv.billingReferences[0].id)).toBe(true);
      expect(r.inv.supplier.vkn).toBe('7810038929');
    }
    const tev = parsed.filter((p) => p.inv.typeCode === 'TEVKIFAT');
    expect(tev).toHaveLength(a.withholdingInvoices);
    for (const t of tev) {
      const kdv = t.inv.taxes.find((x) => x.code === '0015')!.amount!;
      expect(t.inv.withholdings).toEqual([expect.objectContaining({ code: '603', percent: 50, taxable: kdv, amount: round2(kdv / 2) })]);
    }
  });

  it('the e-Arşiv invoice carries a valid, synthetic TCKN; the reader keeps only its hash', () => {
    const e = parsed.find((p) => p.rel === a.faults.earsivInvoice.file)!;
    expect(e.inv.profileId).toBe('EARSIVFATURA');
    const tckn = /schemeID="TCKN">(\d{11})</.exec(e.text)![1];
    expect(isValidTckn(tckn)).toBe(true);
    expect(e.inv.customer).toMatchObject({ isPerson: true, name: null });
    expect(JSON.stringify(e.inv)).not.toContain(tckn);
  });

  it('KDV is 18 % on invoices issued before 10 July 2023 and 20 % after (a window that spans it)', async () => {
    const dir = path.join(tmp, 'kdv');
    await writeTelecomDemo(pathsIn(dir), { ...OPTS, scale: 0.02, now: new Date('2024-03-15T09:00:00Z') });
    const rates = new Map<string, Set<number>>();
    for (const rel of walk(pathsIn(dir).invoiceDir).filter((f) => f.startsWith('gelen/turk-telekom/') && f.endsWith('.xml'))) {
      const [inv] = readUblDocument(fs.readFileSync(path.join(pathsIn(dir).invoiceDir, rel), 'utf8'), { pseudonymize: guard.pseudonymize }).invoices;
      const side = inv.issueDate! < '2023-07-10' ? 'before' : 'after';
      for (const t of inv.taxes.filter((x) => x.code === '0015')) (rates.get(side) ?? rates.set(side, new Set()).get(side)!).add(t.percent!);
    }
    expect(rates.get('before')).toEqual(new Set([18]));
    expect(rates.get('after')).toEqual(new Set([20]));
  });
});

describe('parsing in worker threads', () => {
  it('gives exactly what in-process parsing gives (rows, spool, order)', async () => {
    const read = async (workers: number) => {
      const spool = new NdjsonSpool('pano-telecom-test-');
      const h = crypto.createHash('sha256');
      let n = 0;
      try {
        for await (const b of readInvoiceFolder({
          dir: pathsIn(dirA).invoiceDir,
          kvkkSecret: 'demo-test-secret-0123456789',
          timezone: 'Europe/Istanbul',
          spool,
          workers,
          batchSize: 500,
        })) {
          n += b.length;
          h.update(JSON.stringify(b));
        }
        spool.close();
        for (const t of ['invoices', 'invoice_taxes', 'invoice_files']) h.update(fs.readFileSync(spool.file(t)));
      } finally {
        spool.remove();
      }
      return { n, hash: h.digest('hex') };
    };
    const [inProcess, threaded] = [await read(0), await read(2)];
    expect(threaded).toEqual(inProcess);
    expect(inProcess.n).toBe(a.invoiceLines + 1); // + the malformed file's quarantine record
  });
});

describe('the demo operator details', () => {
  it('Türk Telekom UTF-8, Turkcell UTF-8 with BOM, Vodafone windows-1254 with Turkish letters', () => {
    const dir = pathsIn(dirA).detailDir;
    const files = walk(dir).filter((f) => f.endsWith('.csv'));
    const byOp = (p: string) => files.filter((f) => f.startsWith(p)).map((f) => fs.readFileSync(path.join(dir, f)));
    for (const b of byOp('turk-telekom/')) expect(decodeText(b).encoding).toBe('utf-8');
    for (const b of byOp('turkcell/')) expect([...b.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const vf = byOp('vodafone/');
    expect(vf.length).toBeGreaterThan(0);
    for (const b of vf) {
      const d = decodeText(b);
      expect(d.encoding).toBe('windows-1254');
      expect(d.text).toMatch(/^Telefon Numarası;Dönem;Tarife;Sabit Ücret;Kullanım Ücreti;İndirim;/);
    }
  });
});

describe('the ETL on the demo sees every seeded fault', () => {
  it('malformed file and cut-off CSV row quarantined, duplicate reported, unregistered lines warned, no TCKN anywhere', async () => {
    const { config, summary: s } = await viaConfig();
    const dir = config.dataDir;
    const appDb = await openAppDb(`sqlite:${path.join(dir, 'app.sqlite')}`);
    const store = new SnapshotStore(config.warehouse.dir);
    try {
      const r = await runEtl({ sources: telecomSources(config), store, appDb, logger: silentLogger, keep: 2, now: () => NOW });
      expect(r.failed).toBe(false);
      const inv = r.sources.find((x) => x.source === 'telecom_invoices')!;
      expect(inv.rowsLoaded).toBe(s.invoiceLines);
      const check = (name: string) => inv.checks.find((c) => c.name === name)!;
      expect(check('malformed_files')).toMatchObject({ passed: false, detail: expect.stringContaining(s.faults.malformedFile) });
      expect(check('duplicate_files')).toMatchObject({
        passed: false,
        detail: expect.stringContaining(`${s.faults.duplicateFile.copy} = ${s.faults.duplicateFile.original}`),
      });
      expect(check('references_resolve').passed).toBe(false);
      for (const hat of s.faults.unregisteredLines) expect(check('references_resolve').detail).toContain(hat);
      expect(check('totals_match').passed).toBe(true);
      expect(check('operator_known').passed).toBe(true);
      expect(check('freshness').passed).toBe(true);
      const q = await appDb('quarantine').select('source', 'locator', 'reason');
      expect(q).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            source: 'telecom_invoices',
            locator: s.faults.malformedFile,
            reason: expect.stringMatching(/^malformed XML: .*cut off\?$/),
          }),
          expect.objectContaining({
            source: 'telecom_operator_details',
            locator: `${s.faults.truncatedDetailFile.file}:line ${s.faults.truncatedDetailFile.line}`,
          }),
        ]),
      );
      expect(q).toHaveLength(2);
      expect(r.sources.find((x) => x.source === 'telecom_lines')!.status).toBe('ok');

      const db = await DuckDBInstance.create(store.pathOf(r.manifest!), { access_mode: 'READ_ONLY' });
      const conn = await db.connect();
      try {
        const cols = (
          await conn.runAndReadAll(
            "SELECT table_schema, table_name, column_name FROM information_schema.columns WHERE data_type = 'VARCHAR' AND table_catalog = current_database()",
          )
        ).getRowObjectsJson();
        for (const c of cols) {
          const vals = (
            await conn.runAndReadAll(
              `SELECT DISTINCT "${c.column_name}" AS v FROM ${c.table_schema}.${c.table_name} WHERE regexp_matches("${c.column_name}", '[1-9][0-9]{10}')`,
            )
          ).getRowObjectsJson();
          for (const { v } of vals) expect(redactTcknInText(String(v)), `${c.table_schema}.${c.table_name}.${c.column_name}`).toBe(String(v));
        }
        const [e] = (
          await conn.runAndReadAll(
            "SELECT customer_id_scheme, customer_id, length(customer_id_hash) AS h FROM raw_telecom.invoices WHERE profile_id = 'EARSIVFATURA'",
          )
        ).getRowObjectsJson();
        expect(e).toEqual({ customer_id_scheme: 'TCKN', customer_id: null, h: '64' });
      } finally {
        conn.closeSync();
        db.closeSync();
      }
      const everything = JSON.stringify(await appDb('quarantine').select('*')) + JSON.stringify(await appDb('etl_runs').select('*'));
      expect(redactTcknInText(everything)).toBe(everything);

      // The marts on this snapshot: returns land in the month they correct, KAYITSIZ lines stay, idle lines show.
      const copy = path.join(dir, 'telecom-marts-test.duckdb');
      fs.copyFileSync(store.pathOf(r.manifest!), copy);
      const mdb = await DuckDBInstance.create(copy);
      const m = await mdb.connect();
      try {
        await m.run("SET TimeZone = 'UTC'");
        await buildTelecomMarts(m);
        const q1 = async (sql: string) => (await m.runAndReadAll(sql)).getRowObjectsJson();
        const returns = await q1(`SELECT r.cost_month = o.cost_month AS same_month, r.reference_found, r.gross_amount < 0 AS negative
          FROM marts.fct_telecom_invoices r JOIN marts.fct_telecom_invoices o ON o.invoice_no = r.billing_reference_id WHERE r.is_return`);
        expect(returns).toHaveLength(s.returns);
        for (const x of returns) expect(x).toEqual({ same_month: true, reference_found: true, negative: true });
        const kayitsiz = await q1(`SELECT line_display FROM marts.dim_telecom_lines WHERE line_status = 'KAYITSIZ' AND unit_code IS NULL ORDER BY 1`);
        expect(kayitsiz.map((k) => k.line_display)).toEqual([...s.faults.unregisteredLines].sort());
        const [idle] = await q1(
          `SELECT count(*) FILTER (WHERE is_idle) AS idle, count(*) FILTER (WHERE is_idle AND months_with_usage > 0) AS idle_but_used FROM marts.dim_telecom_lines`,
        );
        expect(Number(idle.idle)).toBeGreaterThan(0);
        expect(Number(idle.idle_but_used)).toBe(0);
        const [tot] =
          await q1(`SELECT (SELECT sum(gross_amount) FROM marts.fct_telecom_costs) AS costs, (SELECT sum(gross_amount) FROM marts.fct_telecom_invoices) AS invoices,
          (SELECT count(*) FROM marts.fct_telecom_costs WHERE unit_code IS NULL AND line_status = 'KAYITLI') AS registered_without_unit`);
        expect(tot.costs).toBe(tot.invoices); // every kuruş of every invoice is in the line costs
        expect(Number(tot.registered_without_unit)).toBe(0);
      } finally {
        m.closeSync();
        mdb.closeSync();
      }
    } finally {
      await appDb.destroy();
    }
  });
});
