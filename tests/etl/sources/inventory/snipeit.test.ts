import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../../common/config.js';
import { ConfigError, SourceUnavailableError } from '../../../../common/errors.js';
import { inventorySources, snipeItSource } from '../../../../etl/sources/inventory/pipeline.js';
import {
  extractSnipeItHardware,
  maskSnipeItAsset,
  openSnipeIt,
  SnipeItAuthError,
  SnipeItResponseError,
  validateSnipeItAsset,
  type FetchLike,
} from '../../../../etl/sources/inventory/index.js';
import { createEtlHarness, type EtlHarness } from './helpers.js';
import { replaySnipeIt, sampleResponse, sampleRows, type Row } from './snipeit-replay.js';

/** The morning after the sample was captured (its rows were updated on 2 August 2025). */
const NOW = new Date('2025-08-03T07:00:00Z');
const URL_ = 'https://envanter.test';
const TOKEN = 'snipe-token-7f3a91c2';
const TZ = 'Europe/Istanbul';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pano-snipeit-'));
/** The sample's location ("West Alize") is no unit name: a site maps it, as a real site maps its own names. */
const UNIT_MAP = path.join(tmp, 'units.json');
fs.writeFileSync(UNIT_MAP, JSON.stringify({ 'West Alize': 'BILGI_ISLEM' }));
const unitMap = new Map([['west alize', 'BILGI_ISLEM']]);
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

async function collect(fetch: FetchLike, cfg: Record<string, unknown> = {}) {
  const h = openSnipeIt({ url: URL_, token: TOKEN, ...cfg }, fetch);
  const pages: Row[][] = [];
  for await (const p of extractSnipeItHardware(h)) pages.push(p);
  return { h, pages, rows: pages.flat() };
}

describe('Snipe-IT connector: paging the real /api/v1/hardware sample', () => {
  it('reads every row page by page (limit/offset until total), then the archived ones; the token only in the header', async () => {
    const replay = replaySnipeIt({ rows: sampleRows(2) });
    const { h, pages, rows } = await collect(replay.fetch, { pageSize: 1 });
    expect(pages).toHaveLength(2);
    expect(rows.map((r) => r.id)).toEqual([2596, 2597]);
    expect(replay.requests.map((r) => r.url)).toEqual([
      'https://envanter.test/api/v1/hardware?limit=1&offset=0&sort=id&order=asc',
      'https://envanter.test/api/v1/hardware?limit=1&offset=1&sort=id&order=asc',
      'https://envanter.test/api/v1/hardware?limit=1&offset=0&sort=id&order=asc&status=Archived',
    ]);
    for (const r of replay.requests) {
      expect(r.headers).toEqual({ Accept: 'application/json', Authorization: `Bearer ${TOKEN}` });
      expect(r.url).not.toContain(TOKEN);
    }
    expect(h.passes).toEqual([
      { status: 'default', total: 2, received: 2, duplicates: 0, requests: 2 },
      { status: 'Archived', total: 0, received: 0, duplicates: 0, requests: 1 },
    ]);
  });

  it('follows the server when it caps limit below the page size asked for (MAX_RESULTS)', async () => {
    const replay = replaySnipeIt({ rows: sampleRows(7), maxLimit: 3 });
    const { rows, h } = await collect(replay.fetch, { pageSize: 500, includeArchived: false });
    expect(rows).toHaveLength(7);
    expect(new Set(rows.map((r) => r.id)).size).toBe(7);
    expect(replay.requests.map((r) => new URL(r.url).searchParams.get('offset'))).toEqual(['0', '3', '6']);
    expect(h.passes[0]).toMatchObject({ total: 7, received: 7, requests: 3 });
  });

  it('adds archived assets, skipping ids the default listing already had ("show archived in list" on)', async () => {
    const rows = sampleRows(3);
    const archivedNew = {
      ...structuredClone(rows[0]),
      id: 4001,
      asset_tag: '4001',
      status_label: { id: 4, name: 'Archived', status_type: 'archived', status_meta: 'archived' },
    };
    const replay = replaySnipeIt({ rows, archived: [structuredClone(rows[1]), archivedNew] });
    const { rows: got, h } = await collect(replay.fetch, { pageSize: 2 });
    expect(got.map((r) => r.id)).toEqual([2596, 2597, rows[2].id, 4001]);
    expect(h.passes[1]).toEqual({ status: 'Archived', total: 2, received: 2, duplicates: 1, requests: 1 });
  });

  it('accepts the URL with /api/v1 and a trailing slash', async () => {
    const replay = replaySnipeIt({ rows: sampleRows(1) });
    const h = openSnipeIt({ url: 'https://envanter.test:8443/snipe/api/v1/', token: TOKEN, includeArchived: false }, replay.fetch);
    for await (const _ of extractSnipeItHardware(h)) void _;
    expect(replay.requests[0].url).toBe('https://envanter.test:8443/snipe/api/v1/hardware?limit=500&offset=0&sort=id&order=asc');
    expect(h.host).toBe('envanter.test:8443');
  });
});

