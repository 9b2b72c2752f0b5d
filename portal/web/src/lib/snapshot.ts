/**
 * What the portal says about data freshness and quality, from GET /api/snapshot. Pure code.
 */
import { formatDate, freshnessLine } from '../../../../common/definitions/format.js';
import type { Snapshot, SnapshotSource } from './api.js';

/** The ETL sources behind each Cube view (so a page warns only about the sources it shows). */
export const VIEW_SOURCES: Record<string, readonly string[]> = {
  yardim_masasi: ['glpi'],
  envanter: ['glpi_assets', 'snipeit'],
  telekom: ['telecom_invoices', 'telecom_lines', 'telecom_operator_details'],
  yedekleme: ['backup_veeam', 'backup_bareos'],
  insan_kaynaklari: ['hr_personnel', 'hr_trainings', 'hr_leaves'],
  yonetim_ozeti: ['glpi', 'glpi_assets', 'snipeit', 'telecom_invoices', 'telecom_lines', 'hr_personnel', 'backup_veeam', 'backup_bareos'],
};

/** Source ids behind a set of views; null means "all sources" (a view we have no mapping for). */
export function sourcesForViews(views: readonly string[]): string[] | null {
  const ids = new Set<string>();
  for (const view of views) {
    const sources = VIEW_SOURCES[view];
    if (!sources) return null;
    sources.forEach((s) => ids.add(s));
  }
  return [...ids];
}

export function relevantSources(snapshot: Snapshot, sourceIds: readonly string[] | null): SnapshotSource[] {
  const all = snapshot.sources ?? [];
  if (!sourceIds) return all;
  return all.filter((s) => sourceIds.includes(s.source));
}

/**
 * "Veriler 28.11.2026 03:00 itibarıyla": as of the oldest data among the sources shown (the honest bound);
 * the publish time when no source reports one.
 */
export function freshnessText(snapshot: Snapshot | null, sourceIds: readonly string[] | null): string {
  if (!snapshot) return 'Henüz yayımlanmış veri yok';
  const times = relevantSources(snapshot, sourceIds)
    .map((s) => s.dataAsOf)
    .filter((t): t is string => !!t && !Number.isNaN(Date.parse(t)))
    .sort((a, b) => Date.parse(a) - Date.parse(b));
  return freshnessLine(times[0] ?? snapshot.publishedAt ?? null);
}

export interface QualityIssue {
  source: string;
  status: 'warn' | 'failed';
  /** Short badge text: "Son yükleme başarısız" / "12 satır reddedildi". */
  badge: string;
  /** The full sentence for the print stamp and the badge's tooltip. */
  message: string;
}

function rejectedText(n: number): string {
  return `${new Intl.NumberFormat('tr-TR').format(n)} satır reddedildi`;
}

/** One issue per shown source whose last load was not clean. */
export function qualityIssues(snapshot: Snapshot | null, sourceIds: readonly string[] | null): QualityIssue[] {
  if (!snapshot) return [];
  return relevantSources(snapshot, sourceIds)
    .filter((s) => s.status !== 'ok')
    .map((s): QualityIssue => {
      const title = s.title || s.source;
      const asOf = s.dataAsOf ? `veriler ${formatDate(s.dataAsOf)} tarihli` : 'veri tarihi bilinmiyor';
      const checks = s.checksFailed?.length ? `başarısız kontroller: ${s.checksFailed.join(', ')}` : '';
      const rejected = s.rowsRejected > 0 ? rejectedText(s.rowsRejected) : '';
      if (s.status === 'failed') {
        const extra = [rejected, checks].filter(Boolean).join('; ');
        return {
          source: s.source,
          status: 'failed',
          badge: rejected ? `Son yükleme başarısız · ${rejected}` : 'Son yükleme başarısız',
          message: `Uyarı: ${title} kaynağı son yüklemede başarısız; ${asOf}${extra ? ` (${extra})` : ''}.`,
        };
      }
      const detail = [rejected, checks].filter(Boolean).join('; ') || 'kontrol uyarısı';
      return {
        source: s.source,
        status: 'warn',
        badge: rejected ? `Uyarı · ${rejected}` : 'Uyarı',
        message: `Uyarı: ${title} kaynağının son yüklemesinde sorun var (${detail}); ${asOf}.`,
      };
    });
}
