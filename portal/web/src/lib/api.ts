/**
 * Fetch helpers for Pano's own HTTP API (portal/server). The session token lives in sessionStorage under
 * `pano.token` (the PDF renderer sets it there before the print page loads) and goes in the Authorization
 * header as is, the way the Cube client sends it. Any 401 ends the session: the token is cleared and the
 * unauthorized handler runs (the app sends the user to /giris; the print page reports an error instead).
 */
import type { Role } from './roles.js';

export const TOKEN_KEY = 'pano.token';

export interface User {
  username: string;
  displayName: string;
  role: Role;
  unitCode: string | null;
  unitName: string | null;
}

export type SourceStatus = 'ok' | 'warn' | 'failed';

export interface SnapshotSource {
  source: string;
  title: string;
  status: SourceStatus;
  /** ISO timestamp of the newest data the source delivered, null when never loaded. */
  dataAsOf: string | null;
  rowsLoaded: number;
  rowsRejected: number;
  checksFailed: string[];
}

export interface Snapshot {
  snapshotId: string;
  publishedAt: string;
  sources: SnapshotSource[];
}

/** A failed call to Pano's API; `status` 0 means the server could not be reached. */
export class ApiError extends Error {
  readonly status: number;
  readonly retryAfterSeconds: number | null;
  constructor(message: string, options: { status: number; retryAfterSeconds?: number | null; cause?: unknown }) {
    super(message, { cause: options.cause });
    this.name = 'ApiError';
    this.status = options.status;
    this.retryAfterSeconds = options.retryAfterSeconds ?? null;
  }
}

export function getToken(): string | null {
  try {
    return window.sessionStorage.getItem(TOKEN_KEY);
  } catch {
    return null;
  }
}

export function setToken(token: string): void {
  window.sessionStorage.setItem(TOKEN_KEY, token);
}

export function clearToken(): void {
  try {
    window.sessionStorage.removeItem(TOKEN_KEY);
  } catch {
    // storage unavailable: nothing to clear
  }
}

let onUnauthorized: () => void = () => {
  window.location.assign('/giris');
};

/** What happens after a 401 once the token is cleared (the app navigates to /giris; print pages set an error marker). */
export function setUnauthorizedHandler(handler: () => void): void {
  onUnauthorized = handler;
}

/** End the session after a 401 from Pano's API or from Cube. */
export function handleUnauthorized(): void {
  clearToken();
  onUnauthorized();
}

function retryAfter(res: Response): number | null {
  const value = res.headers.get('retry-after');
  if (!value) return null;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, Math.ceil(seconds));
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, Math.ceil((at - Date.now()) / 1000));
}

async function errorText(res: Response): Promise<string> {
  const text = await res.text().catch(() => '');
  try {
    const body = JSON.parse(text) as { error?: unknown; message?: unknown };
    if (typeof body.error === 'string' && body.error) return body.error;
    if (typeof body.message === 'string' && body.message) return body.message;
  } catch {
    // not JSON
  }
  return text.trim().slice(0, 300) || `HTTP ${res.status}`;
}

async function send(path: string, init: RequestInit & { auth?: boolean } = {}): Promise<Response> {
  const { auth = true, ...rest } = init;
  const headers = new Headers(rest.headers);
  headers.set('Accept', 'application/json');
  if (auth) {
    const token = getToken();
    if (!token) {
      handleUnauthorized();
      throw new ApiError('unauthorized', { status: 401 });
    }
    headers.set('Authorization', token);
  }
  try {
    return await fetch(path, { ...rest, headers });
  } catch (cause) {
    throw new ApiError('Sunucuya ulaşılamadı', { status: 0, cause });
  }
}

async function getJson<T>(path: string): Promise<T> {
  const res = await send(path);
  if (res.status === 401) {
    handleUnauthorized();
    throw new ApiError('unauthorized', { status: 401 });
  }
  if (!res.ok) throw new ApiError(await errorText(res), { status: res.status });
  return (await res.json()) as T;
}

export interface LoginResult {
  token: string;
  user: User;
}

/**
 * POST /api/auth/login. A wrong username or password is an ApiError with status 401,
 * rate limiting one with status 429 (and retryAfterSeconds when the server says).
 */
export async function login(username: string, password: string): Promise<LoginResult> {
  const res = await send('/api/auth/login', {
    auth: false,
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  if (!res.ok) {
    throw new ApiError(await errorText(res), { status: res.status, retryAfterSeconds: retryAfter(res) });
  }
  const body = (await res.json()) as LoginResult;
  if (!body?.token || !body.user) throw new ApiError('Sunucudan beklenmeyen yanıt', { status: res.status });
  return body;
}

/** POST /api/auth/logout: the server ends the token (best effort: the browser forgets it either way). */
export async function logout(): Promise<void> {
  const token = getToken();
  if (!token) return;
  try {
    await fetch('/api/auth/logout', { method: 'POST', headers: { Authorization: token, Accept: 'application/json' } });
  } catch {
    // the server is unreachable: the token still ends when it expires
  }
}

/** GET /api/me: who the token belongs to. */
export async function fetchMe(): Promise<User> {
  const body = await getJson<{ user: User }>('/api/me');
  return body.user;
}

/** GET /api/snapshot: the published warehouse and the state of each source; null when nothing is published yet (404). */
export async function fetchSnapshot(): Promise<Snapshot | null> {
  const res = await send('/api/snapshot');
  if (res.status === 401) {
    handleUnauthorized();
    throw new ApiError('unauthorized', { status: 401 });
  }
  if (res.status === 404) return null;
  if (!res.ok) throw new ApiError(await errorText(res), { status: res.status });
  return (await res.json()) as Snapshot;
}

export type { CatalogueMeasure, CatalogueView, KpiCatalogue } from '../../../../common/definitions/kpi/catalogue.js';
import type { KpiCatalogue } from '../../../../common/definitions/kpi/catalogue.js';

/** GET /api/model/catalogue: the measures of every view the caller's role may query. */
export async function fetchCatalogue(): Promise<KpiCatalogue> {
  const body = await getJson<KpiCatalogue>('/api/model/catalogue');
  return { views: Array.isArray(body?.views) ? body.views : [] };
}
