import { Badge, Card, Table, TableBody, TableCell, TableHead, TableHeaderCell, TableRow } from '@tremor/react';
import { useEffect, useId, useMemo, useRef, useState } from 'react';
import { ErrorNotice } from '../../components/ErrorNotice.js';
import { Skeleton } from '../../components/Skeleton.js';
import { ApiError, fetchCatalogue, type CatalogueMeasure, type CatalogueView, type KpiCatalogue } from '../../lib/api.js';
import { countMeasures, filterCatalogue, formatLabel, measureTestId } from './catalogue.js';

type CatalogueState = { status: 'loading' } | { status: 'error'; error: string } | { status: 'ok'; catalogue: KpiCatalogue };

function useCatalogue(): CatalogueState {
  const [state, setState] = useState<CatalogueState>({ status: 'loading' });
  useEffect(() => {
    let cancelled = false;
    fetchCatalogue().then(
      (catalogue) => !cancelled && setState({ status: 'ok', catalogue }),
      // A 401 has already sent the user to /giris (api.ts); anything else is shown.
      (error: unknown) =>
        !cancelled &&
        !(error instanceof ApiError && error.status === 401) &&
        setState({ status: 'error', error: error instanceof Error ? error.message : String(error) }),
    );
    return () => {
      cancelled = true;
    };
  }, []);
  return state;
}

const control =
  'block w-full rounded-tremor-default border border-tremor-border bg-white px-3 py-2 text-tremor-default text-tremor-content-strong shadow-tremor-input outline-none placeholder:text-tremor-content-subtle focus:border-tremor-brand-subtle focus:ring-2 focus:ring-tremor-brand-muted';

/**
 * KPI Kataloğu (/kpi-katalogu): every measure the user's role may query (GET /api/model/catalogue), per view, with
 * its Turkish and English title, formula in words, source, regulation article, format and API name — the
 * dictionary analysts and managers read before they trust or query a number (Madde 11(3)-II).
 */
export default function CataloguePage() {
  const state = useCatalogue();
  const [query, setQuery] = useState('');
  const [view, setView] = useState('');
  const searchId = useId();
  const viewId = useId();

  const views = useMemo(() => (state.status === 'ok' ? filterCatalogue(state.catalogue, query, view) : []), [state, query, view]);
  const total = state.status === 'ok' ? countMeasures(state.catalogue.views) : 0;
  const shown = countMeasures(views);

  return (
    <div className="space-y-6">
      <div>
        <h1 className="text-2xl font-semibold text-tremor-content-strong">KPI Kataloğu</h1>
        <p className="mt-1 text-tremor-default text-tremor-content">
          Rolünüzün sorgulayabildiği her göstergenin ne ölçtüğü, nasıl hesaplandığı, hangi kaynaktan geldiği ve hangi yönetmelik maddesine dayandığı.
        </p>
      </div>

      {state.status === 'error' ? (
        <ErrorNotice title="KPI kataloğu alınamadı" message={state.error} />
      ) : state.status === 'loading' ? (
        <CatalogueSkeleton />
      ) : (
        <>
          <div className="flex flex-wrap items-end gap-x-4 gap-y-3" role="search">
            <div className="min-w-[16rem] flex-1">
              <label htmlFor={searchId} className="text-tremor-default font-medium text-tremor-content-emphasis">
                Ara
              </label>
              <input
                id={searchId}
                type="search"
                data-testid="catalogue-search"
                value={query}
                onChange={(e) => setQuery(e.target.value)}
                placeholder="Ölçü adı, formül veya kaynak (ör. SLA, çözüm süresi, GLPI)"
                autoComplete="off"
                spellCheck={false}
                className={`mt-1 ${control}`}
              />
            </div>
            <div className="w-full sm:w-64">
              <label htmlFor={viewId} className="text-tremor-default font-medium text-tremor-content-emphasis">
                Görünüm
              </label>
              <select id={viewId} data-testid="catalogue-view-filter" value={view} onChange={(e) => setView(e.target.value)} className={`mt-1 ${control}`}>
                <option value="">Tüm görünümler</option>
                {state.catalogue.views.map((v) => (
                  <option key={v.name} value={v.name}>
                    {v.title}
                  </option>
                ))}
              </select>
            </div>
            <p data-testid="catalogue-count" aria-live="polite" className="pb-2 text-tremor-default tabular-nums text-tremor-content">
              {shown === total ? `${total} ölçü` : `${shown} / ${total} ölçü`}
            </p>
          </div>

          {views.length === 0 ? (
            <Card data-testid="catalogue-empty" className="py-10 text-center">
              <p className="text-tremor-default font-medium text-tremor-content-strong">
                {total === 0 ? 'Rolünüzün görebildiği ölçü yok.' : 'Aramanızla eşleşen ölçü yok.'}
              </p>
              {total > 0 ? (
                <button
                  type="button"
                  onClick={() => {
                    setQuery('');
                    setView('');
                  }}
                  className="mt-3 text-tremor-default font-medium text-tremor-brand-emphasis hover:underline"
                >
                  Aramayı temizle
                </button>
              ) : null}
            </Card>
          ) : (
            views.map((v) => <ViewCard key={v.name} view={v} />)
          )}
        </>
      )}
    </div>
  );
}

