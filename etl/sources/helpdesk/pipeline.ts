import type { Knex } from 'knex';
import { describeUrl } from '../../../common/db/knex-url.js';
import { zoneClock } from '../../calendar/wall-clock.js';
import { workingCalendar } from '../../calendar/working-hours.js';
import { connectGlpi, extractGlpiTickets, loadUnitMap, resolveUnit, validateGlpiTicket, type RawGlpiTicket } from './index.js';
import type { QualityCheckResult, SourceDefinition } from '../../source.js';
import type { Column } from '../../warehouse/duckdb.js';
import { SOURCE_IDS } from '../../source-ids.js';

export interface GlpiPipelineConfig {
  url: string;
  timezone: string;
  unitMapFile?: string;
  /** Business timezone of the working-hours calendar. */
  businessTimezone: string;
}

const COLUMNS: Column[] = [
  { name: 'ticket_id', type: 'BIGINT' },
  { name: 'title', type: 'VARCHAR' },
  { name: 'opened_at', type: 'TIMESTAMPTZ' },
  { name: 'taken_at', type: 'TIMESTAMPTZ' },
  { name: 'solved_at', type: 'TIMESTAMPTZ' },
  { name: 'closed_at', type: 'TIMESTAMPTZ' },
  { name: 'modified_at', type: 'TIMESTAMPTZ' },
  { name: 'status_code', type: 'INTEGER' },
  { name: 'status', type: 'VARCHAR' },
  { name: 'type_code', type: 'INTEGER' },
  { name: 'type', type: 'VARCHAR' },
  { name: 'priority', type: 'INTEGER' },
  { name: 'priority_label', type: 'VARCHAR' },
  { name: 'urgency', type: 'INTEGER' },
  { name: 'impact', type: 'INTEGER' },
  { name: 'category', type: 'VARCHAR' },
  { name: 'entity', type: 'VARCHAR' },
  { name: 'requester_group', type: 'VARCHAR' },
  { name: 'assigned_group', type: 'VARCHAR' },
  { name: 'technician', type: 'VARCHAR' },
  { name: 'unit_code', type: 'VARCHAR' },
  { name: 'unit_resolved_via', type: 'VARCHAR' },
  { name: 'sla_name', type: 'VARCHAR' },
  { name: 'sla_due_at', type: 'TIMESTAMPTZ' },
  { name: 'own_due_at', type: 'TIMESTAMPTZ' },
  { name: 'take_into_account_delay_sec', type: 'BIGINT' },
  { name: 'solve_delay_sec', type: 'BIGINT' },
  { name: 'waiting_sec', type: 'BIGINT' },
  { name: 'satisfaction', type: 'INTEGER' },
  { name: 'followup_count', type: 'INTEGER' },
  { name: 'solution_count', type: 'INTEGER' },
  { name: 'resolution_work_hours', type: 'DOUBLE' },
  { name: 'first_response_work_hours', type: 'DOUBLE' },
];

/**
 * GLPI helpdesk tickets as a runner source: GLPI's connector does the I/O and row rules; here the ticket
 * gets its unit (or is refused with the reason) and its working-hour durations on Pano's calendar
 * (weekdays 08:30–17:30 in the business time zone `businessTimezone`, PANO_TIMEZONE; Turkish public holidays off).
 */
