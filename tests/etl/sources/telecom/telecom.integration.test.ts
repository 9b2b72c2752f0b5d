import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import iconv from 'iconv-lite';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, type PanoConfig } from '../../../../common/config.js';
import { openAppDb, type AppDb } from '../../../../common/db/app-db.js';
import { hashTckn, redactTcknInText } from '../../../../common/kvkk.js';
import { silentLogger } from '../../../../common/logger.js';
import { buildTelecomMarts } from '../../../../etl/marts/telecom.js';
import { telecomSources } from '../../../../etl/sources/telecom/pipeline.js';
import { runEtl, type EtlRunResult } from '../../../../etl/runner.js';
import { SnapshotStore } from '../../../../etl/warehouse/snapshots.js';
import { FATURA_2, FATURA_4, operatorInvoice, readSample, renamePrefixes, TEST_TCKN, toEarsivPerson, withDeclaration, withIdentity } from './ubl-fixtures.js';

/**
 * The telecom sources through the real runner: a folder of real and rewritten UBL-TR invoices with every
 * fault the issue names (malformed XML, a duplicate file, a duplicate invoice, an invoice without UUID, a
 * file that is no invoice, an e-Arşiv invoice to a person), a line registry with an unknown unit, and
 * operator detail CSVs (UTF-8 and windows-1254, one cut off). Read back from the published snapshot.
 */
const NOW = new Date('2025-12-10T09:00:00Z');
const SECRET = 'integration-secret-0123456789';
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pano-telecom-int-'));
const dirs = { invoices: path.join(tmp, 'fatura'), lines: path.join(tmp, 'hat-listesi.csv'), details: path.join(tmp, 'detay') };

const REGISTRY = [
  'Hat No;Hizmet No;Birim Kodu;Birim;Hat Tipi;Operatör;Tarife;Aylık Bütçe (TL);Başlangıç;Bitiş;Açıklama',
  '0532 111 22 33;;ZABITA;Zabıta Müdürlüğü;GSM;Turkcell;Kurumsal 10 GB;300,00;01.01.2024;;Ekip aracı',
  '0532 111 22 34;;;Fen İşleri Müdürlüğü;GSM;Turkcell;Kurumsal 10 GB;;01.01.2024;;',
  '0532 111 22 35;;MUHASEBE;;GSM;Turkcell;;;;;',
].join('\r\n');

function put(rel: string, content: string | Buffer): void {
  const file = path.join(dirs.invoices, rel);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, content);
}

function buildFixture(): void {
  put('2018/FATURA_2.xml', readSample(FATURA_2));
  put('2018/FATURA_4.xml', readSample(FATURA_4));
  put('2018/kopya/FATURA_4 - Kopya.xml', readSample(FATURA_4)); // the same file again
  put('yeniden-indirilen/FATURA_2.xml', withDeclaration(renamePrefixes(readSample(FATURA_2)))); // same invoice, other bytes
  const f2 = readSample(FATURA_2);
  put('bozuk/FATURA_9.xml', f2.slice(0, f2.indexOf('<cac:InvoiceLine>') + 40));
  put('earsiv/EA2025000000001.xml', toEarsivPerson(withIdentity(f2, '0a1b2c3d-0000-4000-8000-000000000001', 'EA2025000000001')));
  put(
    'yanit/ApplicationResponse.xml',
    '<?xml version="1.0"?><ApplicationResponse xmlns="urn:oasis:names:specification:ubl:schema:xsd:ApplicationResponse-2"><ResponseCode>KABUL</ResponseCode></ApplicationResponse>',
  );
  put('eksik/no-uuid.xml', withIdentity(f2, 'x', 'DMY0').replace(/<cbc:UUID>x<\/cbc:UUID>/, ''));
  put(
    'turkcell/TCL2025000000001.xml',
    operatorInvoice({
      uuid: '0a1b2c3d-0000-4000-8000-000000000002',
      no: 'TCL2025000000001',
      lines: [
        { id: '1', net: 250, phone: '5321112233' },
        { id: '2', net: 99.9, note: 'MSISDN: 905329998877' },
        { id: '3', net: 12 },
      ],
    }),
  );
  put('notes.txt', 'not an xml file, not read');
  fs.writeFileSync(dirs.lines, '\ufeff' + REGISTRY);
  fs.mkdirSync(path.join(dirs.details, 'turkcell'), { recursive: true });
  fs.mkdirSync(path.join(dirs.details, 'vodafone'), { recursive: true });
  fs.writeFileSync(
    path.join(dirs.details, 'turkcell', 'turkcell_fatura_detay_202511.csv'),
    '\ufeffMSISDN;Dönem Başlangıç;Dönem Bitiş;Tarife;Sabit Ücret;Kullanım Ücreti;İndirim;Konuşma (dk);Data (MB);SMS;Toplam\r\n' +
      '905321112233;01.11.2025;30.11.2025;Kurumsal 10 GB;250,00;0;;0;0;0;250,00\r\n' +
      '905329998877;01.11.2025;30.11.2025;Kurumsal 10 GB;99,90;0;;120;2.048;4;99,90\r\n',
  );
  fs.writeFileSync(
    path.join(dirs.details, 'vodafone', 'VF_Detay_2025_11.csv'),
    iconv.encode(
      'Telefon Numarası;Dönem;Tarife;Sabit Ücret;Kullanım Ücreti;İndirim;Konuşma (dk);İnternet (MB);SMS;Toplam\r\n' +
        '0542 123 45 67;11.2025;Kurumsal Şirket Hattı 8 GB;198,00;12,50;;350;4.096;12;210,50\r\n' +
        '0542 123 45 68;11.2025;Kurumsal Şi',
      'win1254',
    ),
  );
}

