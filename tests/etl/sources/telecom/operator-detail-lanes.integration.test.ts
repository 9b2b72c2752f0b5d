import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import iconv from 'iconv-lite';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../../common/config.js';
import { telecomSources } from '../../../../etl/sources/telecom/pipeline.js';
import { runBothLanes } from '../../../helpers/fast-lane.js';

/**
 * The operator details' fast lane (DuckDB's CSV reader + SQL) lands exactly what the row-by-row reader
 * lands — the same rows and values, the same refusals with the same reasons and locators — for plain files
 * in each encoding, for rows only JavaScript may read (TC Kimlik No-like keys, "+90 …", "1.234,56", a
 * month column, odd whitespace, wrong values) and for files that are not plain (cut off, quoted line breaks).
 */
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pano-detail-lanes-'));
const dir = path.join(tmp, 'detay');
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function tckn(first9: string): string {
  const d = first9.split('').map(Number);
  const d10 = ((((d[0] + d[2] + d[4] + d[6] + d[8]) * 7 - (d[1] + d[3] + d[5] + d[7])) % 10) + 10) % 10;
  const d11 = (d.reduce((a, b) => a + b, 0) + d10) % 10;
  return `${first9}${d10}${d11}`;
}
const VALID = tckn('123456789');

const HEAD = 'MSISDN;Dönem Başlangıç;Dönem Bitiş;Tarife;Sabit Ücret;Kullanım Ücreti;İndirim;Konuşma (dk);Data (MB);SMS;Toplam';
const PLAIN_ROWS = [
  '905321112233;01.11.2025;30.11.2025;Kurumsal 10 GB;250,00;0;;0;0;0;250,00',
  '05321112234;01.11.2025;30.11.2025;Kurumsal 10 GB;99,90;12,345;-12,50;120;2048;4;99,90',
  '5321112235;01.11.2025;;Kurumsal 10 GB;100;0;10;;;;',
  '2165641234;01.11.2025;30.11.2025; Şirket Hattı ;0,005;0,015;0;0;0;0;0,02',
  '905321112236;01.11.2025;30.11.2025;;1,005;2,675;0,125;0;0;0;3,56',
  `${VALID};01.11.2025;30.11.2025;Abone;10;0;0;0;0;0;10`, // a TC Kimlik No as the key: hashed in JavaScript
  '12345678901;01.11.2025;30.11.2025;Abone;10;0;0;0;0;0;10', // 11 digits, not a TC Kimlik No
  '+90 532 111 22 37;01.11.2025;30.11.2025;X;1.234,56;0;0;0;0;0;1.234,56',
  '5321112238;31.02.2025;30.11.2025;X;1;0;0;0;0;0;1',
  '5321112239;01.12.2025;30.11.2025;X;1;0;0;0;0;0;1',
  '5321112240;1.11.2025;30.11.2025;X;1;0;0;0;0;0;1',
  `5321112241;01.11.2025;30.11.2025;Müşteri ${VALID};1;0;0;0;0;0;1`,
  '5321112242;01.11.2025;30.11.2025;X\t;1;0;0;0;0;0;1',
  '5321112243;01.11.2025;30.11.2025;X;abc;0;0;0;0;0;1',
  ';01.11.2025;30.11.2025;X;1;0;0;0;0;0;1',
  ';;;;;;;;;;',
  '5321112244;01.11.2025;30.11.2025;"Paket; özel";1;0;0;0;0;0;7',
  '5321112245;01.11.2025;30.11.2025;X;-3;0;0;0;0;0;-3',
  '5321112246;  01.11.2025 ; 30.11.2025;X; 12,50 ;0;0;0;0;0;12,5',
];

function write(rel: string, content: string | Buffer) {
  const file = path.join(dir, rel);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, content);
}
write('turkcell/turkcell_detay_2025-11.csv', `\ufeff${HEAD}\r\n${PLAIN_ROWS.join('\r\n')}\r\n`);
write('turk-telekom/TT_Detay_2025-11.csv', `${HEAD}\n${PLAIN_ROWS.slice(0, 5).join('\n')}`); // LF, no final line break
write(
  'vodafone/VF_Detay_2025_11.csv',
  iconv.encode(
    `Operatör;${HEAD}\r\n` +
      [
        'Vodafone;5421234567;01.11.2025;30.11.2025;Kurumsal Şirket Hattı 8 GB;198,00;12,50;;350;4096;12;210,50',
        'VODAFONE TELEKOMÜNİKASYON A.Ş.;5421234568;01.11.2025;30.11.2025;X;1;0;;;;;1',
        ';5421234569;01.11.2025;30.11.2025;X;1;0;;;;;1',
        'Bilinmeyen Operatör;5421234570;01.11.2025;30.11.2025;X;1;0;;;;;1',
      ].join('\r\n') +
      '\r\n',
    'win1254',
  ),
);
write('diger/aylik.csv', `Hat No;Dönem;Sabit Ücret;Kullanım Ücreti\n5321112250;11.2025;10;0\n5321112251;Kasım 2025;10;0\n`); // a month column: JavaScript
write('turkcell/kesik.csv', `${HEAD}\n5321112260;01.11.2025;30.11.2025;X;1;0;0;0;0;0;1\n5321112261;01.11.2025;30.11`); // cut off
write('turkcell/satir-ici.csv', `${HEAD}\n5321112270;01.11.2025;30.11.2025;"iki\nsatır";1;0;0;0;0;0;1\n5321112271;01.11.2025;30.11.2025;X;1;0;0;0;0;0;1\n`);
write('turkcell/tirnak.csv', `${HEAD}\n5321112280;01.11.2025;30.11.2025;"Paket ""Özel""";1;0;0;0;0;0;1\n`);

const config = loadConfig({
  PANO_MODE: 'demo',
  PANO_DATA_DIR: tmp,
  PANO_LOG_LEVEL: 'silent',
  PANO_KVKK_SECRET: 'lane-secret-0123456789',
  PANO_TELECOM_DETAIL_DIR: dir,
  PANO_TELECOM_INVOICE_DIR: path.join(tmp, 'yok'),
  PANO_TELECOM_LINES_FILE: path.join(tmp, 'yok.csv'),
});

describe('operator details: fast lane = row-by-row reader', () => {
  it('the same rows, values, refusals, reasons and locators', async () => {
    const { fast, slow } = await runBothLanes(() => telecomSources(config), 'telecom_operator_details', 'source_file, source_line');
    expect(slow.rows.length).toBeGreaterThan(20);
    expect(slow.quarantine.length).toBeGreaterThanOrEqual(5);
    // the plain rows of the plain files went in bulk (turkcell 8 of 19, turk-telekom 5, vodafone 4, the month file 1); the rest row by row
    expect(fast.bulkRows).toBe(18);
    expect(fast.status).toEqual(slow.status);
    expect(fast.rows).toEqual(slow.rows);
    expect(fast.quarantine).toEqual(slow.quarantine);
    expect(fast.status).toEqual(slow.status);
    // the key that is a TC Kimlik No never lands in clear, on either lane
    expect(JSON.stringify(fast.rows)).not.toContain(VALID);
    expect(JSON.stringify(fast.quarantine)).not.toContain(VALID);
  }, 120_000);
});
