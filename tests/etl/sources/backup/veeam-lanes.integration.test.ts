import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../../common/config.js';
import { generateBackupDemo } from '../../../../etl/demo/backup-demo.js';
import { veeamSessionsSource } from '../../../../etl/sources/backup/pipeline.js';
import { ObjectResolver, parseBackupConfig } from '../../../../etl/sources/backup/index.js';
import { runBothLanes, type LaneResult } from '../../../helpers/fast-lane.js';

/**
 * The Veeam exports' fast lane (DuckDB's CSV reader + SQL) lands exactly what the row-by-row reader lands —
 * rows and values, refusals with their reasons and locators, the file log's checks — for the demo's
 * exports, the real samples, and hand-written rows only JavaScript may read (other cultures and shapes,
 * values written otherwise, wrong values, sessions twice, a DST change in the server's zone, Turkish
 * letters in windows-1254, a cut-off file, a byte-identical copy).
 */
const SAMPLES = path.resolve(__dirname, '../../../../../shared/samples/backup/veeam');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pano-veeam-lanes-'));
const dir = path.join(tmp, 'veeam');
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const AHV_HEAD =
  '"JobName";"VM";"Date";"BackupType";"Status";"StartTime";"EndTime";"Duration";"TotalSize";"DataRead";"Transferred";"BackupSize";"Dedupe";"Compression"';
const ahvRow = (...v: string[]) => v.map((x) => `"${x}"`).join(';');
const AHV_ROWS = [
  ahvRow(
    'Günlük Yedek - ebys',
    'ebys-db01',
    '30.11.2025 20:00:14',
    'Incremental',
    'Success',
    '30.11.2025 20:00:14',
    '30.11.2025 20:00:56',
    '00:00:42.6496276',
    '108 GB',
    '2,77 GB',
    '1,94 GB',
    '1,75 GB',
    '1,58x',
    '1,41x',
  ),
  ahvRow('Günlük Yedek - ebys', 'ebys-db01', '', 'Incremental', 'Failed', '', '', '', '60 GB', '0 B', '0 B', '0 B', '1x', '1x'), // no start at all: refused
  ahvRow(
    'Günlük Yedek - web',
    'WEB01.belediye.local',
    '29.11.2025 20:00:00',
    'Full',
    'Warning',
    '29.11.2025 20:00:00',
    '29.11.2025 21:10:00',
    '',
    '1.234,5 GB',
    '17,04 MB',
    '64 B',
    '3 TB',
    '2x',
    '1,1x',
  ), // thousands dot: JavaScript
  ahvRow(
    'Günlük Yedek - web',
    'web01',
    '28.11.2025 20:00:00',
    'Full',
    'Success',
    '28.11.2025 20:00:00',
    '28.11.2025 19:00:00',
    '',
    '1 GB',
    '1 GB',
    '1 GB',
    '1 GB',
    '1x',
    '1x',
  ), // ends before it starts
  ahvRow(
    'Günlük Yedek - web',
    'web01',
    '27.11.2025 20:00:00',
    'Reverse Incremental',
    'Bilinmiyor',
    '27.11.2025 20:00:00',
    '27.11.2025 20:30:00',
    '',
    '1 GB',
    '1 GB',
    '1 GB',
    '1 GB',
    '1x',
    '1x',
  ), // unknown result
  ahvRow(
    'Günlük Yedek - web',
    'web01',
    '26.11.2025 20:00:00',
    'Full',
    'Success',
    '26.11.2025 20:00:00',
    '01.01.0001 00:00:00',
    '1.02:03:04',
    '1 gb',
    '1 GB',
    '1 GB',
    '1 GB',
    '1X',
    '1x',
  ), // not-set end, a day in the duration, lower-case units
  ahvRow(
    'Günlük Yedek - web',
    'web01',
    '25.11.2025 20:00:00',
    'Full',
    'Success',
    '25.11.2025 20:00:00',
    '25.11.2025 20:01:00',
    '00:01:00',
    '1 GB',
    '1 GB',
    '1 GB',
    '1 GB',
    '1x',
    '1x',
  ),
  ahvRow(
    'Günlük Yedek - web',
    'web01',
    '25.11.2025 20:00:00',
    'Full',
    'Success',
    '25.11.2025 20:00:00',
    '25.11.2025 20:01:00',
    '00:01:00',
    '1 GB',
    '1 GB',
    '1 GB',
    '1 GB',
    '1x',
    '1x',
  ), // the same session again
  ahvRow(
    'Günlük Yedek - web',
    'web01',
    '24.11.2025 20:00:00',
    'Full',
    'Success',
    '24.11.2025 20:00:00',
    '24.11.2025 20:01:00',
    '00:01:00',
    '1 GB',
    '1 GB',
    '1 GB',
    '1 GB',
    '1x',
    '1x',
  ),
  ahvRow(
    'Günlük Yedek - web',
    'web01',
    '24.11.2025 20:00:00',
    'Full',
    'Success',
    '24.11.2025 20:00:00',
    '24.11.2025 20:01:00',
    '0:01:00',
    '1 GB',
    '1 GB',
    '1 GB',
    '1 GB',
    '1x',
    '1x',
  ), // same session, written otherwise
  ahvRow('', 'web01', '23.11.2025 20:00:00', 'Full', 'Success', '23.11.2025 20:00:00', '', '', '', '', '', '', '', ''), // no job
  ahvRow('Haftalık', 'dosya01', '23.11.2025 20:00:00', 'Full', 'Success', '23.11.2025 20:00:00', '', '', '', '', '', '', '', ''), // empty values are allowed
  ahvRow('Haftalık', 'dosya01', '22.11.2025 20:00:00', 'Full', 'Success', '22.11.2025 20:00:00', '22.11.2025 20:00:00', '40:00:00', '', '', '', '', '', ''), // 40 hours in a 24-hour clock
  ahvRow('Haftalık', 'dosya01', '21.11.2025 20:00:00', 'Full', 'Success', '21.11.2025 20:00:00', '', '', '', '', '', '', '', ''), // same day next week
  ahvRow('Haftalık', 'dosya01', '20.11.2025 20:00:00', 'Full', 'Success', '20.11.2025 20:00:00', '20.12.2025 20:00:00', '', '', '', '', '', '', ''), // a month long: refused
  // DST in the server's zone (Europe/Berlin below): 30.03.2025 02:00–03:00 does not exist, 26.10.2025 02:00–03:00 happens twice
  ahvRow('Gece', 'dst01', '30.03.2025 02:30:00', 'Full', 'Success', '30.03.2025 02:30:00', '30.03.2025 03:30:00', '', '', '', '', '', '', ''),
  ahvRow('Gece', 'dst01', '26.10.2025 02:30:00', 'Full', 'Success', '26.10.2025 02:30:00', '26.10.2025 03:30:00', '', '', '', '', '', '', ''),
  ahvRow('Gece', 'dst01', '27.10.2025 02:30:00', 'Full', 'Success', '27.10.2025 02:30:00', '27.10.2025 03:30:00', '', '', '', '', '', '', ''),
];
const EM_HEAD =
  '"RestorePointType","JobAlgorithm","BackupEndTime(UTC)","IncludedTags","State","TotalSize","VMName","Result","JobName","Reason","BackupCreationTime(UTC)"';
