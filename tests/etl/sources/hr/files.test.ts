import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  HrExportError,
  LeaveValidator,
  listExportFiles,
  PersonnelValidator,
  readCsvExport,
  readXlsxExport,
  sniffCsv,
  TrainingValidator,
  type HrKind,
  type HrRecord,
} from '../../../../etl/sources/hr/index.js';
import { SourceUnavailableError } from '../../../../common/errors.js';
import { leaveRows, PERSONNEL_HEADER, personnelRows, SECRET, TCKN, tmpDir, trainingRows, writeCsv, writeXlsx, type CsvWriteOptions } from './helpers.js';

const dir = tmpDir('pano-hr-files-');
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
let n = 0;
const file = (name: string) => path.join(dir, `${++n}`, name);

async function readAll(
  f: string,
  kind: HrKind,
): Promise<{ records: HrRecord[]; truncated: Array<[string, number]>; header?: { encoding: string; delimiter: string; headerLine: number } }> {
  const records: HrRecord[] = [];
  const truncated: Array<[string, number]> = [];
  let header: { encoding: string; delimiter: string; headerLine: number } | undefined;
  const it = f.endsWith('.xlsx')
    ? readXlsxExport(f, kind, { secret: SECRET })
    : readCsvExport(f, kind, { secret: SECRET, onTruncated: (fl, l) => truncated.push([fl, l]), onHeader: (h) => (header = h) });
  for await (const b of it) records.push(...b);
  return { records, truncated, header };
}

/** Personnel rows through validation: the landed rows and the refusals. */
function validatePersonnel(records: HrRecord[]) {
  const v = new PersonnelValidator(new Map());
  const results = records.map((r) => ({ ref: r.ref, ...v.validate(r) }));
  return { v, rows: results.filter((r) => r.ok).map((r) => (r as any).row), refused: results.filter((r) => !r.ok) as Array<{ ref: string; reason: string }> };
}

const persons = new Map([TCKN.a, TCKN.b, TCKN.c].map((t) => [t, { ok: true as const }]));
function personsByKey(records: HrRecord[]) {
  return new Map(records.filter((r) => r.person_key).map((r) => [r.person_key!, { ok: true as const }]));
}

