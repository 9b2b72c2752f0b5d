import { AreaChart, BarChart, BarList, type Color } from '@tremor/react';
import type { CubeQuery } from '../../../../common/definitions/kpi/helpdesk.js';
import type { Block } from '../../../../common/definitions/reports/index.js';
import { useState } from 'react';
import { barItems, chartData, formatChartValue, formatValue, timeKey, type BarItem, type Row } from '../lib/blocks.js';
import type { QueryState } from '../lib/use-data.js';
import { BlockCard, BlockStatus } from './BlockCard.js';
import { useRenderMode } from './RenderMode.js';
import { Skeleton } from './Skeleton.js';

type ChartBlockDef = Extract<Block, { kind: 'line' | 'bar' }>;

const EMPTY_TEXT = 'Bu dönemde kayıt yok';

interface ChartBlockProps {
  block: ChartBlockDef;
  state: QueryState | undefined;
  /** The query the block reads (to complete a monthly series over its date range). */
  query?: CubeQuery;
  colors?: Color[];
  subtitle?: string;
  className?: string;
}

/**
 * A line or bar block. Over time: a Tremor AreaChart (line) or BarChart (bar), x labels in Turkish
 * ("Kas 2026"). Over a plain dimension (units, categories): a Tremor BarList, which keeps long Turkish
 * unit names readable.
 */
export function ChartBlock({ block, state, query, colors = ['blue'], subtitle, className }: ChartBlockProps) {
  const print = useRenderMode() === 'print';
  const overTime = timeKey(block.x) != null;
  const valueFormatter = (v: number) => (overTime ? formatChartValue(v, block.format) : formatValue(v, block.format));
  const height = print ? 'h-56' : 'h-72';

  let body;
  if (!state || state.status !== 'ok') {
    body = (
      <BlockStatus
        loading={!state || state.status === 'loading'}
        error={state?.status === 'error' ? state.error : undefined}
        skeleton={overTime ? <Skeleton className={`${height} w-full`} /> : <BarListSkeleton />}
      />
    );
  } else {
    const rows = state.resultSet.rawData() as Row[];
    if (overTime) {
      const { data, categories } = chartData(rows, block, query);
      const common = {
        data,
        index: 'label',
        categories,
        colors,
        valueFormatter,
        // No animations: printed pages need the final picture at once, and on screen a redraw on every resize is noise.
        showAnimation: false,
        showLegend: categories.length > 1,
        yAxisWidth: block.format === 'percent' || block.format === 'hours' ? 64 : 52,
        noDataText: EMPTY_TEXT,
        className: height,
      };
      body = (
        <div data-pano-chart="">
          {block.kind === 'line' ? (
            <AreaChart {...common} curveType="monotone" connectNulls {...(block.format === 'percent' ? { minValue: 0, maxValue: 100 } : {})} />
          ) : (
            <BarChart {...common} />
          )}
        </div>
      );
    } else {
      const items = barItems(rows, block);
      body = items.length ? (
        <CategoryBars items={items} valueFormatter={valueFormatter} color={colors[0]} print={print} />
      ) : (
        <p className="py-6 text-center text-tremor-default text-tremor-content">{EMPTY_TEXT}</p>
      );
    }
  }

  return (
    <BlockCard title={block.title} subtitle={subtitle} testId={`block-${block.id}`} className={className}>
      {body}
    </BlockCard>
  );
}

/** On screen the first SCREEN_ROWS bars and a button for the rest; on paper all of them, compact. */
const SCREEN_ROWS = 12;

function CategoryBars({ items, valueFormatter, color, print }: { items: BarItem[]; valueFormatter: (v: number) => string; color: Color; print: boolean }) {
  const [expanded, setExpanded] = useState(false);
  const shown = print || expanded ? items : items.slice(0, SCREEN_ROWS);
  const hidden = items.length - shown.length;
  return (
    <div>
      <BarList data={shown} valueFormatter={valueFormatter} color={color} showAnimation={false} className={print ? 'pano-barlist-compact' : ''} />
      {!print && items.length > SCREEN_ROWS ? (
        <button
          type="button"
          onClick={() => setExpanded((v) => !v)}
          aria-expanded={expanded}
          className="mt-3 text-tremor-default font-medium text-tremor-brand-emphasis hover:underline"
        >
          {expanded ? 'Daha az göster' : `Tümünü göster (${hidden} satır daha)`}
        </button>
      ) : null}
    </div>
  );
}

function BarListSkeleton() {
  return (
    <div className="space-y-2">
      {[92, 78, 64, 55, 41, 30].map((w) => (
        <Skeleton key={w} className="h-7" style={{ width: `${w}%` }} />
      ))}
    </div>
  );
}
