import type { DuckDBConnection } from '@duckdb/node-api';

/**
 * SQL pieces the sources' fast lanes share (see stage.ts): how a staged text value is read the way the
 * JavaScript readers read it, and how the rows the fast lane leaves to JavaScript come back.
 */

/** A SQL string literal, or NULL. */
export function sqlString(v: string | null | undefined): string {
  return v === null || v === undefined ? 'NULL' : `'${v.replace(/'/g, "''")}'`;
}

/**
 * A staged value trimmed of spaces, '' as NULL. JavaScript's trim() also removes tabs, no-break spaces and
 * the other Unicode spaces: a row holding one of those (OTHER_WHITESPACE) is left to the JavaScript lane.
 */
export function trimmed(column: string): string {
  return `nullif(trim(${column}), '')`;
}

/** Whitespace other than the plain space, as an RE2 character class (line breaks never reach a staged value). */
export const OTHER_WHITESPACE_CLASS = '[\\t\\x{0B}\\f\\x{A0}\\x{FEFF}\\x{1680}\\x{2000}-\\x{200A}\\x{2028}\\x{2029}\\x{202F}\\x{205F}\\x{3000}]';

/**
 * A condition true when a staged row holds no whitespace but plain spaces: checked per row only for the
 * files whose bytes hold some (stageDelimitedFiles says which).
 */
export function noOtherWhitespace(columns: string[], flaggedFiles: number[], fileColumn = '_file'): string {
  if (flaggedFiles.length === 0) return 'true';
  return `(${fileColumn} NOT IN (${flaggedFiles.join(', ')}) OR NOT regexp_matches(concat_ws('|', ${columns.join(', ')}), '${OTHER_WHITESPACE_CLASS}'))`;
}

/**
 * Streams the rows of `sql` (over a staged table, with its `_file` and `_line`) as records made by `make`,
 * in batches, with the raw text of each row's line (from `textOf`, the decoded file, asked only when a row
 * of that file comes) for the quarantine. `make` returns null to skip a row.
 */
export async function* stagedRows<T>(
  conn: DuckDBConnection,
  sql: string,
  textOf: (file: number) => string,
  make: (row: Record<string, unknown>, raw: string) => T | null,
  batchSize = 5000,
): AsyncGenerator<T[]> {
  const result = await conn.stream(sql);
  let current = -1;
  let text = '';
  let starts: number[] | null = null;
  const lineText = (file: number, line: number) => {
    if (file !== current) {
      current = file;
      text = textOf(file);
      starts = null;
    }
    if (!starts) {
      starts = [0];
      for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
    }
    const from = starts[line - 1] ?? text.length;
    const to = starts[line] ?? text.length;
    const raw = text.slice(from, to).replace(/[\r\n]+$/, '').replace(/^\ufeff/, '');
    return raw.length > 2000 ? `${raw.slice(0, 2000)}… (+${raw.length - 2000} characters, see the file)` : raw;
  };
  let batch: T[] = [];
  for await (const rows of result.yieldRowObjectJson()) {
    for (const row of rows) {
      const item = make(row, lineText(Number(row._file), Number(row._line)));
      if (item !== null) batch.push(item);
      if (batch.length >= batchSize) {
        yield batch;
        batch = [];
      }
    }
  }
  if (batch.length) yield batch;
}
