import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import iconv from 'iconv-lite';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inspectFileBytes } from '../../../etl/csv/encoding.js';
import { stageDelimitedFiles } from '../../../etl/csv/stage.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pano-csv-'));
const put = (name: string, content: string | Buffer) => {
  const f = path.join(tmp, name);
  fs.writeFileSync(f, content);
  return f;
};
let db: DuckDBInstance;
let conn: DuckDBConnection;
beforeAll(async () => {
  db = await DuckDBInstance.create(':memory:');
  conn = await db.connect();
});
afterAll(() => {
  conn?.closeSync();
  db?.closeSync();
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe('inspectFileBytes: what the bytes say, in one pass', () => {
  it('UTF-8 with Turkish letters, its hash, head and last byte', async () => {
    const text = 'Birim;Ad\nFen İşleri;Şükrü\n';
    const f = put('utf8.csv', text);
    const r = await inspectFileBytes(f, { headBytes: 5 });
    expect(r).toMatchObject({
      bytes: Buffer.byteLength(text),
      validUtf8: true,
      firstInvalid: -1,
      firstNul: -1,
      utf8TurkishLetters: true,
      endsInsideCharacter: false,
      lastByte: 0x0a,
    });
    expect(r.sha256).toBe(crypto.createHash('sha256').update(text).digest('hex'));
    expect(r.head.toString()).toBe('Birim');
  });
  it('windows-1254: not UTF-8, the first bad byte named, no UTF-8 Turkish letters', async () => {
    const f = put('win.csv', iconv.encode('Birim;Ad\nFen İşleri;Şükrü', 'win1254'));
    const r = await inspectFileBytes(f);
    expect(r).toMatchObject({ validUtf8: false, firstInvalid: 13, utf8TurkishLetters: false, lastByte: 0xfc }); // İ (0xDD) at byte 13; the file ends with ü (0xFC)
  });
  it('UTF-8 and windows-1254 mixed; a NUL; a file cut inside a character', async () => {
    const mixed = Buffer.concat([Buffer.from('Şükrü;'), iconv.encode('Işık\n', 'win1254')]);
    expect(await inspectFileBytes(put('mixed.csv', mixed))).toMatchObject({ validUtf8: false, utf8TurkishLetters: true, firstInvalid: 10 }); // "Şükrü;" is 9 bytes, then "I", then ş (0xFE)
    expect((await inspectFileBytes(put('nul.csv', Buffer.from('ab\u0000c')))).firstNul).toBe(2);
    const cut = Buffer.from('a;Ş').subarray(0, 3);
    expect(await inspectFileBytes(put('cut.csv', cut))).toMatchObject({ validUtf8: true, endsInsideCharacter: true });
  });
  it('a file larger than one read chunk: a bad byte and a NUL far in are found at their offsets', async () => {
    const big = Buffer.alloc(3 * (1 << 20), 'a');
    big[2_500_000] = 0xfe;
    big[2_600_000] = 0;
    const r = await inspectFileBytes(put('big.csv', big));
    expect(r).toMatchObject({ bytes: big.length, validUtf8: false, firstInvalid: 2_500_000, firstNul: 2_600_000 });
  });
});

describe('stageDelimitedFiles: plain files staged by DuckDB, the others named with why', () => {
  it('says which files hold tabs, no-break or other Unicode spaces (a BOM at the start does not count)', async () => {
    const cases: Array<[string, boolean]> = [
      ['\ufeffa;b\n1;2\n', false],
      ['a;b\n1;“2”–\n', false],
      ['a;b\n1\t;2\n', true],
      ['a;b\n1;2\u00a0\n', true],
      ['a;b\n1;\u20092\n', true],
      ['a;b\n1;\ufeff2\n', true],
      ['a;b\n1;\u30002\n', true],
    ];
    for (const [i, [text, expected]] of cases.entries()) {
      const [r] = await stageDelimitedFiles(conn, {
        table: 'ws',
        files: [{ file: put(`ws${i}.csv`, text), encoding: 'utf-8' }],
        delimiter: ';',
        headerLine: 1,
        width: 2,
      });
      expect(r.ok && r.otherWhitespace, JSON.stringify(text)).toBe(expected);
    }
  });
  it("stages the plain files of a group with each row's file and line; refuses the rest", async () => {
    const files = [
      put('a.csv', '\ufeffa;b;c\r\n1;"x;y";3\r\n;;\r\n4;5;6\r\n'),
      put('b.csv', iconv.encode('a;b;c\nİ;ş;ğ\n7;8;9', 'win1254')),
      put('cut.csv', 'a;b;c\n1;2;3\n4;5\n'),
      put('blank.csv', 'a;b;c\n1;2;3\n\n4;5;6\n'),
      put('multi.csv', 'a;b;c\n1;"2\n2";3\n'),
      put('quote.csv', 'a;b;c\n1;2 "x" 3;3\n'),
      put('mixed.csv', 'a;b;c\r\n1;2;3\n4;5;6\r\n'),
      put('empty.csv', 'a;b;c\n'),
    ];
    await conn.run('BEGIN TRANSACTION'); // as the runner calls it: inside the source's transaction
    const r = await stageDelimitedFiles(conn, {
      table: 'st',
      files: files.map((file, i) => ({ file, encoding: i === 1 ? 'windows-1254' : 'utf-8' })),
      delimiter: ';',
      headerLine: 1,
      width: 3,
      tempDir: tmp,
    });
    expect(r.map((x) => (x.ok ? x.rows : x.why))).toEqual([
      3,
      2,
      '1 rows for 2 lines (blank lines, values spanning lines or rows with the wrong number of fields)',
      '2 rows for 3 lines (blank lines, values spanning lines or rows with the wrong number of fields)',
      '1 rows for 2 lines (blank lines, values spanning lines or rows with the wrong number of fields)',
      'a value holds a quote',
      'mixed line endings',
      'no data rows',
    ]);
    const rows = (await conn.runAndReadAll('SELECT _file, _line, c0, c1, c2 FROM st ORDER BY _file, _line')).getRowObjectsJson();
    // neither file holds whitespace other than plain spaces: their rows need no per-row check for it
    expect(r.slice(0, 2).map((x) => x.ok && x.otherWhitespace)).toEqual([false, false]);
    expect(rows).toEqual([
      { _file: 0, _line: 2, c0: '1', c1: 'x;y', c2: '3' },
      { _file: 0, _line: 3, c0: null, c1: null, c2: null },
      { _file: 0, _line: 4, c0: '4', c1: '5', c2: '6' },
      { _file: 1, _line: 2, c0: 'İ', c1: 'ş', c2: 'ğ' },
      { _file: 1, _line: 3, c0: '7', c1: '8', c2: '9' },
    ]);
    await conn.run('COMMIT'); // nothing above aborted the transaction
    expect(fs.readdirSync(tmp).filter((f) => f.startsWith('pano-stage-'))).toEqual([]); // the UTF-8 copy is gone
  });
});
