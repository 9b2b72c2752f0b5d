import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { DuckDBInstance } from '@duckdb/node-api';
import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import pino, { type Logger } from 'pino';
import { loadConfig, type PanoConfig } from '../../../../common/config.js';
import { openAppDb, type AppDb } from '../../../../common/db/app-db.js';
import { runEtl, type EtlRunResult } from '../../../../etl/runner.js';
import { SnapshotStore } from '../../../../etl/warehouse/snapshots.js';
import { hrSources } from '../../../../etl/sources/hr/pipeline.js';
import { buildHrMarts } from '../../../../etl/marts/hr.js';

/** Test helpers of the HR source: writing export files in real formats, running the real runner, scanning for TCKNs. */

export const HR_NOW = new Date('2026-11-25T09:00:00Z');
export const SECRET = 'test-kvkk-secret-0123456789abcdef';

/** Valid TC Kimlik Nos (check digits computed by hand, see values.test.ts). */
export const TCKN = {
  a: '10000000146',
  b: '12345678950',
  c: '98765432150',
};

export function tmpDir(prefix = 'pano-hr-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export interface CsvWriteOptions {
  delimiter?: string;
  encoding?: 'utf8' | 'utf8-bom' | 'windows-1254' | 'utf16le-bom' | 'utf16le';
  eol?: string;
  finalNewline?: boolean;
}

/** Writes rows as a CSV file in the given encoding (no quoting unless a cell needs it). */
export function writeCsv(file: string, rows: Array<Array<string | number>>, opts: CsvWriteOptions = {}): string {
  const d = opts.delimiter ?? ';';
  const eol = opts.eol ?? '\r\n';
  const cell = (v: string | number) => {
    const s = String(v);
    return s.includes(d) || s.includes('"') || s.includes('\n') ? `"${s.replace(/"/g, '""')}"` : s;
  };
  let text = rows.map((r) => r.map(cell).join(d)).join(eol);
  if (opts.finalNewline !== false) text += eol;
  const enc = opts.encoding ?? 'utf8';
  let buf: Buffer;
  if (enc === 'windows-1254') buf = iconv.encode(text, 'windows-1254');
  else if (enc === 'utf8-bom') buf = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text, 'utf8')]);
  else if (enc === 'utf16le-bom') buf = Buffer.concat([Buffer.from([0xff, 0xfe]), iconv.encode(text, 'utf16le')]);
  else if (enc === 'utf16le') buf = iconv.encode(text, 'utf16le');
  else buf = Buffer.from(text, 'utf8');
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, buf);
  return file;
}

/** Writes rows into the first sheet of an XLSX workbook (values as given: numbers, Dates, strings). */
export async function writeXlsx(file: string, rows: Array<Array<string | number | Date | null>>, opts: { dateFormat?: string } = {}): Promise<string> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('Sayfa1');
  for (const r of rows) {
    const row = ws.addRow(r);
    row.eachCell((c) => {
      if (c.value instanceof Date) c.numFmt = opts.dateFormat ?? 'dd.mm.yyyy';
    });
  }
  fs.mkdirSync(path.dirname(file), { recursive: true });
  await wb.xlsx.writeFile(file);
  return file;
}

export const PERSONNEL_HEADER = ['TC Kimlik No', 'Adı', 'Soyadı', 'Birim', 'Unvan', 'İstihdam Türü', 'İşe Başlama', 'Ayrılış', 'Cinsiyet', 'Doğum Yılı'];

/** A small valid personnel file's rows (header first). */
export function personnelRows(): string[][] {
  return [
    PERSONNEL_HEADER,
    [TCKN.a, 'Ayşe', 'Yılmaz', 'BİLGİ İŞLEM MÜDÜRLÜĞÜ', 'Programcı', 'Memur', '01.03.2015', '', 'Kadın', '1985'],
    [TCKN.b, 'Mehmet', 'Öztürk', 'Fen İşleri Müdürlüğü', 'Şoför', 'Kadrolu İşçi', '15.06.2010', '31.12.2025', 'E', '1970'],
    [TCKN.c, 'Şükrü', 'Işık', 'ZABITA', 'Zabıta Memuru', 'Sözleşmeli Personel', '02.01.2024', '', 'Erkek', '1994'],
  ];
}

export function trainingRows(): Array<Array<string | number>> {
  return [
    ['TC Kimlik No', 'Adı Soyadı', 'Eğitim Adı', 'Süre (Saat)', 'Tarih'],
    [TCKN.a, 'Ayşe Yılmaz', 'KVKK Farkındalık Eğitimi', '2,5', '12.05.2025'],
    [TCKN.b, 'Mehmet Öztürk', 'İş Sağlığı ve Güvenliği', '8', '13.05.2025'],
  ];
}

export function leaveRows(): Array<Array<string | number>> {
  return [
    ['TC Kimlik No', 'Adı Soyadı', 'İzin Türü', 'Başlangıç', 'Bitiş', 'Gün'],
    [TCKN.a, 'Ayşe Yılmaz', 'Yıllık İzin', '04.08.2025', '08.08.2025', '5'],
    [TCKN.c, 'Şükrü Işık', 'Mazeret İzni', '10.09.2025', '10.09.2025', '0,5'],
  ];
}

