import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../common/logger.js';
import { startServer, type RunningServer } from '../../portal/server/index.js';
import { measureMatcher } from '../../portal/web/src/features/catalogue/catalogue.js';
import type { KpiCatalogue } from '../../portal/web/src/lib/api.js';
import { createPanoEnv, login, type PanoTestEnv } from '../helpers/pano-env.js';
import { launchBrowser } from '../helpers/browser.js';

// KPI Kataloğu in headless Chromium: the portal built into portal/web/dist (npm run build:portal), served by the
// real server over a real helpdesk snapshot; what the page shows is checked against GET /api/model/catalogue.
const ARTIFACTS = path.resolve('tests/artifacts');
const SLA = 'yardim_masasi.sla_compliance';
const rowId = (name: string) => `catalogue-measure-${name.replace(/\./g, '-')}`;
let env: PanoTestEnv;
let server: RunningServer;
let browser: Browser;

beforeAll(async () => {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  env = await createPanoEnv({ systems: ['helpdesk'], scale: 0.05 });
  server = await startServer(env.config, silentLogger, { port: 0 });
  browser = await launchBrowser(env.config);
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  env?.cleanup();
});

/** The catalogue the server gives this user, through the same endpoint the page calls. */
async function apiCatalogue(username: string): Promise<KpiCatalogue> {
  const res = await fetch(`${server.url}/api/model/catalogue`, { headers: { Authorization: await login(server.url, username) } });
  expect(res.status).toBe(200);
  return (await res.json()) as KpiCatalogue;
}

/** Opens /kpi-katalogu signed out: the portal sends us to /giris, we sign in and land back on the catalogue. */
async function openCatalogue(username: string): Promise<Page> {
  const page = await browser.newPage();
  await page.setViewport({ width: 1400, height: 1000 });
  await page.goto(`${server.url}/kpi-katalogu`, { waitUntil: 'networkidle0' });
  await page.waitForSelector('#username');
  expect(new URL(page.url()).pathname + new URL(page.url()).search).toBe('/giris?next=%2Fkpi-katalogu');
  await page.type('#username', username);
  await page.type('input[type="password"]', `${username}-demo`);
  await Promise.all([page.waitForSelector('[data-testid="catalogue-view-yardim_masasi"]', { timeout: 30_000 }), page.keyboard.press('Enter')]);
  expect(new URL(page.url()).pathname).toBe('/kpi-katalogu');
  return page;
}

const shownViews = (page: Page) =>
  page.$$eval('[data-testid^="catalogue-view-"]:not([data-testid="catalogue-view-filter"])', (els) =>
    els.map((el) => el.getAttribute('data-testid')!.slice('catalogue-view-'.length)),
  );
const shownRows = (page: Page) => page.$$eval('[data-testid^="catalogue-measure-"]', (els) => els.map((el) => el.getAttribute('data-testid')!));

