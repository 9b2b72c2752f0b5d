import type { QualityIssue } from '../lib/snapshot.js';

/** The print page's data-quality stamp: shown only when a source behind the report did not load cleanly. */
export function QualityStamp({ issues }: { issues: QualityIssue[] }) {
  if (!issues.length) return null;
  const failed = issues.some((i) => i.status === 'failed');
  return (
    <div
      data-testid="quality-stamp"
      role="note"
      className={`pano-block rounded-tremor-small border-2 px-3 py-2 text-tremor-default font-semibold ${
        failed ? 'border-red-600 bg-red-50 text-red-800' : 'border-amber-500 bg-amber-50 text-amber-900'
      }`}
    >
      {issues.map((issue) => (
        <p key={issue.source}>{issue.message}</p>
      ))}
    </div>
  );
}
