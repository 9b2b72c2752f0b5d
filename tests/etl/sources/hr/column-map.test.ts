import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../../../common/errors.js';
import {
  checkHrFile,
  LeaveValidator,
  parseHrColumnMap,
  parseHrConfig,
  PersonnelValidator,
  readCsvExport,
  readXlsxExport,
  type HrKind,
  type HrRecord,
} from '../../../../etl/sources/hr/index.js';
import { SECRET, TCKN, tmpDir, writeCsv, writeXlsx } from './helpers.js';

/** PANO_HR_COLUMN_MAP: a site's own HR export headers and words, mapped onto Pano's fields. */
const dir = tmpDir('pano-hr-map-');
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const MAP = {
  columns: {
    Kimlik: 'tckn',
    personnel: {
      'Çalıştığı Yer': 'unit',
      'Kadro Şekli': 'employment_type',
      Giriş: 'start_date',
      Çıkış: 'end_date',
      Cins: 'gender',
      'D.Yılı': 'birth_year',
      Haftalık: 'weekly_hours',
    },
    leave: { 'İzin Kodu': 'leave_type', 'İlk Gün': 'start_date' },
  },
  values: { employment_type: { 'K.İşçi': 'kadrolu_isci', M: 'memur' }, gender: { '1': 'E', '2': 'K' }, leave_type: { YI: 'Yıllık izin', RP: 'Rapor' } },
};
// a site whose HR software writes its own headers and codes
const SITE_PERSONNEL = [
  ['Kimlik', 'Çalıştığı Yer', 'Kadro Şekli', 'Giriş', 'Çıkış', 'Cins', 'D.Yılı'],
  [TCKN.a, 'Bilgi İşlem', 'M', '01.03.2015', '', '2', '1985'],
  [TCKN.b, 'Fen İşleri', 'k.işçi', '15.06.2010', '', '1', '1970'],
  [TCKN.c, 'Zabıta', 'Stajyer', '02.01.2024', '', '3', '1994'],
];

async function readAll(f: string, kind: HrKind, columnMap?: ReturnType<typeof parseHrColumnMap>): Promise<HrRecord[]> {
  const out: HrRecord[] = [];
  const it = f.endsWith('.xlsx') ? readXlsxExport(f, kind, { secret: SECRET, columnMap }) : readCsvExport(f, kind, { secret: SECRET, columnMap });
  for await (const b of it) out.push(...b);
  return out;
}

