import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import knexFactory from 'knex';
import { knexConfigFromUrl } from '../../../../common/db/knex-url.js';
import { SourceUnavailableError } from '../../../../common/errors.js';
import { createHrDemoDatabase, generateHrDemo, type HrDemoSummary } from '../../../../etl/demo/hr-demo.js';
import {
  closeHrOrigin,
  connectHrDatabase,
  extractHr,
  HrDatabaseSchemaError,
  HR_DB_SCHEMA_SQL,
  LeaveValidator,
  openHrOrigin,
  parseHrConfig,
  PersonnelValidator,
  readPersonStatus,
  TrainingValidator,
  type HrConfig,
  type HrKind,
  type HrRecord,
} from '../../../../etl/sources/hr/index.js';
import { createTempPgDatabase, SKIP_POSTGRES, type TempPgDatabase } from '../../../helpers/postgres.js';
import { HR_NOW, hrConfig, runHr, SECRET, TCKN, tmpDir } from './helpers.js';

/**
 * The HR source against a REAL PostgreSQL database holding the same demo content as the export
 * files: the database path must give exactly the rows the file path gives (only the locator differs).
 */

const OPTS = { seed: 5, now: HR_NOW, scale: 0.08 };

async function landed(cfg: HrConfig): Promise<Record<HrKind, { rows: Array<Record<string, unknown>>; refused: Array<{ ref: string; reason: string }> }>> {
  const origin = await openHrOrigin(cfg);
  try {
    const persons = await readPersonStatus(origin, cfg.kvkkSecret);
    const validators = { personnel: new PersonnelValidator(origin.unitMap), training: new TrainingValidator(persons), leave: new LeaveValidator(persons) };
    const out = {} as Record<HrKind, { rows: Array<Record<string, unknown>>; refused: Array<{ ref: string; reason: string }> }>;
    for (const kind of ['personnel', 'training', 'leave'] as const) {
      out[kind] = { rows: [], refused: [] };
      for await (const batch of extractHr(origin, kind, cfg.kvkkSecret)) {
        for (const r of batch as HrRecord[]) {
          const v = validators[kind].validate(r);
          if (v.ok) out[kind].rows.push({ ...v.row, source_ref: undefined });
          else out[kind].refused.push({ ref: r.ref, reason: v.reason });
        }
      }
    }
    return out;
  } finally {
    await closeHrOrigin(origin);
  }
}

const sortRows = (rows: Array<Record<string, unknown>>) => [...rows].sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1));

