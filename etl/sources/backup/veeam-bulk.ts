import type { DuckDBConnection } from '@duckdb/node-api';
import { parse as parseSync } from 'csv-parse/sync';
import { zoneClock } from '../../calendar/wall-clock.js';
import { createTwiceTable, demoteLooseCopies, lookupTable, noOtherWhitespace, sqlString } from '../../csv/sql.js';
import { stageDelimitedFiles } from '../../csv/stage.js';
import type { BulkContext } from '../../source.js';
import { LEVEL_LABELS, veeamLevel, veeamStatus } from './codes.js';
import { normalizeServerName, type ObjectResolver } from './objects.js';
import { cultureOfDate, type Culture } from './values.js';
import {
  listVeeamFiles,
  prepareVeeamFile,
  readLines,
  readVeeamFile,
  veeamHeaderLine,
  type PreparedVeeamFile,
  type VeeamFileContext,
  type VeeamFileReport,
  type VeeamRecord,
} from './veeam-extract.js';
import type { VeeamColumnMap } from './column-map.js';
import { detectVeeamShape, type DetectedShape } from './veeam-shapes.js';

/**
 * The fast lane of the Veeam exports (etl/csv/stage.ts). Every file gets its first pass as before (hash,
 * byte-identical copies, encoding); the plain files of the two shapes written by machines — the Enterprise
 * Manager API export (ISO UTC times, byte counts) and the AHV report in Turkish culture (dd.MM.yyyy local
 * times, "2,77 GB", "1,58x") — are staged by DuckDB in groups of one header, and their rows written the
 * plain way are converted and landed in SQL. The text-to-value rules of few distinct values (result and
 * state, level, server and service) are asked of the same JavaScript functions once per distinct value;
 * the local-time offsets once per hour of the clock. Every other row (a value written another way, an
 * empty job, anything wrong) and every other file (another shape or culture, not plain) is handed to
 * the JavaScript reader and rules as before, in file order.
 *
 * Duplicate sessions: the JavaScript rules keep the first copy in file order and refuse the others with the
 * usual reason. So copies of a session among the staged rows, one plain and one not (recognised by job,
 * object and the start as written, to the minute), both go to the JavaScript lane in file order; a plain
 * row whose session occurs more than once among the plain rows, or matches a row already landed from the
 * JavaScript lane, is handed to the JavaScript rules after the rest, in file order. (Only when a copy in a
 * file read wholly row by row, or one whose start is written differently, comes *after* its plain twin is
 * the JavaScript lane's copy kept instead of the first.)
 */

export interface VeeamBulkOptions {
  dir: string;
  /** The Veeam server's time zone (local times of tr-TR exports). */
  timezone: string;
  resolver: ObjectResolver;
  /** Each file's report, in file order, when all are read. */
  onFile(report: VeeamFileReport): void;
  /**
   * The site's headers mapped onto Pano's (PANO_VEEAM_COLUMN_MAP). Renamed headers are staged like any; a map
   * with value maps sends every file to the JavaScript lane (the SQL reads the words as written).
   */
  columnMap?: VeeamColumnMap;
}

type Ready = Extract<PreparedVeeamFile, { kind: 'read' }>;

interface StagedFile {
  index: number;
  prepared: Ready;
  shape: DetectedShape;
  header: string[];
  culture?: Culture;
  /** The file holds whitespace other than plain spaces somewhere (rows then need that check). */
  otherWhitespace?: boolean;
}

/** The shapes and cultures the SQL below reads. */
const FAST: Record<string, Culture> = { em_api: 'iso', ahv: 'tr-TR' };