function ViewCard({ view }: { view: CatalogueView }) {
  return (
    <Card data-testid={`catalogue-view-${view.name}`} className="p-0">
      <div className="px-5 pt-5">
        <div className="flex flex-wrap items-baseline gap-x-3 gap-y-1">
          <h2 className="text-tremor-title font-semibold text-tremor-content-strong">{view.title}</h2>
          {view.title_en ? <span className="text-tremor-default text-tremor-content">{view.title_en}</span> : null}
          <code className="font-mono text-tremor-label text-tremor-content">{view.name}</code>
          <Badge size="xs" color="gray" className="ml-auto">
            {view.measures.length} ölçü
          </Badge>
        </div>
        {view.description ? <p className="mt-2 max-w-4xl text-tremor-default text-tremor-content">{view.description}</p> : null}
      </div>
      {/* Fixed layout: long formulas wrap inside their column; below ~60rem the table scrolls sideways instead. */}
      <Table className="pano-table mt-3 border-t border-tremor-border" style={{ tableLayout: 'fixed', minWidth: '60rem' }}>
        <colgroup>
          <col style={{ width: '18%' }} />
          <col style={{ width: '25%' }} />
          <col style={{ width: '17%' }} />
          <col style={{ width: '8.5rem' }} />
          <col style={{ width: '5rem' }} />
          <col />
        </colgroup>
        <TableHead className="bg-tremor-background-muted">
          <TableRow>
            <TableHeaderCell className="px-3 py-2 pl-5">Ölçü</TableHeaderCell>
            <TableHeaderCell className="px-3 py-2">Formül</TableHeaderCell>
            <TableHeaderCell className="px-3 py-2">Kaynak</TableHeaderCell>
            <TableHeaderCell className="px-3 py-2">Madde</TableHeaderCell>
            <TableHeaderCell className="px-3 py-2">Biçim</TableHeaderCell>
            <TableHeaderCell className="px-3 py-2 pr-5">API adı</TableHeaderCell>
          </TableRow>
        </TableHead>
        <TableBody>
          {view.measures.map((m) => (
            <MeasureRow key={m.name} measure={m} />
          ))}
        </TableBody>
      </Table>
    </Card>
  );
}

function MeasureRow({ measure: m }: { measure: CatalogueMeasure }) {
  const cell = 'whitespace-normal break-words px-3 py-2.5 align-top';
  return (
    <TableRow data-testid={measureTestId(m.name)}>
      <TableCell className={`${cell} pl-5`}>
        <span data-testid="measure-title" className="block font-medium text-tremor-content-strong">
          {m.title}
        </span>
        {m.title_en ? (
          <span lang="en" className="block text-tremor-label text-tremor-content">
            {m.title_en}
          </span>
        ) : null}
      </TableCell>
      <TableCell className={`${cell} text-tremor-content-emphasis`}>{m.formula || '–'}</TableCell>
      <TableCell className={cell}>{m.source ?? '–'}</TableCell>
      <TableCell className={cell} data-testid="measure-article">
        {m.article ? `Madde ${m.article}` : '–'}
      </TableCell>
      <TableCell className={cell} data-testid="measure-format" title={m.format ?? undefined}>
        {formatLabel(m.format)}
      </TableCell>
      <TableCell className={`${cell} pr-5`}>
        <CopyName name={m.name} />
      </TableCell>
    </TableRow>
  );
}

