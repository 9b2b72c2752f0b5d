import { DuckDBInstance } from '@duckdb/node-api';
import cube, { type CubeApi } from '@cubejs-client/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../common/logger.js';
import { createUser } from '../../common/users.js';
import { publishMartsToPostgres } from '../../etl/warehouse/postgres.js';
import { SnapshotStore } from '../../etl/warehouse/snapshots.js';
import { startServer, type RunningServer } from '../../portal/server/index.js';
import { MEASURE_FORMATS } from '../../portal/server/semantic/model-check.js';
import { createPanoEnv, login, type PanoTestEnv } from '../helpers/pano-env.js';
import { createTempPgDatabase, SKIP_POSTGRES, type TempPgDatabase } from '../helpers/postgres.js';

// The backup (yedekleme) and HR (insan_kaynaklari) views of issue 4: documented measures, every measure run,
// numbers checked against the snapshot itself, row-level security for birim/ik, and the person-level HR members
// that only the ik and admin roles may see (absent from /meta, 403 when queried).

type Row = Record<string, any>;
const B = (m: string) => `yedekleme.${m}`;
const H = (m: string) => `insan_kaynaklari.${m}`;

/** Members of insan_kaynaklari that identify (or nearly identify) a person: ik and admin only. */
const PERSON_LEVEL = {
  dimensions: [
    'person_key',
    'birth_year',
    'age',
    'age_band',
    'title',
    'employment_start_date',
    'employment_end_date',
    'first_start_date',
    'employment_periods',
    'training_id',
    'training_record_hours',
    'leave_id',
    'leave_type',
    'leave_type_label',
    'leave_type_as_exported',
    'leave_start_date',
    'leave_end_date',
    'leave_calendar_days',
    'leave_record_days',
  ],
  measures: ['avg_age', 'avg_tenure_years', 'sick_leave_days'],
};
/** The measures of yedekleme that come from the sessions table (the ones with a time dimension, started_at). */
const SESSION_MEASURES = [
  'session_count',
  'outcome_count',
  'success_count',
  'warning_count',
  'failed_count',
  'success_rate',
  'clean_success_rate',
  'avg_duration_hours',
  'backup_bytes',
  'protected_bytes',
  'backed_up_object_count',
  'restore_count',
];
const TIME_DIMENSIONS = new Set(['employment_start_date', 'employment_end_date', 'first_start_date', 'leave_start_date', 'leave_end_date']);

let env: PanoTestEnv;
let server: RunningServer;
let snapshotFile: string;
const tokens: Record<string, string> = {};
const apis: Record<string, CubeApi> = {};

const num = (v: unknown) => (v === null || v === undefined ? NaN : Number(v));
const sum = (rows: Row[], member: string) => rows.reduce((s, r) => s + num(r[member] ?? 0), 0);

/** One row of SQL on the published snapshot, opened read-only (not through the API). */
const one = async (sql: string): Promise<Row> => {
  const inst = await DuckDBInstance.create(snapshotFile, { access_mode: 'READ_ONLY' });
  const conn = await inst.connect();
  try {
    await conn.run("SET TimeZone = 'Europe/Istanbul'");
    return (await conn.runAndReadAll(sql)).getRowObjectsJson()[0] as Row;
  } finally {
    conn.closeSync();
    inst.closeSync();
  }
};

const rowsOf = async (who: string, query: any): Promise<Row[]> => (await apis[who].load(query)).tablePivot() as Row[];
const first = async (who: string, query: any): Promise<Row> => (await rowsOf(who, query))[0] ?? {};

