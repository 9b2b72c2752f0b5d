import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isUtf8 } from 'node:buffer';
import type { DuckDBConnection } from '@duckdb/node-api';
import iconv from 'iconv-lite';

/**
 * The fast lane for delimited files: DuckDB's own CSV reader (`read_csv`, ≈ 1–2 µs a row) stages the data
 * rows of a group of files as text into one temporary table, so a source can convert and load their
 * well-formed rows with one `INSERT … SELECT` instead of reading, validating and appending them one by one
 * in JavaScript (≈ 20–70 µs a row). One statement per group, not per file: a folder of monthly exports is
 * hundreds of small files.
 *
 * Only a *plain* file is staged: every record on one line, no blank lines, one kind of line ending, every
 * row with exactly the header's number of fields, no quote character inside a value. Anything else —
 * a cut-off last row, an unterminated quote, a `;` inside an unquoted value, mixed line endings — is
 * refused (with why) and the caller reads that file through its JavaScript reader, which quarantines the
 * damaged rows with their line numbers and reasons exactly as before. So the fast lane never changes what a
 * user sees for a bad file; it only makes good files cheap.
 *
 * Staged columns: `c0 … c{width-1}` (VARCHAR, NULL for an empty field), `_file` (the file's index in the
 * list) and `_line` (the row's line in its file, 1-based, as the JavaScript readers count it).
 */

export type StageEncoding = 'utf-8' | 'utf-8-bom' | 'windows-1254' | 'utf-16le' | 'utf-16be';

export interface StageFile {
  /** Absolute path. */
  file: string;
  /** The file's encoding, as the source's reader decided it. */
  encoding: StageEncoding;
  /** The file's bytes when the caller already read them. */
  bytes?: Buffer;
}

export interface StageOptions {
  /** Name of the temporary table to create (dropped first if it exists). */
  table: string;
  /** Files that share the delimiter, the header line and the number of fields. */
  files: StageFile[];
  delimiter: string;
  /** 1-based line of the header row; data rows start on the next line. */
  headerLine: number;
  /** Number of fields in the header row. */
  width: number;
  /** Where UTF-8 copies of files in other encodings are written while they are read (default: the OS temp folder). */
  tempDir?: string;
}

/**
 * Per file (same order as given): staged, with its row count and whether it holds whitespace other than
 * the plain space anywhere (OTHER_WHITESPACE_CLASS in sql.ts: only then do rows need that check), or why not.
 */
export type StageResult = Array<{ ok: true; rows: number; otherWhitespace: boolean } | { ok: false; why: string }>;

/** Well under DuckDB's max_line_size (2 MB), which is an error even with ignore_errors. */
const MAX_LINE_BYTES = 1 << 20;

const ICONV: Record<StageEncoding, string> = {
  'utf-8': 'utf8',
  'utf-8-bom': 'utf8',
  'windows-1254': 'win1254',
  'utf-16le': 'utf16le',
  'utf-16be': 'utf16be',
};

/**
 * Stages the data rows of the plain files among `files` (see above) into `opts.table`; the table holds
 * only the rows of files whose result is ok.
 */
