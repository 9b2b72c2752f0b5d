/**
 * `npm run bench:etl` — ETL throughput per source on the large demo, against DuckDB loading the same rows
 * natively (read_csv of the landed table exported to CSV, with the table's own column types), measured in the
 * same run, plus peak memory.
 *
 *   npm run bench:etl                 # scale "large" (≈ 1 M tickets; takes several minutes)
 *   npm run bench:etl -- --scale 5    # a quicker look
 *   npm run bench:etl -- --scale 1 --source backup_veeam,hr   # only these sources (ids or systems)
 *   npm run bench:etl -- --scale 3 --data /tmp/pano-bench      # keep the generated demo there and reuse it next time
 *
 * The baseline is measured twice: into an in-memory database (the ratio the targets speak of) and into a
 * database file (as Pano's raw tables are: DuckDB compresses and writes what it stores in a file).
 *
 * Peak RSS is reported twice: after generating the demo (the generators' own memory) and for the whole run;
 * per source, the peak so far, the phase(s) in which this source's run raised it, the highest RSS sampled
 * during the source's run with the phase it was in (load, checks, marts), the largest JS heap committed, and
 * the RSS and JS heap in use right after the source (what is left in the process tells which part of it holds
 * memory). The baseline's export and loads run in child
 * processes, so nothing of the benchmark's own work counts in Pano's memory.
 * With `--data` pointing at an already generated demo, nothing is generated and the peak is the ETL's alone.
 *
 * Wall-clock ratios are what the targets speak of; on a busy machine (other jobs on the same cores) the CPU
 * columns are the steadier comparison: CPU seconds of the whole process (DuckDB's threads included) from the
 * start of the source's extract to its end, against DuckDB's own CPU seconds for read_csv.
 *
 * Writes the table to stdout and to bench-results/etl-<date>.md. Not a test: numbers depend on the machine.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { loadConfig } from '../../common/config.js';
import { silentLogger } from '../../common/logger.js';
import { configuredSources, generateDemoSources, runConfiguredEtl, SnapshotStore, type EtlProgress } from '../../etl/index.js';
import { markdownTable, peakRssMb, writeResult } from './util.js';

const arg = (name: string, dflt: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : dflt;
};
const LARGE_SCALE = 25; // ≈ 1 M GLPI tickets over 3 years
const scaleArg = arg('scale', 'large');
const scale = scaleArg === 'large' ? LARGE_SCALE : Number(scaleArg);
const only = arg('source', '').split(',').filter(Boolean);
const dataArg = arg('data', '');

const dir = dataArg ? path.resolve(dataArg) : fs.mkdtempSync(path.join(os.tmpdir(), 'pano-bench-etl-'));
// PANO_DUCKDB_MEMORY_LIMIT / PANO_DUCKDB_THREADS pass through, to measure other settings
const duckdbEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => k.startsWith('PANO_DUCKDB_')));
const config = loadConfig({ ...duckdbEnv, PANO_MODE: 'demo', PANO_DATA_DIR: dir, PANO_LOG_LEVEL: 'silent' });
// the demo's clock: kept with the data, so a reused demo is read with the clock it was generated with
const nowFile = path.join(dir, '.bench-now');
const generated = dataArg !== '' && fs.existsSync(nowFile) && fs.readFileSync(nowFile, 'utf8').split(' ')[1] === String(scale);
const now = generated ? new Date(fs.readFileSync(nowFile, 'utf8').split(' ')[0]) : new Date();

let t = performance.now();
if (generated) console.log(`Reusing the demo sources at scale ${scale} in ${dir}`);
else {
  console.log(`Generating the demo sources at scale ${scale} in ${dir} …`);
  if (dataArg) fs.rmSync(dir, { recursive: true, force: true });
  await generateDemoSources(config, { seed: 42, scale, now, years: 3 });
  fs.writeFileSync(nowFile, `${now.toISOString()} ${scale}`);
  console.log(`  generated in ${((performance.now() - t) / 1000).toFixed(1)} s`);
}
const generatorPeakMb = peakRssMb();
// each benchmark run starts from an empty warehouse and app database, also with a reused demo
fs.rmSync(config.warehouse.dir, { recursive: true, force: true });
for (const suffix of ['', '-wal', '-shm']) fs.rmSync(`${config.appDbUrl.replace(/^sqlite:/, '')}${suffix}`, { force: true });

const rows: string[][] = [];
const selected = configuredSources(config).filter((s) => !only.length || only.includes(s.id) || only.includes(s.system));
if (!selected.length) throw new Error(`no source matches --source ${only.join(',')}`);
for (const source of selected) {
  t = performance.now();
  // CPU of the whole process (DuckDB's threads included) from the start of the source's extract to its end
  let cpuStart: number | null = null;
  let cpuEnd: number | null = null;
  // Where the run's memory peaks: RSS sampled ten times a second, with the phase it was sampled in
  // (the source's extract and load, its checks, then the marts rebuilt and the snapshot published).
  let phase = 'start';
  const sampled = { rss: 0, phase: '', heap: 0 };
  const sampler = setInterval(() => {
    const m = process.memoryUsage();
    if (m.rss > sampled.rss) Object.assign(sampled, { rss: m.rss, phase });
    sampled.heap = Math.max(sampled.heap, m.heapTotal);
  }, 100);
  // …and, exactly, in which phase the process's peak (the kernel's high-water mark) rose, and by how much
  const raised = new Map<string, number>();
  let hwm = peakRssMb();
  const phaseEnds = () => {
    const now = peakRssMb();
    if (now > hwm) raised.set(phase, (raised.get(phase) ?? 0) + now - hwm);
    hwm = now;
  };
  const onProgress = (p: EtlProgress) => {
    if (p.source !== source.id) return;
    if (p.phase === 'extract' && cpuStart === null) cpuStart = cpuMs();
    if (p.phase === 'done' || p.phase === 'failed') cpuEnd = cpuMs();
    const next = p.phase === 'extract' ? 'load' : p.phase === 'check' ? 'checks' : 'marts';
    if (next !== phase) {
      phaseEnds();
      phase = next;
    }
  };
  const r = await runConfiguredEtl(config, silentLogger, { sources: [source.id], now: () => now, onProgress });
  clearInterval(sampler);
  phaseEnds();
  const panoCpuS = cpuStart !== null && cpuEnd !== null ? (cpuEnd - cpuStart) / 1000 : Number.NaN;
  const status = r.sources.find((s) => s.source === source.id)!;
  // the source's own time (extract, validate, load, checks); the run also rebuilds every mart
  const panoS = (status.durationMs ?? performance.now() - t) / 1000;
  const manifest = new SnapshotStore(config.warehouse.dir).current()!;

  const after = process.memoryUsage();

  // Baseline: the same landed rows, exported to CSV (not timed), loaded by DuckDB's own reader (timed).
  // The export runs in a child process too: it is the benchmark's own work, and its memory must not count in
  // the ETL's peak RSS.
  const csv = path.join(dir, `${source.id}.csv`);
  const types = exportLanded(new SnapshotStore(config.warehouse.dir).pathOf(manifest), `${source.raw.schema}.${source.raw.table}`, csv);
  const native = nativeLoad(csv, types, ':memory:');
  const nativeS = native.wallS;
  // the same load into a database file, as a warehouse keeps its tables (Pano's raw tables are in one)
  const nativeDb = path.join(dir, `${source.id}.native.duckdb`);
  const nativeFile = nativeLoad(csv, types, nativeDb);
  for (const suffix of ['', '.wal']) fs.rmSync(`${nativeDb}${suffix}`, { force: true });
  const peakMb = peakRssMb();

  rows.push([
    source.id,
    status.rowsRead.toLocaleString('tr-TR'),
    status.rowsRejected.toLocaleString('tr-TR'),
    panoS.toFixed(2),
    Math.round(status.rowsRead / panoS).toLocaleString('tr-TR'),
    nativeS.toFixed(2),
    Math.round(status.rowsLoaded / nativeS).toLocaleString('tr-TR'),
    (panoS / nativeS).toFixed(1),
    panoCpuS.toFixed(2),
    native.cpuS.toFixed(2),
    (panoCpuS / native.cpuS).toFixed(1),
    nativeFile.wallS.toFixed(2),
    (panoS / nativeFile.wallS).toFixed(1),
    String(peakMb),
    [...raised].map(([p, mb]) => `${p} +${mb}`).join(', ') || '—',
    `${Math.round(sampled.rss / 1024 / 1024)} (${sampled.phase})`,
    String(Math.round(sampled.heap / 1024 / 1024)),
    String(Math.round(after.rss / 1024 / 1024)),
    String(Math.round(after.heapUsed / 1024 / 1024)),
  ]);
  console.log(`  ${rows[rows.length - 1].join(' | ')}`);
}

const table = markdownTable(
  [
    'source',
    'rows read',
    'rejected',
    'Pano ETL s',
    'Pano rows/s',
    'DuckDB read_csv s',
    'DuckDB rows/s',
    'ratio',
    'Pano CPU s',
    'DuckDB CPU s',
    'CPU ratio',
    'DuckDB into a file s',
    'ratio to file',
    'peak RSS MB so far',
    'peak raised in (MB)',
    'highest RSS sampled MB (phase)',
    'JS heap committed max MB',
    'RSS after MB',
    'JS heap after MB',
  ],
  rows,
);
const peaks = generated
  ? `Peak RSS of the ETL (demo reused, nothing generated): ${peakRssMb()} MB`
  : `Peak RSS after generating the demo: ${generatorPeakMb} MB; of the whole run: ${peakRssMb()} MB`;
const text = `# ETL benchmark (scale ${scale}, ${os.cpus().length} cores, Node ${process.version})\n\n${table}\n\n${peaks}\n`;
console.log(`\n${text}`);
writeResult('etl', text);
if (!dataArg) fs.rmSync(dir, { recursive: true, force: true });

/**
 * The landed rows (without Pano's two bookkeeping columns) written to a CSV file by DuckDB in a child
 * process; returns the table's column types as read_csv's `columns` argument (read_csv's own type sniffing
 * samples the file and can guess wrong).
 */
