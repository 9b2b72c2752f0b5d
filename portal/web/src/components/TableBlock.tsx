import { Table, TableBody, TableCell, TableHead, TableHeaderCell, TableRow } from '@tremor/react';
import type { Block } from '../../../../common/definitions/reports/index.js';
import { formatValue, type Row } from '../lib/blocks.js';
import type { QueryState } from '../lib/use-data.js';
import { BlockCard, BlockStatus } from './BlockCard.js';
import { Skeleton } from './Skeleton.js';

type TableBlockDef = Extract<Block, { kind: 'table' }>;

/** A table block: one column per definition column, numbers right-aligned and formatted the Turkish way. */
export function TableBlock({ block, state, className }: { block: TableBlockDef; state: QueryState | undefined; className?: string }) {
  const isText = (format?: string) => !format || format === 'text';
  let body;
  if (!state || state.status !== 'ok') {
    body = (
      <BlockStatus
        loading={!state || state.status === 'loading'}
        error={state?.status === 'error' ? state.error : undefined}
        skeleton={
          <div className="space-y-2">
            {Array.from({ length: 6 }, (_, i) => (
              <Skeleton key={i} className="h-6 w-full" />
            ))}
          </div>
        }
      />
    );
  } else {
    const rows = state.resultSet.rawData() as Row[];
    body = rows.length ? (
      <Table className="pano-table">
        <TableHead>
          <TableRow>
            {block.columns.map((c) => (
              <TableHeaderCell key={c.member} className={`py-2 ${isText(c.format) ? '' : 'text-right'}`}>
                {c.title}
              </TableHeaderCell>
            ))}
          </TableRow>
        </TableHead>
        <TableBody>
          {rows.map((row, i) => (
            <TableRow key={i}>
              {block.columns.map((c) => (
                <TableCell key={c.member} className={`whitespace-normal py-2 ${isText(c.format) ? 'text-tremor-content-emphasis' : 'text-right tabular-nums'}`}>
                  {formatValue(row[c.member], c.format ?? 'text')}
                </TableCell>
              ))}
            </TableRow>
          ))}
        </TableBody>
      </Table>
    ) : (
      <p className="py-6 text-center text-tremor-default text-tremor-content">Bu dönemde kayıt yok</p>
    );
  }
  return (
    <BlockCard title={block.title} testId={`block-${block.id}`} className={className}>
      {body}
    </BlockCard>
  );
}
