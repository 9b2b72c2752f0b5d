/**
 * Pure helpers that turn Cube rows into what the block components draw. No React, no I/O:
 * tested in tests/portal/web/blocks.test.ts.
 */
import { formatChange, formatDate, formatHours, formatMoney, formatMonth, formatNumber, formatPercent } from '../../../../common/definitions/format.js';
import type { CubeQuery } from '../../../../common/definitions/kpi/helpdesk.js';

export type ValueFormat = 'number' | 'percent' | 'hours' | 'money' | 'text';
export type Row = Record<string, unknown>;

/** Cube sends numbers as strings (and null for empty aggregates): Number() them, keep null for nothing. */
export function toNumber(value: unknown): number | null {
  if (value == null || value === '') return null;
  if (typeof value === 'boolean') return value ? 1 : 0;
  const n = typeof value === 'number' ? value : Number(value);
  return Number.isFinite(n) ? n : null;
}

export function formatValue(value: unknown, format: ValueFormat = 'number'): string {
  if (format === 'text') return value == null || value === '' ? '–' : String(value);
  const n = toNumber(value);
  switch (format) {
    case 'percent':
      return formatPercent(n);
    case 'hours':
      return formatHours(n);
    case 'money':
      return formatMoney(n);
    default:
      return formatNumber(n);
  }
}

/**
 * For chart axes and tooltips: whole numbers without decimals ("%100", "12 saat"), others as formatValue
 * ("%92,4"), so the axis does not read "%100,0 / %75,0 / …".
 */
export function formatChartValue(value: number, format: ValueFormat = 'number'): string {
  if (Number.isInteger(value)) {
    if (format === 'percent') return formatPercent(value, 0);
    if (format === 'hours') return formatHours(value, 0);
    if (format === 'money') return formatMoney(value, 0);
  }
  return formatValue(value, format);
}

/** Turkish names for the members the blocks show (legends, tooltips, table heads). */
export const MEMBER_LABELS: Record<string, string> = {
  'yardim_masasi.ticket_count': 'Talep',
  'yardim_masasi.open_count': 'Açık talep',
  'yardim_masasi.solved_count': 'Çözülen talep',
  'yardim_masasi.median_resolution_hours': 'Medyan çözüm süresi',
  'yardim_masasi.p90_resolution_hours': '90. yüzdelik çözüm süresi',
  'yardim_masasi.sla_compliance': 'SLA uyumu',
  'yardim_masasi.sla_met_count': 'SLA içinde çözülen',
  'yardim_masasi.sla_applicable_count': 'SLA hedefi olan',
  'yardim_masasi.unit_name': 'Müdürlük',
  'yardim_masasi.category': 'Kategori',
};

export function memberLabel(member: string): string {
  return MEMBER_LABELS[member] ?? member.split('.').slice(1).join('.').replace(/_/g, ' ');
}

/** The view a member belongs to: "yardim_masasi.ticket_count" → "yardim_masasi". */
export function viewOf(member: string): string {
  return member.split('.')[0];
}

/** Every view a set of queries reads. */
export function viewsOf(queries: Iterable<CubeQuery>): string[] {
  const views = new Set<string>();
  for (const q of queries) {
    for (const m of [...(q.measures ?? []), ...(q.dimensions ?? []), ...(q.timeDimensions ?? []).map((t) => t.dimension)]) {
      views.add(viewOf(m));
    }
  }
  return [...views];
}

const GRANULARITIES = ['day', 'week', 'month', 'quarter', 'year'] as const;
type Granularity = (typeof GRANULARITIES)[number];

/** "yardim_masasi.opened_at.month" → { dimension: "yardim_masasi.opened_at", granularity: "month" }; null for a plain dimension. */
export function timeKey(x: string): { dimension: string; granularity: Granularity } | null {
  const parts = x.split('.');
  const last = parts[parts.length - 1] as Granularity;
  if (parts.length < 3 || !GRANULARITIES.includes(last)) return null;
  return { dimension: parts.slice(0, -1).join('.'), granularity: last };
}

/** An x value as the axis shows it: months "Kas 2026", days and weeks "28.11.2026", quarters "Ç4 2026". */
export function formatXLabel(x: string, raw: unknown): string {
  const key = timeKey(x);
  if (raw == null || raw === '') return '–';
  const s = String(raw);
  if (!key) return s;
  // Cube returns local wall-clock times without an offset ("2026-11-01T00:00:00.000"): read them as they are.
  const [y, m, d] = s.slice(0, 10).split('-');
  switch (key.granularity) {
    case 'month':
      return formatMonth(s);
    case 'year':
      return y;
    case 'quarter':
      return `Ç${Math.floor((Number(m) - 1) / 3) + 1} ${y}`;
    default:
      return y && m && d ? `${d}.${m}.${y}` : formatDate(s);
  }
}

