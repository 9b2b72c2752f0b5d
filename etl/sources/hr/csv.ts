import fs from 'node:fs';
import path from 'node:path';
import { parse, CsvError } from 'csv-parse';
import { parse as parseSync } from 'csv-parse/sync';
import iconv from 'iconv-lite';
import { errorMessage } from '../../../common/errors.js';
import { inspectFileBytes } from '../../csv/encoding.js';
import type { HrColumnMap } from './column-map.js';
import { HrExportError } from './errors.js';
import { chooseHeaderRow, mapHeaderRow, type HeaderMap, type HrField, type HrKind } from './headers.js';
import { makeHrRecord, type HrRecord } from './records.js';
import type { Cell } from './values.js';

/**
 * Reads an HR export saved as CSV, the way Turkish HR software and Excel write it:
 * `;` (Turkish Excel) or `,` or tab separated, detected on the header row; UTF-8 with or without a
 * byte-order mark, or Windows-1254 (detected: a file that is valid UTF-8 is UTF-8, anything else is
 * Windows-1254), or UTF-16 with a byte-order mark (Excel's "Unicode text"); CRLF or LF; title rows
 * above the header are skipped. Streams the file, so size does not matter.
 */

export type CsvEncoding = 'utf8' | 'utf8-bom' | 'windows-1254' | 'utf16le' | 'utf16be';

export interface CsvSniff {
  encoding: CsvEncoding;
  /** False when the last byte is not a line break: with a short last row, the file was cut off. */
  endsWithNewline: boolean;
  bytes: number;
}

const NEWLINE_BYTES = new Set([0x0a, 0x0d]);

/**
 * Decides a file's encoding from one streaming pass over its bytes (etl/csv/encoding.ts), and
 * refuses files that are not text: an XLSX or old XLS workbook saved under a .csv name, UTF-16
 * without a byte-order mark, binary data.
 */
export async function sniffCsv(file: string): Promise<CsvSniff> {
  const name = path.basename(file);
  const size = (await fs.promises.stat(file)).size;
  if (size === 0) throw new HrExportError(name, `${name}: the file is empty`);
  const facts = await inspectFileBytes(file, { headBytes: 4 });
  const head = facts.head;
  if (head[0] === 0x50 && head[1] === 0x4b && head[2] === 0x03 && head[3] === 0x04) {
    throw new HrExportError(name, `${name}: this is an Excel workbook (XLSX) with a .csv name: rename it to .xlsx or save it as CSV`);
  }
  if (head[0] === 0xd0 && head[1] === 0xcf && head[2] === 0x11 && head[3] === 0xe0) {
    throw new HrExportError(name, `${name}: this is an Excel 97-2003 workbook (XLS) with a .csv name: save it as CSV or XLSX`);
  }
  const endsWithNewline = NEWLINE_BYTES.has(facts.lastByte);
  if (head[0] === 0xff && head[1] === 0xfe) return { encoding: 'utf16le', endsWithNewline: endsWithNewline || facts.lastByte === 0x00, bytes: facts.bytes };
  if (head[0] === 0xfe && head[1] === 0xff) return { encoding: 'utf16be', endsWithNewline: true, bytes: facts.bytes };
  const bom = head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf;
  if (facts.firstNul >= 0) {
    throw new HrExportError(
      name,
      `${name}: not a text CSV (a NUL byte at byte ${facts.firstNul}): it looks like UTF-16 without a byte-order mark or a binary file; save it as "CSV UTF-8" or "CSV (Windows-1254)"`,
    );
  }
  // a file that ends inside a multi-byte character is not read as UTF-8
  const utf8 = facts.validUtf8 && !facts.endsInsideCharacter;
  if (bom && !utf8)
    throw new HrExportError(name, `${name}: starts with a UTF-8 byte-order mark but is not valid UTF-8: the file is damaged or mixes encodings`);
  return { encoding: utf8 ? (bom ? 'utf8-bom' : 'utf8') : 'windows-1254', endsWithNewline, bytes: facts.bytes };
}

const ICONV_NAMES: Record<CsvEncoding, string> = {
  utf8: 'utf8',
  'utf8-bom': 'utf8',
  'windows-1254': 'windows-1254',
  utf16le: 'utf16le',
  utf16be: 'utf16be',
};