describe('parseHrColumnMap', () => {
  it.each<[string, string, RegExp]>([
    ['not JSON', '{"columns": ', /^PANO_HR_COLUMN_MAP m\.json: invalid HR column map:\n {2}not JSON: /],
    ['an unknown Pano field', '{"columns": {"Kimlik": "tc"}}', /columns\."Kimlik": "tc" is not a Pano HR field \(one of tckn, unit, /],
    [
      'a duplicate target',
      '{"columns": {"Kimlik": "tckn", "T.C.": "tckn"}}',
      /columns\."T\.C\.": duplicate target tckn in the personnel stream, "Kimlik" already maps to it/,
    ],
    [
      'a duplicate target of a shared and a stream header',
      '{"columns": {"Giriş": "start_date", "leave": {"İlk Gün": "start_date"}}}',
      /columns\.leave\."İlk Gün": duplicate target start_date in the leave stream, "Giriş" already maps to it \(put headers of one stream under its section/,
    ],
    ['one header twice (folded)', '{"columns": {"Giriş": "start_date", "GİRİŞ": "end_date"}}', /columns\."GİRİŞ": the header is listed twice/],
    ['a field the section has not', '{"columns": {"training": {"Gün": "days"}}}', /columns\.training\."Gün": the training stream has no field days/],
    ['an unknown section', '{"columns": {"izin": {"Gün": "days"}}}', /columns\."izin": an object is a stream's section/],
    [
      'values for a field that takes none',
      '{"values": {"unit": {"BIM": "BILGI_ISLEM"}}}',
      /values\."unit": takes no value map \(value maps are for employment_type, gender, leave_type\)/,
    ],
    [
      'an employment type Pano does not read',
      '{"values": {"employment_type": {"S": "stajyer"}}}',
      /values\."employment_type"\."S": "stajyer" is not an employment type Pano reads/,
    ],
    ['a gender Pano does not read', '{"values": {"gender": {"1": "X"}}}', /values\."gender"\."1": "X" is not a gender Pano reads \(K, E\)/],
  ])('refuses %s, naming the file and the entry', (_case, text, message) => {
    expect(() => parseHrColumnMap(text, 'm.json')).toThrow(ConfigError);
    expect(() => parseHrColumnMap(text, 'm.json')).toThrow(message);
  });

  it('is checked at config load, with the other settings', () => {
    const f = path.join(dir, 'bad.json');
    fs.writeFileSync(f, '{"columns": {"Kimlik": "tc"}}');
    expect(() => parseHrConfig({ exportDir: dir, kvkkSecret: 'short', columnMapFile: f })).toThrow(
      /PANO_KVKK_SECRET: must be at least 16 characters\n {2}PANO_HR_COLUMN_MAP .*bad\.json: invalid HR column map:\n {4}columns\."Kimlik": "tc"/,
    );
    const good = path.join(dir, 'good.json');
    fs.writeFileSync(good, JSON.stringify(MAP));
    expect(parseHrConfig({ exportDir: dir, kvkkSecret: SECRET, columnMapFile: good }).columnMap!.byHeader.leave.get('ilkgun')).toBe('start_date');
  });
});

describe('reading through a column map', () => {
  const map = parseHrColumnMap(JSON.stringify(MAP), 'ik-sutunlar.json');

  it.each(['csv', 'xlsx'])('%s: headers renamed, words translated, the words as exported kept', async (ext) => {
    const f =
      ext === 'csv' ? writeCsv(path.join(dir, '1', 'personel.csv'), SITE_PERSONNEL) : await writeXlsx(path.join(dir, '2', 'personel.xlsx'), SITE_PERSONNEL);
    await expect(readAll(f, 'personnel')).rejects.toThrow(/no header row found|required column/);
    const v = new PersonnelValidator(new Map());
    const results = (await readAll(f, 'personnel', map)).map((r) => v.validate(r));
    expect(results.map((r) => (r.ok ? [r.row.employment_type, r.row.employment_type_as_exported, r.row.gender, r.row.unit_code] : r.reason))).toEqual([
      ['memur', 'M', 'K', 'BILGI_ISLEM'],
      ['kadrolu_isci', 'k.işçi', 'E', 'FEN_ISLERI'], // words compared folded
      'İstihdam Türü "Stajyer" is not one of memur, kadrolu işçi, geçici işçi, sözleşmeli, hizmet alımı; Cinsiyet "3" is not K/E (Kadın/Erkek)',
    ]);
  });

  it('the code comes from the translated word, the label stays as exported', async () => {
    const f = writeCsv(path.join(dir, '3', 'izin.csv'), [
      ['Kimlik', 'İzin Kodu', 'İlk Gün', 'Bitiş', 'Gün'],
      [TCKN.a, 'YI', '04.08.2025', '08.08.2025', '5'],
      [TCKN.a, 'RP', '01.09.2025', '02.09.2025', '2'],
    ]);
    const v = new LeaveValidator(new Map([[(await readAll(f, 'leave', map))[0].person_key!, { ok: true as const }]]));
    const rows = (await readAll(f, 'leave', map)).map((r) => v.validate(r));
    expect(rows.map((r) => r.ok && [r.row.leave_type, r.row.leave_type_as_exported, r.row.start_date])).toEqual([
      ['yillik', 'YI', '2025-08-04'],
      ['hastalik', 'RP', '2025-09-01'],
    ]);
  });

  it('check-file: the stream, how it reads, the mapping applied and the first refusal', async () => {
    const f = writeCsv(path.join(dir, '4', 'kadro-listesi.csv'), SITE_PERSONNEL, { encoding: 'windows-1254' });
    const c = await checkHrFile(f, { secret: SECRET, columnMap: map });
    expect(c).toMatchObject({
      recognised: true,
      kind: 'personnel',
      encoding: 'windows-1254',
      delimiter: ';',
      headerLine: 1,
      rows: 3,
      valid: 2,
      rejected: 1,
      refused: null,
    });
    expect(c.rejects).toEqual([{ locator: 'kadro-listesi.csv:line 4', reason: expect.stringMatching(/^İstihdam Türü "Stajyer" is not one of/) }]);
    expect(c.mapping!.columns.map((m) => `${m.header}→${m.field}`)).toEqual([
      'Kimlik→tckn',
      'Çalıştığı Yer→unit',
      'Kadro Şekli→employment_type',
      'Giriş→start_date',
      'Çıkış→end_date',
      'Cins→gender',
      'D.Yılı→birth_year',
    ]);
    expect(c.mapping!.unused).toEqual(['Haftalık']); // this stream's entries only (the leave section's are not listed)
    expect(JSON.stringify(c)).not.toContain(TCKN.a);
    // the same file without the map: not an HR export Pano can read, and why
    const without = await checkHrFile(f, { secret: SECRET });
    expect(without).toMatchObject({ recognised: false, kind: 'personnel', rows: 0 }); // named like a personnel export
    expect(without.refused).toMatch(/^kadro-listesi\.csv: no header row found .* \(other headers can be mapped in PANO_HR_COLUMN_MAP\)$/);
  });
});