export async function stageDelimitedFiles(conn: DuckDBConnection, opts: StageOptions): Promise<StageResult> {
  const { table, width, headerLine } = opts;
  const results: StageResult = opts.files.map(() => ({ ok: false, why: 'not read' }));
  const paths: string[] = [];
  const indexOf = new Map<string, number>(); // read path → the file's index
  let copyDir: string | null = null;
  try {
    for (const [i, f] of opts.files.entries()) {
      let bytes = f.bytes ?? (await fs.promises.readFile(f.file));
      let readPath = f.file;
      // DuckDB reads UTF-8 only (its other encodings need an extension we cannot install): anything else is
      // decoded here and read from a UTF-8 copy. A UTF-8 byte-order mark sits on line 1, never a data row.
      if (!(f.encoding === 'utf-8' || f.encoding === 'utf-8-bom') || !isUtf8(bytes)) {
        bytes = Buffer.from(iconv.decode(bytes, ICONV[f.encoding]), 'utf8');
        copyDir ??= fs.mkdtempSync(path.join(opts.tempDir ?? os.tmpdir(), 'pano-stage-'));
        readPath = path.join(copyDir, `${i}.csv`);
        fs.writeFileSync(readPath, bytes);
      }
      const lines = countLines(bytes);
      const rows = lines.count - headerLine;
      if (width < 1) results[i] = { ok: false, why: 'no header fields' };
      else if (lines.mixed) results[i] = { ok: false, why: 'mixed line endings' };
      else if (lines.longest > MAX_LINE_BYTES) results[i] = { ok: false, why: `a line of ${lines.longest} bytes` };
      else if (rows <= 0) results[i] = { ok: false, why: 'no data rows' };
      else {
        results[i] = { ok: true, rows, otherWhitespace: hasOtherWhitespace(bytes, opts.delimiter) };
        paths.push(readPath);
        indexOf.set(readPath, i);
      }
    }
    await conn.run(`DROP TABLE IF EXISTS ${table}`);
    const columns = Array.from({ length: width }, (_, i) => `'c${i}': 'VARCHAR'`).join(', ');
    if (paths.length === 0) {
      await conn.run(
        `CREATE TEMP TABLE ${table} (${Array.from({ length: Math.max(width, 1) }, (_, i) => `c${i} VARCHAR`).join(', ')}, _file INTEGER, _line INTEGER)`,
      );
      return results;
    }
    const q = (s: string) => `'${s.replace(/'/g, "''")}'`;
    const fileIndex = `CASE filename ${paths.map((p) => `WHEN ${q(p)} THEN ${indexOf.get(p)}`).join(' ')} END`;
    // Runs inside the source's transaction, where any error would abort the whole load: rows DuckDB cannot
    // read are skipped (ignore_errors) instead, and the row counts below send such a file to the other lane.
    // rowids follow the insertion order, which is the files' order (DuckDB preserves it by default).
    await conn.run(`
      CREATE TEMP TABLE ${table} AS
      SELECT * EXCLUDE (filename), CAST(${fileIndex} AS INTEGER) AS _file, CAST(NULL AS INTEGER) AS _line
      FROM read_csv([${paths.map(q).join(', ')}], delim = ${q(opts.delimiter)}, quote = '"', escape = '"', header = false,
        skip = ${headerLine}, columns = {${columns}}, auto_detect = false, strict_mode = true, ignore_errors = true, filename = true)`);
    const fields = Array.from({ length: width }, (_, i) => `c${i}`);
    const counts = (
      await conn.runAndReadAll(`
        SELECT _file, count(*) AS n, count(*) FILTER (WHERE contains(concat_ws('', ${fields.join(', ')}), '"')) AS odd
        FROM ${table} GROUP BY _file`)
    ).getRowObjectsJson() as Array<{ _file: number; n: string; odd: string }>;
    const found = new Map(counts.map((c) => [Number(c._file), c]));
    const refused: number[] = [];
    for (const [i, r] of results.entries()) {
      if (!r.ok) continue;
      const c = found.get(i);
      const n = Number(c?.n ?? 0);
      if (n !== r.rows)
        results[i] = { ok: false, why: `${n} rows for ${r.rows} lines (blank lines, values spanning lines or rows with the wrong number of fields)` };
      // (a line break inside a value shows in the row count, a bare carriage return as mixed line endings)
      else if (Number(c?.odd ?? 0) > 0) results[i] = { ok: false, why: 'a value holds a quote' };
      if (!results[i].ok) refused.push(i);
    }
    if (refused.length) await conn.run(`DELETE FROM ${table} WHERE _file IN (${refused.join(', ')})`);
    // inside a transaction rowids start at a large offset: count from each file's first row
    await conn.run(`
      UPDATE ${table} t SET _line = CAST(t.rowid - f.first AS INTEGER) + ${headerLine + 1}
      FROM (SELECT _file, min(rowid) AS first FROM ${table} GROUP BY _file) f WHERE t._file = f._file`);
    return results;
  } finally {
    if (copyDir) fs.rmSync(copyDir, { recursive: true, force: true });
  }
}

/** Whitespace other than the plain space (and other than the delimiter) somewhere in UTF-8 bytes. */
function hasOtherWhitespace(buf: Buffer, delimiter: string): boolean {
  if (delimiter !== '\t' && buf.indexOf(0x09) >= 0) return true;
  if (buf.indexOf(0x0b) >= 0 || buf.indexOf(0x0c) >= 0) return true;
  for (const seq of [
    [0xc2, 0xa0],
    [0xe1, 0x9a, 0x80],
    [0xe2, 0x81, 0x9f],
    [0xe3, 0x80, 0x80],
  ])
    if (buf.indexOf(Buffer.from(seq)) >= 0) return true;
  // U+FEFF anywhere but a byte-order mark at the start
  if (buf.indexOf(Buffer.from([0xef, 0xbb, 0xbf]), 1) >= 0) return true;
  // U+2000–U+200A, U+2028, U+2029, U+202F (E2 80 xx; not the quotes and dashes of the same block)
  const e280 = Buffer.from([0xe2, 0x80]);
  for (let i = buf.indexOf(e280); i >= 0; i = buf.indexOf(e280, i + 2)) {
    const b = buf[i + 2];
    if ((b >= 0x80 && b <= 0x8a) || b === 0xa8 || b === 0xa9 || b === 0xaf) return true;
  }
  return false;
}

/** Lines of a UTF-8 buffer (a last line without a line break counts), how they end, the longest. */
function countLines(buf: Buffer): { count: number; mixed: boolean; longest: number } {
  let lf = 0;
  let longest = 0;
  let prev = -1;
  for (let i = buf.indexOf(10); i >= 0; i = buf.indexOf(10, i + 1)) {
    lf++;
    if (i - prev > longest) longest = i - prev;
    prev = i;
  }
  if (buf.length - prev > longest) longest = buf.length - prev;
  let cr = 0;
  for (let i = buf.indexOf(13); i >= 0; i = buf.indexOf(13, i + 1)) cr++;
  let crlf = 0;
  if (cr) for (let i = buf.indexOf('\r\n'); i >= 0; i = buf.indexOf('\r\n', i + 2)) crlf++;
  const endsWithNewline = buf.length > 0 && (buf[buf.length - 1] === 10 || buf[buf.length - 1] === 13);
  return {
    count: lf + (endsWithNewline || buf.length === 0 ? 0 : 1),
    // not every line ends the same way (all CRLF, or all LF): a bare CR, or CRLF and LF mixed
    mixed: cr !== crlf || (crlf > 0 && crlf !== lf),
    longest,
  };
}
