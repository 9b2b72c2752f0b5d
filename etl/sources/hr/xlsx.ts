import fs from 'node:fs';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { errorMessage } from '../../../common/errors.js';
import type { HrColumnMap } from './column-map.js';
import { HrExportError } from './errors.js';
import { chooseHeaderRow, HEADER_SEARCH_ROWS, type HeaderMap, type HrField, type HrKind } from './headers.js';
import { makeHrRecord, type HrRecord } from './records.js';
import type { Cell } from './values.js';

/**
 * Reads an HR export saved as an Excel workbook (.xlsx), streaming (exceljs' WorkbookReader), so a
 * large workbook never sits in memory. The first sheet with a header row is read; title rows above
 * the header are skipped. Dates may be real Excel dates or text; TC Kimlik Nos may be numbers or text.
 */

interface ExcelRow {
  number: number;
  values: unknown[];
}

/** One exceljs cell value as a plain Cell: rich text joined, formulas by their cached result, hyperlinks by text. */
export function xlsxCell(v: unknown): Cell {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' || v instanceof Date) return v;
  if (typeof v === 'object') {
    const o = v as Record<string, unknown>;
    if (Array.isArray(o.richText)) return (o.richText as Array<{ text?: string }>).map((t) => t.text ?? '').join('');
    if ('result' in o) return xlsxCell(o.result);
    if ('formula' in o || 'sharedFormula' in o) return null;
    if ('text' in o) return xlsxCell(o.text);
    if ('error' in o) return String(o.error);
  }
  return String(v);
}

async function checkSignature(file: string, name: string): Promise<void> {
  const fd = await fs.promises.open(file, 'r');
  try {
    const head = Buffer.alloc(4);
    const { bytesRead } = await fd.read(head, 0, 4, 0);
    if (bytesRead === 0) throw new HrExportError(name, `${name}: the file is empty`);
    if (head[0] === 0xd0 && head[1] === 0xcf && head[2] === 0x11 && head[3] === 0xe0) {
      throw new HrExportError(name, `${name}: this is an Excel 97-2003 workbook (XLS): save it as .xlsx (Excel Workbook) or CSV`);
    }
    if (!(head[0] === 0x50 && head[1] === 0x4b && head[2] === 0x03 && head[3] === 0x04)) {
      throw new HrExportError(name, `${name}: not an XLSX workbook (an .xlsx file is a ZIP archive; this one is not): save it again from Excel or export CSV`);
    }
  } finally {
    await fd.close();
  }
}

export interface XlsxReadOptions {
  secret: string;
  batchSize?: number;
  cache?: Map<string, string>;
  /** The site's headers and words mapped onto Pano's (PANO_HR_COLUMN_MAP). */
  columnMap?: HrColumnMap;
  /** Called once the header row is found (its sheet row number and fields), for `pano etl check-file`. */
  onHeader?: (info: { file: string; sheet: string | null; headerRow: number; header: HeaderMap }) => void;
}

/** Streams the rows of one XLSX export as HrRecords (TC Kimlik No already hashed), in batches. */
export async function* readXlsxExport(file: string, kind: HrKind, opts: XlsxReadOptions): AsyncGenerator<HrRecord[]> {
  const name = path.basename(file);
  await checkSignature(file, name);
  const batchSize = opts.batchSize ?? 5000;
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(file, {
    sharedStrings: 'cache',
    styles: 'cache',
    hyperlinks: 'ignore',
    worksheets: 'emit',
    entries: 'ignore',
  });
  let header: HeaderMap | null = null;
  let firstError: unknown = null;
  let sheets = 0;
  try {
    for await (const sheet of reader as AsyncIterable<AsyncIterable<ExcelRow> & { name?: string }>) {
      sheets++;
      if (header) {
        for await (const _row of sheet) void _row; // only one sheet is read; the others are drained
        continue;
      }
      const head: ExcelRow[] = [];
      let fields: Array<[HrField, number]> = [];
      let batch: HrRecord[] = [];
      const emit = (row: ExcelRow) => {
        const values = row.values ?? [];
        const cellsOfRow: Cell[] = [];
        for (let i = 1; i < values.length; i++) cellsOfRow.push(xlsxCell(values[i]));
        if (cellsOfRow.every((c) => c === null || (typeof c === 'string' && c.trim() === ''))) return;
        const cells: Partial<Record<HrField, Cell>> = {};
        for (const [field, at] of fields) cells[field] = cellsOfRow[at] ?? null;
        batch.push(makeHrRecord(kind, `${name}:row ${row.number}`, cells, opts.secret, { cache: opts.cache, columnMap: opts.columnMap }));
      };
      const tryHeader = (): boolean => {
        try {
          const found = chooseHeaderRow(
            kind,
            name,
            head.map((r) => ({ row: r, cells: (r.values ?? []).slice(1).map((v) => xlsxCell(v)) })),
            opts.columnMap,
          );
          header = found.header;
          opts.onHeader?.({ file: name, sheet: sheet.name ?? null, headerRow: found.row.number, header: found.header });
          fields = Object.entries(found.header.index) as Array<[HrField, number]>;
          for (const r of head) if (r.number > found.row.number) emit(r);
          return true;
        } catch (e) {
          if (e instanceof HrExportError && /no header row/.test(e.message)) {
            firstError ??= e;
            return false;
          }
          throw e;
        }
      };
      let decided = false;
      let skip = false;
      for await (const row of sheet) {
        if (skip) continue;
        if (!decided) {
          head.push(row);
          if (head.length >= HEADER_SEARCH_ROWS) {
            decided = true;
            if (!tryHeader()) skip = true;
          }
          continue;
        }
        emit(row);
        if (batch.length >= batchSize) {
          yield batch;
          batch = [];
        }
      }
      if (!decided && head.length) tryHeader();
      if (batch.length) yield batch;
    }
  } catch (e) {
    if (e instanceof HrExportError) throw e;
    throw new HrExportError(name, `${name}: not a readable XLSX workbook (damaged or truncated?): ${errorMessage(e)}`, e);
  } finally {
    (reader as unknown as { stream?: { destroy?: () => void } }).stream?.destroy?.(); // also when the consumer stops early
  }
  if (!header) {
    if (firstError) throw firstError;
    throw new HrExportError(name, `${name}: the workbook has ${sheets ? 'no rows' : 'no worksheets'}`);
  }
}
