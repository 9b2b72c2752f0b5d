import { describe, expect, it } from 'vitest';
import type { Snapshot, SnapshotSource } from '../../../portal/web/src/lib/api.js';
import { freshnessText, qualityIssues, sourcesForViews } from '../../../portal/web/src/lib/snapshot.js';

const source = (over: Partial<SnapshotSource>): SnapshotSource => ({
  source: 'glpi',
  title: 'GLPI Yardım Masası',
  status: 'ok',
  dataAsOf: '2026-11-28T00:00:00.000Z',
  rowsLoaded: 1200,
  rowsRejected: 0,
  checksFailed: [],
  ...over,
});

const snapshot = (sources: SnapshotSource[]): Snapshot => ({
  snapshotId: 's1',
  publishedAt: '2026-11-28T00:30:00.000Z',
  sources,
});

describe('sourcesForViews', () => {
  it('maps known views to their sources and unknown ones to "all"', () => {
    expect(sourcesForViews(['yardim_masasi'])).toEqual(['glpi']);
    expect(sourcesForViews(['yardim_masasi', 'unknown_view'])).toBeNull();
  });
});

describe('freshnessText', () => {
  it('uses the source data time in Istanbul', () => {
    expect(freshnessText(snapshot([source({})]), ['glpi'])).toBe('Veriler 28.11.2026 03:00 itibarıyla');
  });
  it('takes the oldest of the sources shown and ignores the others', () => {
    const s = snapshot([
      source({ dataAsOf: '2026-11-28T00:00:00.000Z' }),
      source({ source: 'telekom', title: 'Telekom', dataAsOf: '2026-11-01T00:00:00.000Z' }),
    ]);
    expect(freshnessText(s, ['glpi'])).toBe('Veriler 28.11.2026 03:00 itibarıyla');
    expect(freshnessText(s, null)).toBe('Veriler 01.11.2026 03:00 itibarıyla');
  });
  it('falls back to the publish time, and says when nothing is published', () => {
    expect(freshnessText(snapshot([source({ dataAsOf: null })]), ['glpi'])).toBe('Veriler 28.11.2026 03:30 itibarıyla');
    expect(freshnessText(null, ['glpi'])).toBe('Henüz yayımlanmış veri yok');
  });
});

describe('qualityIssues', () => {
  it('is empty when every source shown is ok', () => {
    expect(qualityIssues(snapshot([source({}), source({ source: 'telekom', status: 'failed' })]), ['glpi'])).toEqual([]);
  });
  it('words a failed load with the date the data is from', () => {
    const [issue] = qualityIssues(snapshot([source({ status: 'failed', dataAsOf: '2026-11-26T22:00:00.000Z' })]), ['glpi']);
    expect(issue.status).toBe('failed');
    expect(issue.badge).toBe('Son yükleme başarısız');
    expect(issue.message).toBe('Uyarı: GLPI Yardım Masası kaynağı son yüklemede başarısız; veriler 27.11.2026 tarihli.');
  });
  it('counts rejected rows and names failed checks on a warning', () => {
    const [issue] = qualityIssues(snapshot([source({ status: 'warn', rowsRejected: 1234, checksFailed: ['unit_code_known'] })]), ['glpi']);
    expect(issue.badge).toBe('Uyarı · 1.234 satır reddedildi');
    expect(issue.message).toBe(
      'Uyarı: GLPI Yardım Masası kaynağının son yüklemesinde sorun var (1.234 satır reddedildi; başarısız kontroller: unit_code_known); veriler 28.11.2026 tarihli.',
    );
  });
});
