import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../../common/config.js';
import { openAppDb, type AppDb } from '../../../../common/db/app-db.js';
import { silentLogger } from '../../../../common/logger.js';
import { buildTelecomMarts } from '../../../../etl/marts/telecom.js';
import { telecomSources } from '../../../../etl/sources/telecom/pipeline.js';
import { runEtl, type EtlRunResult } from '../../../../etl/runner.js';
import { SnapshotStore } from '../../../../etl/warehouse/snapshots.js';
import { operatorInvoice } from './ubl-fixtures.js';

/**
 * What the directorate pays, through the real runner and the marts: invoices carrying a tax the buyer
 * withholds (GİB 0003 GV stopajı, 0011 KV stopajı) and KDV tevkifatı. The lines' payable must add up to
 * each invoice's LegalMonetaryTotal/PayableAmount, so the cost mart's payable equals the invoices'
 * (`telekom.payable_amount` = `telekom.invoice_payable_amount`); an invoice whose PayableAmount does not
 * add up is named, with its amounts, by the `totals_match` check.
 */
const NOW = new Date('2025-12-10T09:00:00Z');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pano-telecom-payable-'));
const LINES = [
  { id: '1', net: 250, phone: '5321112233' },
  { id: '2', net: 99.9, note: 'MSISDN: 905329998877' },
  { id: '3', net: 12 },
];

/** PayableAmount of each invoice, as written in its LegalMonetaryTotal. */
const PAYABLE: Record<string, number> = {
  TCL2025000000030: 405.33, // 477.71 tax-inclusive − 72.38 GV stopajı (20 % of the net), on the lines
  TCL2025000000031: 423.42, // 477.71 − 54.29 KV stopajı (15 %), in the invoice's TaxTotal only
  TTA2025000000032: 4452, // 5544 − 462 KDV tevkifatı (50 %) − 630 KV stopajı (15 %)
  TCL2025000000033: 477.71, // no withholding
};

function invoiceFolder(dir: string, extra: Record<string, string> = {}): void {
  const put = (rel: string, xml: string) => {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), xml);
  };
  put(
    'stopaj/TCL2025000000030.xml',
    operatorInvoice({ uuid: '0a1b2c3d-0000-4000-8000-000000000030', no: 'TCL2025000000030', stopaj: { code: '0003', percent: 20 }, lines: LINES }),
  );
  put(
    'stopaj/TCL2025000000031.xml',
    operatorInvoice({
      uuid: '0a1b2c3d-0000-4000-8000-000000000031',
      no: 'TCL2025000000031',
      stopaj: { code: '0011', percent: 15, onLines: false },
      lines: LINES,
    }),
  );
  put(
    'tevkifat/TTA2025000000032.xml',
    operatorInvoice({
      uuid: '0a1b2c3d-0000-4000-8000-000000000032',
      no: 'TTA2025000000032',
      type: 'TEVKIFAT',
      withholdingPercent: 50,
      stopaj: { code: '0011', percent: 15 },
      lines: [{ id: '1', net: 4200 }],
    }),
  );
  put('TCL2025000000033.xml', operatorInvoice({ uuid: '0a1b2c3d-0000-4000-8000-000000000033', no: 'TCL2025000000033', lines: LINES }));
  for (const [rel, xml] of Object.entries(extra)) put(rel, xml);
}

let appDb: AppDb;
const store = new SnapshotStore(path.join(tmp, 'warehouse'));

async function runOn(name: string, extra: Record<string, string> = {}): Promise<EtlRunResult> {
  const base = path.join(tmp, name);
  invoiceFolder(path.join(base, 'fatura'), extra);
  fs.writeFileSync(path.join(base, 'hat-listesi.csv'), 'Hat No;Birim Kodu;Hat Tipi;Operatör\r\n0532 111 22 33;ZABITA;GSM;Turkcell\r\n');
  const config = loadConfig({
    PANO_MODE: 'demo',
    PANO_DATA_DIR: tmp,
    PANO_LOG_LEVEL: 'silent',
    PANO_KVKK_SECRET: 'payable-secret-0123456789',
    PANO_TELECOM_INVOICE_DIR: path.join(base, 'fatura'),
    PANO_TELECOM_LINES_FILE: path.join(base, 'hat-listesi.csv'),
    PANO_TELECOM_DETAIL_DIR: path.join(base, 'detay'),
  });
  return runEtl({ sources: telecomSources(config), store, appDb, logger: silentLogger, keep: 5, now: () => NOW });
}

/** The run's snapshot, copied, with the telecom marts built on it. */
async function withMarts<T>(r: EtlRunResult, name: string, fn: (conn: DuckDBConnection) => Promise<T>): Promise<T> {
  const copy = path.join(tmp, `${name}-marts-test.duckdb`);
  fs.copyFileSync(store.pathOf(r.manifest!), copy);
  const db = await DuckDBInstance.create(copy);
  const conn = await db.connect();
  try {
    await buildTelecomMarts(conn);
    return await fn(conn);
  } finally {
    conn.closeSync();
    db.closeSync();
  }
}
const rowsOf = async (conn: DuckDBConnection, sql: string) => (await conn.runAndReadAll(sql)).getRowObjectsJson() as Array<Record<string, any>>;
const invoiceChecks = (r: EtlRunResult) => r.sources.find((s) => s.source === 'telecom_invoices')!.checks;

