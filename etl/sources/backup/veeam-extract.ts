import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import type { Readable } from 'node:stream';
import { parse, type CsvError, type Options } from 'csv-parse';
import iconv from 'iconv-lite';
import { errorMessage, SourceUnavailableError } from '../../../common/errors.js';
import { inspectFileBytes, type ByteFacts } from '../../csv/encoding.js';
import { cultureOfDate, describeUnreadableDate, type Culture } from './values.js';
import type { VeeamColumnMap, VeeamValueMap } from './column-map.js';
import { detectVeeamShape, VeeamFormatError, type DetectedShape } from './veeam-shapes.js';

/**
 * The Veeam connector's I/O: every `*.csv` under the export folder (sub-folders too, in path order),
 * each read twice as a stream — once to hash it and find its encoding, once to parse it — so a file of
 * any size never sits in memory. The records it yields are raw text; `veeam-rows.ts` reads the values.
 */

export type FileEncoding = 'utf-8' | 'utf-8-bom' | 'windows-1254' | 'utf-16le' | 'utf-16be';

/** What every row of one file shares. */
export interface VeeamFileContext {
  /** Path relative to the export folder, with `/`. */
  file: string;
  shape: DetectedShape;
  /** Recognised from the first session date; null until then (and in a file without dates). */
  culture: Culture | null;
  delimiter: string;
  encoding: FileEncoding;
  /** The header as the file writes it (before any column map). */
  header: string[];
  /** The column map's value maps (PANO_VEEAM_COLUMN_MAP), by Pano column; absent without one. */
  valueMap?: ReadonlyMap<string, VeeamValueMap>;
}

export type VeeamRecord =
  | { kind: 'row'; file: string; line: number; ctx: VeeamFileContext; values: string[] }
  /** The whole file is refused (unknown shape, missing column, encoding, unreadable). */
  | { kind: 'file_error'; file: string; reason: string; header?: string[] }
  /** One line could not be parsed as CSV (broken quoting, truncated, wrong field count). */
  | { kind: 'parse_error'; file: string; line: number; reason: string; raw: string }
  /** Byte-identical to a file already read in this run: loaded once. */
  | { kind: 'duplicate_file'; file: string; sameAs: string; sha256: string };

export interface VeeamFileReport {
  file: string;
  sha256: string;
  bytes: number;
  encoding: FileEncoding | null;
  shape: string | null;
  culture: Culture | null;
  rows: number;
  outcome: 'read' | 'refused' | 'duplicate';
  reason?: string;
}

export interface ExtractVeeamOptions {
  /** Records per yielded batch. Default 5000. */
  batchSize?: number;
  /** Called once per file when it is done, for the run's file log and checks. */
  onFile?: (report: VeeamFileReport) => void;
  /** The site's headers and words mapped onto Pano's (PANO_VEEAM_COLUMN_MAP). */
  columnMap?: VeeamColumnMap;
}

export interface ReadVeeamFileOptions {
  columnMap?: VeeamColumnMap;
  /** Called once the header is recognised, with what every row of the file shares. */
  onContext?: (ctx: VeeamFileContext) => void;
}

/** Every CSV file under `dir`, relative paths sorted; SourceUnavailableError when the folder is missing or unreadable. */
export function listVeeamFiles(dir: string): string[] {
  let st: fs.Stats;
  try {
    st = fs.statSync(dir);
  } catch (e) {
    throw new SourceUnavailableError(`Veeam export folder ${dir} does not exist or cannot be reached: ${errorMessage(e)}`, e);
  }
  if (!st.isDirectory()) throw new SourceUnavailableError(`Veeam export folder ${dir} is not a folder`);
  const out: string[] = [];
  const walk = (rel: string) => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(path.join(dir, rel), { withFileTypes: true });
    } catch (e) {
      throw new SourceUnavailableError(`Veeam export folder ${path.join(dir, rel)} cannot be listed: ${errorMessage(e)}`, e);
    }
    for (const e of entries) {
      if (e.name.startsWith('.')) continue;
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(r);
      else if (e.isFile() && /\.csv$/i.test(e.name)) out.push(r);
    }
  };
  walk('');
  return out.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

