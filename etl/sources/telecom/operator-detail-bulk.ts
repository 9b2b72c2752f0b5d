import { isUtf8 } from 'node:buffer';
import fs from 'node:fs';
import path from 'node:path';
import { parse as parseSync } from 'csv-parse/sync';
import type { DuckDBConnection } from '@duckdb/node-api';
import { noOtherWhitespace, sqlString, stagedRows, trimmed } from '../../csv/sql.js';
import { stageDelimitedFiles } from '../../csv/stage.js';
import type { BulkContext } from '../../source.js';
import { detectDelimiter, mapColumns, readCsvFile, type CsvItem } from './csv.js';
import { DETAIL_REQUIRE_ONE_OF, DETAIL_SPEC, operatorFromPath } from './operator-detail.js';
import { operatorFromName } from './operators.js';
import { decodeText, type TextEncodingName } from './tr-format.js';

/**
 * The fast lane of the operator detail exports (etl/csv/stage.ts). Files with the same header are staged
 * by DuckDB together, and their rows written the usual way — digits-only line numbers (spaces, dots and
 * dashes allowed), `dd.MM.yyyy` periods or an `MM.yyyy` month, amounts like "1234" or "12,50", text without
 * a TC Kimlik No-like number — are converted and loaded in one SQL statement. Every other row (a "+90 …"
 * number, "1.234,56", "Kasım 2025", an 11-digit key that may be a TC Kimlik No, anything wrong) is handed
 * back as the CsvItem the JavaScript reader would have made, for validateDetailItem: one set of rules
 * decides what is refused and why; the SQL below only repeats the conversion of values already in their
 * plain form. A file that is not plain is read by readCsvFile as before.
 */

interface DetailFile {
  rel: string;
  abs: string;
  bytes: Buffer;
  encoding: TextEncodingName;
  header: string[];
  index: Map<string, number>;
  delimiter: string;
}

const AMOUNTS = ['fixed_fee', 'usage_fee', 'discount', 'other_fee', 'total', 'voice_minutes', 'data_mb', 'sms_count'];

/** Every detail file of the folder (relative paths in order): in bulk where it can, row by row where not. */
export async function* bulkDetailFiles(
  conn: DuckDBConnection,
  dir: string,
  files: string[],
  ctx: Pick<BulkContext, 'insert' | 'tempDir' | 'rowByRow'>,
): AsyncGenerator<CsvItem[]> {
  const slow = (rel: string) => readCsvFile(path.join(dir, rel), DETAIL_SPEC, { displayName: rel, requireOneOf: DETAIL_REQUIRE_ONE_OF });
  const groups = new Map<string, DetailFile[]>();
  for (const rel of files) {
    const f = await readHeader(dir, rel);
    if (typeof f === 'string') {
      ctx.rowByRow(rel, f);
      yield* slow(rel); // the reader names the file and what is wrong with it
      continue;
    }
    const key = `${f.delimiter}\u0000${f.header.join('\u0000')}`;
    groups.set(key, [...(groups.get(key) ?? []), f]);
  }
  for (const group of groups.values()) yield* bulkGroup(conn, group, ctx, slow);
}

async function readHeader(dir: string, rel: string): Promise<DetailFile | string> {
  const abs = path.join(dir, rel);
  let bytes: Buffer;
  try {
    bytes = await fs.promises.readFile(abs);
  } catch {
    return 'cannot be read';
  }
  // as decodeText decides (valid UTF-8 is UTF-8, anything else windows-1254), reading only the header
  const encoding: TextEncodingName = isUtf8(bytes) ? 'utf-8' : 'windows-1254';
  const firstLf = bytes.indexOf(10);
  const text = decodeText(bytes.subarray(0, firstLf < 0 ? bytes.length : firstLf + 1)).text;
  const firstBreak = text.search(/\r?\n/);
  if (firstBreak < 0 || text.slice(0, firstBreak).trim() === '') return 'no header line on line 1';
  const delimiter = detectDelimiter(text);
  let header: string[];
  try {
    header = (parseSync(text.slice(0, firstBreak), { delimiter }) as string[][])[0].map((h) => h.replace(/^\ufeff/, '').trim());
  } catch {
    return 'the header line is not plain CSV';
  }
  // a missing column: the same error as the reader's, naming the file and the column
  const index = mapColumns(rel, header, DETAIL_SPEC, DETAIL_REQUIRE_ONE_OF);
  return { rel, abs, bytes, encoding, header, index, delimiter };
}

