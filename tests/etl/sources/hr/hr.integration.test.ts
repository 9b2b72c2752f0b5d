import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UNITS } from '../../../../common/units.js';
import { generateHrDemo, type HrDemoSummary } from '../../../../etl/demo/hr-demo.js';
import {
  allTextValues,
  elevenDigitRuns,
  HR_NOW,
  hrConfig,
  personnelRows,
  querySnapshot,
  runHr,
  snapshotWithMarts,
  tcknsInDemoFolder,
  tmpDir,
  withoutHashes,
  writeCsv,
  writeSmallExport,
  type HrRun,
} from './helpers.js';

/**
 * The HR source end to end through the REAL runner: the demo export files (Windows-1254 CSV, XLSX,
 * UTF-8 CSV) → raw_hr.* in a published DuckDB snapshot → HR marts; the quarantine; the checks;
 * a rerun; and a scan of the whole snapshot, the quarantine and the logs for clear TC Kimlik Nos.
 */

const SCALE = 0.12;

describe('HR demo export through the runner', () => {
  const dir = tmpDir('pano-hr-int-');
  const config = hrConfig(dir);
  let demo: HrDemoSummary;
  let first: HrRun;
  let second: HrRun;
  let known: Set<string>;

  beforeAll(async () => {
    demo = await generateHrDemo(config, { seed: 11, now: HR_NOW, scale: SCALE });
    known = await tcknsInDemoFolder(config.sources.hr.exportDir);
    first = await runHr(config, { dir });
    second = await runHr(config, { dir, appDb: first.appDb, store: first.store, logLines: first.logLines });
  }, 120_000);
  afterAll(async () => {
    await first?.appDb.destroy();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('loads every good row, refuses exactly the seeded faults, and says why in its checks', () => {
    const byId = Object.fromEntries(first.result.sources.map((s) => [s.source, s]));
    expect(first.result.failed).toBe(false);
    expect(byId.hr_personnel).toMatchObject({ status: 'warn', rowsLoaded: demo.expected.personnelLoaded, rowsRejected: 2, rowsRead: demo.personnel });
    expect(byId.hr_trainings).toMatchObject({ status: 'warn', rowsLoaded: demo.expected.trainingsLoaded, rowsRejected: 1, rowsRead: demo.trainings });
    expect(byId.hr_leaves).toMatchObject({ status: 'ok', rowsLoaded: demo.expected.leavesLoaded, rowsRejected: 0, rowsRead: demo.leaves });
    expect(byId.hr_personnel.checksFailed.sort()).toEqual(['tckn_valid', 'units_resolve']);
    expect(byId.hr_trainings.checksFailed).toEqual(['persons_resolve']);
    const units = byId.hr_personnel.checks.find((c) => c.name === 'units_resolve')!;
    expect(units.detail).toBe('1 row refused, Birim not a known müdürlük: "TARIMSAL HİZMETLER MÜDÜRLÜĞÜ" ×1');
    expect(byId.hr_trainings.checks.find((c) => c.name === 'persons_resolve')!.detail).toBe('1 training refused: person not in the personnel export');
    expect(byId.hr_personnel.checks.map((c) => c.name)).toEqual(
      expect.arrayContaining(['not_empty', 'person_keys_unique', 'employment_periods_overlap', 'dates_sane', 'files_complete', 'duplicate_files', 'freshness']),
    );
    for (const s of first.result.sources) expect(s.rowsRead).toBe(s.rowsLoaded + s.rowsRejected);
  });

  it('quarantines each fault with its reason and locator, masked', async () => {
    const q = await first.appDb('quarantine').where({ run_id: first.result.runId }).orderBy('id');
    expect(q.map((r: any) => [r.source, r.locator, r.reason])).toEqual([
      ['hr_personnel', demo.faults.invalidTckn.ref, 'TC Kimlik No fails its check digits'],
      ['hr_personnel', demo.faults.unknownUnit.ref, expect.stringMatching(/^Birim "TARIMSAL HİZMETLER MÜDÜRLÜĞÜ" is not a known müdürlük/)],
      ['hr_trainings', demo.faults.orphanTraining.ref, 'the person is not in the personnel export (no personnel row with this TC Kimlik No)'],
    ]);
    expect(q[0].location).toBe(`HR export folder ${config.sources.hr.exportDir} (personel*.csv / personel*.xlsx)`);
    const rec = JSON.parse(q[0].record_json);
    expect(rec).toMatchObject({ ref: demo.faults.invalidTckn.ref, person_key: null, tc_kimlik_no: '[gizli] (TC Kimlik No fails its check digits)' });
    expect(rec.unit).toMatch(/MÜDÜRLÜĞÜ$/);
    expect(Object.keys(rec)).not.toEqual(expect.arrayContaining(['ad', 'soyad', 'first_name']));
  });

  it('raw tables hold pseudonymised persons and valid units only', async () => {
    const [p] = await querySnapshot(
      second.store,
      `SELECT count(*) AS n, count(DISTINCT person_key) AS persons, count(*) FILTER (WHERE length(person_key) <> 64) AS bad_keys FROM raw_hr.personnel`,
    );
    expect(Number(p.bad_keys)).toBe(0);
    const units = await querySnapshot<{ unit_code: string }>(second.store, 'SELECT DISTINCT unit_code FROM raw_hr.personnel');
    expect(units.map((u) => u.unit_code).every((c) => UNITS.some((u) => u.code === c))).toBe(true);
    const cols = await querySnapshot<{ column_name: string }>(
      second.store,
      `SELECT column_name FROM duckdb_columns() WHERE schema_name = 'raw_hr' AND table_name = 'personnel'`,
    );
    expect(cols.map((c) => c.column_name)).not.toEqual(expect.arrayContaining(['ad', 'soyad', 'name', 'tckn', 'tc_kimlik_no']));
  });

  it('marts answer the HR KPIs and agree with the demo', async () => {
    const m = await snapshotWithMarts(second.store, dir);
    try {
      const [active] = await m.query(`SELECT count(*) AS n FROM marts.dim_employees WHERE is_active`);
      expect(Number(active.n)).toBe(demo.activeAtNow);
      const lastMonth = await m.query<{ employment_type: string; hc: number }>(
        `SELECT employment_type, CAST(sum(headcount) AS INTEGER) AS hc FROM marts.fct_headcount_monthly WHERE month = DATE '2026-11-01' GROUP BY 1`,
      );
      expect(Object.fromEntries(lastMonth.filter((r) => Number(r.hc) > 0).map((r) => [r.employment_type, Number(r.hc)]))).toEqual(
        Object.fromEntries(Object.entries(demo.activeByType).filter(([, v]) => v > 0)),
      );
      const [flows] = await m.query(
        `SELECT sum(hires) AS hires, sum(exits) AS exits FROM marts.fct_headcount_monthly WHERE month >= DATE '${demo.window.from}'`,
      );
      expect([Number(flows.hires), Number(flows.exits)]).toEqual([demo.hires, demo.exits]);
      const [it] = await m.query(
        `SELECT round(100.0 * sum(headcount) FILTER (WHERE is_it_staff) / sum(headcount), 2) AS per100 FROM marts.fct_headcount_monthly WHERE month = DATE '2026-11-01'`,
      );
      expect(Number(it.per100)).toBeGreaterThan(0.3);
      expect(Number(it.per100)).toBeLessThan(3);
      const [t] = await m.query(`SELECT count(*) AS n, sum(hours) AS h FROM marts.fct_trainings`);
      expect(Number(t.n)).toBe(demo.expected.trainingsLoaded);
      const [l] = await m.query(`SELECT count(*) AS n, count(*) FILTER (WHERE leave_type = 'yillik') AS annual FROM marts.fct_leaves`);
      expect(Number(l.n)).toBe(demo.expected.leavesLoaded);
      expect(Number(l.annual)).toBeGreaterThan(Number(l.n) / 3);
      for (const table of ['dim_employees', 'fct_headcount_monthly', 'fct_trainings', 'fct_leaves']) {
        const [bad] = await m.query(
          `SELECT count(*) AS n FROM marts.${table} WHERE unit_code IS NULL OR unit_code NOT IN (${UNITS.map((u) => `'${u.code}'`).join(',')})`,
        );
        expect(Number(bad.n), table).toBe(0);
      }
    } finally {
      m.close();
    }
  });

  it('a rerun loads the same rows into a new snapshot, quarantines the same faults, and passes row_count_change', async () => {
    expect(second.result.manifest!.snapshotId).not.toBe(first.result.manifest!.snapshotId);
    for (const s of second.result.sources) {
      const before = first.result.sources.find((x) => x.source === s.source)!;
      expect([s.rowsLoaded, s.rowsRejected]).toEqual([before.rowsLoaded, before.rowsRejected]);
      expect(s.checks.find((c) => c.name === 'row_count_change')?.passed).toBe(true);
    }
    const firstFile = first.store.pathOf(first.result.manifest!);
    const { DuckDBInstance } = await import('@duckdb/node-api');
    for (const table of ['personnel', 'trainings', 'leaves']) {
      const inst = await DuckDBInstance.create(firstFile, { access_mode: 'READ_ONLY' });
      const c = await inst.connect();
      const a = (await c.runAndReadAll(`SELECT * EXCLUDE (_run_id, _extracted_at) FROM raw_hr.${table} ORDER BY ALL`)).getRowObjectsJson();
      c.closeSync();
      inst.closeSync();
      const b = await querySnapshot(second.store, `SELECT * EXCLUDE (_run_id, _extracted_at) FROM raw_hr.${table} ORDER BY ALL`);
      expect(b, table).toEqual(a);
    }
    const q2 = await second.appDb('quarantine').where({ run_id: second.result.runId }).select('locator', 'reason').orderBy('id');
    const q1 = await first.appDb('quarantine').where({ run_id: first.result.runId }).select('locator', 'reason').orderBy('id');
    expect(q2).toEqual(q1);
  });

  it('KVKK: no clear TC Kimlik No anywhere in the snapshot (raw and marts), the quarantine or the logs', async () => {
    expect(known.size).toBeGreaterThan(demo.personnel - 5);
    const m = await snapshotWithMarts(second.store, dir);
    let values: Array<{ where: string; column: string; value: string }>;
    try {
      values = await allTextValues((sql) => m.query(sql));
    } finally {
      m.close();
    }
    expect(values.some((v) => v.where.startsWith('marts.'))).toBe(true);
    const leaks: string[] = [];
    for (const v of values) {
      for (const t of elevenDigitRuns(withoutHashes(v.value))) leaks.push(`${v.where}.${v.column}: ${t}`);
      if (v.value.length !== 64) for (const t of known) if (v.value.includes(t)) leaks.push(`${v.where}.${v.column}: known TCKN`);
    }
    const quarantine = await second.appDb('quarantine').select();
    expect(quarantine.length).toBeGreaterThan(0);
    for (const row of quarantine) {
      const text = Object.values(row).map(String).join(' | ');
      for (const t of elevenDigitRuns(withoutHashes(text))) leaks.push(`quarantine ${row.locator}: ${t}`);
      for (const t of known) if (text.includes(t)) leaks.push(`quarantine ${row.locator}: known TCKN`);
    }
    const runs = await second.appDb('etl_runs').select();
    for (const line of [...second.logLines, ...runs.map((r: any) => JSON.stringify(r))]) {
      for (const t of known) if (line.includes(t)) leaks.push(`log: known TCKN`);
    }
    expect(second.logLines.length).toBeGreaterThan(0);
    expect(leaks).toEqual([]);
  });
});

describe('HR bad-input matrix through the runner (what the user sees, nothing lost)', () => {
  const made: string[] = [];
  afterAll(() => made.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));
  const setup = async () => {
    const dir = tmpDir('pano-hr-bad-');
    made.push(dir);
    const config = hrConfig(dir);
    writeSmallExport(config.sources.hr.exportDir);
    const good = await runHr(config, { dir });
    expect(good.result.failed).toBe(false);
    return { dir, config, good, exportDir: config.sources.hr.exportDir };
  };
  const statusOf = (r: HrRun, id: string) => r.result.sources.find((s) => s.source === id)!;

  it('missing column: the personnel source fails naming file and column, and keeps its last good data', async () => {
    const { dir, config, good, exportDir } = await setup();
    const rows = personnelRows().map((r) => r.filter((_, i) => i !== 6));
    writeCsv(path.join(exportDir, 'personel.csv'), rows, { encoding: 'windows-1254' });
    const r = await runHr(config, { dir, appDb: good.appDb, store: good.store });
    const p = statusOf(r, 'hr_personnel');
    expect(p.status).toBe('failed');
    expect(p.message).toMatch(/^personel\.csv: required column "İşe Başlama" is missing .* — son başarılı veriler korunuyor$/);
    expect(p.rowsLoaded).toBe(statusOf(good, 'hr_personnel').rowsLoaded);
    const [n] = await querySnapshot(r.store, 'SELECT count(*) AS n FROM raw_hr.personnel');
    expect(Number(n.n)).toBe(3);
    // trainings and leaves cannot be checked against a personnel file that cannot be read: they fail too, keeping their data
    expect(statusOf(r, 'hr_trainings').status).toBe('failed');
    await good.appDb.destroy();
  });

  it('truncated CSV: the cut row is quarantined, files_complete fails, the previous data is kept', async () => {
    const { dir, config, good, exportDir } = await setup();
    const f = path.join(exportDir, 'izin.csv');
    const bytes = fs.readFileSync(f);
    fs.writeFileSync(f, bytes.subarray(0, bytes.length - 12));
    const r = await runHr(config, { dir, appDb: good.appDb, store: good.store });
    const l = statusOf(r, 'hr_leaves');
    expect(l.status).toBe('failed');
    expect(l.message).toMatch(/files_complete: truncated export: izin\.csv ends inside line 3/);
    expect(l.rowsRead).toBe(2);
    expect(l.rowsRejected).toBe(1);
    const q = await good.appDb('quarantine').where({ run_id: r.result.runId, source: 'hr_leaves' });
    expect(q.map((x: any) => [x.locator, x.reason])).toEqual([['izin.csv:line 3', expect.stringContaining('the export looks truncated')]]);
    const [n] = await querySnapshot(r.store, 'SELECT count(*) AS n FROM raw_hr.leaves');
    expect(Number(n.n)).toBe(2);
    expect(statusOf(r, 'hr_personnel').status).toBe('ok');
    await good.appDb.destroy();
  });

  it('wrong encoding: a UTF-16 file without byte-order mark fails with the reason', async () => {
    const { dir, config, good, exportDir } = await setup();
    writeCsv(path.join(exportDir, 'egitim.csv'), [['TC Kimlik No', 'Eğitim Adı', 'Süre (Saat)', 'Tarih']], { encoding: 'utf16le' });
    const r = await runHr(config, { dir, appDb: good.appDb, store: good.store });
    expect(statusOf(r, 'hr_trainings').message).toMatch(/^egitim\.csv: not a text CSV \(a NUL byte at byte 1\)/);
    expect(statusOf(r, 'hr_trainings').status).toBe('failed');
    expect(statusOf(r, 'hr_leaves').status).toBe('ok');
    await good.appDb.destroy();
  });

  it('unknown unit: the row is quarantined with the unit named, the others load, the check warns', async () => {
    const { dir, config, good, exportDir } = await setup();
    const rows = personnelRows();
    rows[2][3] = 'Eski Muhasebe Birimi';
    writeCsv(path.join(exportDir, 'personel.csv'), rows, { encoding: 'windows-1254' });
    const r = await runHr(config, { dir, appDb: good.appDb, store: good.store });
    const p = statusOf(r, 'hr_personnel');
    expect(p).toMatchObject({ status: 'warn', rowsRead: 3, rowsLoaded: 2, rowsRejected: 1, checksFailed: ['units_resolve', 'row_count_change'] });
    // the training of that person is refused as well, naming the personnel row
    const q = await good.appDb('quarantine').where({ run_id: r.result.runId }).orderBy('id');
    expect(q.map((x: any) => [x.source, x.locator, x.reason])).toEqual([
      ['hr_personnel', 'personel.csv:line 3', expect.stringContaining('Birim "Eski Muhasebe Birimi" is not a known müdürlük')],
      ['hr_trainings', 'egitim.csv:line 3', "the person's personnel row (personel.csv:line 3) was refused, see its quarantine entry"],
    ]);
    // a unit map in the export folder fixes it on the next run
    fs.writeFileSync(path.join(exportDir, 'birim-eslestirme.json'), JSON.stringify({ 'Eski Muhasebe Birimi': 'MALI_HIZMETLER' }));
    const fixed = await runHr(config, { dir, appDb: good.appDb, store: good.store });
    expect(statusOf(fixed, 'hr_personnel')).toMatchObject({ status: 'warn', rowsLoaded: 3, rowsRejected: 0, checksFailed: ['row_count_change'] });
    await good.appDb.destroy();
  });

  it('duplicate file: an identical copy is skipped and reported, rows load once', async () => {
    const { dir, config, good, exportDir } = await setup();
    fs.copyFileSync(path.join(exportDir, 'personel.csv'), path.join(exportDir, 'personel (1).csv'));
    const r = await runHr(config, { dir, appDb: good.appDb, store: good.store });
    const p = statusOf(r, 'hr_personnel');
    expect(p).toMatchObject({ status: 'warn', rowsLoaded: 3, rowsRejected: 0, checksFailed: ['duplicate_files'] });
    expect(p.checks.find((c) => c.name === 'duplicate_files')!.detail).toBe('skipped as identical copies: personel.csv (same as personel (1).csv)');
    await good.appDb.destroy();
  });

  it('export folder missing: every HR source fails naming the folder', async () => {
    const dir = tmpDir('pano-hr-bad-');
    made.push(dir);
    const config = hrConfig(dir, { PANO_HR_EXPORT_DIR: path.join(dir, 'yok') });
    const r = await runHr(config, { dir });
    expect(r.result.manifest).toBeNull();
    for (const s of r.result.sources) expect(s.message).toBe(`HR export folder ${path.join(dir, 'yok')} does not exist (PANO_HR_EXPORT_DIR)`);
    await r.appDb.destroy();
  });

  it('HR database down: every HR source fails naming the host, never the password', async () => {
    const dir = tmpDir('pano-hr-bad-');
    made.push(dir);
    const config = hrConfig(dir, { PANO_HR_DB_URL: 'postgres://ik:gizli-parola@127.0.0.1:1/personel' });
    const r = await runHr(config, { dir });
    expect(r.result.failed).toBe(true);
    for (const s of r.result.sources) {
      expect(s.status).toBe('failed');
      expect(s.message).toMatch(/^HR database at 127\.0\.0\.1:1\/personel is unreachable: .*ECONNREFUSED/);
      expect(s.message).not.toContain('gizli-parola');
    }
    expect(r.logLines.join('\n')).not.toContain('gizli-parola');
    await r.appDb.destroy();
  });
});
