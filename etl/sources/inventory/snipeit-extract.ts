import { IANAZone } from 'luxon';
import { z } from 'zod';
import { ConfigError, errorMessage, SourceUnavailableError } from '../../../common/errors.js';

/**
 * The Snipe-IT connector's I/O: `GET /api/v1/hardware` page by page (`limit`/`offset`, sorted by id)
 * until the `total` the server reports, then the archived assets (`status=Archived`), which Snipe-IT
 * leaves out of the default listing unless "show archived in list" is on. `fetch` is injected, so
 * tests replay captured responses. The API token travels only in the Authorization header; errors
 * name the host and never the token.
 */

export const snipeItConfigSchema = z
  .object({
    /** Base URL of Snipe-IT, e.g. https://envanter.sultanbeyli.bel.tr (with or without /api/v1). */
    url: z
      .string()
      .trim()
      .url('must be an http(s) URL such as https://envanter.example.org')
      .refine((u) => /^https?:\/\//i.test(u), { message: 'must be an http(s) URL such as https://envanter.example.org' }),
    /** Personal API token of a read-only Snipe-IT user (Bearer). */
    token: z.string().trim().min(1, 'is empty: create an API key in Snipe-IT (Account → Manage API Keys)'),
    /** Zone of Snipe-IT's datetimes (its APP_TIMEZONE); Pano stores instants in UTC. */
    timezone: z
      .string()
      .default('Europe/Istanbul')
      .refine((tz) => IANAZone.isValidZone(tz), { message: 'is not an IANA time zone' }),
    /** Assets per request; Snipe-IT caps it at its own MAX_RESULTS (default 500). */
    pageSize: z.number().int().min(1).max(5000).default(500),
    /** Also read archived assets (scrapped, lost …). Default true. */
    includeArchived: z.boolean().default(true),
    /** Per-request timeout. */
    timeoutMs: z.number().int().min(1000).default(30_000),
  })
  .strict();

export type SnipeItConfig = z.infer<typeof snipeItConfigSchema>;
export type SnipeItConfigInput = z.input<typeof snipeItConfigSchema>;

const ENV_NAMES: Record<string, string> = { url: 'PANO_SNIPEIT_URL', token: 'PANO_SNIPEIT_TOKEN', timezone: 'PANO_TIMEZONE' };

/** Parses the Snipe-IT settings, every bad key at once, named by its environment variable (the token is never shown). */
export function parseSnipeItConfig(input: unknown): SnipeItConfig {
  const parsed = snipeItConfigSchema.safeParse(input);
  if (parsed.success) return parsed.data;
  const lines = parsed.error.issues.map((i) => {
    const key = String(i.path[0] ?? '');
    const message = key === 'token' && i.code === 'invalid_type' ? 'is required when PANO_SNIPEIT_URL is set' : i.message;
    return `  ${ENV_NAMES[key] ?? (key || 'snipeit')}: ${message}`;
  });
  throw new ConfigError(`Invalid Snipe-IT source settings:\n${lines.join('\n')}`);
}

/** The subset of `fetch` the connector uses (injected in tests). */
export type FetchLike = (
  url: string,
  init: { method: string; headers: Record<string, string>; signal?: AbortSignal },
) => Promise<{
  ok: boolean;
  status: number;
  statusText: string;
  headers: { get(name: string): string | null };
  text(): Promise<string>;
}>;

/** Snipe-IT answered, but not with a hardware page (HTML login page, error JSON, wrong shape). Retrying will not help. */
export class SnipeItResponseError extends SourceUnavailableError {
  override readonly code: string = 'source_bad_response';
  override readonly retryable: boolean = false;
}

/** Snipe-IT refused the token (HTTP 401/403). Retrying will not help. */
export class SnipeItAuthError extends SourceUnavailableError {
  override readonly code: string = 'source_unauthorized';
  override readonly retryable: boolean = false;
}

/** One listing pass: the default listing or the archived assets. */
export interface SnipeItPass {
  status: 'default' | 'Archived';
  /** `total` as the server last reported it. */
  total: number;
  /** Rows received in this pass (duplicates of an earlier pass included). */
  received: number;
  /** Rows skipped because an earlier pass already returned the same id. */
  duplicates: number;
  requests: number;
}

export interface SnipeItHandle {
  cfg: SnipeItConfig;
  fetch: FetchLike;
  /** Host (and port) of the server, for messages. */
  host: string;
  /** The /api/v1 base, without a trailing slash. */
  apiBase: string;
  /** Filled while extracting: what each pass saw, for the completeness check. */
  passes: SnipeItPass[];
}

/** Checks the settings and prepares the client; no request is made yet. */
export function openSnipeIt(input: SnipeItConfigInput | SnipeItConfig, fetchImpl: FetchLike = globalThis.fetch as unknown as FetchLike): SnipeItHandle {
  const cfg = parseSnipeItConfig(input);
  const u = new URL(cfg.url);
  const base = `${u.origin}${u.pathname.replace(/\/+$/, '').replace(/\/api\/v1$/, '')}/api/v1`;
  return { cfg, fetch: fetchImpl, host: u.port ? `${u.hostname}:${u.port}` : u.hostname, apiBase: base, passes: [] };
}

/** A raw hardware row as Snipe-IT's AssetsTransformer writes it (only the fields Pano reads are typed). */
export type RawSnipeItAsset = Record<string, unknown> & { id?: unknown };

/**
 * Every asset of the default listing, then the archived ones (ids seen before are skipped), in
 * pages of plain objects. Stops a pass when `offset` reaches `total` or a page comes back empty.
 */
export async function* extractSnipeItHardware(h: SnipeItHandle): AsyncGenerator<RawSnipeItAsset[]> {
  h.passes = [];
  const seen = new Set<string>();
  const statuses: Array<SnipeItPass['status']> = h.cfg.includeArchived ? ['default', 'Archived'] : ['default'];
  for (const status of statuses) {
    const pass: SnipeItPass = { status, total: 0, received: 0, duplicates: 0, requests: 0 };
    h.passes.push(pass);
    let offset = 0;
    for (;;) {
      const page = await fetchPage(h, offset, status);
      pass.requests++;
      pass.total = page.total;
      if (page.rows.length === 0) break;
      pass.received += page.rows.length;
      offset += page.rows.length;
      const fresh: RawSnipeItAsset[] = [];
      for (const row of page.rows) {
        const id = row && typeof row === 'object' ? String((row as RawSnipeItAsset).id ?? '') : '';
        if (id !== '' && seen.has(id)) {
          pass.duplicates++;
          continue;
        }
        if (id !== '') seen.add(id);
        fresh.push((row && typeof row === 'object' ? row : { value: row }) as RawSnipeItAsset);
      }
      if (fresh.length) yield fresh;
      if (offset >= page.total) break;
    }
  }
}

interface HardwarePage {
  total: number;
  rows: unknown[];
}

async function fetchPage(h: SnipeItHandle, offset: number, status: SnipeItPass['status']): Promise<HardwarePage> {
  const params = new URLSearchParams({ limit: String(h.cfg.pageSize), offset: String(offset), sort: 'id', order: 'asc' });
  if (status !== 'default') params.set('status', status);
  const url = `${h.apiBase}/hardware?${params}`;
  const where = `Snipe-IT at ${h.host}`;
  const what = `/api/v1/hardware (offset ${offset}${status !== 'default' ? `, status=${status}` : ''})`;
  let res: Awaited<ReturnType<FetchLike>>;
  try {
    res = await h.fetch(url, {
      method: 'GET',
      headers: { Accept: 'application/json', Authorization: `Bearer ${h.cfg.token}` },
      signal: AbortSignal.timeout(h.cfg.timeoutMs),
    });
  } catch (e) {
    throw new SourceUnavailableError(`${where} is unreachable: ${describeFetchError(e, h.cfg.timeoutMs)}`.split(h.cfg.token).join('***'), e);
  }
  let body: string;
  try {
    body = await res.text();
  } catch (e) {
    throw new SourceUnavailableError(`${where}: the response to ${what} broke off: ${errorMessage(e)}`, e);
  }
  if (res.status === 401 || res.status === 403) {
    throw new SnipeItAuthError(
      `${where} refused the API token (HTTP ${res.status} ${res.statusText || ''}`.trimEnd() +
        `) for ${what}: check PANO_SNIPEIT_TOKEN and the user's permissions`,
    );
  }
  if (!res.ok) {
    throw new SourceUnavailableError(`${where} answered HTTP ${res.status} ${res.statusText || ''}`.trimEnd() + ` for ${what}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch (e) {
    const type = res.headers.get('content-type') ?? 'no content type';
    throw new SnipeItResponseError(
      `${where} sent a response that is not JSON for ${what} (${type}, ${body.length} bytes): ${errorMessage(e)}. Is PANO_SNIPEIT_URL the Snipe-IT address?`,
      e,
    );
  }
  const obj = json as { total?: unknown; rows?: unknown; status?: unknown; messages?: unknown; message?: unknown };
  if (obj && typeof obj === 'object' && obj.status === 'error') {
    const msg = typeof obj.messages === 'string' ? obj.messages : JSON.stringify(obj.messages ?? obj.message ?? '');
    const auth = /unauthori[sz]ed|unauthenticated|token/i.test(msg);
    const E = auth ? SnipeItAuthError : SnipeItResponseError;
    throw new E(`${where} answered with an error for ${what}: ${msg}${auth ? ' (check PANO_SNIPEIT_TOKEN)' : ''}`);
  }
  if (!obj || typeof obj !== 'object' || !Array.isArray(obj.rows)) {
    throw new SnipeItResponseError(`${where} sent JSON without a "rows" array for ${what}: not a /api/v1/hardware listing`);
  }
  const total = Number(obj.total);
  if (!Number.isInteger(total) || total < 0) {
    throw new SnipeItResponseError(`${where} sent a listing without a valid "total" for ${what} (got ${JSON.stringify(obj.total)})`);
  }
  return { total, rows: obj.rows };
}

function describeFetchError(e: unknown, timeoutMs: number): string {
  const err = e as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (err?.name === 'TimeoutError' || err?.name === 'AbortError') return `no answer within ${Math.round(timeoutMs / 1000)} s`;
  const cause = err?.cause?.code ?? err?.cause?.message;
  return cause ? `${err?.message ?? 'fetch failed'} (${cause})` : (err?.message ?? String(e));
}
