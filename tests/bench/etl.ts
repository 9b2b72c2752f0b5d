/**
 * `npm run bench:etl` — ETL throughput per source on the large demo, against DuckDB loading the same rows
 * natively (read_csv of the landed table exported to CSV), measured in the same run, plus peak memory.
 *
 *   npm run bench:etl                 # scale "large" (≈ 1 M tickets; takes several minutes)
 *   npm run bench:etl -- --scale 5    # a quicker look
 *
 * Writes the table to stdout and to bench-results/etl-<date>.md. Not a test: numbers depend on the machine.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { loadConfig } from '../../common/config.js';
import { silentLogger } from '../../common/logger.js';
import { configuredSources, generateDemoSources, runConfiguredEtl, SnapshotStore } from '../../etl/index.js';
import { markdownTable, peakRssMb, writeResult } from './util.js';

const arg = (name: string, dflt: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : dflt;
};
const LARGE_SCALE = 25; // ≈ 1 M GLPI tickets over 3 years
const scaleArg = arg('scale', 'large');
const scale = scaleArg === 'large' ? LARGE_SCALE : Number(scaleArg);

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pano-bench-etl-'));
const config = loadConfig({ PANO_MODE: 'demo', PANO_DATA_DIR: dir, PANO_LOG_LEVEL: 'silent' });
const now = new Date();

console.log(`Generating the demo sources at scale ${scale} in ${dir} …`);
let t = performance.now();
await generateDemoSources(config, { seed: 42, scale, now, years: 3 });
console.log(`  generated in ${((performance.now() - t) / 1000).toFixed(1)} s`);

const rows: string[][] = [];
for (const source of configuredSources(config)) {
  t = performance.now();
  const r = await runConfiguredEtl(config, silentLogger, { sources: [source.id], now: () => now });
  const status = r.sources.find((s) => s.source === source.id)!;
  // the source's own time (extract, validate, load, checks); the run also rebuilds every mart
  const panoS = (status.durationMs ?? performance.now() - t) / 1000;
  const manifest = new SnapshotStore(config.warehouse.dir).current()!;

  // Baseline: the same landed rows, exported to CSV (not timed), loaded by DuckDB's own reader (timed).
  const csv = path.join(dir, `${source.id}.csv`);
  const db = await DuckDBInstance.create(new SnapshotStore(config.warehouse.dir).pathOf(manifest), { access_mode: 'READ_ONLY' });
  const c = await db.connect();
  await c.run(`COPY (SELECT * EXCLUDE (_run_id, _extracted_at) FROM ${source.raw.schema}.${source.raw.table}) TO '${csv}' (HEADER)`);
  c.closeSync();
  db.closeSync();
  const native = await DuckDBInstance.create(':memory:');
  const n = await native.connect();
  t = performance.now();
  await n.run(`CREATE TABLE t AS SELECT * FROM read_csv('${csv}')`);
  const nativeS = (performance.now() - t) / 1000;
  n.closeSync();
  native.closeSync();

  rows.push([
    source.id,
    status.rowsRead.toLocaleString('tr-TR'),
    status.rowsRejected.toLocaleString('tr-TR'),
    panoS.toFixed(2),
    Math.round(status.rowsRead / panoS).toLocaleString('tr-TR'),
    nativeS.toFixed(2),
    Math.round(status.rowsLoaded / nativeS).toLocaleString('tr-TR'),
    (panoS / nativeS).toFixed(1),
  ]);
}

const table = markdownTable(['source', 'rows read', 'rejected', 'Pano ETL s', 'Pano rows/s', 'DuckDB read_csv s', 'DuckDB rows/s', 'ratio'], rows);
const text = `# ETL benchmark (scale ${scale}, ${os.cpus().length} cores, Node ${process.version})\n\n${table}\n\nPeak RSS of the whole run: ${peakRssMb()} MB\n`;
console.log(`\n${text}`);
writeResult('etl', text);
fs.rmSync(dir, { recursive: true, force: true });
