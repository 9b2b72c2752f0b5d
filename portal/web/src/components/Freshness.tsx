import { Badge } from '@tremor/react';
import { freshnessText, qualityIssues } from '../lib/snapshot.js';
import type { SnapshotState } from '../lib/use-data.js';
import { Skeleton } from './Skeleton.js';

/**
 * "Veriler 28.11.2026 03:00 itibarıyla" for the sources a page shows, with a warning badge per source whose
 * last load was not clean. The line itself is `data-testid="freshness"`; the badges sit beside it.
 */
export function Freshness({ state, sourceIds }: { state: SnapshotState; sourceIds: readonly string[] | null }) {
  if (state.status === 'loading') {
    return (
      <div className="flex items-center gap-2" role="status">
        <span className="sr-only">Veri tazeliği yükleniyor…</span>
        <Skeleton className="h-4 w-52" />
      </div>
    );
  }
  if (state.status === 'error') {
    return (
      <p data-testid="freshness" data-state="error" className="text-tremor-default text-red-700">
        Veri tazeliği alınamadı: {state.error}
      </p>
    );
  }
  const issues = qualityIssues(state.snapshot, sourceIds);
  return (
    <div className="flex flex-wrap items-center gap-2">
      <p data-testid="freshness" data-state={state.snapshot ? 'ok' : 'empty'} className="text-tremor-default text-tremor-content">
        {freshnessText(state.snapshot, sourceIds)}
      </p>
      {issues.length ? (
        <span data-testid="quality-badges" className="flex flex-wrap gap-1">
          {issues.map((issue) => (
            <Badge key={issue.source} color={issue.status === 'failed' ? 'red' : 'amber'} size="xs" title={issue.message}>
              {issue.badge}
            </Badge>
          ))}
        </span>
      ) : null}
    </div>
  );
}
