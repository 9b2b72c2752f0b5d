import type { DuckDBConnection } from '@duckdb/node-api';
import type { MartBuilder } from './mart-builder.js';
import { tableExists } from '../warehouse/duckdb.js';

/**
 * marts.fct_exec_monthly — the executive summary (yönetim özeti): one row per month × unit with the
 * few numbers management compares across domains, taken from the domain marts of the same snapshot
 * (never from raw tables, so each figure is the domain's own definition):
 *
 *   tickets_opened / tickets_solved   fct_tickets by the month of opened_date / solved_date
 *   assets_in_inventory               fct_asset_stock_monthly at month end (a stock, not a flow)
 *   assets_purchased_value            fct_asset_stock_monthly purchases in the month (₺)
 *   telecom_gross / telecom_net       fct_telecom_costs by cost month (lines with a unit)
 *   headcount / it_staff              fct_headcount_monthly at month end; without HR data, the unit
 *                                     list's staff numbers (staff_source says which)
 *   backup_outcomes / backup_failed   fct_backup_sessions by session month
 *
 * Domains missing from the snapshot contribute nothing (their columns are 0 / NULL); `domains` on
 * each row lists those present, so a dashboard can say which parts a number is built from.
 */

/** The per-domain figures every part of the union fills (0 where a part has none). */
const FIGURES = [
  'tickets_opened',
  'tickets_solved',
  'assets_in_inventory',
  'assets_purchased_value',
  'telecom_gross',
  'telecom_net',
  'headcount',
  'it_staff',
  'backup_outcomes',
  'backup_failed',
] as const;
type Figure = (typeof FIGURES)[number];

/** The select list of one union part: its own figures, 0 for the others. */
const figures = (own: Partial<Record<Figure, string>>) => FIGURES.map((f) => `${own[f] ?? '0'} AS ${f}`).join(', ');

async function build(conn: DuckDBConnection): Promise<void> {
  const has = {
    tickets: await tableExists(conn, 'marts.fct_tickets'),
    assets: await tableExists(conn, 'marts.fct_asset_stock_monthly'),
    telecom: await tableExists(conn, 'marts.fct_telecom_costs'),
    hr: await tableExists(conn, 'marts.fct_headcount_monthly'),
    backup: await tableExists(conn, 'marts.fct_backup_sessions'),
  };
  const parts: string[] = [];
  if (has.tickets) {
    parts.push(`SELECT CAST(date_trunc('month', opened_date) AS DATE) AS month, unit_code, ${figures({ tickets_opened: 'count(*)' })}
      FROM marts.fct_tickets WHERE opened_date IS NOT NULL GROUP BY 1, 2`);
    parts.push(`SELECT CAST(date_trunc('month', solved_date) AS DATE) AS month, unit_code, ${figures({ tickets_solved: 'count(*)' })}
      FROM marts.fct_tickets WHERE solved_date IS NOT NULL GROUP BY 1, 2`);
  }
  if (has.assets) {
    parts.push(`SELECT CAST(month AS DATE) AS month, unit_code,
        ${figures({ assets_in_inventory: 'sum(assets_in_inventory)', assets_purchased_value: 'sum(purchased_value)' })}
      FROM marts.fct_asset_stock_monthly GROUP BY 1, 2`);
  }
  if (has.telecom) {
    parts.push(`SELECT CAST(cost_month AS DATE) AS month, unit_code, ${figures({ telecom_gross: 'sum(gross_amount)', telecom_net: 'sum(net_amount)' })}
      FROM marts.fct_telecom_costs WHERE unit_code IS NOT NULL GROUP BY 1, 2`);
  }
  if (has.hr) {
    parts.push(`SELECT CAST(month AS DATE) AS month, unit_code,
        ${figures({ headcount: 'sum(headcount)', it_staff: 'sum(headcount) FILTER (WHERE is_it_staff)' })}
      FROM marts.fct_headcount_monthly GROUP BY 1, 2`);
  }
  if (has.backup) {
    parts.push(`SELECT CAST(date_trunc('month', session_date) AS DATE) AS month, unit_code,
        ${figures({ backup_outcomes: 'count(*) FILTER (WHERE is_outcome)', backup_failed: "count(*) FILTER (WHERE status = 'failed')" })}
      FROM marts.fct_backup_sessions WHERE session_date IS NOT NULL GROUP BY 1, 2`);
  }
  if (parts.length === 0) return;
  const domains = Object.entries(has)
    .filter(([, v]) => v)
    .map(([k]) => k)
    .join(',');

  await conn.run(`
    CREATE OR REPLACE TABLE marts.fct_exec_monthly AS
    WITH facts AS (${parts.join('\n UNION ALL ')}),
    agg AS (
      SELECT month, unit_code, ${FIGURES.map((f) => `sum(${f}) AS ${f}`).join(', ')}
      FROM facts WHERE month IS NOT NULL AND unit_code IS NOT NULL GROUP BY 1, 2)
    SELECT a.month, a.unit_code,
      CAST(a.tickets_opened AS BIGINT) AS tickets_opened,
      CAST(a.tickets_solved AS BIGINT) AS tickets_solved,
      CAST(a.assets_in_inventory AS BIGINT) AS assets_in_inventory,
      CAST(round(a.assets_purchased_value, 2) AS DECIMAL(18,2)) AS assets_purchased_value,
      CAST(round(a.telecom_gross, 2) AS DECIMAL(18,2)) AS telecom_gross,
      CAST(round(a.telecom_net, 2) AS DECIMAL(18,2)) AS telecom_net,
      CAST(${has.hr ? 'a.headcount' : 'u.staff_count'} AS BIGINT) AS headcount,
      CAST(${has.hr ? 'a.it_staff' : "CASE WHEN a.unit_code = 'BILGI_ISLEM' THEN u.staff_count ELSE 0 END"} AS BIGINT) AS it_staff,
      '${has.hr ? 'hr' : 'unit_list'}' AS staff_source,
      CAST(a.backup_outcomes AS BIGINT) AS backup_outcomes,
      CAST(a.backup_failed AS BIGINT) AS backup_failed,
      CAST(round(a.telecom_gross + a.assets_purchased_value, 2) AS DECIMAL(18,2)) AS it_cost,
      '${domains}' AS domains
    FROM agg a LEFT JOIN marts.dim_units u ON u.unit_code = a.unit_code
    ORDER BY a.month, a.unit_code`);
}

/** Built last: it reads the other marts of the snapshot. */
export const executiveMarts: MartBuilder = { name: 'executive', requires: [], build: (conn) => build(conn) };
