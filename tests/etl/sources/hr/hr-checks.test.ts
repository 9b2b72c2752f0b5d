import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DuckDBInstance } from '@duckdb/node-api';
import { hrLeavesSource, hrPersonnelSource, hrTrainingsSource } from '../../../../etl/sources/hr/pipeline.js';
import { LEAVE_COLUMNS, parseHrConfig, PERSONNEL_COLUMNS, TRAINING_COLUMNS } from '../../../../etl/sources/hr/index.js';
import type { CheckContext, QualityCheckResult, SourceDefinition } from '../../../../etl/source.js';
import { appendRows, createTableSql, type Column } from '../../../../etl/warehouse/duckdb.js';
import { HR_NOW, SECRET, tmpDir, writeSmallExport } from './helpers.js';

/**
 * The HR quality checks against hand-made raw tables, so each check is seen both passing and
 * failing (the runner tests only ever see data that went through validation).
 */

const dir = tmpDir('pano-hr-checks-');
writeSmallExport(dir);
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const cfg = parseHrConfig({ exportDir: dir, kvkkSecret: SECRET });

const row = (columns: Column[], values: Record<string, unknown>) => Object.fromEntries(columns.map((c) => [c.name, values[c.name] ?? null]));
const person = (key: string, start: string, end: string | null, birth = 1980) =>
  row(PERSONNEL_COLUMNS, {
    person_key: key,
    unit_code: 'ZABITA',
    employment_type: 'memur',
    start_date: start,
    end_date: end,
    birth_year: birth,
    source_ref: 't',
  });

async function checksOn(
  source: SourceDefinition<any>,
  tables: Record<string, { columns: Column[]; rows: Array<Record<string, unknown>> }>,
  counts: Partial<CheckContext> = {},
): Promise<Record<string, QualityCheckResult>> {
  const inst = await DuckDBInstance.create(':memory:');
  const conn = await inst.connect();
  const handle = await source.open();
  try {
    await conn.run('CREATE SCHEMA raw_hr');
    for (const [name, t] of Object.entries(tables)) {
      await conn.run(createTableSql('raw_hr', name, t.columns));
      await appendRows(conn, 'raw_hr', name, t.columns, t.rows);
    }
    const results = await source.checks!({
      query: async (sql) => (await conn.runAndReadAll(sql)).getRowObjectsJson() as Array<Record<string, unknown>>,
      rowsRead: 3,
      rowsLoaded: 3,
      rowsRejected: 0,
      previousRowsLoaded: null,
      now: HR_NOW,
      ...counts,
    });
    return Object.fromEntries(results.map((r) => [r.name, r]));
  } finally {
    await source.close(handle);
    conn.closeSync();
    inst.closeSync();
  }
}

