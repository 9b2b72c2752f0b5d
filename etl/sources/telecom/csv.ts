import fs from 'node:fs';
import { Readable } from 'node:stream';
import { parse } from 'csv-parse';
import { PanoError, SourceUnavailableError, errorMessage } from '../../../common/errors.js';
import { redactTcknInText } from '../../../common/kvkk.js';
import { decodeText, foldKey, type TextEncodingName } from './tr-format.js';

/**
 * Delimited text files as Turkish offices produce them: `;` separated (`,` and tab are recognised from the
 * header too), UTF-8 with or without BOM or windows-1254, quoted fields that may span lines. Columns are
 * found by their header, compared folded (case, Turkish letters, spaces and punctuation ignored), under
 * any of the names a column is known by.
 *
 * A row that cannot be read — ragged (fewer or more fields than the header, e.g. a file cut off in the
 * middle of its last row), or broken quoting (an unterminated quote swallows the rest of the file) — is
 * handed on as a problem with its line number and raw text, for the quarantine; the rows around it load.
 * A missing required column stops the file with a TelecomFormatError naming the file and the column.
 */

/** The file does not have the shape Pano needs (a required column missing). Not retryable: fix the file or its export. */
export class TelecomFormatError extends PanoError {
  constructor(message: string) {
    super(message, { code: 'source_format', retryable: false });
  }
}

export interface ColumnSpec {
  /** The field name the rows are keyed by. */
  field: string;
  /** Header names the column is known by; the first is the one named in errors. */
  names: string[];
  required: boolean;
}

export interface CsvRow {
  kind: 'row';
  file: string;
  line: number;
  encoding: TextEncodingName;
  /** Values by field; absent optional columns are undefined. */
  values: Record<string, string | undefined>;
  raw: string;
}

export interface CsvProblem {
  kind: 'problem';
  file: string;
  line: number;
  raw: string;
  reason: string;
}

export type CsvItem = CsvRow | CsvProblem;

export interface CsvReadOptions {
  /** How the file is named in errors and locators (e.g. its path relative to a folder). */
  displayName: string;
  batchSize?: number;
  /** At least one of each group must be present (e.g. a unit code or a unit name). */
  requireOneOf?: string[][];
}

/** Reads a delimited file into rows keyed by `spec` fields, in batches. */
export async function* readCsvFile(absPath: string, spec: ColumnSpec[], opts: CsvReadOptions): AsyncGenerator<CsvItem[]> {
  const name = opts.displayName;
  let bytes: Buffer;
  try {
    bytes = await fs.promises.readFile(absPath);
  } catch (e) {
    throw new SourceUnavailableError(`${name} cannot be read: ${errorMessage(e)}`, e);
  }
  const { text, encoding } = decodeText(bytes);
  const delimiter = detectDelimiter(text);
  const problems: CsvProblem[] = [];
  const parser = parse({
    delimiter,
    // Mixed line endings happen (files pasted together); every one of them ends a record.
    record_delimiter: ['\r\n', '\n', '\r'],
    relax_column_count: true,
    info: true,
    raw: true,
    skip_empty_lines: true,
    skip_records_with_error: true,
    trim: false,
  });
  let searchFrom = 0;
  parser.on('skip', (err: { message: string; lines?: number; raw?: string }) => {
    const raw = String(err.raw ?? '');
    // The parser's own line count is off after quoted line breaks; where the raw text starts is exact.
    const at = raw ? text.indexOf(raw, searchFrom) : -1;
    if (at >= 0) searchFrom = at + 1;
    const line = at >= 0 ? 1 + newlines(text.slice(0, at)) : Math.max(1, (err.lines ?? 1) - newlines(raw.trimEnd()));
    problems.push({
      kind: 'problem',
      file: name,
      line,
      raw: clipRaw(raw),
      reason: redactTcknInText(`CSV cannot be read here: ${err.message.replace(/ at line \d+/, '')}`),
    });
  });
  const source = Readable.from(chunks(text));
  source.pipe(parser);

  const batchSize = opts.batchSize ?? 2000;
  let header: string[] | null = null;
  let index: Map<string, number> | null = null;
  let batch: CsvItem[] = [];
  const drainProblems = () => {
    if (problems.length) batch.push(...problems.splice(0));
  };
  try {
    for await (const rec of parser as AsyncIterable<{ record: string[]; raw: string; info: { lines: number } }>) {
      const line = rec.info.lines - newlines(rec.raw.trimEnd());
      if (header === null) {
        header = rec.record.map((h) => h.replace(/^\ufeff/, '').trim());
        index = mapColumns(name, header, spec, opts.requireOneOf ?? []);
        drainProblems();
        continue;
      }
      drainProblems();
      const fields = rec.record;
      if (fields.every((f) => f.trim() === '')) continue; // ";;;;" filler rows Excel leaves behind
      if (fields.length < header.length) {
        batch.push({
          kind: 'problem',
          file: name,
          line,
          raw: clipRaw(rec.raw),
          reason: `row has ${fields.length} fields, the header has ${header.length} (cut-off row?)`,
        });
      } else if (fields.length > header.length && fields.slice(header.length).some((f) => f.trim() !== '')) {
        batch.push({
          kind: 'problem',
          file: name,
          line,
          raw: clipRaw(rec.raw),
          reason: `row has ${fields.length} fields, the header has ${header.length} (a "${delimiter}" inside an unquoted value?)`,
        });
      } else {
        const values: Record<string, string | undefined> = {};
        for (const [field, i] of index!) values[field] = fields[i]?.trim();
        batch.push({ kind: 'row', file: name, line, encoding, values, raw: clipRaw(rec.raw) });
      }
      if (batch.length >= batchSize) {
        yield batch;
        batch = [];
      }
    }
  } catch (e) {
    if (e instanceof TelecomFormatError) throw e;
    throw new TelecomFormatError(`${name}: cannot be read as CSV: ${redactTcknInText(errorMessage(e))}`);
  } finally {
    source.destroy();
  }
  if (header === null) throw new TelecomFormatError(`${name}: the file is empty (no header row)`);
  drainProblems();
  if (batch.length) yield batch;
}

