import type { DuckDBConnection } from '@duckdb/node-api';
import { DEFAULT_TIMEZONE } from '../../common/definitions/timezone.js';
import { timeZoneSql, type MartBuilder, type MartContext } from './mart-builder.js';
import { tableExists } from '../warehouse/duckdb.js';

/**
 * Inventory marts, rebuilt in every snapshot from whichever inventory sources it holds (GLPI assets,
 * Snipe-IT, or both):
 *
 *   marts.dim_assets              one row per asset (scrapped ones included, flagged)
 *   marts.fct_asset_daily         one row per asset per day a run observed it (from the daily snapshots)
 *   marts.fct_asset_stock_monthly per month × unit × type: assets in inventory at month end, bought, scrapped
 *                                 — reconstructed from purchase and scrapping dates, so history exists
 *                                 from the first run on
 *   marts.dim_locations           one row per location named by the assets or the daily snapshot: site, sub-location
 *
 * Ages, warranty windows and "this year" are measured at the data's as-of day: the business day
 * (in the business time zone, PANO_TIMEZONE) of the run that extracted the rows, so a snapshot's numbers never drift.
 */

/** Source id → its raw asset table and daily table. */
const SOURCES = [
  { id: 'glpi_assets', source: 'glpi', table: 'raw_inventory.glpi_assets', daily: 'raw_inventory.asset_daily', sourceType: 'itemtype' },
  { id: 'snipeit', source: 'snipeit', table: 'raw_inventory.snipeit_assets', daily: 'raw_inventory.snipeit_asset_daily', sourceType: 'category' },
] as const;