function configFor(env: Record<string, string> = {}): PanoConfig {
  return loadConfig({
    PANO_MODE: 'demo',
    PANO_DATA_DIR: tmp,
    PANO_LOG_LEVEL: 'silent',
    PANO_KVKK_SECRET: SECRET,
    PANO_TELECOM_INVOICE_DIR: dirs.invoices,
    PANO_TELECOM_LINES_FILE: dirs.lines,
    PANO_TELECOM_DETAIL_DIR: dirs.details,
    ...env,
  });
}

let appDb: AppDb;
const store = new SnapshotStore(path.join(tmp, 'warehouse'));
const run = (config = configFor()) => runEtl({ sources: telecomSources(config), store, appDb, logger: silentLogger, keep: 5, now: () => NOW });

async function openSnapshot(r: EtlRunResult): Promise<{ conn: DuckDBConnection; close(): void }> {
  const db = await DuckDBInstance.create(store.pathOf(r.manifest!), { access_mode: 'READ_ONLY' });
  const conn = await db.connect();
  await conn.run("SET TimeZone = 'UTC'");
  return { conn, close: () => (conn.closeSync(), db.closeSync()) };
}
const rowsOf = async (conn: DuckDBConnection, sql: string) => (await conn.runAndReadAll(sql)).getRowObjectsJson() as Array<Record<string, any>>;

