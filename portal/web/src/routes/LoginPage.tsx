import { Button, Card } from '@tremor/react';
import { useEffect, useState, type FormEvent } from 'react';
import { Logo } from '../components/AppShell.js';
import { ApiError, login } from '../lib/api.js';
import { navigate } from '../lib/router.js';
import { safeNextPath } from '../lib/routes.js';
import { useSession } from '../lib/session.js';

/** The login error in Turkish, by what the server answered. */
function loginErrorText(error: unknown): string {
  if (error instanceof ApiError) {
    if (error.status === 401) return 'Kullanıcı adı veya parola hatalı';
    if (error.status === 429) {
      return error.retryAfterSeconds
        ? `Çok fazla başarısız deneme. Lütfen ${error.retryAfterSeconds} saniye sonra yeniden deneyin.`
        : 'Çok fazla başarısız deneme. Lütfen biraz sonra yeniden deneyin.';
    }
    if (error.status === 0) return 'Sunucuya ulaşılamadı. Ağ bağlantınızı kontrol edip yeniden deneyin.';
    return `Giriş yapılamadı: ${error.message}`;
  }
  return `Giriş yapılamadı: ${error instanceof Error ? error.message : String(error)}`;
}

/** /giris — username and password against POST /api/auth/login; back to `next` (or Yardım Masası) on success. */
export default function LoginPage({ next }: { next: string | null }) {
  const { signIn } = useSession();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  // The PDF renderer (reports/render.ts) treats <html data-pano-login> as "this is a login page, not a report".
  useEffect(() => {
    document.documentElement.dataset.panoLogin = '';
    return () => {
      delete document.documentElement.dataset.panoLogin;
    };
  }, []);

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (busy) return;
    if (!username.trim() || !password) {
      setError('Kullanıcı adı ve parola gerekli');
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const { token, user } = await login(username.trim(), password);
      signIn(token, user);
      navigate(safeNextPath(next), { replace: true });
    } catch (err) {
      setError(loginErrorText(err));
      setPassword('');
      setBusy(false);
    }
  }

  const input =
    'mt-1 block w-full rounded-tremor-default border border-tremor-border bg-white px-3 py-2 text-tremor-default text-tremor-content-strong shadow-tremor-input outline-none placeholder:text-tremor-content-subtle focus:border-tremor-brand-subtle focus:ring-2 focus:ring-tremor-brand-muted';

  return (
    <div className="flex min-h-screen flex-col items-center justify-center px-4 py-12">
      <div className="mb-6 flex flex-col items-center text-center">
        <Logo className="h-10 w-10" />
        <h1 className="mt-3 text-2xl font-semibold text-tremor-content-strong">Pano</h1>
        <p className="text-tremor-default text-tremor-content">Sultanbeyli Belediyesi · Bilgi İşlem Müdürlüğü</p>
      </div>
      <Card className="w-full max-w-sm">
        <form onSubmit={submit} noValidate aria-describedby={error ? 'login-error' : undefined}>
          <h2 className="text-tremor-title font-semibold text-tremor-content-strong">Giriş</h2>
          <div className="mt-4">
            <label htmlFor="username" className="text-tremor-default font-medium text-tremor-content-emphasis">
              Kullanıcı adı
            </label>
            <input
              id="username"
              name="username"
              autoComplete="username"
              autoCapitalize="none"
              spellCheck={false}
              autoFocus
              value={username}
              onChange={(e) => setUsername(e.target.value)}
              className={input}
            />
          </div>
          <div className="mt-4">
            <label htmlFor="password" className="text-tremor-default font-medium text-tremor-content-emphasis">
              Parola
            </label>
            <input
              id="password"
              name="password"
              type="password"
              autoComplete="current-password"
              value={password}
              onChange={(e) => setPassword(e.target.value)}
              className={input}
            />
          </div>
          {error ? (
            <p
              id="login-error"
              role="alert"
              data-testid="login-error"
              className="mt-4 rounded-tremor-small bg-red-50 px-3 py-2 text-tremor-default text-red-800"
            >
              {error}
            </p>
          ) : null}
          <Button type="submit" className="mt-6 w-full" loading={busy} loadingText="Giriş yapılıyor…">
            Giriş yap
          </Button>
        </form>
      </Card>
      <p className="mt-6 max-w-sm text-center text-tremor-label text-tremor-content">
        Hesabınızla ilgili sorunlar için Bilgi İşlem Müdürlüğü yardım masasına başvurun.
      </p>
    </div>
  );
}
