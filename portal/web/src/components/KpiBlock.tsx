import type { Block } from '../../../../common/definitions/reports/index.js';
import { KPI_SECONDARY, compareValues, firstValue, formatValue, type Row } from '../lib/blocks.js';
import type { QueryState } from '../lib/use-data.js';
import { KpiCard } from './KpiCard.js';

type KpiBlockDef = Extract<Block, { kind: 'kpi' }>;

/** What a compare KPI is compared with (Pano's compare queries are month to date vs the same days of last month). */
const COMPARE_CAPTION = 'Geçen ayın aynı dönemi';

/** A report's KPI block: reads its measure from the query's result (both periods for `compare`). */
export function KpiBlock({ block, state }: { block: KpiBlockDef; state: QueryState | undefined }) {
  // A compare card says what it is compared with in its caption; the hint would repeat it.
  const common = { id: block.id, title: block.title, hint: block.compare ? undefined : block.hint };
  if (!state || state.status === 'loading') return <KpiCard {...common} loading />;
  if (state.status === 'error') return <KpiCard {...common} error={state.error} />;

  let rows: Row[];
  let previous: number | null | undefined;
  if (block.compare) {
    const [current, prior] = state.resultSet.decompose();
    rows = (current?.rawData() ?? []) as Row[];
    previous = prior ? firstValue(prior.rawData() as Row[], block.measure) : null;
  } else {
    rows = state.resultSet.rawData() as Row[];
  }
  const value = firstValue(rows, block.measure);
  const valueText = formatValue(value, block.format);

  let delta;
  if (block.compare) {
    const c = compareValues(value, previous ?? null);
    // More tickets opened is not good news: an increase shows red.
    delta = {
      text: c.text,
      deltaType: c.deltaType,
      isIncreasePositive: false,
      caption: `${COMPARE_CAPTION}: ${formatValue(previous, block.format)}`,
    };
  }

  const extra = KPI_SECONDARY[block.measure];
  const secondary = extra && rows.length && extra.measure in rows[0] ? `${extra.label}: ${formatValue(rows[0][extra.measure], extra.format)}` : undefined;

  return <KpiCard {...common} value={value} valueText={valueText} delta={delta} secondary={secondary} />;
}