export async function* bulkVeeamExports(
  conn: DuckDBConnection,
  ctx: Pick<BulkContext, 'insert' | 'flush' | 'tempDir' | 'rowByRow'>,
  opts: VeeamBulkOptions,
): AsyncGenerator<VeeamRecord[]> {
  const files = listVeeamFiles(opts.dir);
  const seenSha = new Map<string, string>();
  const prepared: PreparedVeeamFile[] = [];
  for (const file of files) prepared.push(await prepareVeeamFile(opts.dir, file, seenSha));
  const reports: Array<VeeamFileReport | undefined> = prepared.map(() => undefined);

  // group the files the fast lane may read by their header
  const groups = new Map<string, StagedFile[]>();
  const slow = new Set<number>();
  for (const [index, p] of prepared.entries()) {
    if (p.kind !== 'read') continue;
    const candidate = fastCandidate(index, p, opts.columnMap);
    if (typeof candidate === 'string') {
      ctx.rowByRow(p.file, candidate);
      slow.add(index);
      continue;
    }
    const key = `${candidate.shape.def.shape}\u0000${p.delimiter}\u0000${candidate.header.join('\u0000')}`;
    groups.set(key, [...(groups.get(key) ?? []), candidate]);
  }

  const staged = new Map<number, { group: number; local: number; file: StagedFile; rows: number }>();
  const groupList = [...groups.values()];
  for (const [g, members] of groupList.entries()) {
    const table = `stage_veeam_${g}`;
    const result = await stageDelimitedFiles(conn, {
      table,
      files: members.map((m) => ({ file: m.prepared.full, encoding: m.prepared.encoding })),
      delimiter: members[0].prepared.delimiter,
      headerLine: 1,
      width: members[0].header.length,
      tempDir: ctx.tempDir,
    });
    // the file's culture, as the reader finds it: from its first session date
    const dateCol = `c${members[0].shape.col[members[0].shape.def.dateColumn]}`;
    const firsts = new Map(
      (
        (
          await conn.runAndReadAll(`SELECT _file, arg_min(${dateCol}, _line) AS d FROM ${table} WHERE trim(coalesce(${dateCol}, '')) <> '' GROUP BY _file`)
        ).getRowObjectsJson() as Array<{ _file: number; d: string }>
      ).map((r) => [Number(r._file), String(r.d)]),
    );
    const dropped: number[] = [];
    for (const [local, m] of members.entries()) {
      const r = result[local];
      const first = firsts.get(local);
      const culture = first === undefined ? null : cultureOfDate(first);
      let why: string | null = null;
      if (!r.ok) why = r.why;
      else if (culture !== FAST[m.shape.def.shape]) why = `culture ${culture ?? 'unknown'} of a ${m.shape.def.shape} export is read row by row`;
      if (why !== null) {
        ctx.rowByRow(m.prepared.file, why);
        slow.add(m.index);
        if (r.ok) dropped.push(local);
        continue;
      }
      m.culture = culture!;
      m.otherWhitespace = (r as { otherWhitespace: boolean }).otherWhitespace;
      staged.set(m.index, { group: g, local, file: m, rows: (r as { rows: number }).rows });
    }
    if (dropped.length) await conn.run(`DELETE FROM ${table} WHERE _file IN (${dropped.join(', ')})`);
    if (members.some((m) => m.culture)) await convert(conn, table, members, opts);
  }

  // A session written twice, once plainly and once not (say "0:01:00" and "00:01:00"): both copies go to the
  // JavaScript lane, which keeps the first in file order. Copies are recognised loosely here (job, object and
  // start to the minute as written); the exact check comes after the JavaScript lane.
  const convs = groupList.map((_, g) => g).filter((g) => [...staged.values()].some((s) => s.group === g));
  await demoteLooseCopies(
    conn,
    convs.map((g) => `stage_veeam_${g}_conv`),
  );
  // what the JavaScript lane needs of the staged text is kept; the rest goes (at scale it is most of the memory)
  for (const g of groupList.keys()) {
    if (convs.includes(g)) {
      await conn.run(`DROP TABLE IF EXISTS stage_veeam_${g}_rest`);
      await conn.run(
        `CREATE TEMP TABLE stage_veeam_${g}_rest AS SELECT s.* FROM stage_veeam_${g} s SEMI JOIN (SELECT _file, _line FROM stage_veeam_${g}_conv WHERE NOT _plain) k USING (_file, _line)`,
      );
    }
    await conn.run(`DROP TABLE IF EXISTS stage_veeam_${g}`);
  }

  // the JavaScript lane, in file order: files it reads whole, and the rows of staged files the SQL leaves
  for (const [index, p] of prepared.entries()) {
    if (p.kind === 'done') {
      reports[index] = p.report;
      if (p.records.length) yield p.records;
    } else if (slow.has(index)) {
      yield* readVeeamFile(p, 5000, (r) => (reports[index] = r), { columnMap: opts.columnMap });
    } else {
      const s = staged.get(index)!;
      const m = s.file;
      reports[index] = { ...p.report, shape: m.shape.def.shape, culture: m.culture!, rows: s.rows };
      const rows = (await conn.runAndReadAll(`SELECT * FROM stage_veeam_${s.group}_rest WHERE _file = ${s.local} ORDER BY _line`)).getRowObjectsJson();
      if (rows.length) yield rows.map((row) => rowRecord(row, m));
    }
  }

  // the plain rows: landed in SQL, except sessions that occur twice (handed to the JavaScript rules)
  if (convs.length) {
    ctx.flush();
    await createTwiceTable(
      conn,
      'veeam_twice',
      convs.map((g) => `stage_veeam_${g}_conv`),
      'identity',
      `SELECT CASE WHEN session_id IS NOT NULL THEN 'id' || chr(1) || session_id || chr(1) || object_name
         ELSE object_type || chr(1) || job_name || chr(1) || object_name || chr(1) || CAST(floor(epoch_ms(started_at) / 1000) AS BIGINT) END
       FROM raw_backup.veeam_sessions`,
    );
    const twice: Array<{ order: number; line: number; record: VeeamRecord }> = [];
    for (const g of convs) {
      const conv = `stage_veeam_${g}_conv`;
      // the file's name, culture and encoding by its number in the group (a join, not a string per row)
      const members = groupList[g];
      await conn.run(`DROP TABLE IF EXISTS veeam_group_files`);
      await conn.run(`CREATE TEMP TABLE veeam_group_files (_file INTEGER, source_file VARCHAR, export_culture VARCHAR, file_encoding VARCHAR)`);
      await conn.run(
        `INSERT INTO veeam_group_files VALUES ${members.map((m, i) => `(${i}, ${sqlString(m.prepared.file)}, ${sqlString(m.culture ?? null)}, ${sqlString(m.prepared.encoding)})`).join(', ')}`,
      );
      await ctx.insert(`
        SELECT ${OUTPUT.map((c) => (c === 'session_key' ? `'veeam:' || substr(md5(v.identity), 1, 16) AS session_key` : ['source_file', 'export_culture', 'file_encoding'].includes(c) ? `f.${c}` : `v.${c}`)).join(', ')}
        FROM ${conv} v JOIN veeam_group_files f USING (_file) ANTI JOIN veeam_twice t ON t.key = hash(v.identity)
        WHERE v._plain`);
      await conn.run(`DROP TABLE veeam_group_files`);
      // their text is read again from the files (the staged text is gone by now): a few lines
      const lines = (
        await conn.runAndReadAll(`SELECT _file, _line FROM ${conv} v SEMI JOIN veeam_twice t ON t.key = hash(v.identity) WHERE v._plain`)
      ).getRows();
      const byFile = new Map<number, Set<number>>();
      for (const [f, l] of lines) byFile.set(Number(f), (byFile.get(Number(f)) ?? new Set()).add(Number(l)));
      for (const [f, wanted] of byFile) {
        const m = members[f];
        const text = await readLines(m.prepared.full, m.prepared.encoding, wanted);
        for (const line of wanted) {
          const values = (parseSync(text.get(line) ?? '', { delimiter: m.prepared.delimiter, relax_column_count: true }) as string[][])[0] ?? [];
          twice.push({ order: m.index, line, record: { kind: 'row', file: m.prepared.file, line, ctx: fileContext(m), values } });
        }
      }
      await conn.run(`DROP TABLE ${conv}`);
    }
    await conn.run(`DROP TABLE veeam_twice`);
    twice.sort((a, b) => a.order - b.order || a.line - b.line);
    for (let i = 0; i < twice.length; i += 5000) yield twice.slice(i, i + 5000).map((t) => t.record);
  }
  for (const g of groupList.keys()) await conn.run(`DROP TABLE IF EXISTS stage_veeam_${g}_rest`);
  for (const r of reports) if (r) opts.onFile(r);
}