function exportLanded(snapshot: string, table: string, csv: string): string {
  const [schema, name] = table.split('.');
  const script = `
    import { DuckDBInstance } from '@duckdb/node-api';
    const db = await DuckDBInstance.create(process.env.BENCH_DB, { access_mode: 'READ_ONLY' });
    const c = await db.connect();
    await c.run(\`COPY (SELECT * EXCLUDE (_run_id, _extracted_at) FROM ${table}) TO '\${process.env.BENCH_CSV}' (HEADER)\`);
    const types = (await c.runAndReadAll(\`SELECT column_name, data_type FROM duckdb_columns() WHERE schema_name = '${schema}' AND table_name = '${name}' AND column_name NOT IN ('_run_id', '_extracted_at') ORDER BY column_index\`)).getRowObjectsJson();
    console.log(JSON.stringify(types));
    c.closeSync();
    db.closeSync();`;
  const types = JSON.parse(inChild(script, { BENCH_CSV: csv.replace(/'/g, "''"), BENCH_DB: snapshot })) as Array<{ column_name: string; data_type: string }>;
  return `{${types.map((r) => `'${r.column_name}': '${r.data_type}'`).join(', ')}}`;
}

/**
 * DuckDB's own load of the CSV, timed in a child process: its in-memory table would otherwise count in
 * this process's peak RSS, which is meant to be Pano's.
 */
function nativeLoad(csv: string, columns: string, database: string): { wallS: number; cpuS: number } {
  for (const suffix of ['', '.wal']) fs.rmSync(`${database}${suffix}`, { force: true });
  const script = `
    import { DuckDBInstance } from '@duckdb/node-api';
    const db = await DuckDBInstance.create(process.env.BENCH_DB);
    const c = await db.connect();
    const t = performance.now();
    const u = process.cpuUsage();
    await c.run(\`CREATE TABLE t AS SELECT * FROM read_csv('\${process.env.BENCH_CSV}', header = true, delim = ',', quote = '"', escape = '"', columns = \${process.env.BENCH_COLUMNS})\`);
    const du = process.cpuUsage(u);
    console.log((performance.now() - t) / 1000, (du.user + du.system) / 1e6);
    c.closeSync();
    db.closeSync();`;
  const [wallS, cpuS] = inChild(script, { BENCH_CSV: csv.replace(/'/g, "''"), BENCH_COLUMNS: columns, BENCH_DB: database })
    .split(' ')
    .map(Number);
  return { wallS, cpuS };
}

/** Runs an ES module script in a child Node process (so its memory is not this process's); its last output line. */
function inChild(script: string, env: Record<string, string>): string {
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { env: { ...process.env, ...env }, encoding: 'utf8' });
  return out.trim().split('\n').pop()!;
}

function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}
