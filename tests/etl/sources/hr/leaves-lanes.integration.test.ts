import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateHrDemo } from '../../../../etl/demo/hr-demo.js';
import { hrSources } from '../../../../etl/sources/hr/pipeline.js';
import { runBothLanes, type LaneResult } from '../../../helpers/fast-lane.js';
import { HR_NOW, hrConfig, tmpDir, writeCsv } from './helpers.js';

/**
 * The leave exports' fast lane (DuckDB's CSV reader + SQL) lands exactly what the row-by-row reader and
 * LeaveValidator land — rows, refusals with their reasons and locators, checks — for the demo's export and
 * hand-written rows only JavaScript may read (wrong or unknown TC Kimlik Nos, odd dates and numbers,
 * copies of one leave written two ways, filler rows, a file that is not plain).
 */
const dir = tmpDir('pano-leave-lanes-');
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const config = hrConfig(dir);

function tckn(first9: string): string {
  const d = first9.split('').map(Number);
  const d10 = ((((d[0] + d[2] + d[4] + d[6] + d[8]) * 7 - (d[1] + d[3] + d[5] + d[7])) % 10) + 10) % 10;
  const d11 = (d.reduce((a, b) => a + b, 0) + d10) % 10;
  return `${first9}${d10}${d11}`;
}

let fast: LaneResult;
let slow: LaneResult;
beforeAll(async () => {
  await generateHrDemo(config, { seed: 5, now: HR_NOW, scale: 0.12 });
  const exportDir = config.sources.hr.exportDir;
  // persons the personnel export knows, from the demo's own leave file
  const demoLeaves = fs
    .readFileSync(
      path.join(
        exportDir,
        fs.readdirSync(exportDir).find((f) => /^izin/i.test(f))!,
      ),
      'utf8',
    )
    .split(/\r?\n/)
    .slice(1)
    .filter(Boolean);
  const [a, b] = [...new Set(demoLeaves.map((l) => l.split(/[;,]/)[0]))];
  const stranger = tckn('987654321');
  const H = ['TC Kimlik No', 'Adı Soyadı', 'İzin Türü', 'Başlangıç Tarihi', 'Bitiş Tarihi', 'Gün Sayısı'];
  writeCsv(
    path.join(exportDir, 'izin-ek.csv'),
    [
      H,
      [a, 'Ayşe Kaya', 'Yıllık İzin', '02.03.2026', '06.03.2026', '5'],
      [a, 'Ayşe Kaya', 'Mazeret İzni', '09.03.2026', '09.03.2026', '0,5'],
      [a, 'Ayşe Kaya', 'Yıllık İzin', '16.03.2026', '17.03.2026', '5'], // more days than the span
      [a, 'Ayşe Kaya', 'Yıllık İzin', '20.03.2026', '19.03.2026', '1'], // ends before it starts
      [a, 'Ayşe Kaya', 'Yıllık İzin', '1.4.2026', '2.4.2026', '2'], // d.M.yyyy: JavaScript reads it
      [a, 'Ayşe Kaya', 'Hastalık', '06.04.2026', '08.04.2026', '3.0'], // a decimal point
      [a, 'Ayşe Kaya', 'Hastalık', '06.04.2026', '08.04.2026', '3'], // the same leave again, written plainly
      [a, 'Ayşe Kaya', 'Ücretsiz İzin', '13.04.2026', '14.04.2026', '2'],
      [a, 'Ayşe Kaya', 'Ücretsiz İzin', '13.04.2026', '14.04.2026', '2'], // twice, both plain
      [a, 'Ayşe Kaya', '', '20.04.2026', '20.04.2026', '1'], // no type
      [a, 'Ayşe Kaya', 'Bilinmeyen Tür', '21.04.2026', '21.04.2026', '1'], // another type: diger
      [b, 'Mehmet Can', 'Yıllık İzin', '04.05.2026', '08.05.2026', '123456789'], // a long number, masked
      [b, 'Mehmet Can', 'Yıllık İzin', '11.05.2026', '15.05.2026', '0'],
      [stranger, 'Kimse', 'Yıllık İzin', '04.05.2026', '08.05.2026', '5'], // not in the personnel export
      ['12345678901', 'Yanlış', 'Yıllık İzin', '04.05.2026', '08.05.2026', '5'], // fails the check digits
      ['', '', '', '', '', ''], // a filler row
      [b, 'Mehmet Can', 'Yıllık İzin', '31.02.2026', '02.03.2026', '1'], // no 31 February
    ],
    { delimiter: ';', encoding: 'utf8' },
  );
  // a quote inside a value: the file is read row by row (windows-1254 too)
  writeCsv(
    path.join(exportDir, 'izin-tirnak.csv'),
    [H, [b, 'Mehmet "Memo" Can', 'Yıllık İzin', '01.06.2026', '02.06.2026', '2'], [b, 'Mehmet Can', 'Yıllık İzin', '08.06.2026', '09.06.2026', '2']],
    { delimiter: ';', encoding: 'windows-1254' },
  );
  ({ fast, slow } = await runBothLanes(() => hrSources(config), 'hr_leaves', 'source_ref', HR_NOW));
}, 240_000);

describe('HR leaves: fast lane = row-by-row reader', () => {
  it('most rows went in bulk', () => {
    expect(slow.status.message ?? '').toBe('');
    expect(slow.rows.length).toBeGreaterThan(500);
    expect(slow.quarantine.length).toBeGreaterThanOrEqual(10);
    expect(fast.bulkRows).toBeGreaterThan(0.9 * slow.rows.length);
    expect(fast.bulkRows).toBeLessThan(slow.rows.length);
  });
  it('the same status, counts and checks', () => expect(fast.status).toEqual(slow.status));
  it('the same rows', () => {
    expect(fast.rows.length).toBe(slow.rows.length);
    for (let i = 0; i < slow.rows.length; i++) expect(fast.rows[i], String(slow.rows[i].source_ref)).toEqual(slow.rows[i]);
  });
  it('the same refusals, reasons and locators', () => expect(fast.quarantine).toEqual(slow.quarantine));
});
