import { BadgeDelta, Card } from '@tremor/react';
import type { DeltaType } from '../lib/blocks.js';
import { ErrorNotice } from './ErrorNotice.js';
import { useRenderMode } from './RenderMode.js';
import { Skeleton } from './Skeleton.js';

export interface KpiCardProps {
  /** Block id: the card is `kpi-<id>`, its value `kpi-<id>-value` (end-to-end tests read both). */
  id: string;
  title: string;
  hint?: string;
  loading?: boolean;
  error?: string;
  /** The formatted value ("1.234", "%92,4", "12,5 saat") and the raw number behind it. */
  valueText?: string;
  value?: number | null;
  delta?: { text: string; deltaType: DeltaType; isIncreasePositive: boolean; caption: string };
  secondary?: string;
}

/** One KPI: title, big value, optional change badge and a second figure, a hint about what is measured. */
export function KpiCard({ id, title, hint, loading, error, valueText, value, delta, secondary }: KpiCardProps) {
  const print = useRenderMode() === 'print';
  return (
    <Card
      data-testid={`kpi-${id}`}
      decoration="top"
      decorationColor="blue"
      // On paper a border, not Tremor's ring: the ring is an outset box-shadow whose top edge
      // shows up as a stray line at the foot of the previous page when the card moves to a new page.
      className={`pano-block flex flex-col ${print ? 'p-4 shadow-none ring-0 border-x border-b border-x-tremor-border border-b-tremor-border' : ''}`}
      aria-busy={loading || undefined}
    >
      {/* On paper four cards share a row: two lines for every title keep the values level. */}
      <h3 className={`text-tremor-default text-tremor-content ${print ? 'min-h-[2.5rem]' : ''}`}>{title}</h3>
      {error ? (
        <ErrorNotice className="mt-2" title="Sorgu başarısız" message={error} />
      ) : loading ? (
        <div role="status" className="mt-2 space-y-2">
          <span className="sr-only">Yükleniyor…</span>
          <Skeleton className="h-9 w-28" />
          <Skeleton className="h-4 w-40" />
        </div>
      ) : (
        <>
          <p
            data-testid={`kpi-${id}-value`}
            data-value={value == null ? undefined : String(value)}
            className={`mt-1 font-semibold tabular-nums text-tremor-content-strong ${print ? 'text-2xl' : 'text-tremor-metric'}`}
          >
            {valueText}
          </p>
          {delta ? (
            <div className="mt-2 flex flex-wrap items-center gap-x-2 gap-y-1">
              {delta.text !== '–' ? (
                <BadgeDelta deltaType={delta.deltaType} isIncreasePositive={delta.isIncreasePositive} size="xs">
                  {delta.text}
                </BadgeDelta>
              ) : null}
              <span className="text-tremor-label text-tremor-content">{delta.caption}</span>
            </div>
          ) : null}
          {secondary ? <p className="mt-2 text-tremor-label text-tremor-content">{secondary}</p> : null}
        </>
      )}
      {hint ? <p className="mt-auto pt-2 text-tremor-label text-tremor-content-subtle">{hint}</p> : null}
    </Card>
  );
}