/** The month buckets ("YYYY-MM-01T00:00:00.000") a [from, to] date range covers, in order. */
export function monthBuckets(from: string, to: string): string[] {
  let [y, m] = from.slice(0, 7).split('-').map(Number);
  const [ty, tm] = to.slice(0, 7).split('-').map(Number);
  const out: string[] = [];
  if (![y, m, ty, tm].every(Number.isFinite)) return out;
  while ((y < ty || (y === ty && m <= tm)) && out.length < 600) {
    out.push(`${y}-${String(m).padStart(2, '0')}-01T00:00:00.000`);
    m += 1;
    if (m > 12) {
      m = 1;
      y += 1;
    }
  }
  return out;
}

export interface ChartData {
  /** One object per x value: `label` for the axis, then one key per series label. */
  data: Array<Record<string, string | number | null>>;
  /** Series labels, in the order of the block's measures. */
  categories: string[];
}

/**
 * Rows of a line/bar block as Tremor chart data. Keys are labels, not member names: Recharts reads a dotted
 * dataKey as a nested path. A monthly series is completed with the months of the query's date range that have
 * no row (Cube leaves them out): counts ('number' format) become 0, other measures stay empty.
 */
export function chartData(rows: Row[], block: { x: string; measures: string[]; format: ValueFormat }, query?: CubeQuery): ChartData {
  const categories = block.measures.map(memberLabel);
  const key = timeKey(block.x);
  const range = key && query?.timeDimensions?.find((t) => t.dimension === key.dimension)?.dateRange;
  let ordered: Array<{ x: unknown; row: Row | undefined }> = rows.map((row) => ({ x: row[block.x], row }));
  if (key?.granularity === 'month' && Array.isArray(range)) {
    const byMonth = new Map(rows.map((row) => [String(row[block.x] ?? '').slice(0, 7), row]));
    ordered = monthBuckets(range[0], range[1]).map((bucket) => ({ x: bucket, row: byMonth.get(bucket.slice(0, 7)) }));
  }
  const empty = block.format === 'number' ? 0 : null;
  const data = ordered.map(({ x, row }) => {
    const point: Record<string, string | number | null> = { label: formatXLabel(block.x, x) };
    block.measures.forEach((measure, i) => {
      point[categories[i]] = row ? (toNumber(row[measure]) ?? empty) : empty;
    });
    return point;
  });
  return { data, categories };
}

export interface BarItem {
  key: string;
  name: string;
  value: number;
}

/** Rows of a bar block over a plain dimension as BarList items (first measure), largest first. */
export function barItems(rows: Row[], block: { x: string; measures: string[] }): BarItem[] {
  const measure = block.measures[0];
  return rows
    .map((row, i) => {
      const name = row[block.x] == null || row[block.x] === '' ? 'Belirtilmemiş' : String(row[block.x]);
      return { key: `${name}-${i}`, name, value: toNumber(row[measure]) ?? 0 };
    })
    .sort((a, b) => b.value - a.value);
}

/** The value of a measure in the first row (a KPI query has one row, or none when nothing matched). */
export function firstValue(rows: Row[], measure: string): number | null {
  return rows.length ? toNumber(rows[0][measure]) : null;
}

export type DeltaType = 'increase' | 'moderateIncrease' | 'unchanged' | 'moderateDecrease' | 'decrease';

export interface Comparison {
  /** "+%12,3", "−%4,0" or "–" when the previous period is empty. */
  text: string;
  deltaType: DeltaType;
  /** Change in percent, null when there is nothing to compare with. */
  pct: number | null;
}

/** Current vs previous period for a KPI badge; within ±1 % counts as unchanged, beyond ±10 % as a full change. */
export function compareValues(current: number | null, previous: number | null): Comparison {
  if (current == null || !previous) return { text: '–', deltaType: 'unchanged', pct: null };
  const pct = ((current - previous) / previous) * 100;
  const abs = Math.abs(pct);
  const text = formatChange(current, previous);
  if (abs < 1) return { text, deltaType: 'unchanged', pct };
  if (pct > 0) return { text, deltaType: abs < 10 ? 'moderateIncrease' : 'increase', pct };
  return { text, deltaType: abs < 10 ? 'moderateDecrease' : 'decrease', pct };
}

/**
 * A second figure some KPI cards show under the main one, read from the same row when the query has it
 * (the resolution query carries p90 next to the median, and the solved count next to SLA compliance).
 */
export const KPI_SECONDARY: Record<string, { measure: string; label: string; format: ValueFormat }> = {
  'yardim_masasi.median_resolution_hours': { measure: 'yardim_masasi.p90_resolution_hours', label: '90. yüzdelik', format: 'hours' },
  'yardim_masasi.sla_compliance': { measure: 'yardim_masasi.solved_count', label: 'Çözülen talep', format: 'number' },
};
