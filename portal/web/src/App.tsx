import { Suspense, lazy, useEffect, type ReactNode } from 'react';
import { AppShell } from './components/AppShell.js';
import { ErrorNotice } from './components/ErrorNotice.js';
import { Skeleton } from './components/Skeleton.js';
import { getToken, setUnauthorizedHandler } from './lib/api.js';
import { navigate, useLocation } from './lib/router.js';
import { DEFAULT_PATH, loginPathFor, matchRoute, safeNextPath } from './lib/routes.js';
import { SessionProvider, useSession } from './lib/session.js';
import LoginPage from './routes/LoginPage.js';
import NotFoundPage from './routes/NotFoundPage.js';

// Pages with charts load on demand, so the login page stays small.
const HelpdeskPage = lazy(() => import('./features/helpdesk/HelpdeskPage.js'));
const CataloguePage = lazy(() => import('./features/catalogue/CataloguePage.js'));
const PrintReportPage = lazy(() => import('./routes/PrintReportPage.js'));

export default function App() {
  const { pathname, search } = useLocation();
  const route = matchRoute(pathname);

  if (route.name === 'print-report') {
    // Chrome-less and outside the session: the print page checks its token itself and reports failures as markers.
    return (
      <Suspense fallback={null}>
        <PrintReportPage reportId={route.reportId} />
      </Suspense>
    );
  }
  return (
    <SessionProvider>
      <SessionRoutes route={route} pathname={pathname} search={search} />
    </SessionProvider>
  );
}

function SessionRoutes({ route, pathname, search }: { route: ReturnType<typeof matchRoute>; pathname: string; search: URLSearchParams }) {
  const { session, signOut, reset } = useSession();
  const query = search.toString();
  const current = pathname + (query ? `?${query}` : '');
  const next = search.get('next');

  // Any 401 from the API or Cube: the token is gone; back to /giris, then here again.
  useEffect(() => {
    setUnauthorizedHandler(() => {
      reset();
      navigate(loginPathFor(window.location.pathname + window.location.search), { replace: true });
    });
  }, [reset]);

  useEffect(() => {
    if (route.name === 'home') navigate(DEFAULT_PATH, { replace: true });
    else if (route.name === 'login' && session.status === 'signed-in') navigate(safeNextPath(next), { replace: true });
    else if ((route.name === 'helpdesk' || route.name === 'catalogue') && session.status === 'anonymous') navigate(loginPathFor(current), { replace: true });
  }, [route.name, session.status, current, next]);

  if (route.name === 'login') return session.status === 'signed-in' ? null : <LoginPage next={next} />;
  if (route.name === 'not-found' && !getToken() && session.status !== 'signed-in') {
    return (
      <div className="px-4">
        <NotFoundPage pathname={route.pathname} signedIn={false} />
      </div>
    );
  }
  if (session.status === 'loading') return <ShellPlaceholder />;
  if (session.status === 'error') {
    return (
      <div className="mx-auto max-w-lg px-4 py-16">
        <ErrorNotice title="Oturum bilgisi alınamadı" message={session.message} />
        <button
          type="button"
          onClick={reset}
          className="mt-4 rounded-tremor-default border border-tremor-border bg-white px-4 py-2 text-tremor-default shadow-tremor-input hover:bg-tremor-background-muted"
        >
          Yeniden dene
        </button>
      </div>
    );
  }
  if (session.status === 'anonymous') return null;

  let page: ReactNode;
  switch (route.name) {
    case 'helpdesk':
      page = <HelpdeskPage />;
      break;
    case 'catalogue':
      page = <CataloguePage />;
      break;
    case 'not-found':
      page = <NotFoundPage pathname={route.pathname} signedIn />;
      break;
    default:
      page = null;
  }
  return (
    <AppShell
      user={session.user}
      pathname={pathname}
      onSignOut={() => {
        signOut();
        navigate('/giris', { replace: true });
      }}
    >
      <Suspense fallback={<PagePlaceholder />}>{page}</Suspense>
    </AppShell>
  );
}

function PagePlaceholder() {
  return (
    <div role="status" className="space-y-6">
      <span className="sr-only">Yükleniyor…</span>
      <Skeleton className="h-8 w-48" />
      <div className="grid grid-cols-1 gap-4 sm:grid-cols-2 xl:grid-cols-4">
        {[0, 1, 2, 3].map((i) => (
          <Skeleton key={i} className="h-32" />
        ))}
      </div>
      <Skeleton className="h-80" />
    </div>
  );
}

function ShellPlaceholder() {
  return (
    <div className="min-h-screen">
      <div className="h-14 border-b border-tremor-border bg-white" />
      <div className="mx-auto max-w-7xl px-4 py-6 sm:px-6 lg:px-8">
        <PagePlaceholder />
      </div>
    </div>
  );
}
