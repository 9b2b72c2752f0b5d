import type { PanoConfig } from '../../../common/config.js';
import {
  closeHrOrigin,
  describeHrOrigin,
  extractHr,
  HR_DB_TABLES,
  HrRunState,
  LEAVE_COLUMNS,
  LeaveValidator,
  maskHrRecord,
  openHrOrigin,
  parseHrConfig,
  PERSONNEL_COLUMNS,
  PersonnelValidator,
  readPersonStatus,
  TRAINING_COLUMNS,
  TrainingValidator,
  type HrConfig,
  type HrKind,
  type HrOrigin,
  type HrRecord,
  type RefusalStats,
} from './index.js';
import { bulkHrLeaves } from './bulk.js';
import { FILE_PATTERN_TEXT } from './files.js';
import { MIN_AGE_AT_START, MIN_BIRTH_YEAR } from './rows.js';
import type { BulkContext, CheckContext, QualityCheckResult, SourceDefinition, Validated } from '../../source.js';
import { tableExists, type Column } from '../../warehouse/duckdb.js';
import { SOURCE_IDS } from '../../source-ids.js';

/**
 * The HR system as three runner sources (one per stream), each reading the export folder or, when
 * PANO_HR_DB_URL is set, the HR database:
 *   hr_personnel → raw_hr.personnel, hr_trainings → raw_hr.trainings, hr_leaves → raw_hr.leaves.
 * TC Kimlik Nos are replaced by their keyed hash inside the readers; the quarantine gets masked
 * records only. Trainings and leaves are checked against the personnel stream (read again in their
 * open()), so each stream can run alone (`pano etl run --source hr_trainings`).
 */

/** Warn when an export file is older than this: HR exports are usually refreshed monthly or more often. */
export const HR_FRESHNESS_DAYS = 35;
/** Warn when the personnel row count moves more than this against the previous run. */
export const HR_PERSONNEL_CHANGE_LIMIT = 0.1;
/** Warn when trainings or leaves shrink more than this (they only grow in normal operation). */
export const HR_HISTORY_DROP_LIMIT = 0.2;

interface Validator {
  validate(r: HrRecord): Validated;
  readonly stats: RefusalStats;
}

interface HrHandle {
  origin: HrOrigin;
}

interface StreamSpec<V extends Validator> {
  id: string;
  title: string;
  kind: HrKind;
  table: string;
  columns: Column[];
  makeValidator(origin: HrOrigin, state: HrRunState): Promise<V>;
  checks(ctx: CheckContext, run: { validator: V; state: HrRunState; origin: HrOrigin }): Promise<QualityCheckResult[]>;
  /** The stream's fast lane over an export folder (sources/hr/bulk.ts); a database is read as by `extract`. */
  bulkFiles?(ctx: BulkContext, run: { validator: V; state: HrRunState; origin: HrOrigin }): AsyncIterable<HrRecord[]>;
}

