import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../../common/config.js';
import { ConfigError } from '../../../../common/errors.js';
import { backupSources } from '../../../../etl/sources/backup/pipeline.js';
import { runBothLanes } from '../../../helpers/fast-lane.js';

/** PANO_VEEAM_COLUMN_MAP through the configured sources: checked at start, applied on both lanes. */
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pano-veeam-map-run-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const config = (env: Record<string, string>) =>
  loadConfig({ PANO_MODE: 'demo', PANO_DATA_DIR: path.join(tmp, 'data'), PANO_LOG_LEVEL: 'silent', PANO_BAREOS_URL: 'sqlite:/nonexistent', ...env });

describe('PANO_VEEAM_COLUMN_MAP in a run', () => {
  const dir = path.join(tmp, 'veeam');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(
    path.join(dir, 'em-tr.csv'),
    '"Sanal Makine";"Sonuç";"İş";"Durum";"Boyut";"Başlangıç (UTC)";"Bitiş (UTC)"\n' +
      '"dc01";"Başarılı";"AD";"Completed";"827129856";"2025-11-18T17:25:24.74Z";"2025-11-18T17:27:47.74Z"\n' +
      '"dc02";"Başarısız";"AD";"Completed";"1";"2025-11-19T05:25:19Z";"2025-11-19T05:27:22Z"\n',
  );
  const map = path.join(tmp, 'veeam-columns.json');
  fs.writeFileSync(
    map,
    JSON.stringify({
      columns: {
        'Sanal Makine': 'VMName',
        Sonuç: 'Result',
        İş: 'JobName',
        Durum: 'State',
        Boyut: 'TotalSize',
        'Başlangıç (UTC)': 'BackupCreationTime(UTC)',
        'Bitiş (UTC)': 'BackupEndTime(UTC)',
      },
      values: { Result: { Başarılı: 'Success', Başarısız: 'Failed' } },
    }),
  );

  it('a bad map stops the sources at start, naming the file and the entry', () => {
    const bad = path.join(tmp, 'bad.json');
    fs.writeFileSync(bad, '{"columns": {"Sonuç": "Result", "Durum": "result"}}');
    expect(() => backupSources(config({ PANO_VEEAM_DIR: dir, PANO_VEEAM_COLUMN_MAP: bad }))).toThrow(ConfigError);
    expect(() => backupSources(config({ PANO_VEEAM_DIR: dir, PANO_VEEAM_COLUMN_MAP: bad }))).toThrow(
      /PANO_VEEAM_COLUMN_MAP .*bad\.json: invalid Veeam column map:\n +columns\."Durum": duplicate target Result/,
    );
  });

  it("the site's file lands through the map, the same on both lanes", async () => {
    const cfg = config({ PANO_VEEAM_DIR: dir, PANO_VEEAM_COLUMN_MAP: map });
    const { fast, slow } = await runBothLanes(() => backupSources(cfg), 'backup_veeam', 'source_file, source_line', new Date('2025-11-20T09:00:00Z'));
    expect(slow.rows.map((r) => [r.object_name, r.result, r.status, r.export_shape])).toEqual([
      ['dc01', 'Success', 'success', 'em_api'],
      ['dc02', 'Failed', 'failed', 'em_api'],
    ]);
    expect(slow.quarantine).toEqual([]);
    expect(fast.rows).toEqual(slow.rows);
    expect(fast.status).toEqual(slow.status);
  }, 120_000);
});
