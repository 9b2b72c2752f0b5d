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
 * the other Unicode spaces: a row holding one of those (OTHER_WHITESPACE_CLASS) is left to the JavaScript lane.
 */
export function trimmed(column: string): string {
  return `nullif(trim(${column}), '')`;
}

/** Whitespace other than the plain space, as an RE2 character class (line breaks never reach a staged value). */
const OTHER_WHITESPACE_CLASS = '[\\t\\x{0B}\\f\\x{A0}\\x{FEFF}\\x{1680}\\x{2000}-\\x{200A}\\x{2028}\\x{2029}\\x{202F}\\x{205F}\\x{3000}]';

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
    const raw = text
      .slice(from, to)
      .replace(/[\r\n]+$/, '')
      .replace(/^\ufeff/, '');
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

/**
 * A small temporary lookup table filled by asking JavaScript about each row of `select` (its distinct
 * values): how the fast lanes apply the sources' own rules to values with few distinct spellings (a result
 * code, a leave type, a server name, a TC Kimlik No) instead of repeating those rules in SQL.
 */
export async function lookupTable(
  conn: DuckDBConnection,
  table: string,
  columns: string[],
  select: string,
  ask: (row: Record<string, unknown>) => unknown[],
): Promise<void> {
  await conn.run(`DROP TABLE IF EXISTS ${table}`);
  await conn.run(`CREATE TEMP TABLE ${table} (${columns.join(', ')})`);
  const rows = (await conn.runAndReadAll(select)).getRowObjectsJson() as Array<Record<string, unknown>>;
  const literal = (v: unknown) => (v === null || v === undefined ? 'NULL' : typeof v === 'number' || typeof v === 'boolean' ? String(v) : sqlString(String(v)));
  for (let i = 0; i < rows.length; i += 1000) {
    await conn.run(
      `INSERT INTO ${table} VALUES ${rows
        .slice(i, i + 1000)
        .map((r) => `(${ask(r).map(literal).join(', ')})`)
        .join(', ')}`,
    );
  }
}

/**
 * Copies of one record among staged rows, one written plainly and one not, must meet the source's own
 * duplicate rule together, in file order: the plain copies (by the `loose` key each conversion table
 * computes from the text as written) are demoted to the JavaScript lane (`_plain` false).
 */
export async function demoteLooseCopies(conn: DuckDBConnection, convTables: string[]): Promise<void> {
  if (convTables.length === 0) return;
  // the loose keys of the rows left to JavaScript (few): only those are looked for among the plain rows
  await conn.run(`DROP TABLE IF EXISTS fast_lane_loose`);
  await conn.run(
    `CREATE TEMP TABLE fast_lane_loose AS SELECT DISTINCT loose FROM (${convTables.map((t) => `SELECT loose FROM ${t} WHERE NOT _plain`).join(' UNION ALL ')})`,
  );
  const [[n]] = (await conn.runAndReadAll('SELECT count(*) FROM fast_lane_loose')).getRows();
  if (Number(n) > 0) for (const t of convTables) await conn.run(`UPDATE ${t} SET _plain = false WHERE _plain AND loose IN (SELECT loose FROM fast_lane_loose)`);
  await conn.run(`DROP TABLE fast_lane_loose`);
}

/**
 * `table` (key): the 64-bit hashes of the keys that the plain rows of `convTables` (column `keyColumn`) share
 * with another plain row, or with a row already landed from the JavaScript lane (`landedKeys`, a SELECT of
 * one column). Such rows are handed to the source's duplicate rule instead of landing in bulk. Hashes keep
 * the aggregate small at millions of rows; a collision can only send a row to the JavaScript lane, which
 * decides exactly. Match rows with `hash(<key>)`.
 */
export async function createTwiceTable(conn: DuckDBConnection, table: string, convTables: string[], keyColumn: string, landedKeys: string): Promise<void> {
  await conn.run(`DROP TABLE IF EXISTS ${table}`);
  await conn.run(`
    CREATE TEMP TABLE ${table} AS
    SELECT h AS key FROM (${convTables.map((t) => `SELECT hash(${keyColumn}) AS h FROM ${t} WHERE _plain`).join(' UNION ALL ')}) GROUP BY h HAVING count(*) > 1
    UNION SELECT hash(k) FROM (${landedKeys}) l(k)`);
}
