import type { DuckDBConnection } from '@duckdb/node-api';
import { pseudonymizeTckn } from '../../../common/kvkk.js';
import { createTwiceTable, demoteLooseCopies, lookupTable, noOtherWhitespace, sqlString } from '../../csv/sql.js';
import { stageDelimitedFiles, type StageEncoding } from '../../csv/stage.js';
import type { BulkContext } from '../../source.js';
import { mapHrValue, type HrColumnMap } from './column-map.js';
import { findHeader, readCsvExport, sniffCsv, type CsvEncoding } from './csv.js';
import type { HrRunState } from './extract.js';
import { listExportFiles, type ExportFile } from './files.js';
import type { HrField } from './headers.js';
import { makeHrRecord, maskCell, type HrRecord } from './records.js';
import { maskDigitRuns } from './text.js';
import type { PersonStatus } from './rows.js';
import { leaveTypeLabel, parseLeaveType } from './values.js';
import { readXlsxExport } from './xlsx.js';

/**
 * The fast lane of the HR leave exports (etl/csv/stage.ts). Plain CSV files with one header are staged by
 * DuckDB together; rows written the plain way — a valid TC Kimlik No of a person the personnel stream
 * accepted, dd.MM.yyyy dates, days like "5" or "2,5" — land in one SQL statement. The TC Kimlik No is
 * hashed in JavaScript once per distinct number (the same keyed hash and cache as the reader's) and the leave
 * type read once per distinct text; the clear numbers live only in DuckDB's temporary tables of this run
 * (memory, or the run's spill folder, removed with it), never in the warehouse. Every other row and file
 * (XLSX, UTF-16, not plain) goes through the JavaScript reader and LeaveValidator as before, in file order;
 * copies of one (person, leave type, start) are left to the validator too, which keeps the first.
 */

export interface HrBulkOptions {
  dir: string;
  secret: string;
  state: HrRunState;
  /** The personnel stream's verdict per person (LeaveValidator.persons). */
  persons: ReadonlyMap<string, PersonStatus>;
  /** The site's headers and leave words mapped onto Pano's (PANO_HR_COLUMN_MAP), as the reader applies it. */
  columnMap?: HrColumnMap;
}

interface Candidate {
  index: number;
  file: ExportFile;
  encoding: CsvEncoding;
  delimiter: string;
  headerLine: number;
  width: number;
  fields: Array<[HrField, number]>;
  otherWhitespace?: boolean;
}

const ENCODINGS: Record<string, StageEncoding> = { utf8: 'utf-8', 'utf8-bom': 'utf-8-bom', 'windows-1254': 'windows-1254' };

