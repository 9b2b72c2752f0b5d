/**
 * The signed-in user for the app shell: read from GET /api/me when a token is present,
 * set directly after login, cleared on logout or on any 401.
 */
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { ApiError, clearToken, fetchMe, getToken, logout, setToken, type User } from './api.js';

export type SessionState = { status: 'loading' } | { status: 'anonymous' } | { status: 'signed-in'; user: User } | { status: 'error'; message: string };

interface SessionContextValue {
  session: SessionState;
  signIn(token: string, user: User): void;
  signOut(): void;
  /** Forget the user without touching the token (after a 401 the token is already gone). */
  reset(): void;
}

const SessionContext = createContext<SessionContextValue | null>(null);

export function SessionProvider({ children }: { children: ReactNode }) {
  const [session, setSession] = useState<SessionState>(() => (getToken() ? { status: 'loading' } : { status: 'anonymous' }));

  useEffect(() => {
    if (session.status !== 'loading') return;
    let cancelled = false;
    fetchMe()
      .then((user) => !cancelled && setSession({ status: 'signed-in', user }))
      .catch((error: unknown) => {
        if (cancelled) return;
        if (error instanceof ApiError && error.status === 401) setSession({ status: 'anonymous' });
        else setSession({ status: 'error', message: error instanceof Error ? error.message : String(error) });
      });
    return () => {
      cancelled = true;
    };
  }, [session.status]);

  const signIn = useCallback((token: string, user: User) => {
    setToken(token);
    setSession({ status: 'signed-in', user });
  }, []);
  const signOut = useCallback(() => {
    void logout().finally(clearToken);
    setSession({ status: 'anonymous' });
  }, []);
  const reset = useCallback(() => setSession(getToken() ? { status: 'loading' } : { status: 'anonymous' }), []);

  const value = useMemo(() => ({ session, signIn, signOut, reset }), [session, signIn, signOut, reset]);
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionContextValue {
  const value = useContext(SessionContext);
  if (!value) throw new Error('useSession outside SessionProvider');
  return value;
}

/** The signed-in user, or null (pages inside the shell render only when signed in). */
export function useUser(): User | null {
  const { session } = useSession();
  return session.status === 'signed-in' ? session.user : null;
}