export async function buildInventoryMarts(
  conn: DuckDBConnection,
  present: ReadonlySet<string>,
  ctx: MartContext = { timezone: DEFAULT_TIMEZONE },
): Promise<void> {
  const here: Array<(typeof SOURCES)[number]> = [];
  for (const s of SOURCES) if (present.has(s.id) && (await tableExists(conn, s.table))) here.push(s);
  if (here.length === 0) return;
  await conn.run('CREATE SCHEMA IF NOT EXISTS marts');
  const tz = timeZoneSql(ctx.timezone);

  const assetSelect = (s: (typeof SOURCES)[number]) => `
    SELECT '${s.source}' AS source, asset_key, source_id, ${s.sourceType} AS source_type, name, inventory_number, serial,
           asset_type, subtype, manufacturer, model, state_name, status, status_label, unit_code, unit_resolved_via,
           location, group_name, supplier,
           TRY_CAST(purchase_date AS DATE) AS purchase_date, value,
           warranty_months, warranty_lifelong, TRY_CAST(warranty_end AS DATE) AS warranty_end,
           CAST(timezone(${tz}, decommissioned_at) AS DATE) AS decommission_date,
           modified_at,
           (SELECT CAST(timezone(${tz}, max(_extracted_at)) AS DATE) FROM ${s.table}) AS as_of_date
    FROM ${s.table}`;

  await conn.run(`
    CREATE OR REPLACE TABLE marts.dim_assets AS
    WITH a AS (${here.map(assetSelect).join(' UNION ALL ')}),
    b AS (
      SELECT a.*,
             status = 'scrapped' AS is_scrapped,
             CASE WHEN status = 'scrapped'
                  THEN coalesce(decommission_date, CAST(timezone(${tz}, modified_at) AS DATE)) END AS scrapped_date
      FROM a
    )
    SELECT
      asset_key, source, source_id, source_type, name, inventory_number, serial,
      asset_type, subtype, manufacturer, model,
      status, status_label, state_name,
      status = 'in_use' AS is_in_use,
      status = 'in_stock' AS is_in_stock,
      status = 'out_of_service' AS out_of_service,
      is_scrapped,
      NOT is_scrapped AS in_inventory,
      unit_code, unit_resolved_via, location,
      CASE WHEN location IS NULL THEN NULL ELSE trim(split_part(location, '>', 1)) END AS site,
      group_name, supplier,
      purchase_date,
      year(purchase_date) AS purchase_year,
      CASE WHEN purchase_date IS NOT NULL
           THEN round(date_diff('day', purchase_date, coalesce(scrapped_date, as_of_date)) / 365.25, 2) END AS age_years,
      CASE WHEN purchase_date IS NOT NULL
           THEN date_diff('day', purchase_date, coalesce(scrapped_date, as_of_date)) > 5 * 365.25 END AS older_than_5y,
      value,
      warranty_months, warranty_lifelong, warranty_end,
      CASE WHEN warranty_end IS NOT NULL THEN date_diff('day', as_of_date, warranty_end) END AS warranty_days_left,
      NOT is_scrapped AND coalesce(warranty_lifelong OR warranty_end >= as_of_date, false) AS under_warranty,
      NOT is_scrapped AND coalesce(warranty_end BETWEEN as_of_date AND as_of_date + 90, false) AS warranty_ends_within_90d,
      scrapped_date,
      year(scrapped_date) AS scrapped_year,
      coalesce(year(scrapped_date) = year(as_of_date), false) AS scrapped_this_year,
      modified_at,
      as_of_date
    FROM b`);

  const daily = [];
  for (const s of here) if (await tableExists(conn, s.daily)) daily.push(s);
  const dailySelect = (s: (typeof SOURCES)[number]) =>
    `SELECT "day", asset_key, source, asset_type, subtype, status, unit_code, location, TRY_CAST(purchase_date AS DATE) AS purchase_date, value FROM ${s.daily}`;
  await conn.run(`
    CREATE OR REPLACE TABLE marts.fct_asset_daily AS
    SELECT "day", asset_key, source, asset_type, subtype, status, unit_code, location,
           CASE WHEN location IS NULL THEN NULL ELSE trim(split_part(location, '>', 1)) END AS site,
           status = 'scrapped' AS is_scrapped,
           status <> 'scrapped' AS in_inventory,
           status = 'out_of_service' AS out_of_service,
           purchase_date, value
    FROM (${daily.length ? daily.map(dailySelect).join(' UNION ALL ') : `SELECT NULL::DATE AS "day", NULL AS asset_key, NULL AS source, NULL AS asset_type, NULL AS subtype, NULL AS status, NULL AS unit_code, NULL AS location, NULL::DATE AS purchase_date, NULL::DOUBLE AS value WHERE false`})`);

  // Month-end stock reconstructed from purchase and scrapping dates (assets without a purchase date are left out).
  await conn.run(`
    CREATE OR REPLACE TABLE marts.fct_asset_stock_monthly AS
    WITH bounds AS (
      SELECT date_trunc('month', min(purchase_date)) AS first_month, date_trunc('month', max(as_of_date)) AS last_month
      FROM marts.dim_assets WHERE purchase_date IS NOT NULL
    ),
    months AS (
      SELECT CAST(m AS DATE) AS month
      FROM bounds, generate_series(CAST(bounds.first_month AS TIMESTAMP), CAST(bounds.last_month AS TIMESTAMP), INTERVAL 1 MONTH) AS g(m)
      WHERE bounds.first_month IS NOT NULL
    ),
    keys AS (SELECT DISTINCT unit_code, asset_type, source FROM marts.dim_assets WHERE purchase_date IS NOT NULL),
    grid AS (SELECT month, unit_code, asset_type, source FROM months CROSS JOIN keys),
    stock AS (
      SELECT g.month, g.unit_code, g.asset_type, g.source,
             count(a.asset_key) FILTER (WHERE a.purchase_date <= last_day(g.month)
                                        AND (a.scrapped_date IS NULL OR a.scrapped_date > last_day(g.month))) AS assets_in_inventory,
             count(a.asset_key) FILTER (WHERE date_trunc('month', a.purchase_date) = g.month) AS purchased,
             count(a.asset_key) FILTER (WHERE date_trunc('month', a.scrapped_date) = g.month) AS scrapped,
             sum(a.value) FILTER (WHERE date_trunc('month', a.purchase_date) = g.month) AS purchased_value
      FROM grid g
      LEFT JOIN marts.dim_assets a
        ON a.unit_code = g.unit_code AND a.asset_type = g.asset_type AND a.source = g.source AND a.purchase_date IS NOT NULL
       AND a.purchase_date <= last_day(g.month)
      GROUP BY ALL
    )
    SELECT month, year(month) AS year, unit_code, asset_type, source,
           assets_in_inventory, purchased, scrapped, coalesce(purchased_value, 0) AS purchased_value
    FROM stock
    WHERE assets_in_inventory > 0 OR purchased > 0 OR scrapped > 0
    ORDER BY month, unit_code, asset_type, source`);

  // Every location the assets and the daily snapshot name (GLPI's completename "Site > Floor > Room",
  // Snipe-IT's location name), split into its parts: the site is the first part, as in dim_assets.site.
  await conn.run(`
    CREATE OR REPLACE TABLE marts.dim_locations AS
    WITH l AS (
      SELECT location FROM marts.dim_assets WHERE location IS NOT NULL
      UNION SELECT location FROM marts.fct_asset_daily WHERE location IS NOT NULL),
    p AS (SELECT location, list_transform(string_split(location, '>'), x -> trim(x)) AS parts FROM l)
    SELECT location,
           parts[1] AS site,
           CASE WHEN len(parts) > 1 THEN array_to_string(parts[2:], ' > ') END AS sub_location,
           parts[len(parts)] AS location_name,
           CAST(len(parts) AS INTEGER) AS depth
    FROM p
    ORDER BY location`);
}

/** The inventory marts, built when GLPI assets or Snipe-IT (or both) are in the snapshot. */
export const inventoryMarts: MartBuilder = {
  name: 'inventory',
  // Either source is enough, so nothing is required up front; build() looks at what is present.
  requires: [],
  build: buildInventoryMarts,
};