describe('KPI Kataloğu', () => {
  it('shows an analyst every measure they may query, searchable, with a copyable API name', async () => {
    const api = await apiCatalogue('analist');
    const page = await openCatalogue('analist');

    // the nav item is there and marks the page
    const nav = await page.$eval('nav[aria-label="Bölümler"] a[aria-current="page"]', (el) => el.textContent);
    expect(nav).toBe('KPI Kataloğu');

    // the same views and measures as the API, in the same order
    expect(await shownViews(page)).toEqual(api.views.map((v) => v.name));
    expect(await shownRows(page)).toEqual(api.views.flatMap((v) => v.measures.map((m) => rowId(m.name))));

    // the SLA row: Turkish and English title, formula, source, article, format in Turkish, API name
    const sla = api.views.flatMap((v) => v.measures).find((m) => m.name === SLA)!;
    expect(sla.title).toBe('SLA uyum oranı');
    const row = await page.$eval(`[data-testid="${rowId(SLA)}"]`, (el) => ({
      text: el.textContent ?? '',
      title: el.querySelector('[data-testid="measure-title"]')?.textContent,
      article: el.querySelector('[data-testid="measure-article"]')?.textContent,
      format: el.querySelector('[data-testid="measure-format"]')?.textContent,
      name: el.querySelector('[data-testid="measure-name"]')?.textContent,
    }));
    expect(row.title).toBe('SLA uyum oranı');
    expect(row.text).toContain('SLA compliance');
    expect(row.text).toContain(sla.formula);
    expect(row.text).toContain(sla.source!);
    expect(row.article).toBe(`Madde ${sla.article}`);
    expect(row.article).toMatch(/^Madde 11\(3\)-II/);
    expect(row.format).toBe('yüzde');
    expect(row.name).toBe(SLA);

    // no table is wider than its card (long formulas wrap instead of scrolling sideways)
    const overflow = await page.$$eval(
      '[data-testid^="catalogue-view-"] .tremor-Table-root',
      (els) => els.filter((el) => el.scrollWidth > el.clientWidth + 1).length,
    );
    expect(overflow).toBe(0);

    // what a user sees first (heading, search, the first view), and the Yardım Masası card whole
    await page.screenshot({ path: path.join(ARTIFACTS, 'kpi-catalogue-analist.png') });
    const card = await page.$('[data-testid="catalogue-view-yardim_masasi"]');
    await card!.screenshot({ path: path.join(ARTIFACTS, 'kpi-catalogue-analist-yardim-masasi.png') });

    // the copy button puts the member name on the clipboard
    await browser.defaultBrowserContext().overridePermissions(server.url, ['clipboard-read', 'clipboard-write', 'clipboard-sanitized-write']);
    await page.click(`[data-testid="${rowId(SLA)}"] [data-testid="measure-copy"]`);
    await page.waitForSelector(`[data-testid="${rowId(SLA)}"] [data-testid="measure-copy"][aria-label="Kopyalandı"]`);
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(SLA);

    // search "SLA" (Turkish case folding, any field; measureMatcher is unit-tested): only the matching rows stay
    const matching = api.views
      .flatMap((v) => v.measures)
      .filter(measureMatcher('SLA'))
      .map((m) => rowId(m.name));
    for (const m of api.views.flatMap((v) => v.measures)) {
      const text = [m.title, m.title_en, m.formula, m.source, m.name].join(' ').toLocaleLowerCase('tr-TR');
      if (text.includes('sla')) expect(matching).toContain(rowId(m.name));
    }
    const total = api.views.reduce((n, v) => n + v.measures.length, 0);
    expect(matching).toContain(rowId(SLA));
    expect(matching.length).toBeLessThan(total);
    await page.type('[data-testid="catalogue-search"]', 'SLA');
    await page.waitForFunction((n) => document.querySelectorAll('[data-testid^="catalogue-measure-"]').length === n, {}, matching.length);
    expect(await shownRows(page)).toEqual(matching);
    expect(await shownRows(page)).not.toContain(rowId('yardim_masasi.ticket_count'));
    expect(await page.$eval('[data-testid="catalogue-count"]', (el) => el.textContent)).toBe(`${matching.length} / ${total} ölçü`);
    await page.screenshot({ path: path.join(ARTIFACTS, 'kpi-catalogue-analist-sla.png'), fullPage: true });

    // the view filter narrows to one card
    await page.select('[data-testid="catalogue-view-filter"]', 'yardim_masasi');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid^="catalogue-view-"]:not(select)').length === 1);
    expect(await shownViews(page)).toEqual(['yardim_masasi']);

    // nothing matches: the empty state, and "Aramayı temizle" brings everything back
    await page.click('[data-testid="catalogue-search"]', { count: 3 });
    await page.type('[data-testid="catalogue-search"]', 'zzz böyle bir ölçü yok');
    await page.waitForSelector('[data-testid="catalogue-empty"]');
    expect(await shownRows(page)).toEqual([]);
    await page.click('[data-testid="catalogue-empty"] button');
    await page.waitForFunction((n) => document.querySelectorAll('[data-testid^="catalogue-measure-"]').length === n, {}, total);
    await page.close();
  });

  it('shows a unit user only what their role may see', async () => {
    const [birim, admin] = await Promise.all([apiCatalogue('birim'), apiCatalogue('admin')]);
    const names = (c: KpiCatalogue) => c.views.flatMap((v) => v.measures.map((m) => m.name));
    // the role really sees less than an administrator (so the check below can fail)
    const hidden = names(admin).filter((n) => !names(birim).includes(n));
    expect(hidden.length).toBeGreaterThan(0);

    const page = await openCatalogue('birim');
    expect(await shownViews(page)).toEqual(birim.views.map((v) => v.name));
    const rows = await shownRows(page);
    expect(rows).toEqual(names(birim).map(rowId));
    for (const n of hidden) expect(rows).not.toContain(rowId(n));
    await page.screenshot({ path: path.join(ARTIFACTS, 'kpi-catalogue-birim.png'), fullPage: false });
    await page.close();
  });

  it('shows a skeleton while the catalogue loads and an error notice when the call fails', async () => {
    const page = await openCatalogue('analist');
    await page.setRequestInterception(true);
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    page.on('request', (req) => {
      if (!req.url().endsWith('/api/model/catalogue')) return void req.continue();
      // held until the skeleton has been seen, then answered with a server error
      void held.then(() => req.respond({ status: 500, contentType: 'application/json', body: JSON.stringify({ error: 'model derlenemedi' }) }));
    });
    await page.reload({ waitUntil: 'domcontentloaded' });
    await page.waitForSelector('[data-testid="catalogue-loading"]');
    expect(await shownRows(page)).toEqual([]);
    release();
    const alert = await page.waitForSelector('[role="alert"]');
    expect(await alert!.evaluate((el) => el.textContent)).toBe('KPI kataloğu alınamadı: model derlenemedi');
    expect(await shownRows(page)).toEqual([]);
    await page.close();
  });
});