describe('CSV encodings and separators', () => {
  it.each<[string, CsvWriteOptions, string]>([
    ['Windows-1254, ";" (Turkish Excel)', { encoding: 'windows-1254', delimiter: ';' }, 'windows-1254'],
    ['UTF-8 without BOM, ";"', { encoding: 'utf8', delimiter: ';' }, 'utf8'],
    ['UTF-8 with BOM, "," (Excel "CSV UTF-8")', { encoding: 'utf8-bom', delimiter: ',' }, 'utf8-bom'],
    ['UTF-8, "," with LF line ends', { encoding: 'utf8', delimiter: ',', eol: '\n' }, 'utf8'],
    ['UTF-16 LE with BOM, tab (Excel "Unicode text")', { encoding: 'utf16le-bom', delimiter: '\t' }, 'utf16le'],
    ['Windows-1254, tab, no final line break', { encoding: 'windows-1254', delimiter: '\t', finalNewline: false }, 'windows-1254'],
  ])('%s: Turkish letters survive and every row lands', async (_label, opts, encoding) => {
    const f = writeCsv(file('personel.csv'), personnelRows(), opts);
    expect((await sniffCsv(f)).encoding).toBe(encoding);
    const { records, header, truncated } = await readAll(f, 'personnel');
    expect(header).toMatchObject({ encoding, delimiter: opts.delimiter, headerLine: 1 });
    expect(truncated).toEqual([]);
    const { rows, refused } = validatePersonnel(records);
    expect(refused).toEqual([]);
    expect(rows.map((r) => [r.unit_code, r.unit_as_exported, r.title, r.employment_type, r.start_date, r.end_date, r.gender, r.birth_year])).toEqual([
      ['BILGI_ISLEM', 'BİLGİ İŞLEM MÜDÜRLÜĞÜ', 'Programcı', 'memur', '2015-03-01', null, 'K', 1985],
      ['FEN_ISLERI', 'Fen İşleri Müdürlüğü', 'Şoför', 'kadrolu_isci', '2010-06-15', '2025-12-31', 'E', 1970],
      ['ZABITA', 'ZABITA', 'Zabıta Memuru', 'sozlesmeli', '2024-01-02', null, 'E', 1994],
    ]);
    expect(rows.map((r) => r.source_ref)).toEqual(['personel.csv:line 2', 'personel.csv:line 3', 'personel.csv:line 4']);
    expect(new Set(rows.map((r) => r.person_key)).size).toBe(3);
  });

  it('the same content in Windows-1254 and UTF-8 gives identical rows and keys', async () => {
    const a = validatePersonnel((await readAll(writeCsv(file('personel.csv'), personnelRows(), { encoding: 'windows-1254' }), 'personnel')).records).rows;
    const b = validatePersonnel(
      (await readAll(writeCsv(file('personel.csv'), personnelRows(), { encoding: 'utf8-bom', delimiter: ',' }), 'personnel')).records,
    ).rows;
    expect(a).toEqual(b);
  });

  it('skips title and blank rows above the header, and blank and all-empty rows below it', async () => {
    const rows = personnelRows();
    const f = writeCsv(
      file('personel.csv'),
      [['SULTANBEYLİ BELEDİYESİ PERSONEL LİSTESİ'], [''], rows[0], rows[1], [''], Array(PERSONNEL_HEADER.length).fill(''), rows[2], rows[3]],
      { encoding: 'windows-1254' },
    );
    const { records, header } = await readAll(f, 'personnel');
    expect(header?.headerLine).toBe(3);
    expect(records.map((r) => r.ref)).toEqual(['personel.csv:line 4', 'personel.csv:line 7', 'personel.csv:line 8']);
    expect(validatePersonnel(records).refused).toEqual([]);
  });

  it('reads decimal commas in training hours and leave days, quoted in a "," file', async () => {
    const t = await readAll(writeCsv(file('egitim.csv'), trainingRows(), { encoding: 'windows-1254' }), 'training');
    const tv = new TrainingValidator(personsByKey(t.records));
    expect(t.records.map((r) => (tv.validate(r) as any).row.hours)).toEqual([2.5, 8]);
    const l = await readAll(writeCsv(file('izin.csv'), leaveRows(), { encoding: 'utf8', delimiter: ',' }), 'leave');
    expect(fs.readFileSync(path.join(dir, `${n}`, 'izin.csv'), 'utf8')).toContain('"0,5"');
    const lv = new LeaveValidator(personsByKey(l.records));
    expect(l.records.map((r) => (lv.validate(r) as any).row)).toEqual([
      expect.objectContaining({ leave_type: 'yillik', start_date: '2025-08-04', end_date: '2025-08-08', days: 5 }),
      expect.objectContaining({ leave_type: 'mazeret', start_date: '2025-09-10', end_date: '2025-09-10', days: 0.5 }),
    ]);
  });

  it.each([
    [['TCKN', 'AD', 'SOYAD', 'MÜDÜRLÜK', 'ÜNVAN', 'KADRO', 'İŞE BAŞLAMA TARİHİ', 'AYRILIŞ TARİHİ', 'CİNSİYETİ', 'DOĞUM TARİHİ']],
    [['T.C. Kimlik No', 'Adı', 'Soyadı', 'Birim Adı', 'Görevi', 'İstihdam Şekli', 'Giriş Tarihi', 'Çıkış Tarihi', 'Cinsiyet', 'Doğum Yılı']],
    [['tc_kimlik_no', 'ad', 'soyad', 'birim', 'unvan', 'istihdam_turu', 'ise_baslama', 'ayrilis', 'cinsiyet', 'dogum_yili']],
    [['Tc Kimlik Numarası', 'Adi', 'Soyadi', 'Mudurluk', 'Unvani', 'Istihdam Turu', 'Ise Baslama', 'Ayrilis', 'Cinsiyet', 'Dogum Yili']],
  ])('header variant %j gives the same rows', async (header) => {
    const rows = personnelRows();
    const f = writeCsv(file('personel.csv'), [header, ...rows.slice(1)], { encoding: 'windows-1254' });
    const base = validatePersonnel((await readAll(writeCsv(file('personel.csv'), rows, { encoding: 'windows-1254' }), 'personnel')).records).rows;
    const got = validatePersonnel((await readAll(f, 'personnel')).records).rows;
    expect(got).toEqual(base);
  });
});