describe.skipIf(SKIP_POSTGRES)('HR source on a real PostgreSQL database', () => {
  let db: TempPgDatabase;
  let dbDemo: HrDemoSummary;
  let fileDemo: HrDemoSummary;
  const dir = tmpDir('pano-hr-pg-');
  const fileConfig = hrConfig(dir);

  beforeAll(async () => {
    db = await createTempPgDatabase();
    [dbDemo, fileDemo] = await Promise.all([createHrDemoDatabase(db.url, OPTS), generateHrDemo(fileConfig, OPTS)]);
  }, 120_000);
  afterAll(async () => {
    await db?.drop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('holds the same demo content as the files', () => {
    const strip = (s: HrDemoSummary) => ({ ...s, target: undefined, files: undefined, faults: undefined });
    expect(strip(dbDemo)).toEqual(strip(fileDemo));
    expect(dbDemo.faults.invalidTckn.ref).toMatch(/^personel\.id=\d+$/);
    expect(Number(dbDemo.faults.invalidTckn.ref.split('=')[1]) + 1).toBe(Number(fileDemo.faults.invalidTckn.ref.split('line ')[1]));
  });

  it('gives the same rows and the same refusals as the file path', async () => {
    const base = { kvkkSecret: SECRET, exportDir: fileConfig.sources.hr.exportDir };
    const [fromDb, fromFiles] = await Promise.all([landed(parseHrConfig({ ...base, dbUrl: db.url })), landed(parseHrConfig(base))]);
    for (const kind of ['personnel', 'training', 'leave'] as const) {
      expect(fromDb[kind].rows.length, kind).toBeGreaterThan(0);
      expect(sortRows(fromDb[kind].rows), kind).toEqual(sortRows(fromFiles[kind].rows));
      expect(
        fromDb[kind].refused.map((r) => r.reason),
        kind,
      ).toEqual(fromFiles[kind].refused.map((r) => r.reason));
    }
    expect(fromDb.personnel.refused.map((r) => r.ref)).toEqual([dbDemo.faults.invalidTckn.ref, dbDemo.faults.unknownUnit.ref]);
    expect(fromDb.training.refused.map((r) => r.ref)).toEqual([dbDemo.faults.orphanTraining.ref]);
  });

  it('through the runner with PANO_HR_DB_URL: same counts as the files, locators name the table rows', async () => {
    const d = tmpDir('pano-hr-pg-run-');
    const r = await runHr(hrConfig(d, { PANO_HR_DB_URL: db.url }), { dir: d });
    try {
      const byId = Object.fromEntries(r.result.sources.map((s) => [s.source, s]));
      expect(byId.hr_personnel).toMatchObject({ rowsLoaded: dbDemo.expected.personnelLoaded, rowsRejected: 2 });
      expect(byId.hr_trainings).toMatchObject({ rowsLoaded: dbDemo.expected.trainingsLoaded, rowsRejected: 1 });
      expect(byId.hr_leaves).toMatchObject({ status: 'ok', rowsLoaded: dbDemo.expected.leavesLoaded, rowsRejected: 0 });
      expect(byId.hr_personnel.checks.map((c) => c.name)).not.toContain('files_complete');
      const q = await r.appDb('quarantine').orderBy('id');
      expect(q.map((x: any) => x.locator)).toEqual([dbDemo.faults.invalidTckn.ref, dbDemo.faults.unknownUnit.ref, dbDemo.faults.orphanTraining.ref]);
      expect(q[0].location).toMatch(/^HR database 127\.0\.0\.1:5432\/pano_t_[0-9a-f]+ \(table personel\)$/);
      expect(q.map((x: any) => x.record_json).join('\n')).not.toMatch(/"tc_kimlik_no":"\d/);
    } finally {
      await r.appDb.destroy();
      fs.rmSync(d, { recursive: true, force: true });
    }
  });

  it('a table without a column Pano reads is named, with the column', async () => {
    const broken = await createTempPgDatabase({ schemaSql: HR_DB_SCHEMA_SQL });
    try {
      await broken.exec('ALTER TABLE izin DROP COLUMN gun; DROP TABLE egitim;');
      const knex = await connectHrDatabase(broken.url);
      try {
        const read = async (kind: HrKind) => {
          for await (const _ of extractHr({ mode: 'database', where: 'h', dir: '', knex, unitMap: new Map() }, kind, SECRET)) void _;
        };
        await expect(read('leave')).rejects.toThrow(new HrDatabaseSchemaError('HR database at h: table izin lacks column gun'));
        await expect(read('training')).rejects.toThrow(/^HR database at h: table egitim not found/);
        await expect(read('personnel')).resolves.toBeUndefined();
      } finally {
        await knex.destroy();
      }
    } finally {
      await broken.drop();
    }
  });

  it('reads views and TC Kimlik Nos stored as numbers, optional columns absent', async () => {
    const other = await createTempPgDatabase();
    try {
      await other.exec(`
        CREATE TABLE ik_kayit (sicil int PRIMARY KEY, kimlik bigint, mudurluk text, statu text, giris date, cikis date, cins char(1), dyil int);
        INSERT INTO ik_kayit VALUES (1, ${TCKN.a}, 'Bilgi İşlem', 'Memur', '2015-03-01', NULL, 'K', 1985);
        CREATE VIEW personel AS SELECT sicil AS id, kimlik AS tc_kimlik_no, mudurluk AS birim, statu AS istihdam_turu,
          giris AS ise_baslama, cikis AS ayrilis, cins AS cinsiyet, dyil AS dogum_yili FROM ik_kayit;`);
      const origin = await openHrOrigin(parseHrConfig({ kvkkSecret: SECRET, exportDir: dir, dbUrl: other.url }));
      try {
        const v = new PersonnelValidator(new Map());
        const out: unknown[] = [];
        for await (const b of extractHr(origin, 'personnel', SECRET)) for (const r of b) out.push(v.validate(r));
        expect(out).toEqual([
          {
            ok: true,
            row: expect.objectContaining({
              unit_code: 'BILGI_ISLEM',
              employment_type: 'memur',
              start_date: '2015-03-01',
              end_date: null,
              gender: 'K',
              birth_year: 1985,
              title: null,
              weekly_hours: null,
              source_ref: 'personel.id=1',
            }),
          },
        ]);
      } finally {
        await closeHrOrigin(origin);
      }
    } finally {
      await other.drop();
    }
  });

  it('unknown database on a live server: SourceUnavailableError naming host and database', async () => {
    const u = new URL(db.url);
    u.pathname = '/pano_yok_boyle_bir_db';
    await expect(connectHrDatabase(u.toString())).rejects.toThrow(SourceUnavailableError);
    await expect(connectHrDatabase(u.toString())).rejects.toThrow(
      /^HR database at 127\.0\.0\.1:5432\/pano_yok_boyle_bir_db is unreachable: database "pano_yok_boyle_bir_db" does not exist/,
    );
  });

  it('the demo loader never overwrites an existing HR database', async () => {
    await expect(createHrDemoDatabase(db.url, OPTS)).rejects.toThrow(/already has a personel table: refusing to overwrite it/);
    const knex = knexFactory(knexConfigFromUrl(db.url));
    try {
      const [{ n }] = await knex('personel').count({ n: '*' });
      expect(Number(n)).toBe(dbDemo.personnel);
    } finally {
      await knex.destroy();
    }
  });
});