describe('personnel checks', () => {
  it('pass on clean data', async () => {
    const c = await checksOn(hrPersonnelSource(cfg), {
      personnel: {
        columns: PERSONNEL_COLUMNS,
        rows: [person('a', '2015-01-01', null), person('b', '2016-01-01', '2020-01-01'), person('b', '2021-01-01', null)],
      },
    });
    for (const name of ['not_empty', 'person_keys_unique', 'employment_periods_overlap', 'dates_sane']) expect(c[name].passed, name).toBe(true);
    expect(c.not_empty.detail).toBe('3 employment rows of 2 persons loaded');
  });

  it('fail on duplicate person keys, overlapping periods, end before start and implausible birth years', async () => {
    const c = await checksOn(hrPersonnelSource(cfg), {
      personnel: {
        columns: PERSONNEL_COLUMNS,
        rows: [
          person('a', '2015-01-01', null),
          person('a', '2015-01-01', null),
          person('b', '2016-01-01', null),
          person('b', '2018-01-01', null),
          person('c', '2020-05-01', '2020-04-01'),
          person('d', '2020-05-01', null, 2012),
          row(PERSONNEL_COLUMNS, { person_key: null, start_date: '2020-01-01' }),
        ],
      },
    });
    expect(c.person_keys_unique).toMatchObject({
      severity: 'fail',
      passed: false,
      detail: expect.stringMatching(/^1 row without person key; 1 duplicate \(person, İşe Başlama\) row; 0 duplicates refused$/),
    });
    expect(c.employment_periods_overlap).toMatchObject({ severity: 'warn', passed: false, detail: '1 person with two employment periods at the same time' });
    expect(c.dates_sane).toMatchObject({
      severity: 'fail',
      passed: false,
      detail: expect.stringMatching(/^1 row with Ayrılış before İşe Başlama; 1 with an implausible Doğum Yılı/),
    });
    expect(c.not_empty.passed).toBe(true);
  });

  it('an empty personnel table fails not_empty; row count change beyond ±10 % warns', async () => {
    const empty = await checksOn(hrPersonnelSource(cfg), { personnel: { columns: PERSONNEL_COLUMNS, rows: [] } }, { rowsLoaded: 0 });
    expect(empty.not_empty).toMatchObject({ severity: 'fail', passed: false });
    const grown = await checksOn(
      hrPersonnelSource(cfg),
      { personnel: { columns: PERSONNEL_COLUMNS, rows: [person('a', '2015-01-01', null)] } },
      { rowsLoaded: 112, previousRowsLoaded: 100 },
    );
    expect(grown.row_count_change).toMatchObject({ passed: false, detail: '112 rows against 100 in the previous run (+12.0 %; limit ±10 %)' });
    const steady = await checksOn(
      hrPersonnelSource(cfg),
      { personnel: { columns: PERSONNEL_COLUMNS, rows: [person('a', '2015-01-01', null)] } },
      { rowsLoaded: 95, previousRowsLoaded: 100 },
    );
    expect(steady.row_count_change.passed).toBe(true);
  });

  it('freshness warns on an export older than 35 days', async () => {
    const source = hrPersonnelSource(cfg);
    const old = new Date(HR_NOW.getTime() - 40 * 86_400_000);
    fs.utimesSync(path.join(dir, 'personel.csv'), old, old);
    // run the extraction so the source knows its files
    const h = await source.open();
    for await (const _ of source.extract(h)) void _;
    const inst = await DuckDBInstance.create(':memory:');
    const conn = await inst.connect();
    await conn.run('CREATE SCHEMA raw_hr');
    await conn.run(createTableSql('raw_hr', 'personnel', PERSONNEL_COLUMNS));
    const res = await source.checks!({
      query: async (sql) => (await conn.runAndReadAll(sql)).getRowObjectsJson() as any,
      rowsRead: 3,
      rowsLoaded: 3,
      rowsRejected: 0,
      previousRowsLoaded: null,
      now: HR_NOW,
    });
    await source.close(h);
    conn.closeSync();
    inst.closeSync();
    expect(res.find((r) => r.name === 'freshness')).toMatchObject({ passed: false, detail: 'newest export file written 40.0 days ago (limit 35)' });
    expect(res.find((r) => r.name === 'files_complete')).toMatchObject({ passed: true, detail: '1 file(s) read to the end: personel.csv' });
  });
});

describe('training and leave checks', () => {
  const training = (key: string, hours: number | null, date: string) => row(TRAINING_COLUMNS, { person_key: key, course: 'İSG', hours, training_date: date });
  const leave = (key: string, start: string, end: string, days: number) =>
    row(LEAVE_COLUMNS, { person_key: key, leave_type: 'yillik', start_date: start, end_date: end, days });

  it('persons_resolve warns about loaded rows whose person is not in raw_hr.personnel', async () => {
    const c = await checksOn(hrTrainingsSource(cfg), {
      personnel: { columns: PERSONNEL_COLUMNS, rows: [person('a', '2015-01-01', null)] },
      trainings: { columns: TRAINING_COLUMNS, rows: [training('a', 2, '2025-01-01'), training('x', 2, '2025-01-01')] },
    });
    expect(c.persons_resolve).toMatchObject({
      severity: 'warn',
      passed: false,
      detail: '1 loaded training without a person in raw_hr.personnel of this snapshot',
    });
    expect(c.keys_unique.passed).toBe(true);
    expect(c.dates_sane.passed).toBe(true);
  });

  it('keys_unique and dates_sane fail on duplicates and impossible values; a shrinking history warns', async () => {
    const t = await checksOn(
      hrTrainingsSource(cfg),
      {
        personnel: { columns: PERSONNEL_COLUMNS, rows: [person('a', '2015-01-01', null)] },
        trainings: { columns: TRAINING_COLUMNS, rows: [training('a', 2, '2025-01-01'), training('a', 2, '2025-01-01'), training('a', 0, '2025-02-01')] },
      },
      { rowsLoaded: 70, previousRowsLoaded: 100 },
    );
    expect(t.keys_unique).toMatchObject({ severity: 'fail', passed: false });
    expect(t.dates_sane).toMatchObject({
      severity: 'fail',
      passed: false,
      detail: expect.stringMatching(/^1 loaded row without person, date or positive hours/),
    });
    expect(t.row_count_change).toMatchObject({ passed: false, detail: '70 rows against 100 in the previous run (-30.0 %; limit -20 %)' });
    const l = await checksOn(hrLeavesSource(cfg), {
      personnel: { columns: PERSONNEL_COLUMNS, rows: [person('a', '2015-01-01', null)] },
      leaves: { columns: LEAVE_COLUMNS, rows: [leave('a', '2025-08-04', '2025-08-01', 3)] },
    });
    expect(l.dates_sane).toMatchObject({ severity: 'fail', passed: false });
    expect(l.persons_resolve.passed).toBe(true);
  });
});
