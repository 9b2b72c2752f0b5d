import type { DuckDBConnection } from '@duckdb/node-api';
import { SOURCE_IDS } from '../source-ids.js';
import type { MartBuilder } from './mart-builder.js';
import { tableExists } from '../warehouse/duckdb.js';

/**
 * Telecom marts, rebuilt in every snapshot from raw_telecom (invoices required; the line registry and the
 * operator details are used when present). Amounts are TRY, DECIMAL(18,2), signed (returns negative).
 *
 *   marts.fct_telecom_costs    one row per line per cost month (account-level charges that name no line:
 *                              one row per operator per month): net, KDV, ÖİV, other taxes, gross,
 *                              withholding, payable, returns, budget, usage from the operator details
 *   marts.fct_telecom_usage    one row per line per month of the operator details (fees and usage)
 *   marts.dim_telecom_lines    one row per line: registry attributes (current row), cost and usage summary,
 *                              idle detection over the last three months
 *   marts.fct_telecom_budget   one row per unit per month: active lines, budget, actual
 *   marts.fct_telecom_invoices one row per invoice, with its cost month and (single) unit; totals_match: the
 *                              lines add up to LineExtensionAmount, TaxTotal and PayableAmount (− rounding)
 *   marts.fct_telecom_taxes    one row per tax subtotal (TaxTypeCode, percent), with cost month and operator
 *
 * Cost month: the invoice's InvoicePeriod/StartDate; for a return without a period, the period of the
 * invoice it references (BillingReference) — so a return corrects the month it belongs to; else IssueDate.
 * A line is matched to the registry by its key (Hat No or Hizmet/Abone No); with several registry rows
 * (a line that moved between units) the row whose active period covers the month wins. Lines that are not
 * in the registry are kept: unit_code NULL, line_type 'KAYITSIZ', line_status 'KAYITSIZ'; charges that name
 * no line at all (account-level: PBX maintenance, account fees) have line_type 'HESAP', line_status 'HAT_BELIRSIZ'.
 */

const MONEY = 'DECIMAL(18,2)';
const money = (expr: string) => `CAST(round(${expr}, 2) AS ${MONEY})`;
/** '2165641234' → '0216 564 12 34'; other keys as they are. */
const display = (col: string) =>
  `CASE WHEN regexp_matches(${col}, '^[2-58][0-9]{9}$') THEN '0' || substr(${col}, 1, 3) || ' ' || substr(${col}, 4, 3) || ' ' || substr(${col}, 7, 2) || ' ' || substr(${col}, 9, 2) ELSE ${col} END`;

/**
 * Which spelling of a line's number to show. Invoices and operator files write the same line differently
 * ('5360443114', '905360443114', '0536 044 31 14'), so a pick by row order (`any_value`) changed between runs
 * over identical sources under parallel aggregation (issue #19, item 7). The pick is `arg_min(number, rank)`
 * over a total order: the most frequent spelling (`n`, the rows with that spelling in the group), ties broken
 * by the canonical national form (the spelling equal to the line key, 10 digits without 0/90), then the
 * shortest, then the lexicographically smallest.
 */
const spellingRank = (n: string, num: string, key: string) => `(-${n}, coalesce(${num} <> ${key}, true), length(${num}), ${num})`;