describe('Snipe-IT row schema on the real sample', () => {
  const [monitor, deployed] = sampleResponse().rows;

  it('lands the sample rows: dates {date, formatted}, costs "1,243.96", status meta, names', () => {
    const v = validateSnipeItAsset(monitor, { timezone: TZ, unitMap });
    expect(v).toEqual({
      ok: true,
      row: expect.objectContaining({
        asset_key: 'snipeit:2596',
        source_id: '2596',
        asset_id: 2596,
        name: null,
        inventory_number: '118086895',
        serial: '514feaac-0b0e-3d95-8930-b0d3d24867a6',
        asset_type: 'Monitör',
        subtype: 'Displays',
        category: 'Displays',
        manufacturer: 'Dell',
        model: 'Ultrasharp U2415',
        model_number: '6011425921534031',
        supplier: 'Kreiger, Simonis and Bauch',
        state_name: 'Ready to Deploy',
        status_meta: 'deployable',
        status: 'in_stock',
        status_label: 'Depoda',
        location: 'West Alize',
        company: null,
        group_name: null,
        unit_code: 'BILGI_ISLEM',
        unit_resolved_via: 'map',
        purchase_date: '2025-04-26',
        value: 1243.96,
        book_value: 932.97,
        eol_date: '2026-04-26',
        warranty_months: null,
        warranty_end: null,
        warranty_lifelong: false,
        assigned_type: null,
        order_number: '8301956',
        created_at: new Date('2025-08-02T11:43:03Z'),
        modified_at: new Date('2025-08-02T11:43:30Z'),
        decommissioned_at: null,
      }),
    });
    const d = validateSnipeItAsset(deployed, { timezone: TZ, unitMap });
    expect(d.ok && d.row).toMatchObject({ status: 'in_use', status_meta: 'deployed', value: 2192.31, book_value: 1278.85, assigned_type: 'user' });
  });

  it.each<[string, (r: Row) => void, Record<string, unknown>]>([
    ['Turkish digit separator', (r) => (r.purchase_cost = '1.234,56'), { value: 1234.56 }],
    ['no cost', (r) => (r.purchase_cost = null), { value: null }],
    [
      'warranty "36 months" from the purchase date',
      (r) => {
        r.warranty_months = '36 months';
        r.warranty_expires = null;
      },
      { warranty_months: 36, warranty_start: '2025-04-26', warranty_end: '2028-04-26' },
    ],
    [
      'warranty "24 ay" with Snipe-IT\'s own expiry',
      (r) => {
        r.warranty_months = '24 ay';
        r.warranty_expires = { date: '2027-04-26', formatted: '26.04.2027' };
      },
      { warranty_months: 24, warranty_end: '2027-04-26' },
    ],
    [
      'company named like a unit',
      (r) => {
        r.company = { id: 1, name: 'Zabıta Müdürlüğü' };
        r.location = r.rtd_location = { id: 4, name: 'Merkez' };
      },
      { unit_code: 'ZABITA', unit_resolved_via: 'company', group_name: 'Zabıta Müdürlüğü', location: 'Merkez' },
    ],
    [
      'the map comes before names: a mapped location beats a company named like a unit',
      (r) => (r.company = { id: 1, name: 'Zabıta Müdürlüğü' }),
      { unit_code: 'BILGI_ISLEM', unit_resolved_via: 'map' },
    ],
    ['HTML-escaped names', (r) => (r.name = 'Fen &amp; Park ekran'), { name: 'Fen & Park ekran' }],
    [
      'archived label',
      (r) => (r.status_label = { id: 3, name: 'Hurdaya ayrıldı', status_type: 'archived', status_meta: 'archived' }),
      { status: 'scrapped', state_name: 'Hurdaya ayrıldı' },
    ],
    [
      'undeployable label',
      (r) => (r.status_label = { id: 2, name: 'Out for Repair', status_type: 'undeployable', status_meta: 'undeployable' }),
      { status: 'out_of_service' },
    ],
    ['no meta: the name decides', (r) => (r.status_label = { id: 9, name: 'Arızalı' }), { status: 'out_of_service' }],
    ['laptop category', (r) => (r.category = { id: 2, name: 'Laptops' }), { asset_type: 'Bilgisayar' }],
  ])('%s', (_what, change, expected) => {
    const r = structuredClone(monitor);
    change(r);
    const v = validateSnipeItAsset(r, { timezone: TZ, unitMap });
    expect(v.ok).toBe(true);
    expect(v.ok && v.row).toMatchObject(expected);
  });

  it.each<[string, (r: Row) => void, string]>([
    ['unparseable cost', (r) => (r.purchase_cost = '12,3,4.5x'), 'purchase_cost "12,3,4.5x" is not an amount (expected e.g. 1.234,56 or 1,234.56)'],
    ['negative cost', (r) => (r.purchase_cost = '-10.00'), 'purchase_cost -10 is negative'],
    [
      'unknown unit',
      (r) => (r.location = r.rtd_location = { id: 9, name: 'Narnia Şubesi' }),
      'unit cannot be resolved: asset has no company, and location "Narnia Şubesi" is not a unit either, and default location "Narnia Şubesi" is not a unit either (map the name to a unit code in PANO_GLPI_UNIT_MAP)',
    ],
    ['no id', (r) => delete r.id, 'id null is not a positive integer'],
    [
      'impossible purchase date',
      (r) => (r.purchase_date = { date: '2025-02-30', formatted: 'Sun Feb 30, 2025' }),
      'purchase_date "2025-02-30" is not a real calendar date',
    ],
    [
      'unreadable created_at',
      (r) => (r.created_at = { datetime: 'yesterday', formatted: 'yesterday' }),
      `created_at "yesterday" is not a date-time 'YYYY-MM-DD HH:MM:SS'`,
    ],
    ['warranty months not a number', (r) => (r.warranty_months = 'lifetime'), 'warranty_months "lifetime" does not start with a number of months'],
  ])('%s is refused with a reason', (_what, change, reason) => {
    const r = structuredClone(monitor);
    change(r);
    expect(validateSnipeItAsset(r, { timezone: TZ, unitMap })).toMatchObject({ ok: false, reason });
  });

  it('masks the person an asset is checked out to and custom field values in the quarantine copy', () => {
    const r = structuredClone(deployed);
    r.custom_fields = { 'TC Kimlik': { field: '_snipeit_tc_1', value: '10000000146' } };
    r.notes = 'Zimmet: 10000000146';
    const masked = JSON.stringify(maskSnipeItAsset(r));
    for (const secret of ['Priscilla', 'Erdman', 'gwendolyn65', 'lizeth.padberg@example.org', '14892', '10000000146']) expect(masked).not.toContain(secret);
    expect(JSON.parse(masked).assigned_to).toEqual({ type: 'user', id: 41 });
    expect(JSON.parse(masked).asset_tag).toBe('84043242');
  });
});

