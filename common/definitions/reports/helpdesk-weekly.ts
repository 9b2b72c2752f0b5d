import { D, M, helpdeskQueries } from '../kpi/helpdesk.js';
import type { ReportDefinition } from '../blocks.js';

/** The director's Monday report: the same KPIs as the portal's Yardım Masası page, printed on A4. */
export const helpdeskWeekly: ReportDefinition = {
  id: 'helpdesk-weekly',
  title: { tr: 'Yardım Masası Haftalık Raporu', en: 'Helpdesk weekly report' },
  description: {
    tr: 'Açık talepler, bu ay açılan talepler, çözüm süresi ve SLA uyumu; aylık eğilim ve müdürlüklere göre dağılım.',
    en: 'Open backlog, tickets opened this month, time to resolve and SLA compliance; monthly trend and tickets by unit.',
  },
  queries: (now, timezone) => ({ ...helpdeskQueries(now, timezone) }),
  blocks: [
    { kind: 'kpi', id: 'backlog', title: 'Açık talepler', query: 'backlog', measure: M.openCount, format: 'number', hint: 'Şu an çözüm bekleyen' },
    {
      kind: 'kpi',
      id: 'opened',
      title: 'Bu ay açılan',
      query: 'openedThisMonth',
      measure: M.ticketCount,
      format: 'number',
      compare: true,
      hint: 'Geçen ayın aynı dönemine göre',
    },
    {
      kind: 'kpi',
      id: 'median-ttr',
      title: 'Medyan çözüm süresi',
      query: 'resolution',
      measure: M.medianResolutionHours,
      format: 'hours',
      hint: 'Son 30 gün, mesai saati',
    },
    { kind: 'kpi', id: 'sla', title: 'SLA uyumu', query: 'resolution', measure: M.slaCompliance, format: 'percent', hint: 'Son 30 günde çözülenler' },
    { kind: 'line', id: 'trend', title: 'Aylık açılan talepler', query: 'monthlyTrend', measures: [M.ticketCount], x: `${D.openedAt}.month`, format: 'number' },
    {
      kind: 'bar',
      id: 'by-unit',
      title: 'Müdürlüklere göre talepler (son 30 gün)',
      query: 'byUnit',
      measures: [M.ticketCount],
      x: D.unitName,
      format: 'number',
    },
    {
      kind: 'table',
      id: 'by-category',
      title: 'Kategorilere göre talepler (son 30 gün)',
      query: 'byCategory',
      columns: [
        { member: D.category, title: 'Kategori', format: 'text' },
        { member: M.ticketCount, title: 'Talep', format: 'number' },
      ],
    },
  ],
  page: { size: 'A4', orientation: 'portrait' },
};