export async function* extractVeeamExports(dir: string, opts: ExtractVeeamOptions = {}): AsyncGenerator<VeeamRecord[]> {
  const batchSize = opts.batchSize ?? 5000;
  const seen = new Map<string, string>(); // sha256 → first file
  let batch: VeeamRecord[] = [];
  for (const file of listVeeamFiles(dir)) {
    const prepared = await prepareVeeamFile(dir, file, seen);
    if (prepared.kind === 'done') {
      batch.push(...prepared.records);
      opts.onFile?.(prepared.report);
    } else {
      for await (const records of readVeeamFile(prepared, batchSize, (r) => opts.onFile?.(r), { columnMap: opts.columnMap })) {
        batch.push(...records);
        if (batch.length >= batchSize) {
          yield batch;
          batch = [];
        }
      }
    }
    if (batch.length >= batchSize) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length) yield batch;
}

/** A file after its first pass: refused or a duplicate (its records and report are final), or to be read. */
export type PreparedVeeamFile =
  | { kind: 'done'; records: VeeamRecord[]; report: VeeamFileReport }
  | { kind: 'read'; file: string; full: string; facts: ByteFacts; encoding: FileEncoding; delimiter: string; report: VeeamFileReport };

/**
 * The first pass over one export: its hash (a byte-identical copy of a file already read in this run —
 * `seen`, sha256 → file — is loaded once), its encoding and its delimiter.
 */
export async function prepareVeeamFile(dir: string, file: string, seen: Map<string, string>): Promise<PreparedVeeamFile> {
  const full = path.join(dir, file);
  let sniff: Sniffed;
  try {
    sniff = await sniffFile(full);
  } catch (e) {
    return {
      kind: 'done',
      records: [{ kind: 'file_error', file, reason: `${file} cannot be read: ${errorMessage(e)}` }],
      report: { file, sha256: '', bytes: 0, encoding: null, shape: null, culture: null, rows: 0, outcome: 'refused', reason: errorMessage(e) },
    };
  }
  const report: VeeamFileReport = { file, sha256: sniff.sha256, bytes: sniff.bytes, encoding: null, shape: null, culture: null, rows: 0, outcome: 'read' };
  const first = seen.get(sniff.sha256);
  if (first !== undefined) {
    return {
      kind: 'done',
      records: [{ kind: 'duplicate_file', file, sameAs: first, sha256: sniff.sha256 }],
      report: { ...report, outcome: 'duplicate', reason: `identical to ${first}` },
    };
  }
  seen.set(sniff.sha256, file);
  const encoding = decideEncoding(sniff, file);
  if (typeof encoding !== 'string') {
    return { kind: 'done', records: [{ kind: 'file_error', file, reason: encoding.fail }], report: { ...report, outcome: 'refused', reason: encoding.fail } };
  }
  report.encoding = encoding;
  return { kind: 'read', file, full, facts: sniff, encoding, delimiter: detectDelimiter(decodeHead(sniff.head, encoding)), report };
}

/** The header line of a prepared file (its first line, decoded), for the fast lane; null when it is not one plain line. */
export function veeamHeaderLine(p: Extract<PreparedVeeamFile, { kind: 'read' }>): string | null {
  const text = decodeHead(p.facts.head, p.encoding);
  const m = /\r?\n/.exec(text);
  return m ? text.slice(0, m.index) : null;
}

/**
 * Parses one prepared file (the second pass, streamed) into records, in batches; `done` gets its final
 * report (rows, shape, culture, or why it was refused).
 */