export async function buildTelecomMarts(conn: DuckDBConnection): Promise<void> {
  if (!(await tableExists(conn, 'raw_telecom.invoice_lines')) || !(await tableExists(conn, 'raw_telecom.invoices'))) return;
  const hasRegistry = await tableExists(conn, 'raw_telecom.lines');
  const hasDetails = await tableExists(conn, 'raw_telecom.operator_charges');
  await conn.run('CREATE SCHEMA IF NOT EXISTS marts');

  // Registry rows (or none), and every key a registered line is known by.
  await conn.run(`
    CREATE OR REPLACE TEMP TABLE tel_reg AS
    ${
      hasRegistry
        ? `SELECT row_number() OVER (ORDER BY source_file, source_line) AS reg_id,
             line_key, line_number, service_key, unit_code, line_type, line_type_label, operator, tariff,
             ${money('monthly_budget')} AS monthly_budget,
             TRY_CAST(active_from AS DATE) AS active_from, TRY_CAST(active_to AS DATE) AS active_to
           FROM raw_telecom.lines WHERE line_key IS NOT NULL`
        : `SELECT * FROM (VALUES (NULL::BIGINT, NULL::VARCHAR, NULL::VARCHAR, NULL::VARCHAR, NULL::VARCHAR, NULL::VARCHAR, NULL::VARCHAR,
             NULL::VARCHAR, NULL::VARCHAR, NULL::${MONEY}, NULL::DATE, NULL::DATE))
             t(reg_id, line_key, line_number, service_key, unit_code, line_type, line_type_label, operator, tariff, monthly_budget, active_from, active_to)
           WHERE false`
    }`);
  await conn.run(`
    CREATE OR REPLACE TEMP TABLE tel_keymap AS
    SELECT DISTINCT key, reg_id FROM (
      SELECT line_key AS key, reg_id FROM tel_reg
      UNION ALL SELECT service_key, reg_id FROM tel_reg WHERE service_key IS NOT NULL)`);
  await conn.run(`
    CREATE OR REPLACE TEMP TABLE tel_canon AS
    SELECT k.key, min(r.line_key) AS line_key FROM tel_keymap k JOIN tel_reg r USING (reg_id) GROUP BY k.key`);

  // Invoices with their cost month (returns follow the invoice they reference).
  await conn.run(`
    CREATE OR REPLACE TEMP TABLE tel_inv AS
    WITH base AS (
      SELECT i.*, TRY_CAST(i.issue_date AS DATE) AS issue_d, TRY_CAST(i.period_start AS DATE) AS period_d
      FROM raw_telecom.invoices i),
    orig AS (
      SELECT invoice_no, operator, min(coalesce(period_d, issue_d)) AS orig_d FROM base WHERE sign > 0 GROUP BY invoice_no, operator)
    SELECT b.*,
      CAST(date_trunc('month', coalesce(b.period_d, CASE WHEN b.sign < 0 THEN o.orig_d END, b.issue_d)) AS DATE) AS cost_month,
      b.sign < 0 AND o.orig_d IS NOT NULL AS reference_found
    FROM base b
    -- equality conditions only: a condition on the kept side of a LEFT JOIN turns it into a nested-loop join
    LEFT JOIN orig o ON o.invoice_no = b.billing_reference_id AND o.operator = b.operator`);

  // Invoice lines resolved to a registry row (the one active in the cost month, else the latest).
  await conn.run(`
    CREATE OR REPLACE TEMP TABLE tel_ln AS
    SELECT l.invoice_uuid, l.line_seq, l.operator, l.sign, i.cost_month,
      l.line_key AS invoice_line_key, l.identity_value,
      r.reg_id, r.line_key AS reg_line_key, r.line_number AS reg_line_number, r.unit_code, r.line_type, r.tariff, r.monthly_budget,
      r.reg_id IS NOT NULL AND NOT ((r.active_from IS NULL OR r.active_from <= last_day(i.cost_month)) AND (r.active_to IS NULL OR r.active_to >= i.cost_month)) AS outside_active,
      coalesce(l.exchange_rate, 1) AS fx,
      coalesce(l.net_amount, 0) + coalesce(l.document_adjustment, 0) AS net,
      coalesce(l.kdv_amount, 0) AS kdv, coalesce(l.oiv_amount, 0) AS oiv, coalesce(l.other_tax_amount, 0) AS other,
      coalesce(l.gross_amount, 0) AS gross, coalesce(l.withholding_amount, 0) AS wh, coalesce(l.payable_amount, 0) AS payable
    FROM raw_telecom.invoice_lines l
    JOIN tel_inv i ON i.invoice_uuid = l.invoice_uuid
    LEFT JOIN tel_keymap k ON k.key = l.line_key
    LEFT JOIN tel_reg r ON r.reg_id = k.reg_id
    QUALIFY row_number() OVER (
      PARTITION BY l.invoice_uuid, l.line_seq
      ORDER BY CASE WHEN r.reg_id IS NOT NULL AND (r.active_from IS NULL OR r.active_from <= last_day(i.cost_month)) AND (r.active_to IS NULL OR r.active_to >= i.cost_month) THEN 0 ELSE 1 END,
               r.active_from DESC NULLS LAST, r.reg_id) = 1`);

  // Operator detail rows per line and month (registered lines under their registry key).
  await conn.run(`
    CREATE OR REPLACE TEMP TABLE tel_usage AS
    ${
      hasDetails
        ? `SELECT d.ckey AS line_key, d.cmonth AS cost_month,
             -- the operator of the largest net amount; equal amounts: the alphabetically last (a fixed choice)
             arg_max(d.operator, (d.net_amount, d.operator)) FILTER (WHERE d.net_amount IS NOT NULL) AS operator,
             arg_min(d.line_number, ${spellingRank('d.spelling_n', 'd.line_number', 'd.ckey')}) AS line_number,
             sum(d.fixed_fee) AS fixed_fee, sum(d.usage_fee) AS usage_fee, sum(d.discount) AS discount, sum(d.other_fee) AS other_fee,
             sum(d.net_amount) AS net_amount, sum(d.voice_minutes) AS voice_minutes, sum(d.data_mb) AS data_mb, sum(d.sms_count) AS sms_count,
             bool_or(d.has_usage) AS has_usage, count(*) AS detail_rows
           FROM (
             SELECT d.*, coalesce(c.line_key, d.line_key) AS ckey, CAST(d.period_month AS DATE) AS cmonth,
               count(*) OVER (PARTITION BY coalesce(c.line_key, d.line_key), d.period_month, d.line_number) AS spelling_n
             FROM raw_telecom.operator_charges d LEFT JOIN tel_canon c ON c.key = d.line_key
             WHERE d.line_key IS NOT NULL AND d.period_month IS NOT NULL) d
           GROUP BY d.ckey, d.cmonth`
        : `SELECT * FROM (VALUES (NULL::VARCHAR, NULL::DATE, NULL::VARCHAR, NULL::VARCHAR, NULL::DOUBLE, NULL::DOUBLE, NULL::DOUBLE, NULL::DOUBLE,
             NULL::DOUBLE, NULL::DOUBLE, NULL::DOUBLE, NULL::DOUBLE, NULL::BOOLEAN, NULL::BIGINT))
             t(line_key, cost_month, operator, line_number, fixed_fee, usage_fee, discount, other_fee, net_amount, voice_minutes, data_mb, sms_count, has_usage, detail_rows)
           WHERE false`
    }`);

  await conn.run(`
    CREATE OR REPLACE TABLE marts.fct_telecom_costs AS
    WITH ln AS (
      SELECT *, coalesce(reg_line_key, invoice_line_key) AS ckey, coalesce(reg_line_number, identity_value) AS number_as_billed,
        count(*) OVER (PARTITION BY cost_month, coalesce(reg_line_key, invoice_line_key), coalesce(reg_line_number, identity_value)) AS spelling_n
      FROM tel_ln),
    -- the operator of the largest item; equal amounts: the alphabetically last (a fixed choice, not row order)
    op AS (SELECT cost_month, ckey, arg_max(operator, (abs(gross), operator)) AS main_operator FROM ln WHERE ckey IS NOT NULL GROUP BY ALL),
    agg AS (
      SELECT ln.cost_month, ln.ckey AS line_key, coalesce(op.main_operator, ln.operator) AS operator,
        arg_min(ln.number_as_billed, ${spellingRank('ln.spelling_n', 'ln.number_as_billed', 'ln.ckey')}) AS line_number,
        -- registry attributes: from the registry row with the lowest reg_id (a line's items in a month resolve to
        -- one row, so this is that row's value; arg_min skips NULLs as any_value did)
        arg_min(ln.unit_code, ln.reg_id) AS unit_code,
        CASE WHEN ln.ckey IS NULL THEN 'HESAP' ELSE coalesce(arg_min(ln.line_type, ln.reg_id), 'KAYITSIZ') END AS line_type,
        CASE WHEN ln.ckey IS NULL THEN 'HAT_BELIRSIZ' WHEN bool_or(ln.reg_id IS NOT NULL) THEN 'KAYITLI' ELSE 'KAYITSIZ' END AS line_status,
        arg_min(ln.tariff, ln.reg_id) AS tariff,
        arg_min(ln.monthly_budget, ln.reg_id) AS monthly_budget,
        bool_or(ln.outside_active) AS billed_outside_active,
        count(DISTINCT ln.invoice_uuid) AS invoice_count,
        count(*) AS item_count,
        sum(ln.net * ln.fx) AS net, sum(ln.kdv * ln.fx) AS kdv, sum(ln.oiv * ln.fx) AS oiv, sum(ln.other * ln.fx) AS other,
        sum(ln.gross * ln.fx) AS gross, sum(ln.wh * ln.fx) AS wh, sum(ln.payable * ln.fx) AS payable,
        sum(ln.net * ln.fx) FILTER (WHERE ln.sign < 0) AS ret_net, sum(ln.gross * ln.fx) FILTER (WHERE ln.sign < 0) AS ret_gross
      FROM ln LEFT JOIN op ON op.cost_month = ln.cost_month AND op.ckey = ln.ckey
      GROUP BY ln.cost_month, ln.ckey, coalesce(op.main_operator, ln.operator))
    SELECT a.cost_month, a.line_key, a.line_number, ${display('a.line_key')} AS line_display,
      a.operator, a.unit_code, a.line_type, a.line_status, a.tariff, a.monthly_budget,
      a.invoice_count, a.item_count,
      ${money('a.net')} AS net_amount, ${money('a.kdv')} AS kdv_amount, ${money('a.oiv')} AS oiv_amount,
      ${money('a.other')} AS other_tax_amount, ${money('a.kdv + a.oiv + a.other')} AS tax_amount,
      ${money('a.gross')} AS gross_amount, ${money('a.wh')} AS withholding_amount, ${money('a.payable')} AS payable_amount,
      ${money('coalesce(a.ret_net, 0)')} AS return_net_amount, ${money('coalesce(a.ret_gross, 0)')} AS return_gross_amount,
      CASE WHEN a.monthly_budget IS NOT NULL THEN round(a.gross, 2) > a.monthly_budget END AS over_budget,
      a.billed_outside_active,
      u.line_key IS NOT NULL AS detail_available,
      u.has_usage,
      (round(a.gross, 2) > 0 AND u.has_usage = false) AS idle_month,
      u.voice_minutes, u.data_mb, u.sms_count,
      ${money('u.fixed_fee')} AS detail_fixed_fee, ${money('u.usage_fee')} AS detail_usage_fee,
      ${money('u.discount')} AS detail_discount, ${money('u.net_amount')} AS detail_net_amount
    FROM agg a LEFT JOIN tel_usage u ON u.line_key = a.line_key AND u.cost_month = a.cost_month
    ORDER BY a.cost_month, a.unit_code NULLS LAST, a.line_key NULLS LAST, a.operator`);

  await conn.run(`
    CREATE OR REPLACE TABLE marts.fct_telecom_usage AS
    SELECT u.cost_month, u.line_key, coalesce(r.line_number, u.line_number) AS line_number, ${display('u.line_key')} AS line_display,
      u.operator, r.unit_code, coalesce(r.line_type, 'KAYITSIZ') AS line_type,
      CASE WHEN r.reg_id IS NOT NULL THEN 'KAYITLI' ELSE 'KAYITSIZ' END AS line_status,
      ${money('u.fixed_fee')} AS fixed_fee, ${money('u.usage_fee')} AS usage_fee, ${money('u.discount')} AS discount,
      ${money('u.other_fee')} AS other_fee, ${money('u.net_amount')} AS net_amount,
      u.voice_minutes, u.data_mb, u.sms_count, u.has_usage, u.detail_rows,
      EXISTS (SELECT 1 FROM marts.fct_telecom_costs c WHERE c.line_key = u.line_key AND c.cost_month = u.cost_month) AS invoiced
    FROM tel_usage u
    LEFT JOIN tel_reg r ON r.line_key = u.line_key
    QUALIFY row_number() OVER (
      PARTITION BY u.line_key, u.cost_month
      ORDER BY CASE WHEN r.reg_id IS NOT NULL AND (r.active_from IS NULL OR r.active_from <= last_day(u.cost_month)) AND (r.active_to IS NULL OR r.active_to >= u.cost_month) THEN 0 ELSE 1 END,
               r.active_from DESC NULLS LAST, r.reg_id) = 1
    ORDER BY u.cost_month, u.line_key`);

  await conn.run(`
    CREATE OR REPLACE TABLE marts.dim_telecom_lines AS
    WITH ref AS (SELECT max(cost_month) AS m FROM marts.fct_telecom_costs),
    cur AS (
      SELECT * FROM tel_reg
      QUALIFY row_number() OVER (PARTITION BY line_key ORDER BY active_to DESC NULLS FIRST, active_from DESC NULLS LAST, reg_id DESC) = 1),
    seen AS (
      -- an unregistered line: its most frequent spelling (spellingRank) over its cost and usage months; the operator
      -- of its latest month (two operators in that month: the alphabetically last, a fixed choice)
      SELECT line_key, arg_min(line_number, ${spellingRank('spelling_n', 'line_number', 'line_key')}) AS line_number,
        arg_max(operator, (cost_month, operator)) AS operator FROM (
        SELECT *, count(*) OVER (PARTITION BY line_key, line_number) AS spelling_n FROM (
          SELECT line_key, line_number, operator, cost_month FROM marts.fct_telecom_costs WHERE line_status = 'KAYITSIZ'
          UNION ALL SELECT line_key, line_number, operator, cost_month FROM marts.fct_telecom_usage WHERE line_status = 'KAYITSIZ')) x
      GROUP BY line_key),
    lines AS (
      SELECT line_key, line_number, unit_code, line_type, line_type_label, operator, tariff, monthly_budget, active_from, active_to, true AS is_registered FROM cur
      UNION ALL
      SELECT s.line_key, s.line_number, NULL, 'KAYITSIZ', 'Kayıtsız', s.operator, NULL, NULL, NULL, NULL, false
      FROM seen s WHERE NOT EXISTS (SELECT 1 FROM cur WHERE cur.line_key = s.line_key)),
    cost AS (
      SELECT line_key, min(cost_month) AS first_cost_month, max(cost_month) AS last_cost_month,
        count(*) FILTER (WHERE gross_amount > 0) AS months_charged, sum(gross_amount) AS total_gross, sum(net_amount) AS total_net,
        count(*) FILTER (WHERE idle_month) AS idle_months,
        count(*) FILTER (WHERE gross_amount > 0 AND cost_month > (SELECT m FROM ref) - INTERVAL 3 MONTH) AS charged_last3,
        count(*) FILTER (WHERE detail_available AND cost_month > (SELECT m FROM ref) - INTERVAL 3 MONTH) AS known_last3,
        count(*) FILTER (WHERE has_usage AND cost_month > (SELECT m FROM ref) - INTERVAL 3 MONTH) AS used_last3
      FROM marts.fct_telecom_costs WHERE line_key IS NOT NULL GROUP BY line_key),
    usage AS (
      SELECT line_key, count(*) AS months_with_detail, count(*) FILTER (WHERE has_usage) AS months_with_usage, max(cost_month) FILTER (WHERE has_usage) AS last_usage_month
      FROM marts.fct_telecom_usage GROUP BY line_key)
    SELECT l.line_key, l.line_number, ${display('l.line_key')} AS line_display,
      l.unit_code, l.line_type, l.line_type_label, l.operator, l.tariff, l.monthly_budget,
      l.active_from, l.active_to,
      l.is_registered,
      CASE WHEN l.is_registered THEN 'KAYITLI' ELSE 'KAYITSIZ' END AS line_status,
      (l.active_to IS NULL OR l.active_to >= (SELECT m FROM ref)) AS is_active,
      c.first_cost_month, c.last_cost_month,
      coalesce(c.months_charged, 0) AS months_charged,
      ${money('coalesce(c.total_net, 0)')} AS total_net_amount,
      ${money('coalesce(c.total_gross, 0)')} AS total_gross_amount,
      ${money('c.total_gross / nullif(c.months_charged, 0)')} AS avg_monthly_gross,
      coalesce(u.months_with_detail, 0) AS months_with_detail,
      coalesce(u.months_with_usage, 0) AS months_with_usage,
      u.last_usage_month,
      coalesce(c.idle_months, 0) AS idle_months,
      coalesce(c.charged_last3 > 0 AND c.known_last3 > 0 AND c.used_last3 = 0, false) AS is_idle
    FROM lines l LEFT JOIN cost c ON c.line_key = l.line_key LEFT JOIN usage u ON u.line_key = l.line_key
    ORDER BY l.unit_code NULLS LAST, l.line_type, l.line_key`);

  await conn.run(`
    CREATE OR REPLACE TABLE marts.fct_telecom_budget AS
    WITH bounds AS (SELECT CAST(min(cost_month) AS TIMESTAMP) AS lo, CAST(max(cost_month) AS TIMESTAMP) AS hi FROM marts.fct_telecom_costs),
    months AS (SELECT CAST(unnest(range(lo, hi + INTERVAL 1 MONTH, INTERVAL 1 MONTH)) AS DATE) AS cost_month FROM bounds WHERE lo IS NOT NULL),
    active AS (
      SELECT m.cost_month, r.unit_code, count(DISTINCT r.line_key) AS active_lines,
        count(DISTINCT r.line_key) FILTER (WHERE r.monthly_budget IS NOT NULL) AS budgeted_lines,
        sum(r.monthly_budget) AS budget
      FROM months m JOIN tel_reg r
        ON (r.active_from IS NULL OR r.active_from <= last_day(m.cost_month)) AND (r.active_to IS NULL OR r.active_to >= m.cost_month)
      GROUP BY ALL),
    actual AS (
      SELECT cost_month, unit_code, sum(gross_amount) AS gross, sum(net_amount) AS net,
        sum(gross_amount) FILTER (WHERE monthly_budget IS NOT NULL) AS gross_budgeted,
        count(*) FILTER (WHERE over_budget) AS lines_over_budget
      FROM marts.fct_telecom_costs WHERE unit_code IS NOT NULL GROUP BY ALL)
    SELECT coalesce(a.cost_month, x.cost_month) AS cost_month, coalesce(a.unit_code, x.unit_code) AS unit_code,
      coalesce(a.active_lines, 0) AS active_lines, coalesce(a.budgeted_lines, 0) AS budgeted_lines,
      ${money('a.budget')} AS budget_amount,
      ${money('coalesce(x.net, 0)')} AS actual_net_amount,
      ${money('coalesce(x.gross, 0)')} AS actual_gross_amount,
      ${money('coalesce(x.gross_budgeted, 0)')} AS actual_gross_budgeted_lines,
      ${money('coalesce(x.gross_budgeted, 0) - a.budget')} AS budget_variance,
      coalesce(x.lines_over_budget, 0) AS lines_over_budget
    FROM active a FULL JOIN actual x ON x.cost_month = a.cost_month AND x.unit_code = a.unit_code
    ORDER BY 1, 2`);

  await conn.run(`
    CREATE OR REPLACE TABLE marts.fct_telecom_invoices AS
    WITH units AS (
      SELECT invoice_uuid, CASE WHEN count(DISTINCT unit_code) = 1 AND count(*) = count(unit_code) THEN min(unit_code) END AS unit_code,
        count(DISTINCT coalesce(reg_line_key, invoice_line_key)) AS line_count_distinct,
        count(*) FILTER (WHERE reg_id IS NULL AND invoice_line_key IS NOT NULL) AS unregistered_items,
        sum(payable) AS lines_payable
      FROM tel_ln GROUP BY invoice_uuid)
    SELECT i.invoice_uuid, i.invoice_no, i.source_file, i.operator, i.profile_id, i.invoice_type, i.sign < 0 AS is_return,
      i.issue_d AS issue_date, i.issued_at, i.cost_month, i.period_d AS period_start, TRY_CAST(i.period_end AS DATE) AS period_end,
      i.currency, coalesce(i.exchange_rate, 1) AS exchange_rate,
      i.billing_reference_id, i.reference_found, i.customer_is_person, i.supplier_vkn, i.supplier_name,
      u.unit_code, i.account_line_key AS line_key, i.line_count, coalesce(u.line_count_distinct, 0) AS lines_billed,
      coalesce(u.unregistered_items, 0) AS unregistered_items,
      ${money('coalesce(i.tax_exclusive_amount, i.lines_net_amount) * coalesce(i.exchange_rate, 1)')} AS net_amount,
      ${money('i.kdv_amount * coalesce(i.exchange_rate, 1)')} AS kdv_amount,
      ${money('i.oiv_amount * coalesce(i.exchange_rate, 1)')} AS oiv_amount,
      ${money('i.other_tax_amount * coalesce(i.exchange_rate, 1)')} AS other_tax_amount,
      ${money('coalesce(i.tax_total_amount, 0) * coalesce(i.exchange_rate, 1)')} AS tax_amount,
      ${money('coalesce(i.tax_inclusive_amount, i.payable_amount) * coalesce(i.exchange_rate, 1)')} AS gross_amount,
      ${money('coalesce(i.withholding_amount, 0) * coalesce(i.exchange_rate, 1)')} AS withholding_amount,
      ${money('i.payable_amount * coalesce(i.exchange_rate, 1)')} AS payable_amount,
      (i.lines_refused = 0
        AND abs(coalesce(i.line_extension_amount, i.lines_net_amount) - i.lines_net_amount) <= 0.01 * greatest(i.line_count, 1)
        AND abs(coalesce(i.tax_total_amount, i.lines_tax_amount) - i.lines_tax_amount) <= 0.01 * greatest(i.line_count, 1)
        AND abs(coalesce(u.lines_payable, 0) + coalesce(i.payable_rounding_amount, 0) - i.payable_amount) <= 0.01 * greatest(i.line_count, 1)) AS totals_match
    FROM tel_inv i LEFT JOIN units u ON u.invoice_uuid = i.invoice_uuid
    ORDER BY i.issue_d, i.invoice_no`);

  await conn.run(`
    CREATE OR REPLACE TABLE marts.fct_telecom_taxes AS
    SELECT t.invoice_uuid, t.invoice_no, i.cost_month, i.issue_date, i.operator, i.unit_code, t.kind, t.tax_group, t.tax_type_code, t.tax_name, t.percent,
      ${money('t.taxable_amount * i.exchange_rate')} AS taxable_amount,
      ${money('t.tax_amount * i.exchange_rate')} AS tax_amount,
      i.is_return
    FROM raw_telecom.invoice_taxes t JOIN marts.fct_telecom_invoices i ON i.invoice_uuid = t.invoice_uuid
    ORDER BY i.cost_month, t.invoice_no, t.seq`);

  for (const t of ['tel_reg', 'tel_keymap', 'tel_canon', 'tel_inv', 'tel_ln', 'tel_usage']) await conn.run(`DROP TABLE IF EXISTS temp.${t}`);
}

export const telecomMarts: MartBuilder = {
  name: 'telecom',
  requires: [SOURCE_IDS.telecomInvoices],
  build: (conn) => buildTelecomMarts(conn),
};
