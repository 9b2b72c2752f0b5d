import { Card } from '@tremor/react';
import type { ReactNode } from 'react';
import { ErrorNotice } from './ErrorNotice.js';
import { useRenderMode } from './RenderMode.js';

interface BlockCardProps {
  title: string;
  subtitle?: string;
  testId?: string;
  /** Extra content in the title row (a legend, a total). */
  aside?: ReactNode;
  className?: string;
  children: ReactNode;
}

/** The frame every chart and table block sits in: a Tremor Card with a title, never split across printed pages. */
export function BlockCard({ title, subtitle, testId, aside, className = '', children }: BlockCardProps) {
  const print = useRenderMode() === 'print';
  return (
    // On paper a border, not Tremor's ring: the ring is an outset box-shadow whose top edge
    // shows up as a stray line at the foot of the previous page when the card moves to a new page.
    <Card data-testid={testId} className={`pano-block ${print ? 'p-4 shadow-none ring-0 border border-tremor-border' : ''} ${className}`}>
      <div className="mb-3 flex items-start justify-between gap-4">
        <div className="min-w-0">
          <h3 className="text-tremor-default font-semibold text-tremor-content-strong">{title}</h3>
          {subtitle ? <p className="text-tremor-label text-tremor-content">{subtitle}</p> : null}
        </div>
        {aside}
      </div>
      {children}
    </Card>
  );
}

/** The body of a block whose query is loading or failed. */
export function BlockStatus({ loading, error, skeleton }: { loading: boolean; error?: string; skeleton: ReactNode }) {
  if (error) return <ErrorNotice title="Sorgu başarısız" message={error} />;
  if (loading) {
    return (
      <div role="status" aria-live="polite">
        <span className="sr-only">Yükleniyor…</span>
        {skeleton}
      </div>
    );
  }
  return null;
}