export async function* readVeeamFile(
  prepared: Extract<PreparedVeeamFile, { kind: 'read' }>,
  batchSize: number,
  done: (report: VeeamFileReport) => void,
  opts: ReadVeeamFileOptions = {},
): AsyncGenerator<VeeamRecord[]> {
  const { file, full, encoding, delimiter, report } = prepared;
  let batch: VeeamRecord[] = [];
  const pendingSkips: Array<Extract<VeeamRecord, { kind: 'parse_error' }>> = [];
  const fileSkips: Array<Extract<VeeamRecord, { kind: 'parse_error' }>> = [];
  const skippedLines = new Set<number>();
  const parser = parse({
    delimiter,
    bom: true,
    relax_column_count: true,
    // The line number rides along with each record (cheaper than the `info` option's per-record copy).
    on_record: ((record: string[], context: { lines: number }) => [record, context.lines]) as unknown as Options['on_record'],
    skip_empty_lines: true,
    skip_records_with_error: true,
    on_skip: (err: CsvError | undefined) => {
      const line = Number((err as { lines?: number } | undefined)?.lines ?? 0);
      // csv-parse reports each bad quote of a line; the line is one record, refused once.
      if (!skippedLines.has(line)) pendingSkips.push({ kind: 'parse_error', file, line, raw: '', reason: csvErrorReason(err, file, line) });
      skippedLines.add(line);
      return undefined;
    },
  });
  const input = fs.createReadStream(full, { highWaterMark: 1 << 20 });
  const source = (encoding === 'utf-8' || encoding === 'utf-8-bom' ? input : input.pipe(iconv.decodeStream(encoding))) as Readable;
  input.on('error', (e) => parser.destroy(e));
  source.pipe(parser);
  let ctx: VeeamFileContext | null = null;
  let dateIdx = -1;
  let refused: string | null = null;
  // Rows are held back until the file's culture is known (from the first readable session date), so a
  // file refused for its date format never also lands row by row.
  let held: VeeamRecord[] | null = [];
  let unreadableDates = 0;
  let firstUnreadable = '';
  const out = (r: VeeamRecord) => (held ? held.push(r) : batch.push(r));
  try {
    for await (const item of parser as AsyncIterable<[string[], number]>) {
      const [record, lines] = item;
      const info = { lines };
      if (ctx === null) {
        const before = pendingSkips.find((x) => x.kind === 'parse_error' && x.line < info.lines) as { reason: string } | undefined;
        if (before) {
          refused = `${file}: the header line is not valid CSV: ${before.reason}`;
          break;
        }
        try {
          const shape = detectVeeamShape(record, file, opts.columnMap);
          ctx = { file, shape, culture: null, delimiter, encoding, header: record.map((h) => h.replace(/^\uFEFF/, '').trim()) };
          if (opts.columnMap?.values.size) ctx.valueMap = opts.columnMap.values;
          dateIdx = shape.col[shape.def.dateColumn];
          report.shape = shape.def.shape;
          opts.onContext?.(ctx);
        } catch (e) {
          refused = e instanceof VeeamFormatError ? e.message : `${file}: ${errorMessage(e)}`;
          batch.push({ kind: 'file_error', file, reason: refused, header: record });
          break;
        }
        continue;
      }
      if (pendingSkips.length) {
        fileSkips.push(...pendingSkips);
        pendingSkips.length = 0;
      }
      if (record.length !== ctx.header.length) {
        out({
          kind: 'parse_error',
          file,
          line: info.lines,
          raw: record.join(delimiter).slice(0, 2000),
          reason: `line has ${record.length} field${record.length === 1 ? '' : 's'} but the header has ${ctx.header.length}${record.length < ctx.header.length ? ' (truncated line?)' : ' (an unquoted separator inside a value?)'}`,
        });
      } else {
        if (ctx.culture === null && record[dateIdx]?.trim()) {
          const culture = cultureOfDate(record[dateIdx]);
          if (culture !== null) {
            ctx.culture = culture;
            report.culture = culture;
          } else if ((firstUnreadable ||= record[dateIdx]) && ++unreadableDates >= CULTURE_PROBE_ROWS) {
            refused = `${file}: column ${ctx.shape.def.dateColumn}, line ${info.lines} and the ${CULTURE_PROBE_ROWS - 1} dates before it: ${describeUnreadableDate(record[dateIdx])}`;
            held = null;
            report.rows = 0;
            batch.push({ kind: 'file_error', file, reason: refused, header: ctx.header });
            break;
          }
        }
        out({ kind: 'row', file, line: info.lines, ctx, values: record });
        report.rows++;
      }
      if (held && ctx.culture !== null) {
        for (const r of held) batch.push(r);
        held = null;
      }
      if (batch.length >= batchSize) {
        yield batch;
        batch = [];
      }
    }
  } catch (e) {
    // Only reading errors get here (CSV errors are skipped records): a file that fails mid-way keeps what was read.
    const reason = `${file} could not be read to the end: ${errorMessage(e)}`;
    if (held) for (const r of held) batch.push(r);
    held = null;
    batch.push({ kind: 'file_error', file, reason });
    refused = refused ?? reason;
  } finally {
    input.destroy();
    parser.destroy();
  }
  if (ctx && refused === null && ctx.culture === null && unreadableDates > 0) {
    refused = `${file}: no session date in column ${ctx.shape.def.dateColumn} is readable: ${describeUnreadableDate(firstUnreadable)}`;
    held = null;
    report.rows = 0;
    batch.push({ kind: 'file_error', file, reason: refused, header: ctx.header });
  }
  if (held) for (const r of held) batch.push(r);
  if (ctx && refused === null) {
    fileSkips.push(...pendingSkips);
    if (fileSkips.length) {
      // The parser does not keep the text of a line it skips: read those few lines again for the quarantine.
      const text = await readLines(full, encoding, new Set(fileSkips.map((x) => x.line))).catch(() => new Map<number, string>());
      for (const x of fileSkips) batch.push({ ...x, raw: (text.get(x.line) ?? '').slice(0, 2000) });
    }
  } else if (!ctx && refused === null) {
    refused = `${file} has no header line`;
    batch.push({ kind: 'file_error', file, reason: refused });
  } else if (!ctx && refused !== null && !batch.some((r) => r.kind === 'file_error' && r.file === file)) {
    batch.push({ kind: 'file_error', file, reason: refused });
  }
  done(refused ? { ...report, outcome: 'refused', reason: refused } : report);
  if (batch.length) yield batch;
}