describe('Snipe-IT through the runner', () => {
  let etl: EtlHarness;
  beforeEach(async () => {
    etl = await createEtlHarness('pano-snipeit-etl-');
  });
  afterEach(() => etl.close());

  const source = (fetch: FetchLike, extra: Record<string, unknown> = {}) =>
    snipeItSource({ url: URL_, token: TOKEN, timezone: TZ, businessTimezone: TZ, unitMapFile: UNIT_MAP, pageSize: 2, fetch, ...extra });

  it('loads the sample split over pages, records the day, passes every check; a rerun the same day changes nothing', async () => {
    const rows = sampleRows(5);
    const r = await etl.run([source(replaySnipeIt({ rows }).fetch)], NOW);
    expect(r.failed).toBe(false);
    const s = r.sources[0];
    expect(s).toMatchObject({ source: 'snipeit', status: 'ok', rowsRead: 5, rowsLoaded: 5, rowsRejected: 0 });
    expect(s.checks.filter((c) => !c.passed)).toEqual([]);
    expect(s.checks.find((c) => c.name === 'complete')?.detail).toBe(
      '5 of 5 rows announced by Snipe-IT received (default: 5/5 in 3 requests; Archived: 0/0 in 1 requests)',
    );
    const loaded = await etl.query('SELECT asset_key, unit_code, value FROM raw_inventory.snipeit_assets ORDER BY asset_id');
    expect(loaded.map((x) => x.asset_key)).toEqual(rows.map((x) => `snipeit:${x.id}`));
    expect(loaded[0]).toEqual({ asset_key: 'snipeit:2596', unit_code: 'BILGI_ISLEM', value: 1243.96 });

    const again = await etl.run([source(replaySnipeIt({ rows }).fetch)], new Date(NOW.getTime() + 3 * 3600_000));
    expect(again.sources[0].status).toBe('ok');
    expect(await etl.query(`SELECT strftime("day", '%Y-%m-%d') AS day, count(*)::INT AS n FROM raw_inventory.snipeit_asset_daily GROUP BY ALL`)).toEqual([
      { day: '2025-08-03', n: 5 },
    ]);
  });

  it('quarantines bad rows with reason and locator, loads the rest, loses nothing', async () => {
    const rows = sampleRows(6);
    rows[1].purchase_cost = '12,3,4.5x';
    rows[2].location = rows[2].rtd_location = { id: 77, name: 'Narnia Şubesi' };
    rows[3].purchase_date = { date: '2025-02-30', formatted: 'x' };
    rows[4].assigned_to = { id: 5, name: 'Ayşe Yılmaz', email: 'ayse@sultanbeyli.bel.tr', type: 'user' };
    rows[4].purchase_cost = 'bedelsiz';
    const r = await etl.run([source(replaySnipeIt({ rows }).fetch)], NOW);
    const s = r.sources[0];
    expect(s).toMatchObject({ status: 'warn', rowsRead: 6, rowsLoaded: 2, rowsRejected: 4 });
    expect(s.checksFailed).toEqual(['references_resolve']);
    const q = await etl.quarantine('snipeit');
    expect(q.map((x) => [x.locator, x.reason])).toEqual([
      [`/api/v1/hardware id=${rows[1].id} (asset_tag ${rows[1].asset_tag})`, 'purchase_cost "12,3,4.5x" is not an amount (expected e.g. 1.234,56 or 1,234.56)'],
      [
        `/api/v1/hardware id=${rows[2].id} (asset_tag ${rows[2].asset_tag})`,
        expect.stringMatching(/^unit cannot be resolved: asset has no company, and location "Narnia Şubesi" is not a unit either/),
      ],
      [`/api/v1/hardware id=${rows[3].id} (asset_tag ${rows[3].asset_tag})`, 'purchase_date "2025-02-30" is not a real calendar date'],
      [`/api/v1/hardware id=${rows[4].id} (asset_tag ${rows[4].asset_tag})`, 'purchase_cost "bedelsiz" is not an amount (expected e.g. 1.234,56 or 1,234.56)'],
    ]);
    expect(q.every((x) => x.location === 'Snipe-IT envanter.test /api/v1/hardware')).toBe(true);
    expect(JSON.parse(q[3].record_json).assigned_to).toEqual({ type: 'user', id: 5 });
    expect(q.map((x) => x.record_json).join()).not.toMatch(/Ayşe|ayse@/);
    const n = await etl.query('SELECT count(*)::INT AS n FROM raw_inventory.snipeit_assets');
    expect(n[0].n + q.length).toBe(rows.length);
  });

  type Bad = { fail?: Parameters<typeof replaySnipeIt>[0]['fail']; total?: number; token?: string | null; error: RegExp; retryable?: boolean };
  it.each<[string, Bad]>([
    [
      'HTTP 500 on the second page',
      {
        fail: { 1: { status: 500, statusText: 'Internal Server Error', body: '<h1>Whoops</h1>', contentType: 'text/html' } },
        error: /^Snipe-IT at envanter\.test answered HTTP 500 Internal Server Error for \/api\/v1\/hardware \(offset 2\)/,
        retryable: true,
      },
    ],
    [
      'HTTP 401: wrong token',
      {
        fail: { 0: { status: 401, statusText: 'Unauthorized', body: '{"status":"error","message":"Unauthorized."}' } },
        error: /^Snipe-IT at envanter\.test refused the API token \(HTTP 401 Unauthorized\) for \/api\/v1\/hardware \(offset 0\): check PANO_SNIPEIT_TOKEN/,
        retryable: false,
      },
    ],
    [
      'HTML login page instead of JSON',
      {
        fail: { 0: { status: 200, body: '<!DOCTYPE html><html><title>Snipe-IT Login</title>', contentType: 'text/html; charset=UTF-8' } },
        error:
          /^Snipe-IT at envanter\.test sent a response that is not JSON for \/api\/v1\/hardware \(offset 0\) \(text\/html; charset=UTF-8, 50 bytes\): .*Is PANO_SNIPEIT_URL the Snipe-IT address\?/,
        retryable: false,
      },
    ],
    [
      'truncated JSON',
      {
        fail: { 1: { status: 200, body: '{"total": 4, "rows": [{"id": 3' } },
        error: /sent a response that is not JSON for \/api\/v1\/hardware \(offset 2\)/,
        retryable: false,
      },
    ],
    [
      'JSON that is not a listing',
      {
        fail: { 0: { status: 200, body: '{"data": []}' } },
        error: /sent JSON without a "rows" array for \/api\/v1\/hardware \(offset 0\): not a \/api\/v1\/hardware listing/,
        retryable: false,
      },
    ],
    [
      'Snipe-IT error JSON with HTTP 200',
      {
        fail: { 0: { status: 200, body: '{"status":"error","messages":"Unauthenticated.","payload":null}' } },
        error: /answered with an error for \/api\/v1\/hardware \(offset 0\): Unauthenticated\. \(check PANO_SNIPEIT_TOKEN\)/,
        retryable: false,
      },
    ],
    [
      'server down',
      {
        fail: { 0: { throws: Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } }) } },
        error: /^Snipe-IT at envanter\.test is unreachable: fetch failed \(ECONNREFUSED\)/,
        retryable: true,
      },
    ],
    [
      'no answer in time',
      {
        fail: { 0: { throws: new DOMException('The operation was aborted due to timeout', 'TimeoutError') } },
        error: /^Snipe-IT at envanter\.test is unreachable: no answer within 30 s/,
        retryable: true,
      },
    ],
    ['token not configured', { token: null, error: /^Invalid Snipe-IT source settings:\n {2}PANO_SNIPEIT_TOKEN: is required when PANO_SNIPEIT_URL is set/ }],
    [
      'fewer rows than the announced total (the raw sample says 2547)',
      {
        total: 2547,
        error:
          /quality check failed \(complete: 4 of 2547 rows announced by Snipe-IT received \(default: 4\/2547 in 3 requests; Archived: 0\/0 in 1 requests\)\)/,
      },
    ],
  ])('%s: the source fails with a clear error, the token never shows, the last good data keeps serving', async (_what, bad) => {
    const rows = sampleRows(4);
    const good = await etl.run([source(replaySnipeIt({ rows }).fetch)], NOW);
    expect(good.sources[0].status).toBe('ok');
    const serving = etl.store.current()!.snapshotId;

    const replay = replaySnipeIt({ rows, fail: bad.fail, total: bad.total });
    const cfg = bad.token === null ? { token: undefined } : {};
    const r = await etl.run([source(replay.fetch, cfg)], new Date(NOW.getTime() + 86_400_000));
    const s = r.sources[0];
    expect(s.status).toBe('failed');
    expect(s.message).toMatch(bad.error);
    expect(s.message).toMatch(/ — son başarılı veriler korunuyor$/);
    expect(r.manifest).toBeNull(); // nothing else ran: nothing new is published
    expect(etl.store.current()!.snapshotId).toBe(serving);
    expect(await etl.query('SELECT count(*)::INT AS n FROM raw_inventory.snipeit_assets')).toEqual([{ n: 4 }]);
    const runs = await etl.appDb('etl_runs').select();
    expect(JSON.stringify(runs)).not.toContain(TOKEN);
    expect(runs.at(-1)).toMatchObject({ source: 'snipeit', status: 'failed' });
  });

  it.each<[string, FetchLike, unknown, boolean]>([
    ['HTTP 500', replaySnipeIt({ rows: [], fail: { 0: { status: 500, statusText: 'Internal Server Error' } } }).fetch, SourceUnavailableError, true],
    ['HTTP 403', replaySnipeIt({ rows: [], fail: { 0: { status: 403, statusText: 'Forbidden' } } }).fetch, SnipeItAuthError, false],
    ['not JSON', replaySnipeIt({ rows: [], fail: { 0: { body: 'oops' } } }).fetch, SnipeItResponseError, false],
  ])('%s raises the typed error with the right retry flag', async (_what, fetch, type, retryable) => {
    const err = await collect(fetch).catch((e) => e);
    expect(err).toBeInstanceOf(type);
    expect(err.retryable).toBe(retryable);
    expect(String(err.message)).not.toContain(TOKEN);
  });

  it('a bad URL or token is a configuration error naming the variable', () => {
    expect(() => openSnipeIt({ url: 'envanter', token: TOKEN })).toThrow(ConfigError);
    expect(() => openSnipeIt({ url: 'envanter', token: TOKEN })).toThrow(/PANO_SNIPEIT_URL: must be an http\(s\) URL/);
    expect(() => openSnipeIt({ url: URL_, token: '  ' })).toThrow(/PANO_SNIPEIT_TOKEN: is empty/);
  });
});