describe('XLSX exports', () => {
  it('reads real Excel dates, text dates, numeric and text TC Kimlik Nos, numeric and decimal-comma hours, below a title row', async () => {
    const f = await writeXlsx(file('egitim.xlsx'), [
      ['HİZMET İÇİ EĞİTİM KATILIM LİSTESİ'],
      [],
      ['Sıra', 'TC Kimlik No', 'Adı Soyadı', 'Eğitimin Adı', 'Eğitim Tarihi', 'Süre (Saat)'],
      [1, 10000000146, 'Ayşe Yılmaz', 'KVKK Farkındalık Eğitimi', new Date(Date.UTC(2025, 4, 12)), 2.5],
      [2, TCKN.b, 'Mehmet Öztürk', 'İş Sağlığı ve Güvenliği', '13.05.2025', '8,5'],
      [3, TCKN.c, 'Şükrü Işık', 'Yangın Eğitimi', 45791, 3],
    ]);
    const { records } = await readAll(f, 'training');
    expect(records.map((r) => r.ref)).toEqual(['egitim.xlsx:row 4', 'egitim.xlsx:row 5', 'egitim.xlsx:row 6']);
    const v = new TrainingValidator(personsByKey(records));
    expect(records.map((r) => (v.validate(r) as any).row)).toEqual([
      expect.objectContaining({ course: 'KVKK Farkındalık Eğitimi', hours: 2.5, training_date: '2025-05-12' }),
      expect.objectContaining({ course: 'İş Sağlığı ve Güvenliği', hours: 8.5, training_date: '2025-05-13' }),
      expect.objectContaining({ course: 'Yangın Eğitimi', hours: 3, training_date: '2025-05-14' }),
    ]);
    expect(records[0].person_key).toBe((await readAll(writeCsv(file('egitim.csv'), trainingRows()), 'training')).records[0].person_key);
  });

  it('a personnel workbook gives the same rows as the same CSV', async () => {
    const rows = personnelRows();
    const x = await writeXlsx(file('personel.xlsx'), rows);
    const c = writeCsv(file('personel.csv'), rows, { encoding: 'windows-1254' });
    const strip = (r: any) => ({ ...r, source_ref: undefined });
    const fromX = validatePersonnel((await readAll(x, 'personnel')).records).rows.map(strip);
    const fromC = validatePersonnel((await readAll(c, 'personnel')).records).rows.map(strip);
    expect(fromX).toEqual(fromC);
  });
});

