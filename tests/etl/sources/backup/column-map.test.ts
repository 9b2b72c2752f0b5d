import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../../../common/errors.js';
import {
  checkVeeamFile,
  detectVeeamShape,
  extractVeeamExports,
  parseBackupConfig,
  parseVeeamColumnMap,
  validateVeeamRow,
  type VeeamRecord,
} from '../../../../etl/sources/backup/index.js';

/** PANO_VEEAM_COLUMN_MAP: a site's own export headers and status words, mapped onto Pano's. */
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pano-veeam-map-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const TR_MAP = {
  columns: { 'İş Adı': 'JobName', Sonuç: 'Result', 'Veri (GB)': 'DataSize(GB)', 'Yedek (GB)': 'BackupSize(GB)', Tarih: 'Date' },
  values: { Result: { Başarılı: 'Success', Uyarı: 'Warning', Başarısız: 'Failed' } },
};
const TR_FILE =
  '"İş Adı";"Sonuç";"Veri (GB)";"Yedek (GB)";"Tarih"\n"EBYS";"Başarılı";"1,5";"0,5";"30.07.2020 01:00:00"\n"EBYS";"BAŞARISIZ";"0";"0";"31.07.2020 01:00:00"\n"EBYS";"Belki";"0";"0";"01.08.2020 01:00:00"\n';