export async function* bulkHrLeaves(
  conn: DuckDBConnection,
  ctx: Pick<BulkContext, 'insert' | 'flush' | 'tempDir' | 'rowByRow'>,
  opts: HrBulkOptions,
): AsyncGenerator<HrRecord[]> {
  const { state, secret } = opts;
  const set = await listExportFiles(opts.dir, 'leave');
  state.files.push(...set.files);
  state.duplicateFiles.push(...set.duplicates);
  const slow = (f: ExportFile) =>
    f.format === 'csv'
      ? readCsvExport(f.path, 'leave', {
          secret,
          cache: state.cache,
          onTruncated: (file, line) => state.truncated.push({ file, line }),
          columnMap: opts.columnMap,
        })
      : readXlsxExport(f.path, 'leave', { secret, cache: state.cache, columnMap: opts.columnMap });

  // which files the fast lane may read, grouped by their header
  const groups = new Map<string, Candidate[]>();
  const slowFiles = new Set<number>();
  for (const [index, f] of set.files.entries()) {
    const why = f.format !== 'csv' ? 'an XLSX workbook' : null;
    let candidate: Candidate | null = null;
    if (!why) {
      try {
        const sniff = await sniffCsv(f.path);
        if (ENCODINGS[sniff.encoding]) {
          const h = await findHeader(f.path, f.name, 'leave', sniff.encoding, opts.columnMap);
          const fields = Object.entries(h.header.index) as Array<[HrField, number]>;
          if (['tckn', 'leave_type', 'start_date', 'end_date', 'days'].every((k) => h.header.index[k as HrField] !== undefined)) {
            candidate = { index, file: f, encoding: sniff.encoding, delimiter: h.delimiter, headerLine: h.lineNo, width: h.header.cells.length, fields };
          }
        }
      } catch {
        candidate = null; // the reader says what is wrong with the file
      }
    }
    if (!candidate) {
      ctx.rowByRow(f.name, why ?? 'not a plain CSV export with every leave column');
      slowFiles.add(index);
      continue;
    }
    const key = `${candidate.delimiter}\u0000${candidate.headerLine}\u0000${JSON.stringify(candidate.fields)}\u0000${candidate.width}`;
    groups.set(key, [...(groups.get(key) ?? []), candidate]);
  }

  const staged = new Map<number, { group: number; local: number; c: Candidate }>();
  const groupList = [...groups.values()];
  for (const [g, members] of groupList.entries()) {
    const table = `stage_hr_leave_${g}`;
    const result = await stageDelimitedFiles(conn, {
      table,
      files: members.map((m) => ({ file: m.file.path, encoding: ENCODINGS[m.encoding] })),
      delimiter: members[0].delimiter,
      headerLine: members[0].headerLine,
      width: members[0].width,
      tempDir: ctx.tempDir,
    });
    for (const [local, m] of members.entries()) {
      const r = result[local];
      if (!r.ok) {
        ctx.rowByRow(m.file.name, r.why);
        slowFiles.add(m.index);
        continue;
      }
      m.otherWhitespace = r.otherWhitespace;
      staged.set(m.index, { group: g, local, c: m });
    }
    if (members.some((m) => staged.has(m.index))) await convert(conn, table, members, opts);
  }

  // copies of one leave among the staged rows, one plain and one not, both go to the validator
  const convs = groupList.map((_, g) => g).filter((g) => [...staged.values()].some((s) => s.group === g));
  await demoteLooseCopies(
    conn,
    convs.map((g) => `stage_hr_leave_${g}_conv`),
  );

  // the JavaScript lane, in file order
  for (const [index, f] of set.files.entries()) {
    if (slowFiles.has(index)) {
      yield* slow(f);
      continue;
    }
    const s = staged.get(index)!;
    const rows = (
      await conn.runAndReadAll(
        `SELECT s.* FROM stage_hr_leave_${s.group} s JOIN stage_hr_leave_${s.group}_conv v USING (_file, _line) WHERE s._file = ${s.local} AND NOT v._plain ORDER BY s._line`,
      )
    ).getRowObjectsJson();
    const records = rows.map((row) => record(row, s.c, opts)).filter((r): r is HrRecord => r !== null);
    if (records.length) yield records;
  }

  // the plain rows, except leaves that occur twice (among them, or with a row the validator landed)
  if (convs.length) {
    ctx.flush();
    await createTwiceTable(
      conn,
      'hr_leave_twice',
      convs.map((g) => `stage_hr_leave_${g}_conv`),
      'k',
      `SELECT person_key || '|' || leave_type || '|' || start_date FROM raw_hr.leaves`,
    );
    const twice: Array<{ order: number; line: number; record: HrRecord }> = [];
    for (const g of convs) {
      const members = groupList[g];
      await conn.run(`DROP TABLE IF EXISTS hr_leave_files`);
      await conn.run(`CREATE TEMP TABLE hr_leave_files (_file INTEGER, ref VARCHAR)`);
      await conn.run(`INSERT INTO hr_leave_files VALUES ${members.map((m, i) => `(${i}, ${sqlString(maskDigitRuns(`${m.file.name}:line `))})`).join(', ')}`);
      await ctx.insert(`
        SELECT v.person_key, v.leave_type, v.leave_type_as_exported, v.start_date, v.end_date, v.days, f.ref || v._line AS source_ref
        FROM stage_hr_leave_${g}_conv v JOIN hr_leave_files f USING (_file) ANTI JOIN hr_leave_twice t ON t.key = hash(v.k)
        WHERE v._plain`);
      await conn.run(`DROP TABLE hr_leave_files`);
      for (const row of (
        await conn.runAndReadAll(
          `SELECT s.* FROM stage_hr_leave_${g} s JOIN stage_hr_leave_${g}_conv v USING (_file, _line) SEMI JOIN hr_leave_twice t ON t.key = hash(v.k) WHERE v._plain`,
        )
      ).getRowObjectsJson()) {
        const c = members[Number(row._file)];
        const r = record(row, c, opts);
        if (r) twice.push({ order: c.index, line: Number(row._line), record: r });
      }
      await conn.run(`DROP TABLE stage_hr_leave_${g}_conv`);
    }
    await conn.run(`DROP TABLE hr_leave_twice`);
    twice.sort((a, b) => a.order - b.order || a.line - b.line);
    for (let i = 0; i < twice.length; i += 5000) yield twice.slice(i, i + 5000).map((t) => t.record);
  }
  for (const g of groupList.keys()) await conn.run(`DROP TABLE IF EXISTS stage_hr_leave_${g}`);
}

/** A staged row as the CSV reader hands it on (its empty filler rows skipped, as it does). */
function record(row: Record<string, unknown>, c: Candidate, opts: HrBulkOptions): HrRecord | null {
  const text = Array.from({ length: c.width }, (_, i) => (row[`c${i}`] === null || row[`c${i}`] === undefined ? '' : String(row[`c${i}`])));
  if (text.every((v) => v.trim() === '')) return null;
  const cells: Partial<Record<HrField, string>> = {};
  for (const [field, at] of c.fields) cells[field] = text[at] ?? null!;
  return makeHrRecord('leave', `${c.file.name}:line ${Number(row._line)}`, cells, opts.secret, {
    problem: null,
    cache: opts.state.cache,
    columnMap: opts.columnMap,
  });
}