export function glpiTicketsSource(cfg: GlpiPipelineConfig): SourceDefinition<Knex> {
  const unitMap = loadUnitMap(cfg.unitMapFile);
  const calendar = workingCalendar({ timezone: cfg.businessTimezone });
  return {
    id: SOURCE_IDS.glpi,
    system: 'helpdesk',
    title: 'GLPI Yardım Masası',
    location: `GLPI ${describeUrl(cfg.url)} glpi_tickets`,
    raw: { schema: 'raw_glpi', table: 'tickets', columns: COLUMNS },
    open: () => connectGlpi(cfg.url),
    close: (knex) => knex.destroy(),
    extract: (knex, opts) => extractGlpiTickets(knex, { timezone: cfg.timezone, since: opts?.since }) as AsyncIterable<Array<Record<string, unknown>>>,
    // Hourly runs take only tickets changed since the last one (date_mod); deleted ones leave the warehouse.
    // Tickets purged from GLPI's trash are only noticed by a full run (`pano etl run --full`, e.g. nightly).
    incremental: {
      key: 'ticket_id',
      watermark: 'modified_at',
      removedSince: async (knex, since) =>
        (await knex('glpi_tickets').where('is_deleted', 1).andWhere('date_mod', '>=', zoneClock(cfg.timezone).format(since)).select('id')).map(
          (r: { id: number }) => r.id,
        ),
    },
    locator: (r) => `glpi_tickets.id=${String((r as Partial<RawGlpiTicket>).id ?? '?')}`,
    mask: (r) => r, // tickets carry no TC Kimlik No or other personal fields Pano reads
    validate(record) {
      const v = validateGlpiTicket(record, cfg.timezone);
      if (!v.ok) return { ok: false, reason: v.reason };
      const t = v.row;
      const unit = resolveUnit(t, unitMap);
      if (unit.unitCode === null) return { ok: false, reason: `unit cannot be resolved: ${unit.reason}` };
      return {
        ok: true,
        row: {
          ticket_id: t.id,
          title: t.title,
          opened_at: t.openedAt,
          taken_at: t.takenIntoAccountAt,
          solved_at: t.solvedAt,
          closed_at: t.closedAt,
          modified_at: t.modifiedAt,
          status_code: t.status,
          status: t.statusLabel,
          type_code: t.type,
          type: t.typeLabel,
          priority: t.priority,
          priority_label: t.priorityLabel,
          urgency: t.urgency,
          impact: t.impact,
          category: t.category,
          entity: t.entity,
          requester_group: t.requesterGroup,
          assigned_group: t.assignedGroup,
          technician: t.technician,
          unit_code: unit.unitCode,
          unit_resolved_via: unit.via,
          sla_name: t.slaName,
          sla_due_at: t.slaDueAt,
          own_due_at: t.ownDueAt,
          take_into_account_delay_sec: t.takeIntoAccountDelaySec,
          solve_delay_sec: t.solveDelaySec,
          waiting_sec: t.waitingSec,
          satisfaction: t.satisfaction,
          followup_count: t.followupCount,
          solution_count: t.solutionCount,
          resolution_work_hours: t.solvedAt ? calendar.hoursBetween(t.openedAt, t.solvedAt) : null,
          first_response_work_hours: t.takenIntoAccountAt ? calendar.hoursBetween(t.openedAt, t.takenIntoAccountAt) : null,
        },
      };
    },
    async checks(ctx): Promise<QualityCheckResult[]> {
      const [k] = await ctx.query(
        `SELECT count(*) AS n, count(ticket_id) AS with_id, count(DISTINCT ticket_id) AS distinct_ids, max(opened_at) AS newest FROM raw_glpi.tickets`,
      );
      const n = Number(k.n);
      const out: QualityCheckResult[] = [];
      out.push({ name: 'keys_not_null', severity: 'fail', passed: Number(k.with_id) === n, detail: `${n - Number(k.with_id)} tickets without id` });
      out.push({
        name: 'keys_unique',
        severity: 'fail',
        passed: Number(k.distinct_ids) === Number(k.with_id),
        detail: `${Number(k.with_id) - Number(k.distinct_ids)} duplicate ticket ids`,
      });
      const rejectedShare = ctx.rowsRead ? ctx.rowsRejected / ctx.rowsRead : 0;
      out.push({
        name: 'references_resolve',
        severity: 'warn',
        passed: rejectedShare <= 0.02,
        detail: `${ctx.rowsRejected} of ${ctx.rowsRead} tickets refused (${(rejectedShare * 100).toFixed(2)} %; limit 2 %)`,
      });
      if (ctx.previousRowsLoaded) {
        const change = (ctx.rowsLoaded - ctx.previousRowsLoaded) / ctx.previousRowsLoaded;
        out.push({
          name: 'row_count_change',
          severity: 'warn',
          passed: change > -0.2,
          detail: `${ctx.rowsLoaded} rows against ${ctx.previousRowsLoaded} in the previous run (${(change * 100).toFixed(1)} %; limit −20 %)`,
        });
      }
      const newest = k.newest ? new Date(String(k.newest)) : null;
      const ageDays = newest ? (ctx.now.getTime() - newest.getTime()) / 86_400_000 : Infinity;
      out.push({
        name: 'freshness',
        severity: 'warn',
        passed: ageDays <= 3,
        detail: newest ? `newest ticket opened ${ageDays.toFixed(1)} days ago (limit 3)` : 'no tickets at all',
      });
      out.push({ name: 'not_empty', severity: 'fail', passed: n > 0, detail: `${n} tickets loaded` });
      return out;
    },
  };
}