describe('parseVeeamColumnMap', () => {
  it('reads headers and value maps', () => {
    const m = parseVeeamColumnMap(JSON.stringify(TR_MAP), 'veeam-columns.json');
    expect(m.columns).toEqual([
      { header: 'İş Adı', field: 'JobName' },
      { header: 'Sonuç', field: 'Result' },
      { header: 'Veri (GB)', field: 'DataSize(GB)' },
      { header: 'Yedek (GB)', field: 'BackupSize(GB)' },
      { header: 'Tarih', field: 'Date' },
    ]);
    expect(m.values.get('Result')!.lookup('Başarılı')).toBe('Success');
    expect(m.values.get('Result')!.lookup('BAŞARISIZ')).toBe('Failed'); // Turkish lower case: İ/ı, I/i
    expect(m.values.get('Result')!.lookup('Belki')).toBeUndefined();
  });

  it.each<[string, string, RegExp]>([
    ['not JSON', '{"columns": {"Durum": "Result",}}', /^PANO_VEEAM_COLUMN_MAP m\.json: invalid Veeam column map:\n {2}not JSON: /],
    ['not an object', '["Result"]', /must be a JSON object/],
    ['an unknown Pano field', '{"columns": {"Durum": "Resutl"}}', /columns\."Durum": "Resutl" is not a Pano Veeam field \(one of JobName, Result, /],
    ['a duplicate target', '{"columns": {"Durum": "Result", "Sonuç": "result"}}', /columns\."Sonuç": duplicate target Result, "Durum" already maps to it/],
    ['a header twice', '{"columns": {"Durum": "Result", " durum ": "State"}}', /columns\." durum ": the header is listed twice/],
    ['an unknown key', '{"colums": {}}', /"colums": unknown key/],
    [
      'values for a field that takes none',
      '{"values": {"TotalSize": {"a": "b"}}}',
      /values\."TotalSize": takes no value map \(value maps are for Result, Status, State/,
    ],
    [
      'a result Pano does not read',
      '{"values": {"Result": {"Başarılı": "Sucess"}}}',
      /values\."Result"\."Başarılı": "Sucess" is not a Veeam result Pano reads/,
    ],
    ['a state Pano does not read', '{"values": {"State": {"Bitti": "Done"}}}', /values\."State"\."Bitti": "Done" is not a Veeam session state/],
  ])('refuses %s, naming the file and the entry', (_case, text, message) => {
    expect(() => parseVeeamColumnMap(text, 'm.json')).toThrow(ConfigError);
    expect(() => parseVeeamColumnMap(text, 'm.json')).toThrow(message);
  });

  it('reports every bad entry at once', () => {
    expect(() => parseVeeamColumnMap('{"columns": {"A": "Nope", "B": "Result", "C": "Result"}, "values": {"Result": {"x": "y"}}}', 'm.json')).toThrow(
      /columns\."A": "Nope".*\n.*columns\."C": duplicate target Result.*\n.*values\."Result"\."x": "y"/,
    );
  });
});

describe('the column map at config load (parseBackupConfig)', () => {
  it('is read and checked with the other settings, named by its variable and file', () => {
    const bad = path.join(tmp, 'bad.json');
    fs.writeFileSync(bad, '{"columns": {"Durum": "Durum"}}');
    expect(() => parseBackupConfig({ veeamDir: tmp, bareosUrl: 'sqlite:x', veeamColumnMapFile: bad, rpoTargetHours: -1 })).toThrow(
      new RegExp(
        `PANO_BACKUP_RPO_HOURS: must be a positive number of hours\\n {2}PANO_VEEAM_COLUMN_MAP ${bad.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: invalid Veeam column map:\\n {4}columns\\."Durum": "Durum" is not a Pano Veeam field`,
      ),
    );
    expect(() => parseBackupConfig({ veeamDir: tmp, bareosUrl: 'sqlite:x', veeamColumnMapFile: path.join(tmp, 'yok.json') })).toThrow(
      /PANO_VEEAM_COLUMN_MAP .*yok\.json: cannot be read/,
    );
    const good = path.join(tmp, 'good.json');
    fs.writeFileSync(good, JSON.stringify(TR_MAP));
    expect(parseBackupConfig({ veeamDir: tmp, bareosUrl: 'sqlite:x', veeamColumnMapFile: good }).veeamColumnMap!.byHeader.get('sonuç')).toBe('Result');
  });
});

describe('reading through a column map', () => {
  const map = parseVeeamColumnMap(JSON.stringify(TR_MAP), 'veeam-columns.json');

  it('renames the headers before the shape is found; a mapped header wins over an unmapped one', () => {
    const shape = detectVeeamShape(['İş Adı', 'Sonuç', 'Veri (GB)', 'Yedek (GB)', 'Tarih', 'Result'], 'x.csv', map);
    expect(shape.def.shape).toBe('br_session_report');
    expect(shape.col.Result).toBe(1);
    expect(shape.mapped.map((m) => `${m.header}→${m.field}`)).toEqual([
      'İş Adı→JobName',
      'Sonuç→Result',
      'Veri (GB)→DataSize(GB)',
      'Yedek (GB)→BackupSize(GB)',
      'Tarih→Date',
    ]);
    // without the map the same header is refused, with its columns named
    expect(() => detectVeeamShape(['İş Adı', 'Sonuç', 'Veri (GB)', 'Yedek (GB)', 'Tarih'], 'x.csv')).toThrow(
      /bulunan sütunlar \(columns found\): İş Adı, Sonuç, Veri \(GB\), Yedek \(GB\), Tarih;/,
    );
  });

  it('translates the words before the row rules read them', async () => {
    const dir = path.join(tmp, 'tr');
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'oturumlar.csv'), TR_FILE);
    const records: VeeamRecord[] = [];
    for await (const b of extractVeeamExports(dir, { columnMap: map })) records.push(...b);
    const rows = records.filter((r): r is Extract<VeeamRecord, { kind: 'row' }> => r.kind === 'row');
    expect(rows).toHaveLength(3);
    const read = rows.map((r) => validateVeeamRow(r.ctx, r.values, 'Europe/Istanbul'));
    expect(read.map((v) => (v.ok ? v.session.status : v.reason))).toEqual([
      'success',
      'failed',
      'Result "Belki" is not a Veeam result (Success, Warning, Failed, None)',
    ]);
    expect(read[0].ok && read[0].session).toMatchObject({ resultRaw: 'Success', dataBytes: Math.round(1.5 * 1024 ** 3), culture: 'tr-TR' });
  });

  it('check-file: how the file reads, with the mapping applied and the refused line', async () => {
    const file = path.join(tmp, 'tr', 'oturumlar.csv');
    const c = await checkVeeamFile(file, { timezone: 'Europe/Istanbul', columnMap: map });
    expect(c).toMatchObject({
      recognised: true,
      shape: 'br_session_report',
      encoding: 'utf-8',
      delimiter: ';',
      culture: 'tr-TR',
      rows: 3,
      valid: 2,
      rejected: 1,
      refused: null,
    });
    expect(c.rejects).toEqual([{ locator: 'oturumlar.csv:line 4', reason: 'Result "Belki" is not a Veeam result (Success, Warning, Failed, None)' }]);
    expect(c.mapping!.columns).toHaveLength(5);
    expect(c.mapping!.values).toContainEqual({ field: 'Result', from: 'Başarılı', to: 'Success' });
    const without = await checkVeeamFile(file, { timezone: 'Europe/Istanbul' });
    expect(without).toMatchObject({ recognised: false, rows: 0, valid: 0 });
    expect(without.refused).toMatch(/^oturumlar\.csv: bilinen bir Veeam dışa aktarım biçimi değil/);
  });
});