let good: EtlRunResult;
let off: EtlRunResult;
beforeAll(async () => {
  appDb = await openAppDb(`sqlite:${path.join(tmp, 'app.sqlite')}`);
  good = await runOn('good');
  // The same invoices, and one more whose PayableAmount is 10 TL more than its lines and taxes give.
  off = await runOn('off', {
    'hatali/TCL2025000000034.xml': operatorInvoice({
      uuid: '0a1b2c3d-0000-4000-8000-000000000034',
      no: 'TCL2025000000034',
      stopaj: { code: '0003', percent: 20 },
      payableError: 10,
      lines: LINES,
    }),
  });
}, 120_000);
afterAll(async () => {
  await appDb?.destroy();
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe('payable with withheld taxes (stopaj, tevkifat), through the runner and the marts', () => {
  it('every invoice loads; totals_match passes: lines, taxes and payable all add up', () => {
    expect(good.failed).toBe(false);
    const by = Object.fromEntries(good.sources.map((s) => [s.source, s]));
    expect(by.telecom_invoices).toMatchObject({ rowsLoaded: 10, rowsRejected: 0 });
    expect(invoiceChecks(good).find((c) => c.name === 'totals_match')).toMatchObject({ passed: true });
  });

  it('the lines of each invoice add up to its PayableAmount', async () => {
    await withMarts(good, 'good', async (conn) => {
      const inv = await rowsOf(
        conn,
        `
        SELECT i.invoice_no, i.payable_amount, round(sum(l.payable_amount), 2) AS lines_payable
        FROM raw_telecom.invoices i JOIN raw_telecom.invoice_lines l USING (invoice_uuid) GROUP BY ALL ORDER BY 1`,
      );
      expect(inv).toEqual(
        Object.entries(PAYABLE)
          .sort()
          .map(([invoice_no, p]) => ({ invoice_no, payable_amount: p, lines_payable: p })),
      );
    });
  });

  it('marts: the cost mart’s payable equals the invoices’ PayableAmount, and every invoice’s totals match', async () => {
    await withMarts(good, 'good', async (conn) => {
      const [costs] = await rowsOf(
        conn,
        'SELECT sum(payable_amount) AS payable, sum(withholding_amount) AS withholding, sum(gross_amount) AS gross, sum(other_tax_amount) AS other, sum(tax_amount) AS taxes FROM marts.fct_telecom_costs',
      );
      const [invoices] = await rowsOf(
        conn,
        'SELECT sum(payable_amount) AS payable, sum(withholding_amount) AS withholding, count(*) FILTER (WHERE NOT totals_match) AS mismatched FROM marts.fct_telecom_invoices',
      );
      const total = Object.values(PAYABLE)
        .reduce((a, b) => a + b, 0)
        .toFixed(2); // 5758.46
      // telekom.payable_amount (the cost mart) = telekom.invoice_payable_amount (the invoices).
      expect({ costs: costs.payable, invoices: invoices.payable }).toEqual({ costs: total, invoices: total });
      expect(invoices).toEqual({ payable: total, withholding: '1218.67', mismatched: '0' });
      // 72.38 + 54.29 + 462 + 630 withheld; the stopaj is neither an "other tax" nor in the gross.
      expect(costs).toEqual({ payable: total, withholding: '1218.67', gross: '6977.13', other: '0.00', taxes: '1691.43' });
      // The taxes mart splits the same way: added (VERGI) = the costs' taxes, withheld (TEVKIFAT) = their withholding.
      const taxes = await rowsOf(conn, 'SELECT kind, tax_group, sum(tax_amount) AS amount FROM marts.fct_telecom_taxes GROUP BY ALL ORDER BY 1, 2');
      expect(taxes).toEqual([
        { kind: 'TEVKIFAT', tax_group: 'STOPAJ', amount: '756.67' },
        { kind: 'TEVKIFAT', tax_group: 'TEVKIFAT', amount: '462.00' },
        { kind: 'VERGI', tax_group: 'KDV', amount: '1162.86' },
        { kind: 'VERGI', tax_group: 'OIV', amount: '528.57' },
      ]);
    });
  });

  it('an invoice whose PayableAmount does not add up is named, with the amounts, by totals_match', async () => {
    const check = invoiceChecks(off).find((c) => c.name === 'totals_match')!;
    expect(check.passed).toBe(false);
    // Only that invoice, and only what differs: the lines' payable against its PayableAmount.
    expect(check.detail).toContain('TCL2025000000034 (payable: lines 405.33 vs PayableAmount 415.33, difference 10.00');
    for (const no of Object.keys(PAYABLE)) expect(check.detail).not.toContain(no);
    await withMarts(off, 'off', async (conn) => {
      const rows = await rowsOf(conn, 'SELECT invoice_no, totals_match FROM marts.fct_telecom_invoices WHERE NOT totals_match');
      expect(rows).toEqual([{ invoice_no: 'TCL2025000000034', totals_match: false }]);
    });
  });
});