/** The text of the wanted lines (1-based) of a file, decoded. */
export async function readLines(file: string, encoding: FileEncoding, wanted: Set<number>): Promise<Map<number, string>> {
  const out = new Map<number, string>();
  const last = Math.max(...wanted);
  const input = fs.createReadStream(file, { highWaterMark: 1 << 20 });
  const decoded = (encoding === 'utf-8' || encoding === 'utf-8-bom' ? input.setEncoding('utf8') : input.pipe(iconv.decodeStream(encoding))) as Readable;
  const lines = readline.createInterface({ input: decoded, crlfDelay: Infinity });
  let n = 0;
  try {
    for await (const line of lines) {
      n++;
      if (wanted.has(n)) out.set(n, n === 1 ? line.replace(/^\uFEFF/, '') : line);
      if (n >= last) break;
    }
  } finally {
    lines.close();
    input.destroy();
  }
  return out;
}

function csvErrorReason(err: CsvError | undefined, file: string, line: number): string {
  const code = err?.code ?? 'CSV_ERROR';
  if (code === 'CSV_QUOTE_NOT_CLOSED') return `quote opened on line ${line} is never closed: the file ends inside a value (truncated export?)`;
  if (code === 'CSV_INVALID_CLOSING_QUOTE') return `broken quoting on line ${line}: a quote inside a value is not doubled`;
  return `${file}:line ${line} is not valid CSV: ${err?.message ?? code}`;
}

// ─── encoding ──────────────────────────────────────────────────────────────────────────────────

type Sniffed = ByteFacts;

/** Unreadable session dates in a row, at the start of a file, before the whole file is refused for its date format. */
const CULTURE_PROBE_ROWS = 20;

/** One streaming pass: SHA-256 of the bytes and what the encoding can be (etl/csv/encoding.ts). */
function sniffFile(file: string): Promise<Sniffed> {
  return inspectFileBytes(file);
}

function decideEncoding(s: Sniffed, file: string): FileEncoding | { fail: string } {
  const h = s.head;
  if (s.bytes === 0) return { fail: `${file} is empty (no header line)` };
  if (h[0] === 0xff && h[1] === 0xfe) return 'utf-16le';
  if (h[0] === 0xfe && h[1] === 0xff) return 'utf-16be';
  if (s.firstNul >= 0) {
    return {
      fail: `${file} contains NUL bytes: it is UTF-16 without a byte-order mark, or not a text file. Export it again as UTF-8 (Export-Csv -Encoding UTF8)`,
    };
  }
  if (h[0] === 0xef && h[1] === 0xbb && h[2] === 0xbf) {
    if (!s.validUtf8) return { fail: `${file} starts with a UTF-8 byte-order mark but has invalid UTF-8 at byte ${s.firstInvalid}: the file mixes encodings` };
    return 'utf-8-bom';
  }
  if (s.validUtf8) return 'utf-8';
  if (s.utf8TurkishLetters) {
    return {
      fail: `${file} mixes encodings: it has Turkish letters in UTF-8 and bytes that are not UTF-8 (first at byte ${s.firstInvalid}); save it again in one encoding (UTF-8 recommended)`,
    };
  }
  return 'windows-1254';
}

function decodeHead(head: Buffer, encoding: FileEncoding): string {
  if (encoding === 'utf-8' || encoding === 'utf-8-bom') return head.toString('utf8').replace(/^\uFEFF/, '');
  return iconv.decode(head, encoding);
}

/** `;` (Turkish and other comma-decimal cultures), tab or `,`: whichever separates the header line's fields. */
export function detectDelimiter(text: string): string {
  const line = text.split(/\r?\n/, 1)[0] ?? '';
  const counts: Record<string, number> = { ',': 0, ';': 0, '\t': 0 };
  let quoted = false;
  for (const ch of line) {
    if (ch === '"') quoted = !quoted;
    else if (!quoted && ch in counts) counts[ch]++;
  }
  const best = Object.entries(counts).sort((a, b) => b[1] - a[1])[0];
  return best[1] > 0 ? best[0] : ',';
}
