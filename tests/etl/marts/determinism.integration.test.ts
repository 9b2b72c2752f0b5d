import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, type PanoConfig } from '../../../common/config.js';
import { silentLogger } from '../../../common/logger.js';
import { SnapshotDirectory } from '../../../common/warehouse/snapshots.js';
import { generateDemoSources, runConfiguredEtl, SYSTEMS } from '../../../etl/index.js';
import { TEST_NOW } from '../../helpers/pano-env.js';

/**
 * Marts are a function of their input (issue #19, item 7): two full runs over the same generated sources, in two
 * data folders, with DuckDB's parallel aggregation on, give the same rows in every marts.* table.
 *
 * Excluded columns: none. Every time a mart shows (snapshot_at, as_of_date, as_of) comes from the sources'
 * `_extracted_at`, which is the run's injected clock (`now`, the same TEST_NOW in both runs), not the wall clock;
 * run ids and load times live only in the manifests and the run log, never in a mart. Should a mart ever
 * carry one, list it here with the reason.
 */
const RUN_DEPENDENT_COLUMNS: Record<string, string[]> = {};

function configFor(dir: string): PanoConfig {
  return loadConfig({
    PANO_MODE: 'demo',
    PANO_DATA_DIR: dir,
    PANO_PORT: '0',
    PANO_DEMO_SMTP_PORT: '0',
    PANO_LOG_LEVEL: 'silent',
    PANO_SCHEDULER_ENABLED: 'false',
    // Parallel aggregation: an order-dependent pick (any_value, arg_max with ties …) shows up as a difference.
    PANO_DUCKDB_THREADS: '4',
  });
}

describe('marts determinism', () => {
  const dirs: string[] = [];
  const files: string[] = [];

  beforeAll(async () => {
    const a = fs.mkdtempSync(path.join(os.tmpdir(), 'pano-det-a-'));
    const b = fs.mkdtempSync(path.join(os.tmpdir(), 'pano-det-b-'));
    dirs.push(a, b);
    await generateDemoSources(configFor(a), { seed: 7, scale: 0.1, now: TEST_NOW, systems: [...SYSTEMS] });
    // The same generated sources in the second folder, byte for byte (the config points at its own folder).
    fs.cpSync(a, b, { recursive: true });
    for (const dir of dirs) {
      const config = configFor(dir);
      const r = await runConfiguredEtl(config, silentLogger, { now: () => TEST_NOW, full: true, sources: [...SYSTEMS] });
      if (!r.manifest) throw new Error(`ETL run in ${dir} published nothing: ${JSON.stringify(r.sources)}`);
      const snapshots = new SnapshotDirectory(config.warehouse.dir);
      const current = snapshots.current();
      if (!current) throw new Error(`no serving snapshot in ${dir}`);
      files.push(snapshots.pathOf(current));
    }
  }, 600_000);

  afterAll(() => {
    for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  });

  it('two full runs over identical sources give identical marts', async () => {
    const instance = await DuckDBInstance.create(':memory:', { threads: '4' });
    const conn = await instance.connect();
    try {
      await conn.run(`ATTACH '${files[0]!.replace(/'/g, "''")}' AS s1 (READ_ONLY)`);
      await conn.run(`ATTACH '${files[1]!.replace(/'/g, "''")}' AS s2 (READ_ONLY)`);
      const tables = (
        await conn.runAndReadAll(`SELECT table_name FROM duckdb_tables() WHERE database_name = 's1' AND schema_name = 'marts' ORDER BY table_name`)
      ).getRowObjects() as Array<{ table_name: string }>;
      const other = (
        await conn.runAndReadAll(`SELECT table_name FROM duckdb_tables() WHERE database_name = 's2' AND schema_name = 'marts' ORDER BY table_name`)
      ).getRowObjects() as Array<{ table_name: string }>;
      expect(tables.length).toBeGreaterThan(10);
      expect(other.map((t) => t.table_name)).toEqual(tables.map((t) => t.table_name));

      const differences: string[] = [];
      for (const { table_name: table } of tables) {
        const cols = (
          await conn.runAndReadAll(
            `SELECT column_name FROM duckdb_columns() WHERE database_name = 's1' AND schema_name = 'marts' AND table_name = '${table}' ORDER BY column_index`,
          )
        ).getRowObjects() as Array<{ column_name: string }>;
        const excluded = RUN_DEPENDENT_COLUMNS[table] ?? [];
        const list = cols
          .map((c) => c.column_name)
          .filter((c) => !excluded.includes(c))
          .map((c) => `"${c}"`)
          .join(', ');
        // Rows in one snapshot and not the other, both ways (EXCEPT ALL keeps duplicates apart).
        const diff = await conn.runAndReadAll(`
          SELECT 's1' AS side, * FROM (SELECT ${list} FROM s1.marts."${table}" EXCEPT ALL SELECT ${list} FROM s2.marts."${table}")
          UNION ALL
          SELECT 's2' AS side, * FROM (SELECT ${list} FROM s2.marts."${table}" EXCEPT ALL SELECT ${list} FROM s1.marts."${table}")
          ORDER BY ALL LIMIT 6`);
        const rows = diff.getRowObjectsJson();
        if (rows.length) differences.push(`marts.${table}: ${JSON.stringify(rows)}`);
      }
      expect(differences).toEqual([]);
    } finally {
      conn.closeSync();
      instance.closeSync();
    }
  });
});