function hrStream<V extends Validator>(cfg: HrConfig, spec: StreamSpec<V>): SourceDefinition<HrHandle> {
  let run: { validator: V; state: HrRunState; origin: HrOrigin } | null = null;
  const origin = describeHrOrigin(cfg);
  const what = cfg.dbUrl ? `table ${HR_DB_TABLES[spec.kind].table}` : FILE_PATTERN_TEXT[spec.kind];
  return {
    id: spec.id,
    system: 'hr',
    title: spec.title,
    location: `${origin} (${what})`,
    raw: { schema: 'raw_hr', table: spec.table, columns: spec.columns },
    async open() {
      const o = await openHrOrigin(cfg);
      try {
        const state = new HrRunState();
        run = { validator: await spec.makeValidator(o, state), state, origin: o };
        return { origin: o };
      } catch (e) {
        await closeHrOrigin(o);
        throw e;
      }
    },
    close: (h) => closeHrOrigin(h.origin),
    extract: (h) => extractHr(h.origin, spec.kind, cfg.kvkkSecret, run!.state) as AsyncIterable<Array<Record<string, unknown>>>,
    bulkExtract: spec.bulkFiles
      ? (h, ctx) =>
          (h.origin.mode === 'files' ? spec.bulkFiles!(ctx, run!) : extractHr(h.origin, spec.kind, cfg.kvkkSecret, run!.state)) as AsyncIterable<
            Array<Record<string, unknown>>
          >
      : undefined,
    validate: (record) => run!.validator.validate(record as unknown as HrRecord),
    locator: (record) => String((record as unknown as HrRecord).ref ?? '?'),
    mask: maskHrRecord,
    async checks(ctx) {
      return run ? spec.checks(ctx, run) : [];
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Checks shared by the streams

const num = (v: unknown) => Number(v ?? 0);
/** '1 row', '3 rows'. */
const count = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

function fileChecks(ctx: CheckContext, state: HrRunState, origin: HrOrigin): QualityCheckResult[] {
  if (origin.mode !== 'files') return [];
  const out: QualityCheckResult[] = [];
  out.push({
    name: 'files_complete',
    severity: 'fail',
    passed: state.truncated.length === 0,
    detail: state.truncated.length
      ? `truncated export: ${state.truncated.map((t) => `${t.file} ends inside line ${t.line}`).join(', ')}; the previous data is kept until a complete export arrives`
      : `${state.files.length} file(s) read to the end: ${state.files.map((f) => f.name).join(', ')}`,
  });
  out.push({
    name: 'duplicate_files',
    severity: 'warn',
    passed: state.duplicateFiles.length === 0,
    detail: state.duplicateFiles.length
      ? `skipped as identical copies: ${state.duplicateFiles.map((d) => `${d.file} (same as ${d.sameAs})`).join(', ')}`
      : 'no file is a copy of another',
  });
  const newest = state.files.reduce<Date | null>((m, f) => (!m || f.mtime > m ? f.mtime : m), null);
  const age = newest ? (ctx.now.getTime() - newest.getTime()) / 86_400_000 : Infinity;
  out.push({
    name: 'freshness',
    severity: 'warn',
    passed: age <= HR_FRESHNESS_DAYS,
    detail: newest ? `newest export file written ${Math.max(0, age).toFixed(1)} days ago (limit ${HR_FRESHNESS_DAYS})` : 'no export file',
  });
  return out;
}

function rowCountCheck(ctx: CheckContext, limit: number, both: boolean): QualityCheckResult[] {
  if (!ctx.previousRowsLoaded) return [];
  const change = (ctx.rowsLoaded - ctx.previousRowsLoaded) / ctx.previousRowsLoaded;
  const passed = both ? Math.abs(change) <= limit : change >= -limit;
  return [
    {
      name: 'row_count_change',
      severity: 'warn',
      passed,
      detail: `${ctx.rowsLoaded} rows against ${ctx.previousRowsLoaded} in the previous run (${change >= 0 ? '+' : ''}${(change * 100).toFixed(1)} %; limit ${both ? '±' : '-'}${limit * 100} %)`,
    },
  ];
}

async function personsResolveCheck(ctx: CheckContext, table: string, stats: RefusalStats, what: string): Promise<QualityCheckResult> {
  const refused = stats.counts.person_unknown + stats.counts.person_refused;
  let orphans = 0;
  if (await tableExists(ctx, 'raw_hr.personnel')) {
    const [r] = await ctx.query(
      `SELECT count(*) AS n FROM raw_hr.${table} t WHERE NOT EXISTS (SELECT 1 FROM raw_hr.personnel p WHERE p.person_key = t.person_key)`,
    );
    orphans = num(r?.n);
  }
  const parts: string[] = [];
  if (stats.counts.person_unknown) parts.push(`${count(stats.counts.person_unknown, what)} refused: person not in the personnel export`);
  if (stats.counts.person_refused) parts.push(`${count(stats.counts.person_refused, what)} refused: the person's personnel row was refused`);
  if (orphans) parts.push(`${count(orphans, `loaded ${what}`)} without a person in raw_hr.personnel of this snapshot`);
  return {
    name: 'persons_resolve',
    severity: 'warn',
    passed: refused === 0 && orphans === 0,
    detail: parts.length ? parts.join('; ') : `every ${what} belongs to a person of the personnel export`,
  };
}

// ---------------------------------------------------------------------------------------------
// The three streams

export function hrPersonnelSource(cfg: HrConfig): SourceDefinition<HrHandle> {
  return hrStream(cfg, {
    id: SOURCE_IDS.hrPersonnel,
    title: 'İnsan Kaynakları — personel',
    kind: 'personnel',
    table: 'personnel',
    columns: PERSONNEL_COLUMNS,
    makeValidator: async (o) => new PersonnelValidator(o.unitMap),
    async checks(ctx, { validator, state, origin }) {
      const [k] = await ctx.query(`
        SELECT count(*) AS n,
               count(person_key) AS with_key,
               count(DISTINCT person_key || '|' || start_date) AS distinct_periods,
               count(DISTINCT person_key) AS persons,
               count(*) FILTER (WHERE unit_code IS NULL) AS no_unit,
               count(*) FILTER (WHERE end_date IS NOT NULL AND end_date < start_date) AS end_before_start,
               count(*) FILTER (WHERE birth_year IS NOT NULL AND (birth_year < ${MIN_BIRTH_YEAR} OR birth_year > CAST(substr(start_date, 1, 4) AS INTEGER) - ${MIN_AGE_AT_START})) AS implausible_birth
        FROM raw_hr.personnel`);
      const [ov] = await ctx.query(`
        SELECT count(DISTINCT a.person_key) AS n FROM raw_hr.personnel a
        JOIN raw_hr.personnel b ON a.person_key = b.person_key AND a.start_date < b.start_date AND (a.end_date IS NULL OR a.end_date >= b.start_date)`);
      const n = num(k.n);
      const s = validator.stats;
      const unknown = [...s.unknownUnits.entries()].sort((a, b) => b[1] - a[1]);
      const out: QualityCheckResult[] = [
        { name: 'not_empty', severity: 'fail', passed: n > 0, detail: `${count(n, 'employment row')} of ${count(num(k.persons), 'person')} loaded` },
        {
          name: 'person_keys_unique',
          severity: 'fail',
          passed: num(k.with_key) === n && num(k.distinct_periods) === n,
          detail: `${count(n - num(k.with_key), 'row')} without person key; ${count(num(k.with_key) - num(k.distinct_periods), 'duplicate (person, İşe Başlama) row')}; ${count(s.counts.duplicate, 'duplicate')} refused`,
        },
        {
          name: 'employment_periods_overlap',
          severity: 'warn',
          passed: num(ov.n) === 0,
          detail: `${count(num(ov.n), 'person')} with two employment periods at the same time`,
        },
        {
          name: 'tckn_valid',
          severity: 'warn',
          passed: s.counts.tckn === 0,
          detail: `${count(s.counts.tckn, 'row')} refused for the TC Kimlik No (missing, not 11 digits, or wrong check digits)`,
        },
        {
          name: 'units_resolve',
          severity: 'warn',
          passed: s.counts.unit === 0 && num(k.no_unit) === 0,
          detail: unknown.length
            ? `${count(s.counts.unit, 'row')} refused, Birim not a known müdürlük: ${unknown
                .slice(0, 5)
                .map(([u, c]) => `"${u}" ×${c}`)
                .join(', ')}${unknown.length > 5 ? ` and ${unknown.length - 5} more` : ''}`
            : 'every Birim is a known müdürlük',
        },
        {
          name: 'dates_sane',
          severity: 'fail',
          passed: num(k.end_before_start) === 0 && num(k.implausible_birth) === 0,
          detail: `${count(num(k.end_before_start), 'row')} with Ayrılış before İşe Başlama; ${num(k.implausible_birth)} with an implausible Doğum Yılı; ${count(s.counts.values, 'row')} refused for bad values`,
        },
        ...rowCountCheck(ctx, HR_PERSONNEL_CHANGE_LIMIT, true),
        ...fileChecks(ctx, state, origin),
      ];
      return out;
    },
  });
}

export function hrTrainingsSource(cfg: HrConfig): SourceDefinition<HrHandle> {
  return hrStream(cfg, {
    id: SOURCE_IDS.hrTrainings,
    title: 'İnsan Kaynakları — hizmet içi eğitimler',
    kind: 'training',
    table: 'trainings',
    columns: TRAINING_COLUMNS,
    makeValidator: async (o, state) => new TrainingValidator(await readPersonStatus(o, cfg.kvkkSecret, state.cache)),
    checks: (ctx, run) =>
      historyChecks(ctx, run, {
        table: 'trainings',
        what: 'training attendance',
        key: ['course', 'training_date'],
        keyLabel: '(person, course, date)',
        bad: 'person_key IS NULL OR training_date IS NULL OR NOT (hours > 0)',
        badLabel: 'without person, date or positive hours',
        person: 'training',
      }),
  });
}

export function hrLeavesSource(cfg: HrConfig): SourceDefinition<HrHandle> {
  return hrStream(cfg, {
    id: SOURCE_IDS.hrLeaves,
    title: 'İnsan Kaynakları — izinler',
    kind: 'leave',
    table: 'leaves',
    columns: LEAVE_COLUMNS,
    makeValidator: async (o, state) => new LeaveValidator(await readPersonStatus(o, cfg.kvkkSecret, state.cache)),
    // leave exports are the large ones: their plain CSV rows load in bulk
    bulkFiles: (ctx, run) =>
      bulkHrLeaves(ctx.conn, ctx, {
        dir: run.origin.dir,
        secret: cfg.kvkkSecret,
        state: run.state,
        persons: run.validator.persons,
        columnMap: run.origin.columnMap,
      }),
    checks: (ctx, run) =>
      historyChecks(ctx, run, {
        table: 'leaves',
        what: 'leave record',
        key: ['leave_type', 'start_date'],
        keyLabel: '(person, leave type, start)',
        bad: 'end_date < start_date OR NOT (days > 0)',
        badLabel: 'with Bitiş before Başlangıç or no days',
        person: 'leave',
      }),
  });
}

/** The HR sources Pano runs, from the parsed configuration (PANO_HR_EXPORT_DIR / PANO_HR_DB_URL, PANO_KVKK_SECRET). */
export function hrSources(config: PanoConfig): SourceDefinition<any>[] {
  const cfg = parseHrConfig({
    exportDir: config.sources.hr.exportDir,
    dbUrl: config.sources.hr.dbUrl || undefined,
    kvkkSecret: config.kvkk.secret,
    columnMapFile: config.sources.hr.columnMapFile,
  });
  return [hrPersonnelSource(cfg), hrTrainingsSource(cfg), hrLeavesSource(cfg)];
}

/**
 * The checks of a history stream (trainings, leaves): rows loaded, unique (person, …) keys, persons that
 * resolve to the personnel stream, sane values, row-count drop against the previous run, the files.
 */
async function historyChecks(
  ctx: CheckContext,
  { validator, state, origin }: { validator: Validator & { stats: RefusalStats }; state: HrRunState; origin: HrOrigin },
  spec: { table: string; what: string; key: string[]; keyLabel: string; bad: string; badLabel: string; person: string },
): Promise<QualityCheckResult[]> {
  const [k] = await ctx.query(`
    SELECT count(*) AS n,
           count(DISTINCT ${['person_key', ...spec.key].join(" || '|' || ")}) AS distinct_keys,
           count(*) FILTER (WHERE ${spec.bad}) AS bad
    FROM raw_hr.${spec.table}`);
  const n = num(k.n);
  return [
    { name: 'not_empty', severity: 'warn', passed: n > 0, detail: `${count(n, spec.what)} loaded` },
    {
      name: 'keys_unique',
      severity: 'fail',
      passed: num(k.distinct_keys) === n,
      detail: `${count(n - num(k.distinct_keys), `duplicate ${spec.keyLabel} row`)}; ${count(validator.stats.counts.duplicate, 'duplicate')} refused`,
    },
    await personsResolveCheck(ctx, spec.table, validator.stats, spec.person),
    {
      name: 'dates_sane',
      severity: 'fail',
      passed: num(k.bad) === 0,
      detail: `${count(num(k.bad), 'loaded row')} ${spec.badLabel}; ${count(validator.stats.counts.values, 'row')} refused for bad values`,
    },
    ...rowCountCheck(ctx, HR_HISTORY_DROP_LIMIT, false),
    ...fileChecks(ctx, state, origin),
  ];
}