let first: EtlRunResult;
beforeAll(async () => {
  buildFixture();
  appDb = await openAppDb(`sqlite:${path.join(tmp, 'app.sqlite')}`);
  first = await run();
}, 120_000);
afterAll(async () => {
  await appDb?.destroy();
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe('telecom sources through the runner', () => {
  it('every source loads; each fault is a warning with its reason, none stops the run', () => {
    expect(first.failed).toBe(false);
    const by = Object.fromEntries(first.sources.map((s) => [s.source, s]));
    expect(by.telecom_lines).toMatchObject({ status: 'warn', rowsRead: 3, rowsLoaded: 2, rowsRejected: 1 });
    expect(by.telecom_operator_details).toMatchObject({ status: 'warn', rowsRead: 4, rowsLoaded: 3, rowsRejected: 1 });
    // 1 + 1 + 1 + 3 invoice lines loaded; refused: the malformed file and the invoice without a UUID.
    expect(by.telecom_invoices).toMatchObject({ status: 'warn', rowsLoaded: 6, rowsRejected: 2, rowsRead: 8 });
    const failed = by.telecom_invoices.checks
      .filter((c) => !c.passed)
      .map((c) => c.name)
      .sort();
    expect(failed).toEqual(['duplicate_files', 'files_not_invoices', 'malformed_files', 'operator_known', 'references_resolve', 'rows_refused']);
    const detail = (name: string) => by.telecom_invoices.checks.find((c) => c.name === name)!.detail;
    expect(detail('malformed_files')).toBe('1 file(s) could not be read, see the quarantine: bozuk/FATURA_9.xml');
    expect(detail('duplicate_files')).toBe(
      '2 file(s) repeat an invoice already loaded and were loaded once: 2018/kopya/FATURA_4 - Kopya.xml = 2018/FATURA_4.xml, yeniden-indirilen/FATURA_2.xml = 2018/FATURA_2.xml',
    );
    expect(detail('references_resolve')).toBe(
      '1 invoice lines for lines not in the line registry (shown as KAYITSIZ): 0532 999 88 77; 3 lines name no line at all (account-level charges)',
    );
    expect(detail('totals_match' as string)).toMatch(/^every invoice/);
  });

  it('the quarantine says what was refused, where, and why', async () => {
    const q = await appDb('quarantine').where({ run_id: first.runId }).orderBy(['source', 'locator']).select('source', 'locator', 'reason', 'record_json');
    expect(q.map((r) => [r.source, r.locator])).toEqual([
      ['telecom_invoices', 'bozuk/FATURA_9.xml'],
      ['telecom_invoices', 'eksik/no-uuid.xml#DMY0'],
      ['telecom_lines', 'hat-listesi.csv:line 4'],
      ['telecom_operator_details', 'vodafone/VF_Detay_2025_11.csv:line 3'],
    ]);
    expect(q[0].reason).toBe('malformed XML: the file ends before 2 element(s) are closed (<Invoice> > <cac:InvoiceLine>), in the middle of a tag: cut off?');
    expect(q[1].reason).toBe('invoice refused: UUID (ETTN) is missing');
    expect(q[2].reason).toMatch(/^unit code "MUHASEBE" is not a known unit/);
    expect(q[3].reason).toBe('row has 3 fields, the header has 10 (cut-off row?)');
    expect(JSON.parse(q[3].record_json)).toMatchObject({ file: 'vodafone/VF_Detay_2025_11.csv', line: 3, raw: '0542 123 45 68;11.2025;Kurumsal Şi' });
  });

  it('the file manifest accounts for every *.xml file', async () => {
    const s = await openSnapshot(first);
    try {
      const files = await rowsOf(s.conn, 'SELECT file, status, duplicate_of FROM raw_telecom.invoice_files ORDER BY file');
      expect(files.map((f) => [f.file, f.status, f.duplicate_of])).toEqual([
        ['2018/FATURA_2.xml', 'loaded', null],
        ['2018/FATURA_4.xml', 'loaded', null],
        ['2018/kopya/FATURA_4 - Kopya.xml', 'duplicate_file', '2018/FATURA_4.xml'],
        ['bozuk/FATURA_9.xml', 'malformed', null],
        ['earsiv/EA2025000000001.xml', 'loaded', null],
        ['eksik/no-uuid.xml', 'refused', null],
        ['turkcell/TCL2025000000001.xml', 'loaded', null],
        ['yanit/ApplicationResponse.xml', 'not_invoice', null],
        ['yeniden-indirilen/FATURA_2.xml', 'duplicate_invoice', '2018/FATURA_2.xml'],
      ]);
    } finally {
      s.close();
    }
  });

  it('invoices, taxes and lines land with their totals; the return is negative', async () => {
    const s = await openSnapshot(first);
    try {
      const inv = await rowsOf(
        s.conn,
        'SELECT invoice_no, invoice_type, sign, operator, payable_amount, kdv_amount, oiv_amount, customer_id_scheme, customer_id, customer_id_hash FROM raw_telecom.invoices ORDER BY invoice_no',
      );
      expect(inv).toEqual([
        {
          invoice_no: 'DMY2018625142607',
          invoice_type: 'SATIS',
          sign: 1,
          operator: 'DIGER',
          payable_amount: 118,
          kdv_amount: 18,
          oiv_amount: 0,
          customer_id_scheme: 'VKN',
          customer_id: '4840847211',
          customer_id_hash: null,
        },
        {
          invoice_no: 'DMY2018625144001',
          invoice_type: 'IADE',
          sign: -1,
          operator: 'DIGER',
          payable_amount: -118,
          kdv_amount: -18,
          oiv_amount: 0,
          customer_id_scheme: 'VKN',
          customer_id: '4840847211',
          customer_id_hash: null,
        },
        {
          invoice_no: 'EA2025000000001',
          invoice_type: 'SATIS',
          sign: 1,
          operator: 'DIGER',
          payable_amount: 118,
          kdv_amount: 18,
          oiv_amount: 0,
          customer_id_scheme: 'TCKN',
          customer_id: null,
          customer_id_hash: hashTckn(TEST_TCKN, SECRET),
        },
        {
          invoice_no: 'TCL2025000000001',
          invoice_type: 'SATIS',
          sign: 1,
          operator: 'TURKCELL',
          payable_amount: 477.71,
          kdv_amount: 79.62,
          oiv_amount: 36.19,
          customer_id_scheme: 'VKN',
          customer_id: '7810038929',
          customer_id_hash: null,
        },
      ]);
      const taxes = await rowsOf(s.conn, 'SELECT tax_type_code, percent, sum(tax_amount) AS t FROM raw_telecom.invoice_taxes GROUP BY ALL ORDER BY 1, 2');
      expect(taxes).toEqual([
        { tax_type_code: '0015', percent: 18, t: 18 },
        { tax_type_code: '0015', percent: 20, t: 79.62 },
        { tax_type_code: '4080', percent: 10, t: 36.19 },
      ]);
      const lines = await rowsOf(
        s.conn,
        "SELECT line_key, identity_source, net_amount FROM raw_telecom.invoice_lines WHERE invoice_no = 'TCL2025000000001' ORDER BY line_seq",
      );
      expect(lines).toEqual([
        { line_key: '5321112233', identity_source: 'line_party', net_amount: 250 },
        { line_key: '5329998877', identity_source: 'line_note', net_amount: 99.9 },
        { line_key: null, identity_source: null, net_amount: 12 },
      ]);
    } finally {
      s.close();
    }
  });

  it('KVKK: no valid TC Kimlik No in any text column of the snapshot, in the quarantine or in the run log', async () => {
    const s = await openSnapshot(first);
    try {
      const cols = await rowsOf(
        s.conn,
        "SELECT table_schema, table_name, column_name FROM information_schema.columns WHERE data_type = 'VARCHAR' AND table_catalog = current_database()",
      );
      expect(cols.length).toBeGreaterThan(40);
      let values = 0;
      for (const c of cols) {
        const vals = await rowsOf(
          s.conn,
          `SELECT DISTINCT "${c.column_name}" AS v FROM ${c.table_schema}.${c.table_name} WHERE "${c.column_name}" IS NOT NULL`,
        );
        for (const { v } of vals) {
          values++;
          expect(String(v)).not.toContain(TEST_TCKN);
          expect(redactTcknInText(String(v)), `${c.table_schema}.${c.table_name}.${c.column_name}`).toBe(String(v));
        }
      }
      expect(values).toBeGreaterThan(100);
    } finally {
      s.close();
    }
    const q = await appDb('quarantine').select('*');
    const runs = await appDb('etl_runs').select('*');
    for (const text of [JSON.stringify(q), JSON.stringify(runs)]) {
      expect(text).not.toContain(TEST_TCKN);
      expect(redactTcknInText(text)).toBe(text);
    }
    // ... while the fixture really carries it, in the customer party and in a note.
    expect(fs.readFileSync(path.join(dirs.invoices, 'earsiv/EA2025000000001.xml'), 'utf8').split(TEST_TCKN).length - 1).toBe(2);
  });

  it('marts: costs per line and month, unregistered lines kept as KAYITSIZ, the idle line seen, the return applied', async () => {
    const copy = path.join(tmp, 'telecom-marts-test.duckdb'); // not "marts.duckdb": the catalog would shadow the schema
    fs.copyFileSync(store.pathOf(first.manifest!), copy);
    const db = await DuckDBInstance.create(copy);
    const conn = await db.connect();
    try {
      await conn.run("SET TimeZone = 'UTC'");
      await buildTelecomMarts(conn);
      const costs = await rowsOf(
        conn,
        'SELECT cost_month, line_key, line_status, line_type, unit_code, operator, net_amount, kdv_amount, oiv_amount, gross_amount, return_gross_amount, monthly_budget, over_budget, billed_outside_active, has_usage, idle_month FROM marts.fct_telecom_costs ORDER BY cost_month, line_key NULLS LAST, operator',
      );
      expect(costs).toEqual([
        // The e-Arşiv invoice (issued 2018, to the person using 0532 111 22 33) predates the line's registry row.
        expect.objectContaining({
          cost_month: '2018-06-01',
          line_key: '5321112233',
          line_status: 'KAYITLI',
          unit_code: 'ZABITA',
          operator: 'DIGER',
          net_amount: '100.00',
          gross_amount: '118.00',
          billed_outside_active: true,
        }),
        // FATURA_2 and its return FATURA_4 name no line: they cancel out, the return is visible.
        expect.objectContaining({
          cost_month: '2018-06-01',
          line_key: null,
          line_status: 'HAT_BELIRSIZ',
          line_type: 'HESAP',
          unit_code: null,
          operator: 'DIGER',
          net_amount: '0.00',
          gross_amount: '0.00',
          return_gross_amount: '-118.00',
        }),
        expect.objectContaining({
          cost_month: '2025-11-01',
          line_key: '5321112233',
          line_status: 'KAYITLI',
          line_type: 'GSM',
          unit_code: 'ZABITA',
          operator: 'TURKCELL',
          net_amount: '250.00',
          oiv_amount: '25.00',
          kdv_amount: '55.00',
          gross_amount: '330.00',
          monthly_budget: '300.00',
          over_budget: true,
          billed_outside_active: false,
          has_usage: false,
          idle_month: true,
        }),
        expect.objectContaining({
          cost_month: '2025-11-01',
          line_key: '5329998877',
          line_status: 'KAYITSIZ',
          line_type: 'KAYITSIZ',
          unit_code: null,
          operator: 'TURKCELL',
          net_amount: '99.90',
          has_usage: true,
          idle_month: false,
        }),
        expect.objectContaining({
          cost_month: '2025-11-01',
          line_key: null,
          line_status: 'HAT_BELIRSIZ',
          line_type: 'HESAP',
          operator: 'TURKCELL',
          net_amount: '12.00',
        }),
      ]);
      const dim = await rowsOf(conn, 'SELECT line_key, line_status, unit_code, is_idle, months_charged FROM marts.dim_telecom_lines ORDER BY line_key');
      expect(dim).toEqual([
        // Charged in the last month, and the operator detail shows no usage at all: idle.
        { line_key: '5321112233', line_status: 'KAYITLI', unit_code: 'ZABITA', is_idle: true, months_charged: '2' },
        { line_key: '5321112234', line_status: 'KAYITLI', unit_code: 'FEN_ISLERI', is_idle: false, months_charged: '0' },
        { line_key: '5329998877', line_status: 'KAYITSIZ', unit_code: null, is_idle: false, months_charged: '1' },
        { line_key: '5421234567', line_status: 'KAYITSIZ', unit_code: null, is_idle: false, months_charged: '0' },
      ]);
      const budget = await rowsOf(
        conn,
        "SELECT cost_month, unit_code, active_lines, budget_amount, actual_gross_amount FROM marts.fct_telecom_budget WHERE cost_month = '2025-11-01' ORDER BY unit_code",
      );
      expect(budget).toEqual([
        { cost_month: '2025-11-01', unit_code: 'FEN_ISLERI', active_lines: '1', budget_amount: null, actual_gross_amount: '0.00' },
        { cost_month: '2025-11-01', unit_code: 'ZABITA', active_lines: '1', budget_amount: '300.00', actual_gross_amount: '330.00' },
      ]);
      const [inv] = await rowsOf(
        conn,
        "SELECT is_return, cost_month, gross_amount, totals_match FROM marts.fct_telecom_invoices WHERE invoice_no = 'DMY2018625144001'",
      );
      expect(inv).toEqual({ is_return: true, cost_month: '2018-06-01', gross_amount: '-118.00', totals_match: true });
      const [vodafone] = await rowsOf(conn, "SELECT line_status, invoiced, has_usage FROM marts.fct_telecom_usage WHERE line_key = '5421234567'");
      expect(vodafone).toEqual({ line_status: 'KAYITSIZ', invoiced: false, has_usage: true });
    } finally {
      conn.closeSync();
      db.closeSync();
    }
  });

  it('a rerun is idempotent: the same rows, nothing doubled', async () => {
    const again = await run();
    const content = async (r: EtlRunResult) => {
      const s = await openSnapshot(r);
      try {
        const out: Record<string, unknown> = {};
        for (const t of ['invoice_lines', 'invoices', 'invoice_taxes', 'invoice_files', 'lines', 'operator_charges']) {
          out[t] = await rowsOf(s.conn, `SELECT * EXCLUDE (_run_id, _extracted_at) FROM raw_telecom.${t} ORDER BY ALL`);
        }
        return out;
      } finally {
        s.close();
      }
    };
    expect(again.sources.map((s) => [s.source, s.rowsLoaded, s.rowsRejected])).toEqual(first.sources.map((s) => [s.source, s.rowsLoaded, s.rowsRejected]));
    expect(await content(again)).toEqual(await content(first));
  });

  it('a registry without a required column: that source fails naming file and column, keeps its last good data', async () => {
    const good = fs.readFileSync(dirs.lines);
    fs.writeFileSync(dirs.lines, REGISTRY.replace('Hat Tipi;', 'Tip Kodu;'));
    try {
      const r = await run();
      const lines = r.sources.find((s) => s.source === 'telecom_lines')!;
      expect(lines.status).toBe('failed');
      expect(lines.message).toMatch(
        /^hat-listesi\.csv: required column "Hat Tipi" is missing \(also accepted: "Hat Türü", "Tip", "Tür"\)\. Columns found: "Hat No", "Hizmet No", "Birim Kodu", "Birim", "Tip Kodu", .* — son başarılı veriler korunuyor$/,
      );
      expect(r.sources.find((s) => s.source === 'telecom_invoices')!.status).toBe('warn');
      const s = await openSnapshot(r);
      try {
        expect(await rowsOf(s.conn, 'SELECT count(*)::INT AS n FROM raw_telecom.lines')).toEqual([{ n: 2 }]);
      } finally {
        s.close();
      }
    } finally {
      fs.writeFileSync(dirs.lines, good);
    }
  });

  it('no operator detail folder: a warning saying so, not a failure (the details are optional)', async () => {
    const r = await run(configFor({ PANO_TELECOM_DETAIL_DIR: path.join(tmp, 'detay-yok') }));
    const d = r.sources.find((s) => s.source === 'telecom_operator_details')!;
    expect(d).toMatchObject({ status: 'warn', rowsLoaded: 0 });
    expect(d.checks.find((c) => c.name === 'not_empty')).toMatchObject({
      passed: false,
      detail: `the operator detail folder ${path.join(tmp, 'detay-yok')} does not exist (PANO_TELECOM_DETAIL_DIR)`,
    });
  });

  it('an invoice folder that cannot be read: the source fails naming it, the others load', async () => {
    const r = await run(configFor({ PANO_TELECOM_INVOICE_DIR: path.join(tmp, 'yok') }));
    const inv = r.sources.find((s) => s.source === 'telecom_invoices')!;
    expect(inv.status).toBe('failed');
    expect(inv.message).toMatch(
      new RegExp(`^Telecom invoice folder ${path.join(tmp, 'yok').replace(/[/\\]/g, '.')} cannot be read: ENOENT.* — son başarılı veriler korunuyor$`),
    );
    expect(r.sources.find((s) => s.source === 'telecom_lines')!.status).toBe('warn');
  });
});
