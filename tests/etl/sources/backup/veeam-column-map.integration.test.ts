import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { veeamSessionsSource } from '../../../../etl/sources/backup/pipeline.js';
import { extractVeeamExports, ObjectResolver, parseBackupConfig, parseVeeamColumnMap, type VeeamColumnMap } from '../../../../etl/sources/backup/index.js';
import { bulkVeeamExports } from '../../../../etl/sources/backup/veeam-bulk.js';
import type { SourceDefinition } from '../../../../etl/source.js';
import { runBothLanes, type LaneResult } from '../../../helpers/fast-lane.js';

/**
 * Exports read through a column map (PANO_VEEAM_COLUMN_MAP) land the same on both lanes: renamed headers are
 * staged by DuckDB like Pano's own; a map that translates words sends its files to the JavaScript lane.
 */
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pano-veeam-map-lanes-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

// an Enterprise Manager export whose tool writes Turkish headers (and, in the second folder, Turkish words)
const HEAD = '"Nokta Türü";"Algoritma";"Bitiş (UTC)";"Etiketler";"Durum";"Boyut";"Sanal Makine";"Sonuç";"İş";"Neden";"Başlangıç (UTC)"';
const ROWS = [
  '"Increment";"Incremental";"2025-11-18T17:27:47.74Z";;"Completed";"827129856";"dc01";"{ok}";"AD";"";"2025-11-18T17:25:24.74Z"',
  '"Full";"Full";"2025-11-19T05:27:22.863Z";;"Completed";"58987184128";"dc01";"{ok}";"AD";"";"2025-11-19T05:25:19.8Z"',
  '"Full";"Full";"2025-11-20T05:27:22Z";;"Completed";"1";"dc02";"{fail}";"AD";"Disk dolu";"2025-11-20T05:25:19Z"',
  '"Full";"Full";"2025-11-21T05:27:22Z";;"Completed";"12.5";"dc02";"{ok}";"AD";"";"2025-11-21T05:25:19Z"', // not a byte count
];
const COLUMNS = {
  'Nokta Türü': 'RestorePointType',
  Algoritma: 'JobAlgorithm',
  'Bitiş (UTC)': 'BackupEndTime(UTC)',
  Etiketler: 'IncludedTags',
  Durum: 'State',
  Boyut: 'TotalSize',
  'Sanal Makine': 'VMName',
  Sonuç: 'Result',
  İş: 'JobName',
  Neden: 'Reason',
  'Başlangıç (UTC)': 'BackupCreationTime(UTC)',
};

function folder(name: string, words: { ok: string; fail: string }): string {
  const dir = path.join(tmp, name);
  fs.mkdirSync(dir, { recursive: true });
  const rows = ROWS.map((r) => r.replace('{ok}', words.ok).replace('{fail}', words.fail));
  fs.writeFileSync(path.join(dir, 'em-tr.csv'), `${HEAD}\n${rows.join('\n')}\n`);
  return dir;
}

/** The Veeam source of a folder, read through a column map (as the pipeline wires PANO_VEEAM_COLUMN_MAP). */
function mappedSource(dir: string, columnMap: VeeamColumnMap): SourceDefinition<any> {
  const cfg = parseBackupConfig({ veeamDir: dir, bareosUrl: 'sqlite:/nonexistent' });
  const resolver = new ObjectResolver(null, { unitCode: 'BILGI_ISLEM', rpoTargetHours: 24 });
  const base = veeamSessionsSource(cfg, resolver);
  return {
    ...base,
    extract: (r) => extractVeeamExports(dir, { columnMap, onFile: (f) => r.files.push(f) }) as AsyncIterable<Array<Record<string, unknown>>>,
    bulkExtract: (r, ctx) =>
      bulkVeeamExports(ctx.conn, ctx, { dir, timezone: cfg.veeamTimezone, resolver, columnMap, onFile: (f) => r.files.push(f) }) as AsyncIterable<
        Array<Record<string, unknown>>
      >,
  };
}

describe.each([
  ['headers only', { ok: 'Success', fail: 'Failed' }, {}, true],
  ['headers and words', { ok: 'Başarılı', fail: 'Başarısız' }, { Result: { Başarılı: 'Success', Başarısız: 'Failed' } }, false],
])('a column map (%s): both lanes land the same', (name, words, values, bulk) => {
  let fast: LaneResult;
  let slow: LaneResult;
  beforeAll(async () => {
    const dir = folder(name.replace(/ /g, '-'), words);
    const map = parseVeeamColumnMap(JSON.stringify({ columns: COLUMNS, values }), 'veeam-columns.json');
    ({ fast, slow } = await runBothLanes(() => [mappedSource(dir, map)], 'backup_veeam', 'source_file, source_line', new Date('2025-11-22T09:00:00Z')));
  }, 120_000);

  it('lands the mapped rows and refuses the bad one', () => {
    expect(slow.rows.map((r) => [r.object_name, r.status, r.result])).toEqual([
      ['dc01', 'success', 'Success'],
      ['dc01', 'success', 'Success'],
      ['dc02', 'failed', 'Failed'],
    ]);
    expect(slow.quarantine.map((q) => [q.locator, q.reason])).toEqual([['em-tr.csv:line 5', 'TotalSize "12.5" is not a byte count (a whole number of bytes)']]);
    // the quarantine keeps the row under the headers the site's file has
    expect(JSON.parse(slow.quarantine[0].record_json).values).toMatchObject({ Boyut: '12.5', 'Sanal Makine': 'dc02' });
  });
  it(bulk ? 'renamed headers are staged in bulk' : 'translated words are read row by row', () => {
    expect(fast.bulkRows > 0).toBe(bulk);
  });
  it('the same rows, refusals and status', () => {
    expect(fast.rows).toEqual(slow.rows);
    expect(fast.quarantine).toEqual(slow.quarantine);
    expect(fast.status).toEqual(slow.status);
  });
});