describe('bad files: what the user sees', () => {
  it.each([['TC Kimlik No'], ['Birim'], ['İstihdam Türü'], ['İşe Başlama'], ['Ayrılış'], ['Cinsiyet'], ['Doğum Yılı']])(
    'a missing "%s" column stops the file with an error naming the file and the column',
    async (column) => {
      const rows = personnelRows();
      const at = rows[0].indexOf(column);
      const f = writeCsv(
        file('personel.csv'),
        rows.map((r) => r.filter((_, i) => i !== at)),
        { encoding: 'windows-1254' },
      );
      const err = await readAll(f, 'personnel').catch((e) => e);
      expect(err).toBeInstanceOf(HrExportError);
      expect(err.message).toContain(column === 'TC Kimlik No' ? 'personel.csv: ' : `personel.csv: required column "${column}" is missing`);
      if (column !== 'TC Kimlik No') expect(err.message).toMatch(/accepted headers: .*; columns found: "TC Kimlik No"/);
    },
  );

  it('a missing required column in a workbook is named too', async () => {
    const f = await writeXlsx(file('izin.xlsx'), [
      ['TC Kimlik No', 'İzin Türü', 'Başlangıç', 'Bitiş'],
      [TCKN.a, 'Yıllık İzin', '01.08.2025', '05.08.2025'],
    ]);
    await expect(readAll(f, 'leave')).rejects.toThrow(/^izin\.xlsx: required column "Gün" is missing/);
  });

  it('a file without any header row says what it looked for', async () => {
    const f = writeCsv(file('personel.csv'), [
      ['a', 'b', 'c'],
      ['1', '2', '3'],
    ]);
    await expect(readAll(f, 'personnel')).rejects.toThrow(
      'personel.csv: no header row found in the first 15 rows: a personnel export needs the columns "TC Kimlik No", "Birim", "İstihdam Türü", "İşe Başlama", "Ayrılış", "Cinsiyet", "Doğum Yılı"',
    );
  });

  it('truncated CSV: the cut last row is passed on with its problem (quarantined) and the file is reported truncated', async () => {
    const rows = personnelRows();
    const text = rows.map((r) => r.join(';')).join('\r\n');
    const cut = text.slice(0, text.lastIndexOf(';Sözleşmeli'));
    const f = file('personel.csv');
    fs.mkdirSync(path.dirname(f), { recursive: true });
    fs.writeFileSync(f, Buffer.from(cut, 'utf8'));
    const { records, truncated } = await readAll(f, 'personnel');
    expect(records).toHaveLength(3);
    expect(truncated).toEqual([['personel.csv', 4]]);
    const { rows: landed, refused } = validatePersonnel(records);
    expect(landed).toHaveLength(2);
    expect(refused).toEqual([
      {
        ref: 'personel.csv:line 4',
        ok: false,
        reason: expect.stringContaining('line 4 has 5 fields, the header has 10: the file ends in the middle of this row, the export looks truncated'),
      },
    ]);
  });

  it('a short row in the middle is refused with the field counts, not reported as truncation', async () => {
    const rows = personnelRows();
    rows[2] = rows[2].slice(0, 6);
    const { records, truncated } = await readAll(writeCsv(file('personel.csv'), rows), 'personnel');
    expect(truncated).toEqual([]);
    expect(validatePersonnel(records).refused).toEqual([
      { ref: 'personel.csv:line 3', ok: false, reason: expect.stringMatching(/^line 3 has 6 fields, the header has 10/) },
    ]);
  });

  it('a CSV cut inside a quoted field fails the whole file as truncated', async () => {
    const f = file('personel.csv');
    fs.mkdirSync(path.dirname(f), { recursive: true });
    fs.writeFileSync(f, `${PERSONNEL_HEADER.join(';')}\r\n${TCKN.a};"Ayşe Yılm`);
    const err = await readAll(f, 'personnel').catch((e) => e);
    expect(err).toBeInstanceOf(HrExportError);
    expect(err.message).toMatch(/^personel\.csv: line \d+: a quoted field is never closed: the file looks truncated or damaged$/);
    expect(err.message).not.toContain(TCKN.a);
  });

  it.each<[string, (f: string) => void, RegExp]>([
    [
      'UTF-16 without a byte-order mark',
      (f) => writeCsv(f, personnelRows(), { encoding: 'utf16le' }),
      /^personel\.csv: not a text CSV \(a NUL byte at byte 1\): it looks like UTF-16 without a byte-order mark/,
    ],
    [
      'double-encoded UTF-8 (mojibake)',
      (f) =>
        writeCsv(
          f,
          personnelRows().map((r) => r.map((c) => Buffer.from(c, 'utf8').toString('latin1').replace(/Ä°/g, 'Ä°'))),
          { encoding: 'utf8' },
        ),
      /^personel\.csv: the text looks double-encoded/,
    ],
    [
      'Turkish letters lost to "?" (saved as ASCII)',
      (f) =>
        writeCsv(
          f,
          personnelRows().map((r) => r.map((c) => c.replace(/[^\x00-\x7f]/g, '?'))),
        ),
      /required column "Doğum Yılı" is missing .*the headers contain "\?"/,
    ],
    ['an XLSX saved as .csv', (f) => fs.copyFileSync(path.join(dir, 'ref.xlsx'), f), /^personel\.csv: this is an Excel workbook \(XLSX\) with a \.csv name/],
    ['an empty file', (f) => fs.writeFileSync(f, ''), /^personel\.csv: the file is empty$/],
  ])('wrong encoding or format: %s', async (_label, make, message) => {
    await writeXlsx(path.join(dir, 'ref.xlsx'), personnelRows());
    const f = file('personel.csv');
    fs.mkdirSync(path.dirname(f), { recursive: true });
    make(f);
    const err = await readAll(f, 'personnel').catch((e) => e);
    expect(err).toBeInstanceOf(HrExportError);
    expect(err.message).toMatch(message);
    expect(err.message).not.toMatch(/\d{9,}/);
  });

  it.each<[string, Buffer, RegExp]>([
    ['an old XLS workbook renamed .xlsx', Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 0, 0]), /Excel 97-2003 workbook \(XLS\)/],
    ['a CSV renamed .xlsx', Buffer.from('TC Kimlik No;Birim\r\n'), /not an XLSX workbook/],
    [
      'a damaged workbook',
      Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.alloc(64, 7)]),
      /^egitim\.xlsx: not a readable XLSX workbook \(damaged or truncated\?\)/,
    ],
  ])('a bad workbook: %s', async (_label, bytes, message) => {
    const f = file('egitim.xlsx');
    fs.mkdirSync(path.dirname(f), { recursive: true });
    fs.writeFileSync(f, bytes);
    await expect(readAll(f, 'training')).rejects.toThrow(message);
  });

  it('a workbook cut in half (a copy interrupted) is refused as damaged', async () => {
    const whole = await writeXlsx(path.join(dir, 'whole.xlsx'), [trainingRows()[0], ...Array.from({ length: 400 }, () => trainingRows()[1])]);
    const f = file('egitim.xlsx');
    fs.mkdirSync(path.dirname(f), { recursive: true });
    const bytes = fs.readFileSync(whole);
    fs.writeFileSync(f, bytes.subarray(0, Math.floor(bytes.length / 2)));
    await expect(readAll(f, 'training')).rejects.toThrow(/^egitim\.xlsx: not a readable XLSX workbook/);
  });
});