const EM_ROWS = [
  '"Increment","Incremental","2025-11-18T17:27:47.74Z",,"Completed","827129856","dc01","Success","AD ve Altyapı","","2025-11-18T17:25:24.74Z"',
  '"Full","Full","2025-11-19T05:27:22.863Z","kritik","Completed","58987184128","dc01","Success","AD ve Altyapı","","2025-11-19T05:25:19.8Z"',
  '"Full","Full","0001-01-01T00:00:00Z",,"Working","","dc02","None","AD ve Altyapı","","2025-11-19T05:25:19Z"', // running, no end yet
  '"Full","Full","2025-11-19T06:00:00+03:00",,"Completed","1","dc03","Failed","AD ve Altyapı","Disk dolu","2025-11-19T05:00:00+03:00"', // offsets
  '"Full","Full","2025-11-20T06:00:00Z",,"Completed","1","dc03","Success","AD ve Altyapı","Sahibi 10000000146","2025-11-20T05:00:00Z"', // a TC Kimlik No in the reason
  '"Full","Full","2025-11-21T06:00:00Z",,"Completed","12.5","dc03","Success","AD ve Altyapı","","2025-11-21T05:00:00Z"', // not a byte count
  '"Full","Full","2025-11-22T06:00:00Z",,"Tuhaf","1","dc03","Success","AD ve Altyapı","","2025-11-22T05:00:00Z"', // unknown state
  '"Full","Full","2025-11-18T17:27:47.74Z",,"Completed","827129856","dc01","Success","AD ve Altyapı","","2025-11-18T17:25:24.74Z"', // a session again, other file below too
];