/**
 * Builds `${table}_conv`: per staged row `_plain` (true when the SQL may land it), its values as
 * LeaveValidator makes them, its key (person, leave type, start) and a loose key to find copies written
 * differently (the number, the type and the start as written).
 */
async function convert(conn: DuckDBConnection, table: string, members: Candidate[], opts: HrBulkOptions): Promise<void> {
  const idx = Object.fromEntries(members[0].fields) as Partial<Record<HrField, number>>;
  const c = (f: HrField) => `c${idx[f]}`;
  const t = (f: HrField) => `nullif(trim(${c(f)}), '')`;
  const all = Array.from({ length: members[0].width }, (_, i) => `c${i}`);

  // each distinct TC Kimlik No (as written) → its keyed hash and whether the personnel stream accepted the person
  await lookupTable(
    conn,
    `${table}_person`,
    ['cell VARCHAR', 'person_key VARCHAR', 'accepted BOOLEAN'],
    `SELECT DISTINCT ${c('tckn')} AS v FROM ${table} WHERE ${c('tckn')} IS NOT NULL`,
    ({ v }) => {
      const r = pseudonymizeTckn(String(v), opts.secret, opts.state.cache);
      const key = r.ok ? r.hash : null;
      return [String(v), key, key !== null && opts.persons.get(key)?.ok === true];
    },
  );
  // each distinct leave type text → its code (from the column map's word for it, if any) and label (read from
  // the masked text, as the reader masks it)
  await lookupTable(
    conn,
    `${table}_type`,
    ['cell VARCHAR', 'code VARCHAR', 'label VARCHAR'],
    `SELECT DISTINCT ${c('leave_type')} AS v FROM ${table} WHERE ${c('leave_type')} IS NOT NULL`,
    ({ v }) => {
      const p = parseLeaveType(maskCell(mapHrValue(opts.columnMap, 'leave_type', String(v))) as string);
      return [String(v), p.ok ? p.value.code : null, p.ok ? leaveTypeLabel(maskCell(String(v))) : null];
    },
  );

  // dd.MM.yyyy exactly, a real date in 1900–2100
  const date = (f: HrField) =>
    `CASE WHEN regexp_full_match(${t(f)}, '[0-9]{2}\\.[0-9]{2}\\.[0-9]{4}') THEN TRY_CAST(substr(${t(f)}, 7, 4) || '-' || substr(${t(f)}, 4, 2) || '-' || substr(${t(f)}, 1, 2) AS DATE) END`;
  const flagged = members.flatMap((m, i) => (m.otherWhitespace ? [i] : []));
  await conn.run(`DROP TABLE IF EXISTS ${table}_conv`);
  await conn.run(`
    CREATE TEMP TABLE ${table}_conv AS
    SELECT _file, _line, person_key, leave_type, leave_type_as_exported, start_date, end_date, days,
      person_key || '|' || leave_type || '|' || start_date AS k,
      coalesce(${t('tckn')}, '') || chr(1) || lower(coalesce(${t('leave_type')}, '')) || chr(1) || regexp_replace(coalesce(${t('start_date')}, ''), '[^0-9]', '', 'g') AS loose,
      coalesce(accepted AND leave_type IS NOT NULL AND s IS NOT NULL AND e IS NOT NULL AND year(s) BETWEEN 1900 AND 2100 AND year(e) BETWEEN 1900 AND 2100
        AND e >= s AND days > 0 AND days <= date_diff('day', s, e) + 1 AND ${noOtherWhitespace(all, flagged)}, false) AS _plain
    FROM (
      SELECT x.*, p.person_key, p.accepted, ty.code AS leave_type, ty.label AS leave_type_as_exported,
        strftime(s, '%Y-%m-%d') AS start_date, strftime(e, '%Y-%m-%d') AS end_date
      FROM (
        SELECT *, ${date('start_date')} AS s, ${date('end_date')} AS e,
          CASE WHEN regexp_full_match(${t('days')}, '[0-9]{1,8}(,[0-9]{1,8})?') THEN TRY_CAST(replace(${t('days')}, ',', '.') AS DOUBLE) END AS days
        FROM ${table}
      ) x
      LEFT JOIN ${table}_person p ON p.cell = x.${c('tckn')}
      LEFT JOIN ${table}_type ty ON ty.cell = x.${c('leave_type')}
    )`);
  for (const m of ['person', 'type']) await conn.run(`DROP TABLE ${table}_${m}`);
}
