import type { DuckDBConnection } from '@duckdb/node-api';
import { SOURCE_IDS } from '../source-ids.js';
import { timeZoneSql, type MartBuilder, type MartContext } from './mart-builder.js';

/** marts.fct_tickets: one row per GLPI ticket with its dates in the business timezone and its SLA outcomes. */
async function build(conn: DuckDBConnection, _present: ReadonlySet<string>, ctx: MartContext): Promise<void> {
  const tz = timeZoneSql(ctx.timezone);
  await conn.run(`
    CREATE TABLE marts.fct_tickets AS
    SELECT
      ticket_id, title, opened_at, taken_at, solved_at, closed_at,
      CAST(timezone(${tz}, opened_at) AS DATE) AS opened_date,
      CAST(timezone(${tz}, solved_at) AS DATE) AS solved_date,
      status_code, status, type_code, type, category, priority, priority_label, urgency, impact,
      unit_code, requester_group, assigned_group, technician, sla_due_at, own_due_at,
      resolution_work_hours, first_response_work_hours,
      satisfaction, followup_count, solution_count,
      status_code IN (1, 2, 3, 4) AS is_open,
      solved_at IS NOT NULL AS is_solved,
      -- GLPI keeps a refused solution and adds the next one: more than one solution = reopened at least once
      coalesce(solution_count, 0) > 1 AS is_reopened,
      CASE WHEN solved_at IS NOT NULL AND sla_due_at IS NOT NULL THEN solved_at <= sla_due_at END AS sla_met,
      CASE WHEN taken_at IS NOT NULL AND own_due_at IS NOT NULL THEN taken_at <= own_due_at END AS tto_met
    FROM raw_glpi.tickets`);
}

export const helpdeskMarts: MartBuilder = { name: 'helpdesk', requires: [SOURCE_IDS.glpi], build };
