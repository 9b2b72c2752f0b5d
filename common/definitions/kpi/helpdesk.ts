import { DateTime } from 'luxon';
import type { Query } from '@cubejs-client/core';
import { DEFAULT_TIMEZONE } from '../timezone.js';

/**
 * The helpdesk KPIs as Cube queries against the public view `yardim_masasi`.
 * The portal's Yardım Masası page and the helpdesk PDF reports both build their queries here,
 * so the page and the PDF cannot disagree. Pure code: no I/O.
 */
export const M = {
  ticketCount: 'yardim_masasi.ticket_count',
  openCount: 'yardim_masasi.open_count',
  solvedCount: 'yardim_masasi.solved_count',
  medianResolutionHours: 'yardim_masasi.median_resolution_hours',
  p90ResolutionHours: 'yardim_masasi.p90_resolution_hours',
  slaCompliance: 'yardim_masasi.sla_compliance',
  slaMetCount: 'yardim_masasi.sla_met_count',
  slaApplicableCount: 'yardim_masasi.sla_applicable_count',
} as const;

export const D = {
  ticketId: 'yardim_masasi.ticket_id',
  title: 'yardim_masasi.title',
  status: 'yardim_masasi.status',
  type: 'yardim_masasi.type',
  category: 'yardim_masasi.category',
  priority: 'yardim_masasi.priority_label',
  unitCode: 'yardim_masasi.unit_code',
  unitName: 'yardim_masasi.unit_name',
  assignedGroup: 'yardim_masasi.assigned_group',
  openedAt: 'yardim_masasi.opened_at',
  solvedAt: 'yardim_masasi.solved_at',
} as const;

/** A Cube REST query, exactly as @cubejs-client/core types it. */
export type CubeQuery = Query;

export interface HelpdeskPeriod {
  /** Month to date, e.g. 01.11.2026–28.11.2026. */
  monthToDate: [string, string];
  /** The same days of the previous month, e.g. 01.10.2026–28.10.2026 (clamped to that month's end). */
  previousMonthToDate: [string, string];
  /** The last 30 days, today included. */
  last30Days: [string, string];
  /** The last 12 months, the current one included, from the first of the month. */
  last12Months: [string, string];
}

const iso = (d: DateTime) => d.toFormat('yyyy-MM-dd');

/** Date ranges (YYYY-MM-DD, in the business timezone) that the helpdesk KPIs are measured over. */
export function helpdeskPeriod(now: Date, timezone = DEFAULT_TIMEZONE): HelpdeskPeriod {
  const today = DateTime.fromJSDate(now, { zone: timezone }).startOf('day');
  const monthStart = today.startOf('month');
  const prevStart = monthStart.minus({ months: 1 });
  const prevEnd = DateTime.min(prevStart.plus({ days: today.day - 1 }), prevStart.endOf('month').startOf('day'));
  return {
    monthToDate: [iso(monthStart), iso(today)],
    previousMonthToDate: [iso(prevStart), iso(prevEnd)],
    last30Days: [iso(today.minus({ days: 29 })), iso(today)],
    last12Months: [iso(monthStart.minus({ months: 11 })), iso(today)],
  };
}

export interface HelpdeskQueries {
  /** Tickets open now (status new/assigned/planned/pending). */
  backlog: CubeQuery;
  /** Tickets opened month to date, compared with the same days of last month (compareDateRange → two result sets). */
  openedThisMonth: CubeQuery;
  /** Median and p90 time to resolve in working hours, and SLA compliance, over tickets solved in the last 30 days. */
  resolution: CubeQuery;
  /** Tickets opened and SLA compliance per month, last 12 months. */
  monthlyTrend: CubeQuery;
  /** Tickets opened per unit in the last 30 days, most first. */
  byUnit: CubeQuery;
  /** Tickets opened per category in the last 30 days, most first. */
  byCategory: CubeQuery;
}

export function helpdeskQueries(now: Date, timezone = DEFAULT_TIMEZONE): HelpdeskQueries {
  const p = helpdeskPeriod(now, timezone);
  return {
    backlog: { measures: [M.openCount], timezone },
    openedThisMonth: {
      measures: [M.ticketCount],
      timeDimensions: [{ dimension: D.openedAt, compareDateRange: [p.monthToDate, p.previousMonthToDate] }],
      timezone,
    },
    resolution: {
      measures: [M.medianResolutionHours, M.p90ResolutionHours, M.slaCompliance, M.solvedCount],
      timeDimensions: [{ dimension: D.solvedAt, dateRange: p.last30Days }],
      timezone,
    },
    monthlyTrend: {
      measures: [M.ticketCount, M.slaCompliance],
      timeDimensions: [{ dimension: D.openedAt, granularity: 'month', dateRange: p.last12Months }],
      order: { [D.openedAt]: 'asc' },
      timezone,
    },
    byUnit: {
      measures: [M.ticketCount],
      dimensions: [D.unitName],
      timeDimensions: [{ dimension: D.openedAt, dateRange: p.last30Days }],
      order: { [M.ticketCount]: 'desc' },
      limit: 40,
      timezone,
    },
    byCategory: {
      measures: [M.ticketCount],
      dimensions: [D.category],
      timeDimensions: [{ dimension: D.openedAt, dateRange: p.last30Days }],
      order: { [M.ticketCount]: 'desc' },
      limit: 20,
      timezone,
    },
  };
}