/** UTF-8 text that was once read as Windows-1254/Latin and saved again as UTF-8: 'Ä°' for 'İ', 'ÅŸ' for 'ş'. */
const MOJIBAKE = /Ã[\u00a7\u00b6\u00bc\u2021\u2013\u0153\u2021]|Ä[\u00b0\u00b1\u0178\u017e\u009f]|Å[\u0178\u017e\u009f]/;

const DELIMITERS = [';', ',', '\t'] as const;
export type CsvDelimiter = (typeof DELIMITERS)[number];

export interface HeaderGuess {
  lineNo: number;
  delimiter: CsvDelimiter;
  header: HeaderMap;
}

function splitLine(line: string, delimiter: string): string[] {
  try {
    const rows = parseSync(line, { delimiter, relax_quotes: true, relax_column_count: true, skip_empty_lines: true }) as string[][];
    return rows[0] ?? [];
  } catch {
    return line.split(delimiter);
  }
}

async function readHeadText(file: string, encoding: CsvEncoding, maxBytes = 256 * 1024): Promise<string> {
  const fd = await fs.promises.open(file, 'r');
  try {
    const buf = Buffer.alloc(maxBytes);
    const { bytesRead } = await fd.read(buf, 0, maxBytes, 0);
    return iconv.decode(buf.subarray(0, bytesRead), ICONV_NAMES[encoding]);
  } finally {
    await fd.close();
  }
}

/** Finds the header row and the delimiter among the first lines (headers renamed by the column map first). */
export async function findHeader(file: string, name: string, kind: HrKind, encoding: CsvEncoding, columnMap?: HrColumnMap): Promise<HeaderGuess> {
  const text = await readHeadText(file, encoding);
  const lines = text.split(/\r\n|\n|\r/);
  if (lines.length > 1) lines.pop(); // possibly cut in the middle
  const candidates: Array<{ row: { lineNo: number; delimiter: CsvDelimiter }; cells: string[] }> = [];
  for (let i = 0; i < lines.length && candidates.length < 15; i++) {
    if (!lines[i].trim()) continue;
    let best: { delimiter: CsvDelimiter; cells: string[]; score: number } | null = null;
    for (const d of DELIMITERS) {
      const cells = splitLine(lines[i], d);
      const score = mapHeaderRow(kind, cells, columnMap).recognised * 1000 + cells.length;
      if (!best || score > best.score) best = { delimiter: d, cells, score };
    }
    candidates.push({ row: { lineNo: i + 1, delimiter: best!.delimiter }, cells: best!.cells });
  }
  const region = candidates.map((c) => c.cells.join(' ')).join('\n');
  if (MOJIBAKE.test(region)) {
    throw new HrExportError(
      name,
      `${name}: the text looks double-encoded (UTF-8 that was read as Windows-1254 and saved again, e.g. "Ä°" for "İ"): export it again as "CSV UTF-8" or "CSV (Windows-1254)"`,
    );
  }
  try {
    const { row, header } = chooseHeaderRow(kind, name, candidates, columnMap);
    return { lineNo: row.lineNo, delimiter: row.delimiter, header };
  } catch (e) {
    if (e instanceof HrExportError && /[?\uFFFD]/.test(region)) {
      throw new HrExportError(
        name,
        `${e.message} (the headers contain "?" or "\uFFFD" where Turkish letters should be: the file lost its encoding, e.g. saved as ASCII; export it again as "CSV UTF-8" or "CSV (Windows-1254)")`,
      );
    }
    throw e;
  }
}

export interface CsvReadOptions {
  secret: string;
  batchSize?: number;
  /** Shared TC Kimlik No → hash cache for the run. */
  cache?: Map<string, string>;
  /** Called when the file ends in the middle of its last row. */
  onTruncated?: (file: string, line: number) => void;
  /** Called once the header is known (delimiter and encoding, for the run log, `pano etl check-file` and tests). */
  onHeader?: (info: { file: string; encoding: CsvEncoding; delimiter: CsvDelimiter; headerLine: number; header: HeaderMap }) => void;
  /** The site's headers and words mapped onto Pano's (PANO_HR_COLUMN_MAP). */
  columnMap?: HrColumnMap;
}

