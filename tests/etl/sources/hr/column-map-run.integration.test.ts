import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../../../common/errors.js';
import { hrSources } from '../../../../etl/sources/hr/pipeline.js';
import { runBothLanes } from '../../../helpers/fast-lane.js';
import { HR_NOW, hrConfig, querySnapshot, runHr, TCKN, tmpDir, writeCsv } from './helpers.js';

/** PANO_HR_COLUMN_MAP through the configured sources: checked at start, applied to every stream and both lanes. */
const dir = tmpDir('pano-hr-map-run-');
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('PANO_HR_COLUMN_MAP in a run', () => {
  const exportDir = path.join(dir, 'ik');
  writeCsv(path.join(exportDir, 'personel.csv'), [
    ['Kimlik', 'Çalıştığı Yer', 'Kadro Şekli', 'Giriş', 'Çıkış', 'Cins', 'D.Yılı'],
    [TCKN.a, 'Bilgi İşlem', 'M', '01.03.2015', '', '2', '1985'],
    [TCKN.b, 'Fen İşleri', 'K.İşçi', '15.06.2010', '', '1', '1970'],
  ]);
  writeCsv(path.join(exportDir, 'egitim.csv'), [
    ['Kimlik', 'Eğitim Adı', 'Süre (Saat)', 'Tarih'],
    [TCKN.a, 'KVKK', '2', '12.05.2025'],
  ]);
  writeCsv(path.join(exportDir, 'izin.csv'), [
    ['Kimlik', 'İzin Kodu', 'İlk Gün', 'Bitiş', 'Gün'],
    [TCKN.a, 'YI', '04.08.2025', '08.08.2025', '5'],
    [TCKN.b, 'RP', '01.09.2025', '02.09.2025', '2'],
  ]);
  const map = path.join(dir, 'ik-sutunlar.json');
  fs.writeFileSync(
    map,
    JSON.stringify({
      columns: {
        Kimlik: 'tckn',
        personnel: {
          'Çalıştığı Yer': 'unit',
          'Kadro Şekli': 'employment_type',
          Giriş: 'start_date',
          Çıkış: 'end_date',
          Cins: 'gender',
          'D.Yılı': 'birth_year',
        },
        leave: { 'İzin Kodu': 'leave_type', 'İlk Gün': 'start_date' },
      },
      values: { employment_type: { M: 'memur', 'K.İşçi': 'kadrolu_isci' }, gender: { '1': 'E', '2': 'K' }, leave_type: { YI: 'Yıllık izin', RP: 'Rapor' } },
    }),
  );
  const config = hrConfig(dir, { PANO_HR_EXPORT_DIR: exportDir, PANO_HR_COLUMN_MAP: map });

  it('a bad map stops the sources at start, naming the file and the entry', () => {
    const bad = path.join(dir, 'bad.json');
    fs.writeFileSync(bad, '{"columns": {"Kimlik": "tc"}}');
    expect(() => hrSources(hrConfig(dir, { PANO_HR_EXPORT_DIR: exportDir, PANO_HR_COLUMN_MAP: bad }))).toThrow(ConfigError);
    expect(() => hrSources(hrConfig(dir, { PANO_HR_EXPORT_DIR: exportDir, PANO_HR_COLUMN_MAP: bad }))).toThrow(
      /PANO_HR_COLUMN_MAP .*bad\.json: invalid HR column map:\n +columns\."Kimlik": "tc" is not a Pano HR field/,
    );
  });

  it('leaves land through the map, the same on both lanes', async () => {
    const { fast, slow } = await runBothLanes(() => hrSources(config), 'hr_leaves', 'source_ref', HR_NOW);
    expect(slow.rows.map((r) => [r.leave_type, r.leave_type_as_exported, r.start_date, r.days])).toEqual([
      ['yillik', 'YI', '2025-08-04', 5],
      ['hastalik', 'RP', '2025-09-01', 2],
    ]);
    expect(slow.quarantine).toEqual([]);
    expect(fast.bulkRows).toBe(2); // the site's headers are staged in bulk
    expect(fast.rows).toEqual(slow.rows);
    expect(fast.status).toEqual(slow.status);
  }, 120_000);

  it('every stream lands through the map in one run', async () => {
    const run = await runHr(config, { dir: tmpDir('pano-hr-map-run-home-') });
    try {
      expect(run.result.sources.map((s) => [s.source, s.status, s.rowsLoaded, s.rowsRejected])).toEqual([
        ['hr_personnel', expect.any(String), 2, 0],
        ['hr_trainings', expect.any(String), 1, 0],
        ['hr_leaves', expect.any(String), 2, 0],
      ]);
      expect(run.result.sources.every((s) => s.status !== 'failed')).toBe(true);
      const people = await querySnapshot(
        run.store,
        'SELECT unit_code, employment_type, employment_type_as_exported, gender FROM raw_hr.personnel ORDER BY source_ref',
      );
      expect(people.map((r) => Object.values(r))).toEqual([
        ['BILGI_ISLEM', 'memur', 'M', 'K'],
        ['FEN_ISLERI', 'kadrolu_isci', 'K.İşçi', 'E'],
      ]);
    } finally {
      await run.appDb.destroy();
    }
  }, 120_000);
});
