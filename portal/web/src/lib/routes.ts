/**
 * Pano's routes as pure data, so the tiny router (router.tsx) and the tests agree on what a path means.
 * Paths are Turkish because users see them; route names are English because code reads them.
 */
export type Route =
  | { name: 'login' }
  | { name: 'home' }
  | { name: 'helpdesk' }
  | { name: 'catalogue' }
  | { name: 'print-report'; reportId: string }
  | { name: 'not-found'; pathname: string };

export const PATHS = {
  login: '/giris',
  home: '/',
  helpdesk: '/yardim-masasi',
  catalogue: '/kpi-katalogu',
  printReport: (id: string) => `/print/reports/${encodeURIComponent(id)}`,
} as const;

/** Where a signed-in user lands. */
export const DEFAULT_PATH = PATHS.helpdesk;

function normalise(pathname: string): string {
  const trimmed = pathname.replace(/\/{2,}/g, '/');
  return trimmed.length > 1 ? trimmed.replace(/\/+$/, '') : trimmed;
}

export function matchRoute(pathname: string): Route {
  const path = normalise(pathname || '/');
  if (path === '/') return { name: 'home' };
  if (path === PATHS.login) return { name: 'login' };
  if (path === PATHS.helpdesk) return { name: 'helpdesk' };
  if (path === PATHS.catalogue) return { name: 'catalogue' };
  const print = /^\/print\/reports\/([^/]+)$/.exec(path);
  if (print) {
    try {
      return { name: 'print-report', reportId: decodeURIComponent(print[1]) };
    } catch {
      return { name: 'not-found', pathname: path };
    }
  }
  return { name: 'not-found', pathname: path };
}

/** Routes that need a signed-in user and the app shell (login and print pages handle auth themselves). */
export function isShellRoute(route: Route): boolean {
  return route.name === 'helpdesk' || route.name === 'catalogue' || route.name === 'home' || route.name === 'not-found';
}

/**
 * The `next` parameter after login, accepted only when it is a path on this site
 * (no scheme, no protocol-relative `//host`, not the login page itself).
 */
export function safeNextPath(next: string | null | undefined): string {
  if (!next || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) return DEFAULT_PATH;
  const pathname = next.split(/[?#]/)[0];
  if (normalise(pathname) === PATHS.login) return DEFAULT_PATH;
  return next;
}

/** The login URL that brings the user back to where they were. */
export function loginPathFor(current: string): string {
  const next = safeNextPath(current);
  return next === DEFAULT_PATH ? PATHS.login : `${PATHS.login}?next=${encodeURIComponent(next)}`;
}