/** A file the fast lane may read (its header, shape), or why not. */
function fastCandidate(index: number, p: Ready, columnMap?: VeeamColumnMap): StagedFile | string {
  if (columnMap?.values.size) return `the column map ${columnMap.file} translates values`;
  const line = veeamHeaderLine(p);
  if (line === null) return 'no header line in the first 64 KiB';
  let fields: string[];
  try {
    fields = (parseSync(line, { delimiter: p.delimiter, bom: true }) as string[][])[0] ?? [];
  } catch {
    return 'the header line is not plain CSV';
  }
  let shape: DetectedShape;
  try {
    shape = detectVeeamShape(fields, p.file, columnMap);
  } catch {
    return 'the header is not a shape Pano knows (the reader says which)';
  }
  if (!(shape.def.shape in FAST)) return `${shape.def.shape} exports are read row by row`;
  return { index, prepared: p, shape, header: fields.map((h) => h.replace(/^\uFEFF/, '').trim()) };
}

/** A staged row as the reader hands it on: values as text ('' for an empty field). */
function rowRecord(row: Record<string, unknown>, m: StagedFile): VeeamRecord {
  const values = m.header.map((_, i) => (row[`c${i}`] === null || row[`c${i}`] === undefined ? '' : String(row[`c${i}`])));
  return {
    kind: 'row',
    file: m.prepared.file,
    line: Number(row._line),
    ctx: fileContext(m),
    values,
  };
}