/** Raw HTTP, for status codes: load, sql and dry-run. */
const call = async (path: 'load' | 'sql' | 'dry-run', who: string, query: unknown) => {
  const res = await fetch(`${server.url}/cubejs-api/v1/${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: tokens[who] },
    body: JSON.stringify({ query, queryType: 'multi' }),
  });
  return { status: res.status, body: (await res.json()) as any };
};
const metaOf = async (who: string) => {
  const res = await fetch(`${server.url}/cubejs-api/v1/meta`, { headers: { authorization: tokens[who] } });
  expect(res.status).toBe(200);
  return ((await res.json()) as { cubes: Row[] }).cubes;
};
const viewOf = async (who: string, view: string) => (await metaOf(who)).find((c) => c.name === view);
const names = (items: Row[] | undefined) => (items ?? []).map((m) => String(m.name).split('.')[1]);

beforeAll(async () => {
  env = await createPanoEnv({ systems: ['backup', 'hr'], scale: 0.1 });
  server = await startServer(env.config, silentLogger, { port: 0 });
  // Users the demo does not have: an HR specialist (as `pano user add ik.uzmani --role ik --unit …` creates),
  // an ik user without a unit, and a birim user of a unit that has backup rows (Fen İşleri has none).
  await createUser(server.appDb, { username: 'ik.uzmani', password: 'ik-parolasi-1', role: 'ik', unitCode: 'INSAN_KAYNAKLARI' });
  await createUser(server.appDb, { username: 'ik.birimsiz', password: 'ik-parolasi-2', role: 'ik' });
  await createUser(server.appDb, { username: 'mali', password: 'mali-parolasi', role: 'birim', unitCode: 'MALI_HIZMETLER' });
  for (const who of ['mudur', 'yonetim', 'analist', 'birim', 'admin']) tokens[who] = await login(server.url, who);
  tokens.ik = await login(server.url, 'ik.uzmani', 'ik-parolasi-1');
  tokens.ik_nounit = await login(server.url, 'ik.birimsiz', 'ik-parolasi-2');
  tokens.mali = await login(server.url, 'mali', 'mali-parolasi');
  for (const [who, token] of Object.entries(tokens)) apis[who] = cube(token, { apiUrl: `${server.url}/cubejs-api/v1` });
  const store = new SnapshotStore(env.config.warehouse.dir);
  snapshotFile = store.pathOf(store.current()!);
});
afterAll(async () => {
  await server?.close();
  env?.cleanup();
});

describe('/meta', () => {
  it('lists yedekleme and insan_kaynaklari with Turkish titles; every measure is documented', async () => {
    const meta = await apis.admin.meta();
    const views = new Map(meta.cubes.map((c) => [c.name, c as any]));
    expect(views.get('yedekleme')?.title).toBe('Yedekleme');
    expect(views.get('yedekleme')?.meta?.title_en).toBe('Backups');
    expect(views.get('insan_kaynaklari')?.title).toBe('İnsan Kaynakları');
    expect(views.get('insan_kaynaklari')?.meta?.title_en).toBe('Human resources');
    for (const name of ['yedekleme', 'insan_kaynaklari']) {
      const view = views.get(name)!;
      expect(view.measures.length).toBeGreaterThan(15);
      for (const m of view.measures) {
        const where = `${m.name}`;
        expect(m.shortTitle, where).toMatch(/\S/);
        expect(m.description, where).toContain('Kaynak:');
        expect(m.description, where).toMatch(/Madde 11\(3\)-II [a-f]\./);
        expect(MEASURE_FORMATS, where).toContain(m.meta?.format);
        expect(m.meta?.title_en, where).toMatch(/\S/);
        expect(m.meta?.source, where).toMatch(/\S/);
        expect(m.meta?.article, where).toMatch(/^11\(3\)-II [a-f]$/);
        if (m.meta.format === 'percent') expect(m.format, where).toBe('percent');
      }
    }
    const formats = (view: string) => Object.fromEntries(views.get(view)!.measures.map((m: any) => [m.name, m.meta.format]));
    expect(formats('yedekleme')).toMatchObject({
      [B('success_rate')]: 'percent',
      [B('avg_duration_hours')]: 'hours',
      [B('protected_bytes')]: 'bytes',
      [B('backup_bytes')]: 'bytes',
    });
    expect(formats('insan_kaynaklari')).toMatchObject({ [H('training_hours_per_employee')]: 'hours', [H('leave_days')]: 'days', [H('headcount')]: 'number' });
  });
});

describe('every measure runs', () => {
  it.each(['yedekleme', 'insan_kaynaklari'])('%s: each measure visible to mudur, once, as mudur', async (view) => {
    const measures = names((await viewOf('mudur', view))?.measures);
    expect(measures.length).toBeGreaterThan(15);
    for (const m of measures) {
      const r = await call('load', 'mudur', { measures: [`${view}.${m}`] });
      expect(r.status, `${view}.${m}: ${JSON.stringify(r.body.error ?? '')}`).toBe(200);
      const value = r.body.results[0].data[0]?.[`${view}.${m}`];
      expect(Number.isFinite(num(value)), `${view}.${m} = ${value}`).toBe(true);
    }
  });

  it('the person-level HR measures run as ik', async () => {
    for (const m of PERSON_LEVEL.measures) {
      const v = (await first('ik', { measures: [H(m)] }))[H(m)];
      expect(num(v), m).toBeGreaterThan(0);
    }
  });
});

describe('yedekleme: the numbers hang together', () => {
  it('outcomes: success + warning + failed ≤ outcomes ≤ sessions, and the rates follow', async () => {
    const r = await first('mudur', {
      measures: ['session_count', 'outcome_count', 'success_count', 'warning_count', 'failed_count', 'success_rate', 'clean_success_rate'].map(B),
    });
    const [sessions, outcomes, success, warning, failed] = ['session_count', 'outcome_count', 'success_count', 'warning_count', 'failed_count'].map((m) =>
      num(r[B(m)]),
    );
    expect(failed).toBeGreaterThan(0);
    expect(warning).toBeGreaterThan(0);
    expect(success + warning + failed).toBeLessThanOrEqual(outcomes);
    expect(outcomes).toBeLessThan(sessions); // cancelled sessions are not outcomes
    expect(num(r[B('success_rate')])).toBeCloseTo((100 * (success + warning)) / outcomes, 6);
    expect(num(r[B('clean_success_rate')])).toBeCloseTo((100 * success) / outcomes, 6);
    const db = await one(`SELECT count(*) FILTER (WHERE status = 'failed') AS failed, count(*) FILTER (WHERE is_outcome) AS outcomes,
      avg(duration_sec) FILTER (WHERE is_outcome) / 3600.0 AS hours FROM marts.fct_backup_sessions`);
    expect(failed).toBe(num(db.failed));
    expect(outcomes).toBe(num(db.outcomes));
    const avg = await first('mudur', { measures: [B('avg_duration_hours')] });
    expect(num(avg[B('avg_duration_hours')])).toBeCloseTo(num(db.hours), 6);
  });

  it.each([
    ['session_count', 'sessions'],
    ['failed_count', 'sessions'],
    ['backup_bytes', 'sessions'],
    ['object_count', 'objects'],
    ['rpo_breach_count', 'objects'],
    ['job_count', 'jobs'],
    ['no_success_7d_count', 'jobs'],
  ])('%s (%s): the sum over units equals the total', async (m) => {
    const total = num((await first('mudur', { measures: [B(m)] }))[B(m)]);
    const byUnit = await rowsOf('mudur', { measures: [B(m)], dimensions: [B('unit_code'), B('unit_name')] });
    expect(byUnit.length).toBeGreaterThan(3);
    expect(sum(byUnit, B(m))).toBe(total);
  });

  it('RPO breaches and jobs without a good run equal direct counts on the snapshot', async () => {
    // objects and jobs are separate tables: one query each
    const r = {
      ...(await first('mudur', { measures: ['rpo_breach_count', 'active_object_count', 'rpo_breach_rate'].map(B) })),
      ...(await first('mudur', { measures: ['no_success_24h_count', 'no_success_7d_count', 'active_backup_job_count'].map(B) })),
    };
    const db = await one(`SELECT
        (SELECT count(*) FROM marts.dim_protected_objects WHERE rpo_breached) AS breaches,
        (SELECT count(*) FROM marts.dim_protected_objects WHERE is_active) AS active,
        (SELECT count(*) FROM marts.dim_backup_jobs WHERE no_success_24h) AS no24,
        (SELECT count(*) FROM marts.dim_backup_jobs WHERE no_success_7d) AS no7`);
    expect(num(db.breaches)).toBeGreaterThan(0);
    expect(num(r[B('rpo_breach_count')])).toBe(num(db.breaches));
    expect(num(r[B('rpo_breach_rate')])).toBeCloseTo((100 * num(db.breaches)) / num(db.active), 6);
    expect(num(r[B('no_success_24h_count')])).toBe(num(db.no24));
    expect(num(r[B('no_success_7d_count')])).toBe(num(db.no7));
    expect(num(db.no7)).toBeGreaterThan(0);
    // no good run in 7 days implies none in 24 h
    expect(num(r[B('no_success_7d_count')])).toBeLessThanOrEqual(num(r[B('no_success_24h_count')]));
    expect(num(r[B('no_success_24h_count')])).toBeLessThanOrEqual(num(r[B('active_backup_job_count')]));
    // the breached objects can be listed
    const listed = await rowsOf('mudur', {
      dimensions: [B('object_key'), B('rpo_hours'), B('rpo_target_hours')],
      filters: [{ member: B('rpo_breached'), operator: 'equals', values: ['true'] }],
    });
    expect(listed).toHaveLength(num(db.breaches));
  });

  it('protected data volume: the month-end sizes of the objects, not a sum over the month', async () => {
    const trend = await rowsOf('mudur', {
      measures: [B('protected_bytes'), B('backup_bytes')],
      timeDimensions: [{ dimension: B('started_at'), granularity: 'month', dateRange: ['2025-12-01', '2026-11-30'] }],
    });
    expect(trend).toHaveLength(12);
    for (const r of trend) expect(num(r[B('protected_bytes')])).toBeGreaterThan(0);
    // Independently: per object, the newest size seen (Veeam object size, else the newest good full backup) up to
    // the end of November, for the objects backed up in November.
    const db = await one(`
      WITH obs AS (
        SELECT tool, server, started_at, session_date,
               coalesce(protected_bytes, CASE WHEN is_good AND level_kind = 'full' THEN bytes END) AS size
        FROM marts.fct_backup_sessions WHERE job_type = 'backup' AND server IS NOT NULL AND started_at IS NOT NULL),
      november AS (SELECT DISTINCT tool, server FROM obs WHERE session_date BETWEEN DATE '2026-11-01' AND DATE '2026-11-30')
      SELECT sum(size) AS v FROM (
        SELECT tool, server, arg_max(size, started_at) AS size
        FROM obs JOIN november USING (tool, server)
        WHERE size IS NOT NULL AND session_date <= DATE '2026-11-30' GROUP BY tool, server)`);
    const nov = trend.find((r) => String(r[`${B('started_at')}.month`]).startsWith('2026-11'))!;
    expect(num(nov[B('protected_bytes')])).toBe(num(db.v));
    // over two months it is the average of the two month ends, never their sum
    const two = await first('mudur', {
      measures: [B('protected_bytes')],
      timeDimensions: [{ dimension: B('started_at'), dateRange: ['2026-10-01', '2026-11-30'] }],
    });
    const oct = trend.find((r) => String(r[`${B('started_at')}.month`]).startsWith('2026-10'))!;
    expect(num(two[B('protected_bytes')])).toBeCloseTo((num(oct[B('protected_bytes')]) + num(nov[B('protected_bytes')])) / 2, 0);
  });
});

describe('insan_kaynaklari: the numbers hang together', () => {
  it('headcount now: the latest month equals the active employees of dim_employees', async () => {
    const db = await one(`SELECT count(*) FILTER (WHERE is_active) AS active, count(*) FILTER (WHERE is_active AND unit_code = 'BILGI_ISLEM') AS it
      FROM marts.dim_employees`);
    expect(num(db.active)).toBeGreaterThan(100);
    const bySegment = await first('mudur', { measures: [H('headcount'), H('it_staff_per_100')], segments: [H('latest_month')] });
    const byFilter = await first('mudur', { measures: [H('headcount')], filters: [{ member: H('is_latest_month'), operator: 'equals', values: ['true'] }] });
    const latest = await first('mudur', { measures: [H('headcount_latest')] });
    const people = await first('mudur', { measures: [H('active_employee_count')] });
    expect(num(bySegment[H('headcount')])).toBe(num(db.active));
    expect(num(byFilter[H('headcount')])).toBe(num(db.active));
    expect(num(latest[H('headcount_latest')])).toBe(num(db.active));
    expect(num(people[H('active_employee_count')])).toBe(num(db.active));
    expect(num(bySegment[H('it_staff_per_100')])).toBeCloseTo((100 * num(db.it)) / num(db.active), 6);
  });

  it.each([['employment_type_label'], ['unit_code'], ['gender_label']])('headcount by %s sums to the total (latest month)', async (dim) => {
    const total = num((await first('mudur', { measures: [H('headcount_latest')] }))[H('headcount_latest')]);
    const rows = await rowsOf('mudur', { measures: [H('headcount')], dimensions: [H(dim)], segments: [H('latest_month')] });
    expect(rows.length).toBeGreaterThan(1);
    expect(sum(rows, H('headcount'))).toBe(total);
  });

  it('headcount is a snapshot: a year is the average of its months, not their sum; hires and exits are flows', async () => {
    const range: [string, string] = ['2025-01-01', '2025-12-31'];
    const months = await rowsOf('mudur', {
      measures: [H('headcount'), H('hires'), H('exits')],
      timeDimensions: [{ dimension: H('month'), granularity: 'month', dateRange: range }],
    });
    const year = await first('mudur', {
      measures: [H('headcount'), H('hires'), H('exits'), H('month_count')],
      timeDimensions: [{ dimension: H('month'), granularity: 'year', dateRange: range }],
    });
    expect(months).toHaveLength(12);
    expect(num(year[H('month_count')])).toBe(12);
    expect(num(year[H('headcount')])).toBeCloseTo(sum(months, H('headcount')) / 12, 6);
    expect(num(year[H('hires')])).toBe(sum(months, H('hires')));
    const db = await one(`SELECT
        (SELECT count(*) FROM raw_hr.personnel WHERE CAST(start_date AS DATE) BETWEEN DATE '2025-01-01' AND DATE '2025-12-31') AS hires,
        (SELECT count(*) FROM raw_hr.personnel WHERE CAST(end_date AS DATE) BETWEEN DATE '2025-01-01' AND DATE '2025-12-31') AS exits`);
    expect(num(year[H('hires')])).toBe(num(db.hires));
    expect(num(year[H('exits')])).toBe(num(db.exits));
    expect(num(db.hires)).toBeGreaterThan(0);
  });

  it('training hours and leave days per employee agree with the training and leave records', async () => {
    const range: [string, string] = ['2025-01-01', '2025-12-31'];
    const hc = await first('mudur', {
      measures: [H('headcount'), H('training_hours_per_employee'), H('leave_days_per_employee')],
      timeDimensions: [{ dimension: H('month'), dateRange: range }],
    });
    const tr = await first('mudur', { measures: [H('training_hours')], timeDimensions: [{ dimension: H('training_date'), dateRange: range }] });
    const lv = await first('mudur', { measures: [H('leave_days')], timeDimensions: [{ dimension: H('leave_month'), dateRange: range }] });
    expect(num(tr[H('training_hours')])).toBeGreaterThan(0);
    expect(num(hc[H('training_hours_per_employee')])).toBeCloseTo(num(tr[H('training_hours')]) / num(hc[H('headcount')]), 6);
    expect(num(hc[H('leave_days_per_employee')])).toBeCloseTo(num(lv[H('leave_days')]) / num(hc[H('headcount')]), 6);
    const db = await one(`SELECT sum(hours) AS h FROM marts.fct_trainings WHERE training_date BETWEEN DATE '2025-01-01' AND DATE '2025-12-31'`);
    expect(num(tr[H('training_hours')])).toBeCloseTo(num(db.h), 6);
  });

  it.each([['training_hours'], ['leave_days'], ['employee_count']])('%s: the sum over units and over genders equals the total', async (m) => {
    const total = num((await first('mudur', { measures: [H(m)] }))[H(m)]);
    expect(total).toBeGreaterThan(0);
    for (const dim of ['unit_name', 'gender_label', 'employment_type']) {
      const rows = await rowsOf('mudur', { measures: [H(m)], dimensions: [H(dim)] });
      expect(sum(rows, H(m)), dim).toBeCloseTo(total, 6);
    }
  });
});

describe('row-level security', () => {
  const birimQueries = (unitCode: string, view: 'yedekleme' | 'insan_kaynaklari', other: string): Array<[string, any]> => {
    const V = (m: string) => `${view}.${m}`;
    const [measure, listing] = view === 'yedekleme' ? ['session_count', ['session_key', 'server']] : ['training_hours', ['course', 'training_date']];
    return [
      ['grouped by unit', { measures: [V(measure)], dimensions: [V('unit_code')] }],
      [
        'filter naming another unit',
        { measures: [V(measure)], dimensions: [V('unit_code')], filters: [{ member: V('unit_code'), operator: 'equals', values: [other] }] },
      ],
      [
        'or-filter widening the set',
        {
          measures: [V(measure)],
          dimensions: [V('unit_code')],
          filters: [
            {
              or: [
                { member: V('unit_code'), operator: 'notEquals', values: [unitCode] },
                { member: V('unit_code'), operator: 'set' },
              ],
            },
          ],
        },
      ],
      ['ungrouped rows', { dimensions: [...listing.map(V), V('unit_code')], ungrouped: true, limit: 5000 }],
      ['by unit name', { measures: [V(measure)], dimensions: [V('unit_name'), V('unit_code')] }],
    ];
  };

  it.each([
    ['birim', 'FEN_ISLERI', 'insan_kaynaklari'],
    ['birim', 'FEN_ISLERI', 'yedekleme'],
    ['mali', 'MALI_HIZMETLER', 'yedekleme'],
    ['mali', 'MALI_HIZMETLER', 'insan_kaynaklari'],
    ['ik', 'INSAN_KAYNAKLARI', 'yedekleme'],
  ] as const)('%s (%s) in %s: only its own rows, whatever the query', async (who, unitCode, view) => {
    for (const [name, query] of birimQueries(unitCode, view, 'ZABITA')) {
      const { status, body } = await call('load', who, query);
      expect(status, name).toBe(200);
      for (const r of body.results.flatMap((x: any) => x.data)) expect(r[`${view}.unit_code`], name).toBe(unitCode);
    }
  });

  it.each([
    ['birim', 'FEN_ISLERI', H('training_hours')],
    ['birim', 'FEN_ISLERI', H('headcount_latest')],
    ['birim', 'FEN_ISLERI', H('leave_days')],
    ['birim', 'FEN_ISLERI', B('session_count')],
    ['mali', 'MALI_HIZMETLER', B('session_count')],
    ['mali', 'MALI_HIZMETLER', B('object_count')],
    ['mali', 'MALI_HIZMETLER', B('job_count')],
    ['mali', 'MALI_HIZMETLER', H('employee_count')],
    ['ik', 'INSAN_KAYNAKLARI', B('session_count')],
  ] as const)('%s (%s): %s ungrouped equals the unit’s own number, never the municipality’s', async (who, unitCode, measure) => {
    const view = measure.split('.')[0];
    const own = num((await first(who, { measures: [measure] }))[measure] ?? 0);
    const all = await rowsOf('mudur', { measures: [measure], dimensions: [`${view}.unit_code`] });
    const unitRow = all.find((r) => r[`${view}.unit_code`] === unitCode);
    expect(own).toBe(num(unitRow?.[measure] ?? 0));
    expect(sum(all, measure)).toBeGreaterThan(own);
  });

  it('non-vacuous: the birim and ik users of these checks do have rows of their own where expected', async () => {
    expect(num((await first('birim', { measures: [H('headcount_latest')] }))[H('headcount_latest')])).toBeGreaterThan(5);
    expect(num((await first('mali', { measures: [B('session_count')] }))[B('session_count')])).toBeGreaterThan(100);
  });

  it('/sql shows the unit filter on every fact of both views', async () => {
    for (const m of ['session_count', 'object_count', 'job_count'].map(B).concat(['headcount', 'employee_count', 'training_hours', 'leave_days'].map(H))) {
      const { status, body } = await call('sql', 'birim', { measures: [m] });
      expect(status, m).toBe(200);
      expect(body.sql.sql[0], m).toMatch(/"units"\.unit_code = \?/);
      expect(body.sql.sql[1], m).toContain('FEN_ISLERI');
    }
    const ik = await call('sql', 'ik', { measures: [B('session_count')] });
    expect(ik.body.sql.sql[1]).toContain('INSAN_KAYNAKLARI');
  });

  it('ik sees every unit in insan_kaynaklari (HR works for the whole municipality), but is filtered in yedekleme', async () => {
    const q = { measures: [H('headcount_latest')], dimensions: [H('unit_code')], order: { [H('unit_code')]: 'asc' } };
    const ik = await rowsOf('ik', q);
    const mudur = await rowsOf('mudur', q);
    expect(ik.length).toBeGreaterThan(20);
    expect(ik).toEqual(mudur);
    expect((await call('sql', 'ik', q)).body.sql.sql[1]).not.toContain('INSAN_KAYNAKLARI');
    const backup = await rowsOf('ik', { measures: [B('session_count')], dimensions: [B('unit_code')] });
    expect(backup.every((r) => r[B('unit_code')] === 'INSAN_KAYNAKLARI')).toBe(true);
  });

  it('an ik user without a unit sees no backup rows at all (the filter fails closed)', async () => {
    expect(await rowsOf('ik_nounit', { measures: [B('session_count')], dimensions: [B('unit_code')] })).toEqual([]);
    expect(num((await first('ik_nounit', { measures: [B('session_count')] }))[B('session_count')] ?? 0)).toBe(0);
    expect((await rowsOf('ik_nounit', { measures: [H('headcount_latest')], dimensions: [H('unit_code')] })).length).toBeGreaterThan(20);
  });
});

describe('person-level HR members: ik and admin only', () => {
  const queriesFor = (member: string, kind: 'dimensions' | 'measures'): Array<[string, any]> => {
    const m = H(member);
    if (kind === 'measures') {
      return [
        ['as a measure', { measures: [m] }],
        ['only in the order', { measures: [H('leave_days')], order: { [m]: 'desc' } }],
      ];
    }
    return [
      [
        TIME_DIMENSIONS.has(member) ? 'as a time dimension' : 'as a dimension',
        TIME_DIMENSIONS.has(member)
          ? { measures: [H('employee_count')], timeDimensions: [{ dimension: m, granularity: 'year' }] }
          : { dimensions: [m], limit: 5 },
      ],
      ['in a filter', { measures: [H('employee_count')], filters: [{ member: m, operator: 'set' }] }],
      ['only in the order', { measures: [H('employee_count')], order: { [m]: 'asc' } }],
    ];
  };

  it.each(['mudur', 'analist', 'yonetim', 'birim'])('%s: absent from /meta, and the aggregate members are all there', async (who) => {
    const own = (await viewOf(who, 'insan_kaynaklari'))!;
    const all = (await viewOf('admin', 'insan_kaynaklari'))!;
    const dims = names(own.dimensions);
    const measures = names(own.measures);
    for (const d of PERSON_LEVEL.dimensions) expect(dims, d).not.toContain(d);
    for (const m of PERSON_LEVEL.measures) expect(measures, m).not.toContain(m);
    // exactly the person-level members are hidden: nothing else is lost, nothing else leaks
    expect(dims.sort()).toEqual(
      names(all.dimensions)
        .filter((d) => !PERSON_LEVEL.dimensions.includes(d))
        .sort(),
    );
    expect(measures.sort()).toEqual(
      names(all.measures)
        .filter((m) => !PERSON_LEVEL.measures.includes(m))
        .sort(),
    );
    expect(names(own.segments)).toEqual(['latest_month']);
  });

  it.each(['mudur', 'analist', 'yonetim', 'birim'])('%s: refused with 403 on /load, /sql and /dry-run', async (who) => {
    for (const kind of ['dimensions', 'measures'] as const) {
      for (const member of PERSON_LEVEL[kind]) {
        for (const [how, query] of queriesFor(member, kind)) {
          for (const path of ['load', 'sql', 'dry-run'] as const) {
            const { status, body } = await call(path, who, query);
            expect(status, `${who} ${path} ${member} ${how}`).toBe(403);
            expect(body.error).toMatch(/hidden member/);
          }
        }
      }
    }
  });

  it.each(['ik', 'admin'])('%s: present in /meta and queryable', async (who) => {
    const own = (await viewOf(who, 'insan_kaynaklari'))!;
    expect(names(own.dimensions)).toEqual(expect.arrayContaining(PERSON_LEVEL.dimensions));
    expect(names(own.measures)).toEqual(expect.arrayContaining(PERSON_LEVEL.measures));
    for (const kind of ['dimensions', 'measures'] as const) {
      for (const member of PERSON_LEVEL[kind]) {
        const [how, query] = queriesFor(member, kind)[0];
        const { status, body } = await call('load', who, query);
        expect(status, `${who} ${member} ${how}: ${body.error ?? ''}`).toBe(200);
        expect(body.results[0].data.length, `${who} ${member}`).toBeGreaterThan(0);
      }
    }
    const people = await rowsOf(who, {
      dimensions: [H('person_key'), H('title'), H('age_band'), H('unit_code')],
      filters: [{ member: H('employee_is_active'), operator: 'equals', values: ['true'] }],
      limit: 10000,
    });
    const db = await one('SELECT count(*) AS n FROM marts.dim_employees WHERE is_active');
    expect(people).toHaveLength(num(db.n));
  });

  it('yedekleme has no person-level members: mudur and admin see the same members', async () => {
    const a = (await viewOf('admin', 'yedekleme'))!;
    const m = (await viewOf('birim', 'yedekleme'))!;
    expect(names(m.measures)).toEqual(names(a.measures));
    expect(names(m.dimensions)).toEqual(names(a.dimensions));
  });
});

describe.skipIf(SKIP_POSTGRES)('portable SQL: every measure gives the same answer on the PostgreSQL warehouse', () => {
  let db: TempPgDatabase;
  let pgServer: RunningServer;
  let pgToken: string;

  beforeAll(async () => {
    db = await createTempPgDatabase();
    const inst = await DuckDBInstance.create(snapshotFile, { access_mode: 'READ_ONLY' });
    const conn = await inst.connect();
    try {
      await publishMartsToPostgres(conn, { url: db.url, manifest: new SnapshotStore(env.config.warehouse.dir).current()!, keep: 2, logger: silentLogger });
    } finally {
      conn.closeSync();
      inst.closeSync();
    }
    pgServer = await startServer({ ...env.config, warehouse: { ...env.config.warehouse, postgresUrl: db.url } }, silentLogger, { port: 0 });
    pgToken = await login(pgServer.url, 'admin');
  });
  afterAll(async () => {
    await pgServer?.close();
    await db?.drop();
  });

  it.each(['yedekleme', 'insan_kaynaklari'])('%s: every dimension and segment compiles and runs on PostgreSQL', async (view) => {
    const v = (await viewOf('admin', view))!;
    const pgCall = async (query: unknown) => {
      const res = await fetch(`${pgServer.url}/cubejs-api/v1/load`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: pgToken },
        body: JSON.stringify({ query }),
      });
      return { status: res.status, body: (await res.json()) as any };
    };
    for (const d of v.dimensions) {
      const query =
        d.type === 'time' ? { dimensions: [], timeDimensions: [{ dimension: d.name, granularity: 'month' }], limit: 3 } : { dimensions: [d.name], limit: 3 };
      const r = await pgCall(query);
      expect(r.status, `${d.name}: ${r.body.error ?? ''}`).toBe(200);
    }
    const firstMeasure = view === 'yedekleme' ? B('session_count') : H('headcount');
    for (const sgm of v.segments) {
      const r = await pgCall({ measures: [firstMeasure], segments: [sgm.name] });
      expect(r.status, `${sgm.name}: ${r.body.error ?? ''}`).toBe(200);
    }
    const latest = await pgCall({ measures: [H('headcount')], filters: [{ member: H('is_latest_month'), operator: 'equals', values: ['true'] }] });
    expect(latest.status, latest.body.error).toBe(200);
    expect(num(latest.body.data[0][H('headcount')])).toBe(num((await first('admin', { measures: [H('headcount_latest')] }))[H('headcount_latest')]));
  });

  it.each(['yedekleme', 'insan_kaynaklari'])('%s: every measure, the same numbers as DuckDB', async (view) => {
    const measures = names((await viewOf('admin', view))?.measures).map((m) => `${view}.${m}`);
    const pgApi = cube(pgToken, { apiUrl: `${pgServer.url}/cubejs-api/v1` });
    const queries = [
      { measures },
      { measures, dimensions: [`${view}.unit_code`] },
      view === 'yedekleme'
        ? { measures: SESSION_MEASURES.map(B), timeDimensions: [{ dimension: B('started_at'), granularity: 'month', dateRange: ['2026-06-01', '2026-11-30'] }] }
        : {
            measures: [H('headcount'), H('hires'), H('it_staff_per_100'), H('training_hours_per_employee')],
            timeDimensions: [{ dimension: H('month'), granularity: 'quarter', dateRange: ['2025-01-01', '2026-11-30'] }],
          },
    ];
    // one measure per query: measures of different tables cannot share a query
    for (const q of queries) {
      for (const m of q.measures) {
        const single = { ...q, measures: [m] } as any;
        const duck = (await apis.admin.load(single)).tablePivot() as Row[];
        const pgRows = (await pgApi.load(single)).tablePivot() as Row[];
        expect(pgRows.length, m).toBe(duck.length);
        expect(duck.length, m).toBeGreaterThan(0);
        // rows keyed by their dimension values (the two databases may sort strings differently)
        const keyOf = (r: Row) => JSON.stringify(Object.entries(r).filter(([k]) => k !== m));
        const pgByKey = new Map(pgRows.map((r) => [keyOf(r), r[m]]));
        for (const r of duck) {
          const v = r[m];
          expect(pgByKey.has(keyOf(r)), `${m}: ${keyOf(r)}`).toBe(true);
          const p = pgByKey.get(keyOf(r));
          if (v === null) expect(p, m).toBeNull();
          else expect(Math.abs(Number(p) - Number(v)), `${m} ${keyOf(r)}: ${p} vs ${v}`).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(Number(v))));
        }
      }
    }
  });
});