/**
 * Streams the rows of one CSV export as HrRecords (TC Kimlik No already hashed), in batches.
 * A row with too few or too many fields is passed on with its problem (the runner quarantines it);
 * a file that ends inside a row, or inside a quoted field, is reported as truncated.
 */
export async function* readCsvExport(file: string, kind: HrKind, opts: CsvReadOptions): AsyncGenerator<HrRecord[]> {
  const name = path.basename(file);
  const sniff = await sniffCsv(file);
  const { lineNo, delimiter, header } = await findHeader(file, name, kind, sniff.encoding, opts.columnMap);
  opts.onHeader?.({ file: name, encoding: sniff.encoding, delimiter, headerLine: lineNo, header });
  const width = header.cells.length;
  const fields = Object.entries(header.index) as Array<[HrField, number]>;
  const batchSize = opts.batchSize ?? 5000;

  const source = fs.createReadStream(file, { highWaterMark: 1 << 20 });
  const decoder = iconv.decodeStream(ICONV_NAMES[sniff.encoding]);
  const parser = parse({
    delimiter,
    from_line: lineNo + 1,
    relax_column_count: true,
    relax_quotes: true,
    skip_empty_lines: true,
    // the line number of each record, without the cost of `info: true` (csv-parse's typing wants a record back)
    on_record: ((record: string[], context: { lines: number }) => ({ record, line: context.lines })) as unknown as (r: string[]) => string[],
  });
  source.on('error', (e) => parser.destroy(e));
  decoder.on('error', (e) => parser.destroy(e));
  source.pipe(decoder).pipe(parser);

  const toRecord = (fieldsOfRow: string[], line: number, problem: string | null): HrRecord => {
    const cells: Partial<Record<HrField, Cell>> = {};
    for (const [field, at] of fields) cells[field] = fieldsOfRow[at] ?? null;
    return makeHrRecord(kind, `${name}:line ${line}`, cells, opts.secret, { problem, cache: opts.cache, columnMap: opts.columnMap });
  };

  let batch: HrRecord[] = [];
  let pending: { record: string[]; line: number; problem: string | null } | null = null;
  try {
    for await (const item of parser as AsyncIterable<{ record: string[]; line: number }>) {
      const rec = item.record;
      if (rec.every((f) => f.trim() === '')) continue;
      let problem: string | null = null;
      if (rec.length < width) problem = `line ${item.line} has ${rec.length} fields, the header has ${width}`;
      else if (rec.length > width && rec.slice(width).some((f) => f.trim() !== '')) {
        problem = `line ${item.line} has ${rec.length} fields, the header has ${width} (a "${delimiter === '\t' ? 'tab' : delimiter}" inside a value that is not quoted?)`;
      }
      if (pending) {
        batch.push(toRecord(pending.record, pending.line, pending.problem));
        if (batch.length >= batchSize) {
          yield batch;
          batch = [];
        }
      }
      pending = { record: rec, line: item.line, problem };
    }
  } catch (e) {
    if (e instanceof CsvError) {
      const line = (e as unknown as { lines?: number }).lines;
      const where = line ? `line ${line}: ` : '';
      if (e.code === 'CSV_QUOTE_NOT_CLOSED') {
        opts.onTruncated?.(name, line ?? 0);
        throw new HrExportError(name, `${name}: ${where}a quoted field is never closed: the file looks truncated or damaged`, e);
      }
      throw new HrExportError(name, `${name}: ${where}cannot be read as CSV (${e.code})`, e);
    }
    throw new HrExportError(name, `${name}: cannot be read: ${errorMessage(e)}`, e);
  } finally {
    source.destroy(); // also when the consumer stops early
  }
  if (pending) {
    let problem = pending.problem;
    if (problem && pending.record.length < width && !sniff.endsWithNewline) {
      problem = `${problem}: the file ends in the middle of this row, the export looks truncated`;
      opts.onTruncated?.(name, pending.line);
    }
    batch.push(toRecord(pending.record, pending.line, problem));
  }
  if (batch.length) yield batch;
}