describe('Snipe-IT over real HTTP (the default fetch)', () => {
  let server: http.Server;
  let base: string;
  const seen: Array<{ url: string; auth: string | undefined }> = [];
  beforeAll(async () => {
    const rows = sampleRows(3);
    server = http.createServer((req, res) => {
      seen.push({ url: req.url!, auth: req.headers.authorization });
      if (req.headers.authorization !== `Bearer ${TOKEN}`) {
        res.writeHead(401, { 'content-type': 'application/json' }).end('{"status":"error","message":"Unauthorized."}');
        return;
      }
      const u = new URL(req.url!, 'http://x');
      const list = u.searchParams.get('status') === 'Archived' ? [] : rows;
      const offset = Number(u.searchParams.get('offset'));
      const limit = Number(u.searchParams.get('limit'));
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ total: list.length, rows: list.slice(offset, offset + limit) }));
    });
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((ok) => server.close(() => ok())));

  it('pages with the real fetch and sends the token as a Bearer header', async () => {
    const h = openSnipeIt({ url: base, token: TOKEN, pageSize: 2 });
    const rows: Row[] = [];
    for await (const p of extractSnipeItHardware(h)) rows.push(...p);
    expect(rows).toHaveLength(3);
    expect(seen.map((s) => s.url)).toEqual([
      '/api/v1/hardware?limit=2&offset=0&sort=id&order=asc',
      '/api/v1/hardware?limit=2&offset=2&sort=id&order=asc',
      '/api/v1/hardware?limit=2&offset=0&sort=id&order=asc&status=Archived',
    ]);
    expect(new Set(seen.map((s) => s.auth))).toEqual(new Set([`Bearer ${TOKEN}`]));
  });

  it('a wrong token is a clear, non-retryable error', async () => {
    const h = openSnipeIt({ url: base, token: 'wrong-token-123' });
    const err = await (async () => {
      for await (const _ of extractSnipeItHardware(h)) void _;
    })().catch((e) => e);
    expect(err).toBeInstanceOf(SnipeItAuthError);
    expect(err.message).toMatch(/^Snipe-IT at 127\.0\.0\.1:\d+ refused the API token \(HTTP 401 Unauthorized\)/);
    expect(err.message).not.toContain('wrong-token-123');
  });

  it('a closed port is unreachable, named by host and port', async () => {
    const probe = http.createServer();
    await new Promise<void>((ok) => probe.listen(0, '127.0.0.1', ok));
    const port = (probe.address() as AddressInfo).port;
    await new Promise<void>((ok) => probe.close(() => ok()));
    const h = openSnipeIt({ url: `http://127.0.0.1:${port}`, token: TOKEN });
    const err = await (async () => {
      for await (const _ of extractSnipeItHardware(h)) void _;
    })().catch((e) => e);
    expect(err).toBeInstanceOf(SourceUnavailableError);
    expect(err.message).toBe(`Snipe-IT at 127.0.0.1:${port} is unreachable: fetch failed (ECONNREFUSED)`);
  });
});

describe('inventorySources', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pano-invsrc-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  const base = { PANO_MODE: 'demo', PANO_DATA_DIR: dir, PANO_LOG_LEVEL: 'silent' };

  it('has GLPI assets always and Snipe-IT only when PANO_SNIPEIT_URL is set', () => {
    expect(inventorySources(loadConfig(base)).map((s) => [s.id, s.system, s.title])).toEqual([['glpi_assets', 'inventory', 'GLPI Envanter']]);
    const both = inventorySources(loadConfig({ ...base, PANO_SNIPEIT_URL: 'https://envanter.example.org', PANO_SNIPEIT_TOKEN: TOKEN }));
    expect(both.map((s) => [s.id, s.system, s.raw.schema, s.raw.table, s.extraTables])).toEqual([
      ['glpi_assets', 'inventory', 'raw_inventory', 'glpi_assets', ['asset_daily']],
      ['snipeit', 'inventory', 'raw_inventory', 'snipeit_assets', ['snipeit_asset_daily']],
    ]);
    expect(JSON.stringify(both.map((s) => s.location))).not.toContain(TOKEN);
  });
});