/** Writes a complete small export folder (personnel CSV, trainings CSV, leaves CSV). */
export function writeSmallExport(dir: string): void {
  writeCsv(path.join(dir, 'personel.csv'), personnelRows(), { encoding: 'windows-1254' });
  writeCsv(path.join(dir, 'egitim.csv'), trainingRows(), { encoding: 'utf8' });
  writeCsv(path.join(dir, 'izin.csv'), leaveRows(), { encoding: 'utf8-bom', delimiter: ',' });
}

export function hrConfig(dataDir: string, env: Record<string, string> = {}): PanoConfig {
  return loadConfig({ PANO_MODE: 'demo', PANO_DATA_DIR: dataDir, PANO_LOG_LEVEL: 'silent', PANO_KVKK_SECRET: SECRET, ...env });
}

/** A pino logger that keeps every line it writes, to scan the logs. */
export function memoryLogger(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, cb) {
      lines.push(String(chunk));
      cb();
    },
  });
  return { logger: pino({ level: 'trace' }, stream), lines };
}

export interface HrRun {
  result: EtlRunResult;
  appDb: AppDb;
  store: SnapshotStore;
  logLines: string[];
}

/** One run of the real runner over the HR sources of `config`, with a fresh or given app DB and store. */
export async function runHr(config: PanoConfig, ctx: { dir: string; appDb?: AppDb; store?: SnapshotStore; logLines?: string[] }): Promise<HrRun> {
  const appDb = ctx.appDb ?? (await openAppDb(`sqlite:${path.join(ctx.dir, 'app.sqlite')}`));
  const store = ctx.store ?? new SnapshotStore(path.join(ctx.dir, 'warehouse'));
  const mem = memoryLogger();
  const result = await runEtl({ sources: hrSources(config), store, appDb, logger: mem.logger, keep: 3, now: () => HR_NOW });
  const logLines = [...(ctx.logLines ?? []), ...mem.lines];
  return { result, appDb, store, logLines };
}

/** Runs SQL on a read-only open of the serving snapshot. */
export async function querySnapshot<T = Record<string, unknown>>(store: SnapshotStore, sql: string): Promise<T[]> {
  const file = store.pathOf(store.current()!);
  const inst = await DuckDBInstance.create(file, { access_mode: 'READ_ONLY' });
  const conn = await inst.connect();
  try {
    return (await conn.runAndReadAll(sql)).getRowObjectsJson() as T[];
  } finally {
    conn.closeSync();
    inst.closeSync();
  }
}

/** A writable copy of the serving snapshot with the HR marts built in it (whether or not the runner already did). */
export async function snapshotWithMarts(store: SnapshotStore, dir: string) {
  const copy = path.join(dir, `marts-${Date.now()}-${Math.random().toString(36).slice(2)}.duckdb`);
  fs.copyFileSync(store.pathOf(store.current()!), copy);
  const inst = await DuckDBInstance.create(copy);
  const conn = await inst.connect();
  await conn.run("SET TimeZone = 'UTC'");
  const present = new Set(
    store
      .current()!
      .sources.filter((s) => s.loadedByRun)
      .map((s) => s.source),
  );
  await buildHrMarts(conn, present);
  return {
    conn,
    query: async <T = Record<string, unknown>>(sql: string) => (await conn.runAndReadAll(sql)).getRowObjectsJson() as T[],
    close() {
      conn.closeSync();
      inst.closeSync();
    },
  };
}

/** Every text value of every table of a DuckDB connection, with where it was found. */
export async function allTextValues(
  query: (sql: string) => Promise<Array<Record<string, unknown>>>,
): Promise<Array<{ where: string; column: string; value: string }>> {
  const cols = await query(
    `SELECT schema_name, table_name, column_name FROM duckdb_columns() WHERE database_name = current_database() AND data_type = 'VARCHAR' AND NOT internal`,
  );
  const out: Array<{ where: string; column: string; value: string }> = [];
  for (const c of cols) {
    const where = `${c.schema_name}.${c.table_name}`;
    const rows = await query(`SELECT DISTINCT "${c.column_name}" AS v FROM ${where} WHERE "${c.column_name}" IS NOT NULL`);
    for (const r of rows) out.push({ where, column: String(c.column_name), value: String(r.v) });
  }
  return out;
}

/** All 11-digit runs in a text (candidate TC Kimlik Nos of a file). */
export function elevenDigitRuns(text: string): string[] {
  return [...text.matchAll(/(?<!\d)\d{11}(?!\d)/g)].map((m) => m[0]);
}

/** The TC Kimlik Nos of an export folder written by the demo: personnel (Windows-1254), trainings (XLSX numbers), leaves (UTF-8). */
export async function tcknsInDemoFolder(dir: string): Promise<Set<string>> {
  const found = new Set<string>();
  for (const f of fs.readdirSync(dir)) {
    const full = path.join(dir, f);
    if (f.endsWith('.csv')) {
      const buf = fs.readFileSync(full);
      for (const t of elevenDigitRuns(iconv.decode(buf, f.startsWith('personel') ? 'windows-1254' : 'utf8'))) found.add(t);
    } else if (f.endsWith('.xlsx')) {
      const wb = new ExcelJS.Workbook();
      await wb.xlsx.readFile(full);
      wb.worksheets[0].eachRow((row) => {
        for (const v of (row.values as unknown[]).slice(1)) for (const t of elevenDigitRuns(String(v ?? ''))) found.add(t);
      });
    }
  }
  return found;
}

/** 64-hex-digit hashes removed (a keyed hash may contain digit runs that are not TC Kimlik Nos). */
export function withoutHashes(s: string): string {
  return s.replace(/[0-9a-f]{64}/g, '<hash>');
}
