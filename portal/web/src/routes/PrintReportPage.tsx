import { useEffect, useMemo, useRef, useState } from 'react';
import { formatDateTime } from '../../../../common/definitions/format.js';
import type { CubeQuery } from '../../../../common/definitions/kpi/helpdesk.js';
import { getReport, type ReportDefinition } from '../../../../common/definitions/reports/index.js';
import { Logo } from '../components/AppShell.js';
import { QualityStamp } from '../components/QualityStamp.js';
import { RenderModeProvider } from '../components/RenderMode.js';
import { ReportBlocks } from '../components/ReportBlock.js';
import { ScopeNotice } from '../components/ScopeNotice.js';
import { ApiError, fetchMe, getToken, setUnauthorizedHandler, type User } from '../lib/api.js';
import { viewsOf } from '../lib/blocks.js';
import { clearMarkers, markError, markReady, waitForRender } from '../lib/ready.js';
import { unitScopeNotice } from '../lib/roles.js';
import { freshnessText, qualityIssues, sourcesForViews } from '../lib/snapshot.js';
import { useCubeQueries, useSnapshot } from '../lib/use-data.js';
import { DEFAULT_TIMEZONE } from '../../../../common/definitions/timezone.js';

const TIMEZONE = DEFAULT_TIMEZONE;

/**
 * /print/reports/:id — the chrome-less A4 page the PDF renderer prints. Same block components as the portal,
 * no animations, blocks never split across pages. Sets data-pano-ready / data-pano-error on <html> (see ready.ts).
 * The token comes from sessionStorage 'pano.token'; a missing or rejected token is the error "unauthorized".
 */
export default function PrintReportPage({ reportId }: { reportId: string }) {
  const report = getReport(reportId);
  const hasToken = !!getToken();

  useEffect(() => {
    document.documentElement.classList.add('pano-print-page');
    clearMarkers();
    // No redirect to /giris from here: the renderer must see the failure, not a login page.
    setUnauthorizedHandler(() => markError('unauthorized'));
    return () => {
      document.documentElement.classList.remove('pano-print-page');
      clearMarkers();
      setUnauthorizedHandler(() => window.location.assign('/giris'));
    };
  }, []);

  useEffect(() => {
    if (!hasToken) markError('unauthorized');
    else if (!report) markError(`Rapor bulunamadı: ${reportId}`);
  }, [hasToken, report, reportId]);

  if (!hasToken) return <PrintFailure message="unauthorized" detail="Oturum bulunamadı; rapor için giriş gerekli." />;
  if (!report) return <PrintFailure message={`Rapor bulunamadı: ${reportId}`} />;
  return <PrintReport report={report} />;
}

function PrintReport({ report }: { report: ReportDefinition }) {
  const [now] = useState(() => new Date());
  const queries = useMemo(() => {
    const all = report.queries(now, TIMEZONE);
    const used = new Set(report.blocks.flatMap((b) => ('query' in b ? [b.query] : [])));
    return Object.fromEntries(Object.entries(all).filter(([name]) => used.has(name))) as Record<string, CubeQuery>;
  }, [report, now]);
  const missing = report.blocks.filter((b) => 'query' in b && !queries[b.query]).map((b) => b.id);

  const states = useCubeQueries(queries);
  const snapshot = useSnapshot();
  const [me, setMe] = useState<{ status: 'loading' } | { status: 'ok'; user: User } | { status: 'error'; error: string }>({
    status: 'loading',
  });
  useEffect(() => {
    let cancelled = false;
    fetchMe().then(
      (user) => !cancelled && setMe({ status: 'ok', user }),
      (error: unknown) =>
        !cancelled &&
        setMe({ status: 'error', error: error instanceof ApiError && error.status === 401 ? 'unauthorized' : String((error as Error).message ?? error) }),
    );
    return () => {
      cancelled = true;
    };
  }, []);

  const views = viewsOf(Object.values(queries));
  const sources = sourcesForViews(views);

  // The first failure, named: what failed and what the server said.
  const failure = ((): string | null => {
    if (missing.length) return `Rapor tanımı hatalı: ${missing.join(', ')} bloklarının sorgusu yok`;
    if (me.status === 'error') return me.error === 'unauthorized' ? 'unauthorized' : `Kullanıcı bilgisi alınamadı: ${me.error}`;
    for (const [name, state] of Object.entries(states)) {
      if (state.status === 'error') return state.unauthorized ? 'unauthorized' : `Sorgu başarısız (${name}): ${state.error}`;
    }
    if (snapshot.status === 'error') return snapshot.unauthorized ? 'unauthorized' : `Veri tazeliği alınamadı: ${snapshot.error}`;
    if (snapshot.status === 'ok' && !snapshot.snapshot) return 'Henüz yayımlanmış veri yok';
    return null;
  })();

  const loaded = me.status === 'ok' && snapshot.status === 'ok' && Object.values(states).every((s) => s.status === 'ok');

  const rootRef = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (failure) {
      markError(failure);
      return;
    }
    if (!loaded || !rootRef.current) return;
    let cancelled = false;
    waitForRender(rootRef.current).then(() => !cancelled && markReady());
    return () => {
      cancelled = true;
    };
  }, [failure, loaded]);

  const issues = snapshot.status === 'ok' ? qualityIssues(snapshot.snapshot, sources) : [];
  const user = me.status === 'ok' ? me.user : null;

  return (
    <RenderModeProvider value="print">
      <div ref={rootRef} className="pano-print-root" data-report-id={report.id}>
        <header className="pano-block mb-5 border-b-2 border-tremor-brand-emphasis pb-3">
          <div className="flex items-center justify-between gap-4">
            <p className="flex items-center gap-2 text-tremor-default font-medium text-tremor-content-emphasis">
              <Logo className="h-5 w-5" />
              Sultanbeyli Belediyesi · Bilgi İşlem Müdürlüğü
            </p>
            <p className="text-tremor-label text-tremor-content">Pano</p>
          </div>
          <h1 data-testid="report-title" className="mt-3 text-2xl font-bold text-tremor-content-strong">
            {report.title.tr}
          </h1>
          <div className="mt-1 flex flex-wrap gap-x-4 text-tremor-label text-tremor-content">
            <span data-testid="generated-at">Oluşturulma: {formatDateTime(now, TIMEZONE)}</span>
            <span data-testid="freshness">
              {snapshot.status === 'ok'
                ? freshnessText(snapshot.snapshot, sources)
                : snapshot.status === 'loading'
                  ? 'Veri tazeliği yükleniyor…'
                  : 'Veri tazeliği alınamadı'}
            </span>
          </div>
        </header>

        {failure ? (
          <div
            role="alert"
            data-testid="print-error"
            className="mb-4 rounded-tremor-small border-2 border-red-600 bg-red-50 px-3 py-2 text-tremor-default font-semibold text-red-800"
          >
            Rapor oluşturulamadı: {failure}
          </div>
        ) : null}

        <div className="space-y-4">
          <QualityStamp issues={issues} />
          <ScopeNotice text={unitScopeNotice(user, views)} />
          <ReportBlocks blocks={report.blocks} states={states} queries={queries} />
        </div>
      </div>
    </RenderModeProvider>
  );
}

function PrintFailure({ message, detail }: { message: string; detail?: string }) {
  return (
    <div className="pano-print-root">
      <div role="alert" data-testid="print-error" className="rounded-tremor-small border-2 border-red-600 bg-red-50 px-3 py-2 text-tremor-default text-red-800">
        <p className="font-semibold">Rapor oluşturulamadı: {message}</p>
        {detail ? <p className="mt-1">{detail}</p> : null}
      </div>
    </div>
  );
}