function fileContext(m: StagedFile): VeeamFileContext {
  return {
    file: m.prepared.file,
    shape: m.shape,
    culture: m.culture ?? null,
    delimiter: m.prepared.delimiter,
    encoding: m.prepared.encoding,
    header: m.header,
  };
}

/** The landed columns, in VEEAM_COLUMNS order. */
const OUTPUT = [
  'session_key',
  'session_id',
  'source_file',
  'source_line',
  'export_shape',
  'export_culture',
  'file_encoding',
  'job_name',
  'object_name',
  'object_type',
  'server',
  'service',
  'unit_code',
  'rpo_target_hours',
  'in_service_map',
  'level_raw',
  'level_kind',
  'level',
  'job_algorithm',
  'result',
  'state',
  'status',
  'started_at',
  'ended_at',
  'duration_sec',
  'data_bytes',
  'stored_bytes',
  'object_size_bytes',
  'data_read_bytes',
  'transferred_bytes',
  'dedup_ratio',
  'compress_ratio',
  'tags',
  'reason',
];

const UNIT_POWER: Record<string, number> = { B: 0, KB: 1, MB: 2, GB: 3, TB: 4, PB: 5 };

/**
 * Builds `${table}_conv`: every staged row with its values converted as validateVeeamRow converts them
 * (for values written the plain way) and `_plain`, true when the SQL may land the row.
 */
