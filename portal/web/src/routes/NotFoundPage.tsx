import { Link } from '../lib/router.js';
import { PATHS } from '../lib/routes.js';

/** Any path Pano does not know. */
export default function NotFoundPage({ pathname, signedIn }: { pathname: string; signedIn: boolean }) {
  return (
    <div data-testid="not-found" className="mx-auto max-w-lg py-16 text-center">
      <p className="text-tremor-metric font-semibold text-tremor-brand-emphasis">404</p>
      <h1 className="mt-2 text-2xl font-semibold text-tremor-content-strong">Sayfa bulunamadı</h1>
      <p className="mt-2 break-words text-tremor-default text-tremor-content">
        <code className="rounded bg-tremor-background-subtle px-1">{pathname}</code> adresinde bir sayfa yok. Adresi kontrol edin ya da ana sayfaya dönün.
      </p>
      <Link
        to={signedIn ? PATHS.helpdesk : PATHS.login}
        className="mt-6 inline-block rounded-tremor-default bg-tremor-brand px-4 py-2 text-tremor-default font-medium text-white hover:bg-tremor-brand-emphasis"
      >
        {signedIn ? 'Yardım Masası’na dön' : 'Giriş sayfasına git'}
      </Link>
    </div>
  );
}