/** Maps fields to column positions; every missing required column is named in one error. */
export function mapColumns(file: string, header: string[], spec: ColumnSpec[], requireOneOf: string[][] = []): Map<string, number> {
  const folded = header.map((h) => foldKey(h));
  const index = new Map<string, number>();
  const missing: ColumnSpec[] = [];
  for (const col of spec) {
    const names = col.names.map((n) => foldKey(n));
    const i = folded.findIndex((h) => names.includes(h));
    if (i >= 0) index.set(col.field, i);
    else if (col.required) missing.push(col);
  }
  const groupsMissing = requireOneOf.filter((g) => !g.some((f) => index.has(f)));
  if (missing.length || groupsMissing.length) {
    const parts = missing.map(
      (c) =>
        `required column "${c.names[0]}" is missing (also accepted: ${
          c.names
            .slice(1)
            .map((n) => `"${n}"`)
            .join(', ') || 'no other name'
        })`,
    );
    for (const g of groupsMissing) {
      const names = g.map((f) => spec.find((c) => c.field === f)?.names[0] ?? f);
      parts.push(`one of the columns ${names.map((n) => `"${n}"`).join(' or ')} is required`);
    }
    throw new TelecomFormatError(`${file}: ${parts.join('; ')}. Columns found: ${header.map((h) => `"${h}"`).join(', ') || 'none'}`);
  }
  return index;
}

/** `;` unless the header row plainly uses `,` or tab instead (counted outside quotes). */
export function detectDelimiter(text: string): string {
  const firstLine =
    text
      .slice(0, Math.min(text.length, 4096))
      .split(/\r?\n/)
      .find((l) => l.trim() !== '') ?? '';
  const unquoted = firstLine.replace(/"[^"]*"/g, '');
  const count = (ch: string) => unquoted.split(ch).length - 1;
  const semi = count(';');
  const comma = count(',');
  const tab = count('\t');
  if (semi === 0 && tab > comma) return '\t';
  if (semi === 0 && comma > 0) return ',';
  return ';';
}

function* chunks(text: string, size = 1 << 16): Generator<string> {
  for (let i = 0; i < text.length; i += size) yield text.slice(i, i + size);
}

function newlines(s: string): number {
  let n = 0;
  for (let i = s.indexOf('\n'); i >= 0; i = s.indexOf('\n', i + 1)) n++;
  return n;
}

function clipRaw(raw: string): string {
  const t = raw.replace(/[\r\n]+$/, ''); // the line break, however the file writes it
  return t.length > 2000 ? `${t.slice(0, 2000)}… (+${t.length - 2000} characters, see the file)` : t;
}
