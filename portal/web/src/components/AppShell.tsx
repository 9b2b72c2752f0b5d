import type { ReactNode } from 'react';
import type { User } from '../lib/api.js';
import { roleLabel } from '../lib/roles.js';
import { Link } from '../lib/router.js';
import { PATHS } from '../lib/routes.js';

interface NavItem {
  path: string;
  label: string;
}

/**
 * The sections in the top bar, only those that exist. Envanter, Telekom, Yedekleme, İnsan Kaynakları and
 * Sorgu join this list (with the roles that may see them) as their pages land.
 */
const NAV: NavItem[] = [
  { path: PATHS.helpdesk, label: 'Yardım Masası' },
  { path: PATHS.catalogue, label: 'KPI Kataloğu' },
];

/** The portal frame: top bar "Pano · Bilgi İşlem Müdürlüğü", section navigation, the user and "Çıkış". */
export function AppShell({ user, pathname, onSignOut, children }: { user: User; pathname: string; onSignOut: () => void; children: ReactNode }) {
  return (
    <div className="min-h-screen">
      <header className="border-b border-tremor-border bg-white">
        <div className="mx-auto flex max-w-7xl flex-wrap items-center gap-x-8 gap-y-2 px-4 sm:px-6 lg:px-8">
          <Link to={PATHS.helpdesk} className="flex items-center gap-2 py-3" aria-label="Pano ana sayfa">
            <Logo />
            <span className="text-tremor-title font-semibold text-tremor-content-strong">Pano</span>
            <span className="hidden text-tremor-default text-tremor-content sm:inline">· Bilgi İşlem Müdürlüğü</span>
          </Link>
          <nav aria-label="Bölümler" className="flex flex-1 items-stretch gap-1 self-stretch">
            {NAV.map((item) => {
              const active = pathname === item.path || pathname.startsWith(`${item.path}/`);
              return (
                <Link
                  key={item.path}
                  to={item.path}
                  aria-current={active ? 'page' : undefined}
                  className={`flex items-center border-b-2 px-3 text-tremor-default font-medium transition-colors ${
                    active
                      ? 'border-tremor-brand text-tremor-brand-emphasis'
                      : 'border-transparent text-tremor-content hover:border-tremor-content-subtle hover:text-tremor-content-emphasis'
                  }`}
                >
                  {item.label}
                </Link>
              );
            })}
          </nav>
          <div className="flex items-center gap-3 py-2">
            <div className="text-right leading-tight">
              <p data-testid="user-name" className="text-tremor-default font-medium text-tremor-content-strong">
                {user.displayName}
              </p>
              <p data-testid="user-role" className="text-tremor-label text-tremor-content">
                {roleLabel(user.role)}
                {user.unitName && (user.role === 'birim' || user.role === 'ik') ? ` · ${user.unitName}` : ''}
              </p>
            </div>
            <button
              type="button"
              data-testid="logout"
              onClick={onSignOut}
              className="rounded-tremor-small border border-tremor-border px-3 py-1.5 text-tremor-default text-tremor-content-emphasis shadow-tremor-input hover:bg-tremor-background-muted focus:outline-none focus-visible:ring-2 focus-visible:ring-tremor-brand-muted"
            >
              Çıkış
            </button>
          </div>
        </div>
      </header>
      <main className="mx-auto max-w-7xl px-4 py-6 sm:px-6 lg:px-8">{children}</main>
    </div>
  );
}

export function Logo({ className = 'h-7 w-7' }: { className?: string }) {
  return (
    <svg aria-hidden="true" viewBox="0 0 32 32" className={className}>
      <rect width="32" height="32" rx="7" className="fill-tremor-brand-emphasis" />
      <rect x="7" y="17" width="4" height="8" rx="1" fill="#fff" />
      <rect x="14" y="11" width="4" height="14" rx="1" fill="#fff" />
      <rect x="21" y="7" width="4" height="18" rx="1" fill="#fff" />
    </svg>
  );
}