function put(rel: string, content: string | Buffer) {
  const f = path.join(dir, rel);
  fs.mkdirSync(path.dirname(f), { recursive: true });
  fs.writeFileSync(f, content);
}

beforeAll(async () => {
  // the demo's exports (both shapes, UTF-8 and windows-1254, a byte-identical copy), small
  const demoHome = path.join(tmp, 'demo');
  const config = loadConfig({
    PANO_MODE: 'demo',
    PANO_DATA_DIR: demoHome,
    PANO_LOG_LEVEL: 'silent',
    PANO_VEEAM_DIR: path.join(dir, 'demo'),
    PANO_BAREOS_URL: `sqlite:${path.join(demoHome, 'bareos.sqlite')}`,
  });
  await generateBackupDemo(config, { seed: 7, scale: 0.1, years: 0.2, now: new Date('2025-12-01T06:00:00Z') });
  for (const f of fs.readdirSync(SAMPLES)) put(`ornek/${f}`, fs.readFileSync(path.join(SAMPLES, f)));
  put('elle/ahv-tr.csv', `\ufeff${AHV_HEAD}\r\n${AHV_ROWS.join('\r\n')}\r\n`);
  put(
    'elle/ahv-1254.csv',
    iconv.encode(
      `${AHV_HEAD}\r\n${AHV_ROWS.slice(0, 3)
        .map((r) => r.replace('ebys-db01', 'şube-01').replace('web', 'ığdır'))
        .join('\r\n')}\r\n`,
      'win1254',
    ),
  );
  put('elle/em.csv', `${EM_HEAD}\n${EM_ROWS.join('\n')}\n`);
  put('elle/em-2.csv', `${EM_HEAD}\n${EM_ROWS[0]}\n${EM_ROWS[1].replace('dc01', 'dc09')}\n`); // one session already in em.csv
  // read before em.csv: the same session as its second row, its times written with an offset (JavaScript reads
  // it and keeps it; the plain copy in em.csv comes later and is refused, on both lanes)
  put(
    'elle/em-0.csv',
    `${EM_HEAD}\n${EM_ROWS[1].replace('2025-11-19T05:27:22.863Z', '2025-11-19T08:27:22.863+03:00').replace('2025-11-19T05:25:19.8Z', '2025-11-19T08:25:19.8+03:00')}\n`,
  );
  put('elle/ahv-kesik.csv', `${AHV_HEAD}\n${AHV_ROWS[0]}\n${AHV_ROWS[6].slice(0, 40)}`); // cut off: read row by row
  put('elle/ahv-iso.csv', `${AHV_HEAD}\n${AHV_ROWS[6].replaceAll('25.11.2025 20:0', '2025-11-25T20:0')}\n`); // another culture
}, 120_000);

let fast: LaneResult;
let slow: LaneResult;
describe('Veeam exports: fast lane = row-by-row reader', () => {
  beforeAll(async () => {
    const cfg = parseBackupConfig({ veeamDir: dir, bareosUrl: 'sqlite:/nonexistent', veeamTimezone: 'Europe/Berlin' });
    const make = () => [veeamSessionsSource(cfg, new ObjectResolver(null, { unitCode: 'BILGI_ISLEM', rpoTargetHours: 24 }))];
    ({ fast, slow } = await runBothLanes(make, 'backup_veeam', 'source_file, source_line', new Date('2025-12-01T09:00:00Z')));
  }, 240_000);

  it('most rows went in bulk; the rest through the same rules', () => {
    expect(slow.rows.length).toBeGreaterThan(1000);
    expect(slow.quarantine.length).toBeGreaterThan(10);
    expect(fast.bulkRows).toBeGreaterThan(0.6 * slow.rows.length); // the demo's cut-off month (a fifth of this small demo) is read row by row
    expect(fast.bulkRows).toBeLessThan(slow.rows.length);
  });
  it('the same run status, counts and checks', () => {
    expect(fast.status).toEqual(slow.status);
  });
  it('the same rows and values', () => {
    expect(fast.rows.length).toBe(slow.rows.length);
    for (let i = 0; i < slow.rows.length; i++) expect(fast.rows[i], `row ${i}: ${slow.rows[i].source_file}:${slow.rows[i].source_line}`).toEqual(slow.rows[i]);
  });
  it('the same refusals, reasons and locators', () => {
    expect(fast.quarantine).toEqual(slow.quarantine);
  });
});