async function convert(conn: DuckDBConnection, table: string, members: StagedFile[], opts: VeeamBulkOptions): Promise<void> {
  const { shape, header } = members[0];
  const kind = shape.def.shape;
  const c = (name: string) => (shape.col[name] === undefined || shape.col[name] < 0 ? 'NULL' : `c${shape.col[name]}`);
  const t = (name: string) => (c(name) === 'NULL' ? 'NULL' : `nullif(trim(${c(name)}), '')`);
  const all = header.map((_, i) => `c${i}`);
  const byFile = (of: (m: StagedFile) => string) => `CASE _file ${members.map((m, i) => `WHEN ${i} THEN ${sqlString(of(m))}`).join(' ')} END`;

  const job = t('JobName');
  const obj = kind === 'em_api' ? t('VMName') : t('VM');
  const result = kind === 'em_api' ? t('Result') : t('Status');
  const state = kind === 'em_api' ? t('State') : 'NULL';
  const level = kind === 'em_api' ? `coalesce(${t('RestorePointType')}, ${t('JobAlgorithm')})` : t('BackupType');
  const algorithm = kind === 'em_api' ? t('JobAlgorithm') : 'NULL';
  const sid = shape.sessionIdCol >= 0 ? `nullif(trim(c${shape.sessionIdCol}), '')` : 'NULL';
  const startText = kind === 'em_api' ? t('BackupCreationTime(UTC)') : `coalesce(${t('StartTime')}, ${t('Date')})`;
  const endText = kind === 'em_api' ? t('BackupEndTime(UTC)') : t('EndTime');

  // the rules of few distinct values, asked of the JavaScript functions once per value
  await lookupTable(
    conn,
    `${table}_status`,
    ['result VARCHAR', 'state VARCHAR', 'status VARCHAR'],
    `SELECT DISTINCT coalesce(${result}, '') AS a, coalesce(${state}, '') AS b FROM ${table}`,
    (r) => {
      const s = veeamStatus(String(r.a), r.b === '' ? undefined : String(r.b));
      return [r.a, r.b, typeof s === 'string' ? s : null];
    },
  );
  await lookupTable(
    conn,
    `${table}_level`,
    ['raw VARCHAR', 'kind VARCHAR', 'label VARCHAR'],
    `SELECT DISTINCT ${level} AS a FROM ${table} WHERE ${level} IS NOT NULL`,
    (r) => {
      const k = veeamLevel(String(r.a));
      return [r.a, k, k ? LEVEL_LABELS[k] : null];
    },
  );
  await lookupTable(
    conn,
    `${table}_object`,
    ['name VARCHAR', 'server VARCHAR', 'service VARCHAR', 'unit_code VARCHAR', 'rpo DOUBLE', 'mapped BOOLEAN'],
    `SELECT DISTINCT ${obj} AS a FROM ${table} WHERE ${obj} IS NOT NULL`,
    (r) => {
      const server = normalizeServerName(String(r.a), 'veeam');
      const o = opts.resolver.resolve(server);
      return [r.a, server, o.service, o.unitCode, o.rpoTargetHours, o.mapped];
    },
  );

  // times → epoch ms, as parseDateTime reads them: the text checked by a pattern, then DuckDB's own
  // timestamp cast (hours past 23 refused, as the reader does)
  let startMs: string;
  let endMs: string;
  let joins = '';
  let inner: string[];
  if (kind === 'em_api') {
    const isoPlain = (v: string) =>
      `regexp_full_match(${v}, '[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-2][0-9]:[0-9]{2}:[0-9]{2}(\\.[0-9]{1,9})?Z') AND substr(${v}, 12, 2) <= '23'`;
    const ts = (v: string) => `CASE WHEN ${isoPlain(v)} THEN TRY_CAST(substr(${v}, 1, 19) AS TIMESTAMP) END`;
    // the fraction's digits sit between the seconds' dot (character 20) and the Z
    const frac = (v: string) =>
      `CASE WHEN length(${v}) > 21 THEN TRY_CAST(floor(TRY_CAST('0.' || substr(${v}, 21, length(${v}) - 21) AS DOUBLE) * 1000) AS BIGINT) ELSE 0 END`;
    inner = [`${ts(startText)} AS start_ts`, `${ts(endText)} AS end_ts`, `${frac(startText)} AS start_frac`, `${frac(endText)} AS end_frac`];
    startMs = `CASE WHEN year(start_ts) BETWEEN 1970 AND 9999 THEN epoch_ms(start_ts) + start_frac END`;
    endMs = `CASE WHEN year(end_ts) BETWEEN 1970 AND 9999 THEN epoch_ms(end_ts) + end_frac END`;
  } else {
    // local wall-clock times of the Veeam server's zone: the zone's offset is asked once per hour of the
    // clock (and only used when it is the same at the hour's start and end: no DST change inside it)
    const local = (
      v: string,
    ) => `CASE WHEN regexp_full_match(${v}, '[0-9]{2}\\.[0-9]{2}\\.[0-9]{4} [0-2][0-9]:[0-9]{2}:[0-9]{2}') AND substr(${v}, 12, 2) <= '23'
      THEN TRY_CAST(substr(${v}, 7, 4) || '-' || substr(${v}, 4, 2) || '-' || substr(${v}, 1, 2) || ' ' || substr(${v}, 12, 8) AS TIMESTAMP) END`;
    inner = [`${local(startText)} AS start_ts`, `${local(endText)} AS end_ts`];
    const clock = zoneClock(opts.timezone);
    await lookupTable(
      conn,
      `${table}_hour`,
      ['hour TIMESTAMP', 'offset_ms BIGINT'],
      `SELECT DISTINCT date_trunc('hour', x) AS h, epoch_ms(date_trunc('hour', x)) AS ms FROM (SELECT ${local(startText)} AS x FROM ${table} UNION ALL SELECT ${local(endText)} FROM ${table}) WHERE x IS NOT NULL`,
      (r) => {
        const h = Number(r.ms);
        const a = h - clock.localToEpoch(h);
        const b = h + 3_599_999 - clock.localToEpoch(h + 3_599_999);
        return [r.h, a === b ? a : null];
      },
    );
    joins = `LEFT JOIN ${table}_hour hs ON hs.hour = date_trunc('hour', p.start_ts) LEFT JOIN ${table}_hour he ON he.hour = date_trunc('hour', p.end_ts)`;
    startMs = `CASE WHEN year(p.start_ts) BETWEEN 1970 AND 9999 THEN epoch_ms(p.start_ts) - hs.offset_ms END`;
    endMs = `CASE WHEN year(p.end_ts) BETWEEN 1970 AND 9999 THEN epoch_ms(p.end_ts) - he.offset_ms END`;
  }

  // sizes and ratios in the Turkish culture ("2,77 GB", "1,58x"), durations ("00:00:42.6496276")
  const size = (name: string) => {
    const v = t(name);
    return `CASE WHEN regexp_full_match(${v}, '[0-9]+(,[0-9]+)? (B|KB|MB|GB|TB|PB)')
      THEN CAST(round(TRY_CAST(replace(split_part(${v}, ' ', 1), ',', '.') AS DOUBLE) * CASE split_part(${v}, ' ', 2)
        ${Object.entries(UNIT_POWER)
          .map(([u, p]) => `WHEN '${u}' THEN ${1024 ** p}.0`)
          .join(' ')} END) AS BIGINT) END`;
  };
  const ratio = (name: string) =>
    `CASE WHEN regexp_full_match(${t(name)}, '[0-9]+(,[0-9]+)?x') THEN TRY_CAST(replace(rtrim(${t(name)}, 'x'), ',', '.') AS DOUBLE) END`;
  const duration = `CASE WHEN regexp_full_match(${t('Duration')}, '[0-2][0-9]:[0-5][0-9]:[0-5][0-9](\\.[0-9]{1,7})?') AND TRY_CAST(substr(${t('Duration')}, 1, 2) AS INTEGER) <= 23
    THEN round((((TRY_CAST(substr(${t('Duration')}, 1, 2) AS DOUBLE) * 3600 + TRY_CAST(substr(${t('Duration')}, 4, 2) AS DOUBLE) * 60) + TRY_CAST(substr(${t('Duration')}, 7, 2) AS DOUBLE))
      + coalesce(TRY_CAST('0.' || nullif(regexp_extract(${t('Duration')}, '\\.([0-9]+)$', 1), '') AS DOUBLE), 0)) * 1000) / 1000 END`;
  const bytes = (name: string) => `CASE WHEN regexp_full_match(${t(name)}, '[0-9]{1,15}') THEN TRY_CAST(${t(name)} AS BIGINT) END`;
  const ahv = kind === 'ahv';
  const fields = {
    job,
    obj,
    result,
    state,
    level_raw: level,
    algorithm,
    sid,
    duration_in: ahv ? duration : 'NULL',
    object_size: ahv ? size('TotalSize') : 'NULL',
    data_read: ahv ? size('DataRead') : 'NULL',
    transferred: ahv ? size('Transferred') : 'NULL',
    stored: ahv ? size('BackupSize') : 'NULL',
    total_bytes: ahv ? 'NULL' : bytes('TotalSize'),
    dedup: ahv ? ratio('Dedupe') : 'NULL',
    compress: ahv ? ratio('Compression') : 'NULL',
    tags: ahv ? 'NULL' : t('IncludedTags'),
    reason_text: ahv ? 'NULL' : t('Reason'),
  };
  // written the plain way: every value read, or empty where the reader allows it
  const plainIf = (name: string, value: string) =>
    c(name) === 'NULL' ? 'true' : `(x.${c(name)} IS NULL OR trim(x.${c(name)}) = '' OR x.${value} IS NOT NULL)`;
  const plain = [
    `x.job IS NOT NULL AND x.obj IS NOT NULL AND st.status IS NOT NULL`,
    `x.start_ms IS NOT NULL AND (${endText.replace(/\bc(\d+)/g, 'x.c$1')} IS NULL OR x.end_ms IS NOT NULL) AND (x.end_ms IS NULL OR x.end_ms >= x.start_ms)`,
    `coalesce(x.duration_sec <= ${31 * 86400}, true)`,
    ...(ahv
      ? [
          plainIf('Duration', 'duration_in'),
          plainIf('TotalSize', 'object_size'),
          plainIf('DataRead', 'data_read'),
          plainIf('Transferred', 'transferred'),
          plainIf('BackupSize', 'stored'),
          plainIf('Dedupe', 'dedup'),
          plainIf('Compression', 'compress'),
        ]
      : [
          plainIf('TotalSize', 'total_bytes'),
          `(x.tags IS NULL OR NOT regexp_matches(x.tags, '[0-9]{11}'))`,
          `(x.reason_text IS NULL OR NOT regexp_matches(x.reason_text, '[0-9]{11}'))`,
        ]),
    noOtherWhitespace(
      all.map((f) => `x.${f}`),
      members.flatMap((m, i) => (m.otherWhitespace ? [i] : [])),
      'x._file',
    ),
  ].join(' AND ');
  const identity = `CASE WHEN x.sid IS NOT NULL THEN 'id' || chr(1) || x.sid || chr(1) || x.obj ELSE 'vm' || chr(1) || x.job || chr(1) || x.obj || chr(1) || CAST(floor(x.start_ms / 1000) AS BIGINT) END`;

  await conn.run(`DROP TABLE IF EXISTS ${table}_conv`);
  await conn.run(`
    CREATE TEMP TABLE ${table}_conv AS
    SELECT x._file, x._line, coalesce(${plain}, false) AS _plain,
      ${identity} AS identity,
      lower(coalesce(x.job, '')) || chr(1) || lower(coalesce(x.obj, '')) || chr(1) || left(regexp_replace(coalesce(${startText.replace(/\bc(\d+)/g, 'x.c$1')}, ''), '[^0-9]', '', 'g'), 12) AS loose,
      x.sid AS session_id, x._line AS source_line, ${sqlString(kind)} AS export_shape,
      x.job AS job_name, x.obj AS object_name, 'vm' AS object_type, ob.server AS server, ob.service AS service, ob.unit_code AS unit_code,
      ob.rpo AS rpo_target_hours, ob.mapped AS in_service_map, x.level_raw AS level_raw, lv.kind AS level_kind, lv.label AS level,
      x.algorithm AS job_algorithm, x.result AS result, x.state AS state, st.status AS status,
      CAST(epoch_ms(x.start_ms) AS TIMESTAMPTZ) AS started_at, CAST(epoch_ms(x.end_ms) AS TIMESTAMPTZ) AS ended_at, x.duration_sec AS duration_sec,
      x.${ahv ? 'data_read' : 'total_bytes'} AS data_bytes, x.stored AS stored_bytes, x.object_size AS object_size_bytes, x.data_read AS data_read_bytes,
      x.transferred AS transferred_bytes, x.dedup AS dedup_ratio, x.compress AS compress_ratio, x.tags AS tags, x.reason_text AS reason
    FROM (
      SELECT *, coalesce(duration_in, CASE WHEN start_ms IS NOT NULL AND end_ms IS NOT NULL AND end_ms >= start_ms THEN (end_ms - start_ms) / 1000 END) AS duration_sec
      FROM (
        SELECT p.*, ${startMs} AS start_ms, ${endMs} AS end_ms
        FROM (SELECT s.*, ${inner.join(', ')}, ${Object.entries(fields)
          .map(([k, v]) => `${v} AS ${k}`)
          .join(', ')} FROM ${table} s) p ${joins}
      )
    ) x
    LEFT JOIN ${table}_status st ON st.result = coalesce(x.result, '') AND st.state = coalesce(x.state, '')
    LEFT JOIN ${table}_level lv ON lv.raw = x.level_raw
    LEFT JOIN ${table}_object ob ON ob.name = x.obj`);
  for (const m of ['status', 'level', 'object', 'hour']) await conn.run(`DROP TABLE IF EXISTS ${table}_${m}`);
}