/** Copies text to the clipboard; falls back to a hidden textarea where the Clipboard API is unavailable (plain http). */
async function copyText(text: string): Promise<void> {
  if (window.isSecureContext && navigator.clipboard?.writeText) {
    await navigator.clipboard.writeText(text);
    return;
  }
  const area = document.createElement('textarea');
  area.value = text;
  area.setAttribute('readonly', '');
  area.style.position = 'fixed';
  area.style.opacity = '0';
  document.body.appendChild(area);
  area.select();
  const ok = document.execCommand('copy');
  area.remove();
  if (!ok) throw new Error('copy failed');
}

/** The API member name in monospace (as written in a @cubejs-client/core query) with a copy button. */
function CopyName({ name }: { name: string }) {
  const [copied, setCopied] = useState<'yes' | 'failed' | null>(null);
  const timer = useRef<ReturnType<typeof setTimeout>>();
  useEffect(() => () => clearTimeout(timer.current), []);
  const [view, member] = name.includes('.') ? [name.slice(0, name.indexOf('.') + 1), name.slice(name.indexOf('.') + 1)] : ['', name];

  const copy = () => {
    copyText(name).then(
      () => setCopied('yes'),
      () => setCopied('failed'),
    );
    clearTimeout(timer.current);
    timer.current = setTimeout(() => setCopied(null), 1500);
  };

  return (
    <div className="flex items-start gap-1.5">
      <code data-testid="measure-name" className="min-w-0 flex-1 break-words font-mono text-tremor-label text-tremor-content-emphasis">
        <span className="text-tremor-content-subtle">{view}</span>
        <wbr />
        {member}
      </code>
      <button
        type="button"
        onClick={copy}
        data-testid="measure-copy"
        title={copied === 'yes' ? 'Kopyalandı' : copied === 'failed' ? 'Kopyalanamadı' : `${name} adını kopyala`}
        aria-label={copied === 'yes' ? 'Kopyalandı' : `${name} adını kopyala`}
        className="flex-none rounded-tremor-small p-1 text-tremor-content-subtle hover:bg-tremor-background-subtle hover:text-tremor-content-emphasis focus:outline-none focus-visible:ring-2 focus-visible:ring-tremor-brand-muted"
      >
        {copied === 'yes' ? (
          <svg aria-hidden="true" viewBox="0 0 20 20" className="h-4 w-4 fill-emerald-600">
            <path d="M7.6 13.2 4.4 10l-1.2 1.2 4.4 4.4 9.2-9.2-1.2-1.2z" />
          </svg>
        ) : (
          <svg aria-hidden="true" viewBox="0 0 20 20" className="h-4 w-4 fill-current">
            <path d="M7 2h9a2 2 0 0 1 2 2v9a2 2 0 0 1-2 2h-1v-2h1V4H7v1H5V4a2 2 0 0 1 2-2Zm-3 5h9a2 2 0 0 1 2 2v7a2 2 0 0 1-2 2H4a2 2 0 0 1-2-2V9a2 2 0 0 1 2-2Zm0 2v7h9V9H4Z" />
          </svg>
        )}
      </button>
    </div>
  );
}

function CatalogueSkeleton() {
  return (
    <div role="status" aria-live="polite" data-testid="catalogue-loading" className="space-y-6">
      <span className="sr-only">Yükleniyor…</span>
      <Skeleton className="h-10 w-full max-w-2xl" />
      {[0, 1].map((i) => (
        <Card key={i} className="space-y-3">
          <Skeleton className="h-6 w-56" />
          <Skeleton className="h-4 w-full max-w-xl" />
          {Array.from({ length: 5 }, (_, j) => (
            <Skeleton key={j} className="h-8 w-full" />
          ))}
        </Card>
      ))}
    </div>
  );
}
