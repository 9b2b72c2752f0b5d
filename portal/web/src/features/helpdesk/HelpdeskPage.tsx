import { useState } from 'react';
import { D, M, helpdeskQueries, type CubeQuery } from '../../../../../common/definitions/kpi/helpdesk.js';
import { getReport, type Block } from '../../../../../common/definitions/reports/index.js';
import { ChartBlock } from '../../components/ChartBlock.js';
import { Freshness } from '../../components/Freshness.js';
import { ReportBlock } from '../../components/ReportBlock.js';
import { ScopeNotice } from '../../components/ScopeNotice.js';
import { viewsOf } from '../../lib/blocks.js';
import { unitScopeNotice } from '../../lib/roles.js';
import { useUser } from '../../lib/session.js';
import { sourcesForViews } from '../../lib/snapshot.js';
import { useCubeQueries, useSnapshot } from '../../lib/use-data.js';
import { DEFAULT_TIMEZONE } from '../../../../../common/definitions/timezone.js';

export const TIMEZONE = DEFAULT_TIMEZONE;
const REPORT_ID = 'helpdesk-weekly';

/** Beyond the weekly report's blocks: SLA compliance per month, from the same monthly query. */
const SLA_TREND: Extract<Block, { kind: 'line' | 'bar' }> = {
  kind: 'line',
  id: 'sla-trend',
  title: 'Aylık SLA uyumu',
  query: 'monthlyTrend',
  measures: [M.slaCompliance],
  x: `${D.openedAt}.month`,
  format: 'percent',
};

/**
 * Yardım Masası: the helpdesk-weekly report's blocks (the PDF shows the same numbers) laid out for the screen,
 * plus the SLA trend. Queries come from common/definitions/kpi/helpdesk.ts, built once per visit for "now" in Istanbul.
 */
export default function HelpdeskPage() {
  const user = useUser();
  const report = getReport(REPORT_ID);
  const [queries] = useState<Record<string, CubeQuery>>(() => ({ ...helpdeskQueries(new Date(), TIMEZONE) }));
  const states = useCubeQueries(queries);
  const snapshot = useSnapshot();
  const views = viewsOf(Object.values(queries));
  const sources = sourcesForViews(views);

  const blocks = report?.blocks ?? [];
  const kpis = blocks.filter((b) => b.kind === 'kpi');
  const byId = (id: string) => blocks.find((b) => b.id === id);
  const trend = byId('trend');
  const byUnit = byId('by-unit');
  const byCategory = byId('by-category');
  const rest = blocks.filter((b) => b.kind !== 'kpi' && !['trend', 'by-unit', 'by-category'].includes(b.id));

  return (
    <div className="space-y-6">
      <div className="flex flex-wrap items-end justify-between gap-x-6 gap-y-2">
        <div>
          <h1 className="text-2xl font-semibold text-tremor-content-strong">Yardım Masası</h1>
          <p className="mt-1 text-tremor-default text-tremor-content">Talepler, çözüm süreleri ve SLA uyumu</p>
        </div>
        <div className="flex flex-col items-start gap-1 sm:items-end">
          <Freshness state={snapshot} sourceIds={sources} />
          <a href={`/print/reports/${REPORT_ID}`} className="text-tremor-label font-medium text-tremor-brand-emphasis hover:underline" title={report?.title.tr}>
            Yazdırılabilir haftalık rapor ›
          </a>
        </div>
      </div>

      <ScopeNotice text={unitScopeNotice(user, views)} />

      <section aria-label="Göstergeler" className="grid grid-cols-1 gap-4 sm:grid-cols-2 xl:grid-cols-4">
        {kpis.map((b) => (
          <ReportBlock key={b.id} block={b} states={states} queries={queries} />
        ))}
      </section>

      <section aria-label="Eğilim" className="grid grid-cols-1 gap-4 lg:grid-cols-3">
        {trend ? <ReportBlock block={trend} states={states} queries={queries} className="lg:col-span-2" /> : null}
        <ChartBlock
          block={SLA_TREND}
          state={states[SLA_TREND.query]}
          query={queries[SLA_TREND.query]}
          colors={['emerald']}
          subtitle="Açıldığı aya göre, SLA hedefi olan çözülmüş talepler"
        />
      </section>

      <section aria-label="Dağılım" className="grid grid-cols-1 gap-4 lg:grid-cols-2">
        {byUnit ? <ReportBlock block={byUnit} states={states} queries={queries} /> : null}
        {byCategory ? <ReportBlock block={byCategory} states={states} queries={queries} /> : null}
      </section>

      {rest.map((b) => (
        <ReportBlock key={b.id} block={b} states={states} queries={queries} />
      ))}
    </div>
  );
}
