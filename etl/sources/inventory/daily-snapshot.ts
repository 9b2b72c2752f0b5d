import type { AfterLoadContext } from '../../source.js';
import { zoneClock } from '../../calendar/wall-clock.js';

/**
 * The daily asset snapshot: one row per asset per business day, so growth and retirements can be
 * charted although the source systems only know today's state. Each run copies the history forward
 * from the serving snapshot (attached as `prev`) and replaces today's rows with the assets just
 * loaded, so a second run on the same day changes nothing and a run on a new day adds one day.
 */

export interface DailySnapshotSpec {
  /** Warehouse schema, e.g. 'raw_inventory'. */
  schema: string;
  /** The history table, e.g. 'asset_daily'. */
  table: string;
  /** The raw table just loaded by the source, e.g. 'glpi_assets'. */
  from: string;
  /** Value of the `source` column ('glpi', 'snipeit'). */
  source: string;
  /** Business time zone: which calendar day a run belongs to. */
  timezone: string;
}

/** Columns of a daily table (DuckDB types). */
export const DAILY_COLUMNS: ReadonlyArray<{ name: string; type: string; from: string }> = [
  { name: 'day', type: 'DATE', from: '' },
  { name: 'asset_key', type: 'VARCHAR', from: 'asset_key' },
  { name: 'source', type: 'VARCHAR', from: '' },
  { name: 'asset_type', type: 'VARCHAR', from: 'asset_type' },
  { name: 'subtype', type: 'VARCHAR', from: 'subtype' },
  { name: 'status', type: 'VARCHAR', from: 'status' },
  { name: 'unit_code', type: 'VARCHAR', from: 'unit_code' },
  { name: 'location', type: 'VARCHAR', from: 'location' },
  { name: 'purchase_date', type: 'VARCHAR', from: 'purchase_date' },
  { name: 'value', type: 'DOUBLE', from: 'value' },
  { name: '_run_id', type: 'VARCHAR', from: '' },
  { name: '_recorded_at', type: 'TIMESTAMPTZ', from: '' },
];

/** The business day of an instant, 'YYYY-MM-DD'. */
export function businessDay(now: Date, timezone: string): string {
  return zoneClock(timezone).formatDate(now);
}

/**
 * afterLoad body: (re)creates `<schema>.<table>` with the history from `prev` (all days but today;
 * columns the previous version lacked come over as NULL), then today's rows from the raw table.
 */
export async function recordDailySnapshot(ctx: AfterLoadContext, spec: DailySnapshotSpec): Promise<{ day: string; today: number; history: number }> {
  const day = businessDay(ctx.now, spec.timezone);
  const target = `${spec.schema}.${spec.table}`;
  const lit = (s: string) => `'${s.replace(/'/g, "''")}'`;
  await ctx.run(`CREATE OR REPLACE TABLE ${target} (${DAILY_COLUMNS.map((c) => `"${c.name}" ${c.type}`).join(', ')})`);

  let history = 0;
  if (ctx.hasPrevious) {
    const prevCols = await ctx.query(
      `SELECT column_name FROM duckdb_columns() WHERE database_name = 'prev' AND schema_name = ${lit(spec.schema)} AND table_name = ${lit(spec.table)}`,
    );
    const have = new Set(prevCols.map((r) => String(r.column_name)));
    if (have.has('day') && have.has('asset_key')) {
      const select = DAILY_COLUMNS.map((c) => (have.has(c.name) ? `"${c.name}"` : `NULL::${c.type} AS "${c.name}"`)).join(', ');
      await ctx.run(`INSERT INTO ${target} SELECT ${select} FROM prev.${target} WHERE "day" <> DATE ${lit(day)}`);
      const [n] = await ctx.query(`SELECT count(*) AS n FROM ${target}`);
      history = Number(n.n);
    }
  }
  const select = DAILY_COLUMNS.map((c) => {
    if (c.name === 'day') return `DATE ${lit(day)}`;
    if (c.name === 'source') return lit(spec.source);
    if (c.name === '_run_id') return lit(ctx.runId);
    if (c.name === '_recorded_at') return `${lit(ctx.now.toISOString())}::TIMESTAMPTZ`;
    return `"${c.from}"`;
  }).join(', ');
  await ctx.run(`INSERT INTO ${target} SELECT ${select} FROM ${spec.schema}.${spec.from}`);
  const [t] = await ctx.query(`SELECT count(*) AS n FROM ${target} WHERE "day" = DATE ${lit(day)}`);
  return { day, today: Number(t.n), history };
}