async function* bulkGroup(
  conn: DuckDBConnection,
  files: DetailFile[],
  ctx: Pick<BulkContext, 'insert' | 'tempDir' | 'rowByRow'>,
  slow: (rel: string) => AsyncGenerator<CsvItem[]>,
): AsyncGenerator<CsvItem[]> {
  const { index, header, delimiter } = files[0];
  const table = 'stage_operator_detail';
  const staged = await stageDelimitedFiles(conn, {
    table,
    files: files.map((f) => ({ file: f.abs, encoding: f.encoding, bytes: f.bytes })),
    delimiter,
    headerLine: 1,
    width: header.length,
    tempDir: ctx.tempDir,
  });
  for (const f of files) f.bytes = Buffer.alloc(0); // read again only if a row needs its text
  const inBulk = files.filter((_, i) => staged[i].ok);
  const byFile = (of: (f: DetailFile) => string | null) => `CASE _file ${files.map((f, i) => `WHEN ${i} THEN ${sqlString(of(f))}`).join(' ')} END`;

  if (inBulk.length) {
    const col = (field: string) => (index.has(field) ? trimmed(`c${index.get(field)}`) : 'NULL');
    const all = header.map((_, i) => `c${i}`);
    // the operator: from its column (each distinct spelling named once, in JavaScript), else from the path
    let operatorSql = byFile((f) => operatorFromPath(f.rel));
    if (index.has('operator')) {
      const names = (await conn.runAndReadAll(`SELECT DISTINCT ${col('operator')} AS v FROM ${table} WHERE ${col('operator')} IS NOT NULL`))
        .getRows()
        .map((r) => String(r[0]));
      const cases = names.map((n) => `WHEN ${sqlString(n)} THEN ${sqlString(operatorFromName(n) ?? 'DIGER')}`).join(' ');
      operatorSql = `CASE ${col('operator')} ${cases} ELSE ${operatorSql} END`;
    }
    const amount = (field: string) => (index.has(field) ? `TRY_CAST(replace(${col(field)}, ',', '.') AS DOUBLE)` : 'NULL');
    // every amount empty or written "1234", "-12,50": one pattern over all of them (one match a row, not eight)
    const amountFields = AMOUNTS.filter((f) => index.has(f));
    const plainAmounts = amountFields.length
      ? `regexp_full_match(concat_ws(';', ${amountFields.map((f) => `coalesce(${col(f)}, '')`).join(', ')}), '(-?[0-9]+(,[0-9]+)?)?(;(-?[0-9]+(,[0-9]+)?)?)*')`
      : 'true';
    // dd.MM.yyyy exactly (ten characters) and a real date in the years Pano accepts
    const date = (v: string) => `TRY_CAST(try_strptime(${v}, '%d.%m.%Y') AS DATE)`;
    const plainDate = (d: string, v: string) => `(length(${v}) = 10 AND ${d} IS NOT NULL AND year(${d}) BETWEEN 1900 AND 2999)`;
    const r2 = (v: string) => `(sign(${v}) * floor(abs(${v}) * 100 + 1e-7 + 0.5) / 100)`;
    // period start and end as validateDetailItem reads them: the two dates, or else the month's first and last day
    const byDates = index.has('period_start');
    const ps = col('period_start');
    const pe = col('period_end');
    const pm = col('period');
    const written = col('line_number');
    const ok = files.map((_, i) => i).filter((i) => staged[i].ok);
    // one pass computes what every row needs and whether it is plain; the insert and the rest read it
    await conn.run(`DROP TABLE IF EXISTS ${table}_conv`);
    await conn.run(`
      CREATE TEMP TABLE ${table}_conv AS
      SELECT *,
        coalesce(${[
          `${written} IS NOT NULL AND regexp_full_match(digits, '[0-9]+') AND NOT starts_with(digits, '00')`,
          `NOT regexp_full_match(key, '[1-9][0-9]{10}')`, // may be a TC Kimlik No: the guard in JavaScript decides
          byDates
            ? `${ps} IS NOT NULL AND ${plainDate('start_d', ps)} AND (${pe} IS NULL OR (${plainDate('end_d', pe)} AND end_d >= start_d))`
            : `${pm} IS NOT NULL AND length(${pm}) = 7 AND start_d IS NOT NULL AND year(start_d) BETWEEN 1900 AND 2999`,
          plainAmounts,
          `(${col('tariff')} IS NULL OR NOT regexp_matches(${col('tariff')}, '[0-9]{11}'))`,
          noOtherWhitespace(
            all,
            ok.filter((i) => (staged[i] as { otherWhitespace: boolean }).otherWhitespace),
          ),
        ].join(' AND ')}, false) AS _plain
      FROM (
        SELECT *,
          CASE WHEN regexp_full_match(digits, '90[2-58][0-9]{9}') THEN substr(digits, 3)
               WHEN regexp_full_match(digits, '0[2-58][0-9]{9}') THEN substr(digits, 2) ELSE digits END AS key,
          ${byDates ? date(ps) : date(`'01.' || ${pm}`)} AS start_d,
          ${byDates ? date(pe) : `last_day(${date(`'01.' || ${pm}`)})`} AS end_d
        FROM (
          -- parseLineKey for a number written with digits (and spaces, dots, dashes, brackets): 90 + national
          -- or 0 + national → the national number
          SELECT *, regexp_replace(coalesce(${written}, ''), '[ ()./-]+', '', 'g') AS digits
          FROM ${table} WHERE _file IN (${ok.join(', ')})))`);
    const converted = `
      SELECT *, ${r2('fixed_raw')} AS fixed_fee, ${r2('usage_raw')} AS usage_fee, ${r2('abs(discount_raw)')} AS discount, ${r2('other_raw')} AS other_fee
      FROM (
        SELECT _file, _line, key, ${written} AS line_number,
          strftime(start_d, '%Y-%m-%d') AS period_start, strftime(end_d, '%Y-%m-%d') AS period_end, strftime(start_d, '%Y-%m-01') AS period_month,
          ${col('tariff')} AS tariff, ${col('invoice_no')} AS invoice_no, ${operatorSql} AS operator,
          coalesce(${amount('fixed_fee')}, 0) AS fixed_raw, coalesce(${amount('usage_fee')}, 0) AS usage_raw,
          coalesce(${amount('discount')}, 0) AS discount_raw, coalesce(${amount('other_fee')}, 0) AS other_raw,
          ${amount('total')} AS total_raw, ${amount('voice_minutes')} AS voice_minutes, ${amount('data_mb')} AS data_mb, ${amount('sms_count')} AS sms_count
        FROM ${table}_conv WHERE _plain)`;
    await ctx.insert(`
      SELECT operator, key AS line_key, line_number, period_start, period_end, period_month, tariff,
        fixed_fee, usage_fee, discount, other_fee, net AS net_amount,
        ${r2('total_raw')} AS total_as_written,
        coalesce(abs(${r2('total_raw')} - net) > 0.011, false) AS total_mismatch,
        voice_minutes, data_mb, sms_count,
        (usage_fee > 0 OR coalesce(voice_minutes > 0, false) OR coalesce(data_mb > 0, false) OR coalesce(sms_count > 0, false)) AS has_usage,
        invoice_no, ${byFile((f) => f.rel)} AS source_file, _line AS source_line, ${byFile((f) => f.encoding)} AS file_encoding
      FROM (SELECT *, ${r2('fixed_fee + usage_fee - discount + other_fee')} AS net FROM (${converted}))`);

    // the other rows: as the reader would hand them on (Excel's empty filler rows skipped, as it does)
    const rest = `SELECT * FROM ${table}_conv WHERE NOT _plain AND NOT (${all.map((c) => `coalesce(trim(${c}), '') = ''`).join(' AND ')}) ORDER BY _file, _line`;
    yield* stagedRows(
      conn,
      rest,
      (i) => decodeText(fs.readFileSync(files[i].abs)).text,
      (row, raw) => {
        const f = files[Number(row._file)];
        const fields = all.map((c) => String(row[c] ?? ''));
        if (fields.every((v) => v.trim() === '')) return null; // filler rows, as the reader skips them
        const values: Record<string, string | undefined> = {};
        for (const [field, i] of index) values[field] = fields[i].trim();
        return { kind: 'row', file: f.rel, line: Number(row._line), encoding: f.encoding, values, raw };
      },
    );
  }
  await conn.run(`DROP TABLE IF EXISTS ${table}`);
  await conn.run(`DROP TABLE IF EXISTS ${table}_conv`);
  for (const [i, f] of files.entries()) {
    const r = staged[i];
    if (r.ok) continue;
    ctx.rowByRow(f.rel, r.why);
    yield* slow(f.rel);
  }
}
