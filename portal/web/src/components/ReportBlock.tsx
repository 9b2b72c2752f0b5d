import type { CubeQuery } from '../../../../common/definitions/kpi/helpdesk.js';
import type { Block } from '../../../../common/definitions/reports/index.js';
import type { QueryStates } from '../lib/use-data.js';
import { ChartBlock } from './ChartBlock.js';
import { KpiBlock } from './KpiBlock.js';
import { TableBlock } from './TableBlock.js';
import { TextBlock } from './TextBlock.js';

/** One block of a report definition, whatever its kind, fed from the named query states. */
export function ReportBlock({
  block,
  states,
  queries,
  className,
}: {
  block: Block;
  states: QueryStates;
  queries: Record<string, CubeQuery>;
  className?: string;
}) {
  switch (block.kind) {
    case 'kpi':
      return <KpiBlock block={block} state={states[block.query]} />;
    case 'line':
    case 'bar':
      return <ChartBlock block={block} state={states[block.query]} query={queries[block.query]} className={className} />;
    case 'table':
      return <TableBlock block={block} state={states[block.query]} className={className} />;
    case 'text':
      return <TextBlock block={block} />;
  }
}

const KPI_COLUMNS: Record<number, string> = { 1: 'grid-cols-1', 2: 'grid-cols-2', 3: 'grid-cols-3', 4: 'grid-cols-4' };

/**
 * A report's blocks in order, for the print page: consecutive KPI blocks share a row of up to four cards,
 * every other block takes the full width.
 */
export function ReportBlocks({ blocks, states, queries }: { blocks: Block[]; states: QueryStates; queries: Record<string, CubeQuery> }) {
  const groups: Block[][] = [];
  for (const block of blocks) {
    const last = groups[groups.length - 1];
    if (block.kind === 'kpi' && last?.[0].kind === 'kpi' && last.length < 4) last.push(block);
    else groups.push([block]);
  }
  return (
    <div className="space-y-4">
      {groups.map((group) =>
        group[0].kind === 'kpi' ? (
          <div key={group[0].id} className={`pano-kpi-row grid gap-3 ${KPI_COLUMNS[group.length]}`}>
            {group.map((b) => (
              <ReportBlock key={b.id} block={b} states={states} queries={queries} />
            ))}
          </div>
        ) : (
          <ReportBlock key={group[0].id} block={group[0]} states={states} queries={queries} />
        ),
      )}
    </div>
  );
}
