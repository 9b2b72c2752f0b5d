import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FetchLike } from '../../../../etl/sources/inventory/snipeit-extract.js';

/**
 * Replays Snipe-IT's /api/v1/hardware from the real captured response in ../shared/samples/snipeit/
 * (a GET against the public Snipe-IT demo; see the samples README), paged the way the server pages:
 * `limit`, `offset`, `status=Archived`, `total` of the whole listing.
 */
const here = path.dirname(fileURLToPath(import.meta.url));
export const SNIPEIT_SAMPLE = path.resolve(here, '../../../../../shared/samples/snipeit/snipeit-api-v1-hardware-demo-response.json');

export type Row = Record<string, any>;

export function sampleResponse(): { total: number; rows: Row[] } {
  return JSON.parse(fs.readFileSync(SNIPEIT_SAMPLE, 'utf8'));
}

/** The sample's rows, plus copies with new ids (and asset tags) when more are wanted. */
export function sampleRows(n = 2): Row[] {
  const base = sampleResponse().rows;
  return Array.from({ length: n }, (_, i) => {
    const r = structuredClone(base[i % base.length]);
    if (i >= base.length) {
      r.id = 10_000 + i;
      r.asset_tag = String(Number(base[i % base.length].asset_tag) + i);
    }
    return r;
  });
}

export interface ReplayOptions {
  /** Rows of the default listing and of `status=Archived`. */
  rows: Row[];
  archived?: Row[];
  /** The server's own cap on `limit` (Snipe-IT's MAX_RESULTS). */
  maxLimit?: number;
  /** Overrides the `total` the server reports for the default listing (e.g. the sample's 2547). */
  total?: number;
  /** Per request (0-based): a status code, a raw body, or an exception to answer with instead. */
  fail?: Record<number, { status?: number; statusText?: string; body?: string; contentType?: string; throws?: unknown }>;
  /** The token the server accepts (default: any). */
  token?: string;
}

export interface Replay {
  fetch: FetchLike;
  requests: Array<{ url: string; headers: Record<string, string> }>;
}

export function replaySnipeIt(o: ReplayOptions): Replay {
  const requests: Replay['requests'] = [];
  const fetch: FetchLike = async (url, init) => {
    const n = requests.length;
    requests.push({ url, headers: init.headers });
    const f = o.fail?.[n];
    if (f?.throws) throw f.throws;
    const respond = (status: number, statusText: string, body: string, contentType = 'application/json') => ({
      ok: status >= 200 && status < 300,
      status,
      statusText,
      headers: { get: (h: string) => (h.toLowerCase() === 'content-type' ? contentType : null) },
      text: async () => body,
    });
    if (f) return respond(f.status ?? 200, f.statusText ?? 'OK', f.body ?? '', f.contentType);
    if (o.token && init.headers.Authorization !== `Bearer ${o.token}`) {
      return respond(401, 'Unauthorized', JSON.stringify({ status: 'error', message: 'Unauthorized.' }));
    }
    const u = new URL(url);
    const archived = u.searchParams.get('status') === 'Archived';
    const list = archived ? (o.archived ?? []) : o.rows;
    const limit = Math.min(Number(u.searchParams.get('limit') ?? 50), o.maxLimit ?? 500);
    const offset = Number(u.searchParams.get('offset') ?? 0);
    const total = archived ? list.length : (o.total ?? list.length);
    return respond(200, 'OK', JSON.stringify({ total, rows: list.slice(offset, offset + limit) }));
  };
  return { fetch, requests };
}