describe('the export folder', () => {
  it('finds each stream by file name, skips Excel lock files and identical copies', async () => {
    const d = path.join(dir, 'folder');
    writeCsv(path.join(d, 'personel-memur.csv'), personnelRows().slice(0, 2));
    writeCsv(path.join(d, 'Personel İşçi.csv'), [personnelRows()[0], personnelRows()[2]]);
    writeCsv(path.join(d, 'personel-memur (1).csv'), personnelRows().slice(0, 2));
    fs.writeFileSync(path.join(d, '~$personel.xlsx'), 'lock');
    writeCsv(path.join(d, 'Hizmet İçi Eğitim 2025.csv'), trainingRows());
    writeCsv(path.join(d, 'izin.csv'), leaveRows());
    writeCsv(path.join(d, 'notlar.csv'), [['x']]);
    const p = await listExportFiles(d, 'personnel');
    expect(p.files.map((f) => f.name)).toEqual(['Personel İşçi.csv', 'personel-memur (1).csv']);
    expect(p.duplicates).toEqual([{ file: 'personel-memur.csv', sameAs: 'personel-memur (1).csv' }]);
    expect((await listExportFiles(d, 'training')).files.map((f) => f.name)).toEqual(['Hizmet İçi Eğitim 2025.csv']);
    expect((await listExportFiles(d, 'leave')).files.map((f) => f.name)).toEqual(['izin.csv']);
  });

  it('a missing folder or a missing export is a clear SourceUnavailableError', async () => {
    await expect(listExportFiles(path.join(dir, 'nope'), 'personnel')).rejects.toThrow(
      new SourceUnavailableError(`HR export folder ${path.join(dir, 'nope')} does not exist (PANO_HR_EXPORT_DIR)`),
    );
    const d = path.join(dir, 'only-personnel');
    writeCsv(path.join(d, 'personel.csv'), personnelRows());
    await expect(listExportFiles(d, 'leave')).rejects.toThrow(`HR export folder ${d} has no leave export (expected izin*.csv / izin*.xlsx)`);
  });

  it('an old .xls export is named as unreadable', async () => {
    const d = path.join(dir, 'xls');
    fs.mkdirSync(d, { recursive: true });
    fs.writeFileSync(path.join(d, 'izin.xls'), 'x');
    await expect(listExportFiles(d, 'leave')).rejects.toThrow('izin.xls: Excel 97-2003 workbooks (.xls) cannot be read: save it as .xlsx or CSV');
  });
});

describe('duplicates and persons', () => {
  it('a person listed twice with the same start date is refused once, pointing at the first row; a re-hire is kept', async () => {
    const rows = personnelRows();
    rows.push([...rows[1]]);
    rows.push([rows[2][0], 'Mehmet', 'Öztürk', 'Fen İşleri', 'Şoför', 'Hizmet Alımı', '01.02.2026', '', 'E', '1970']);
    const { rows: landed, refused } = validatePersonnel((await readAll(writeCsv(file('personel.csv'), rows), 'personnel')).records);
    expect(landed).toHaveLength(4);
    expect(refused).toEqual([{ ref: 'personel.csv:line 5', ok: false, reason: 'the same person with the same İşe Başlama is already at personel.csv:line 2' }]);
  });

  it('trainings and leaves of unknown or refused persons are refused with the reason', async () => {
    const p = personnelRows();
    p[3][3] = 'Tarımsal Hizmetler';
    const { v } = validatePersonnel((await readAll(writeCsv(file('personel.csv'), p), 'personnel')).records);
    const t = trainingRows();
    t.push(['11111111110', 'Stajyer', 'Yangın', '2', '01.06.2025']);
    t.push([TCKN.c, 'Şükrü Işık', 'Yangın', '2', '01.06.2025']);
    const tv = new TrainingValidator(v.persons);
    const out = (await readAll(writeCsv(file('egitim.csv'), t), 'training')).records.map((r) => tv.validate(r));
    expect(out.map((o) => (o.ok ? 'ok' : o.reason))).toEqual([
      'ok',
      'ok',
      'the person is not in the personnel export (no personnel row with this TC Kimlik No)',
      "the person's personnel row (personel.csv:line 4) was refused, see its quarantine entry",
    ]);
    expect(tv.stats.counts).toMatchObject({ person_unknown: 1, person_refused: 1 });
    expect(persons.size).toBe(3);
  });
});
