import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import cube from '@cubejs-client/core';
import type { Browser } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatHours, formatNumber, formatPercent } from '../../common/definitions/format.js';
import { helpdeskQueries, M, D } from '../../common/definitions/kpi/helpdesk.js';
import { silentLogger } from '../../common/logger.js';
import { startPano, type RunningPano } from '../../portal/server/pano.js';
import { getSubscription, listDeliveries } from '../../scheduler/index.js';
import { createPanoEnv, login, type PanoTestEnv } from '../helpers/pano-env.js';
import { launchBrowser } from '../helpers/browser.js';

// The whole spine: demo GLPI → ETL → DuckDB snapshot → Cube API → portal page and PDF → SMTP mailbox.
const ARTIFACTS = path.resolve('tests/artifacts');
let env: PanoTestEnv;
let pano: RunningPano;
let browser: Browser;
let expected: { backlog: string; opened: string; median: string; sla: string; raw: Record<string, number> };

beforeAll(async () => {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  env = await createPanoEnv({ scale: 0.15 });
  pano = await startPano(env.config, silentLogger, { port: 0, scheduler: false });
  // What the KPIs must be, asked through the real Cube client with the director's token.
  const api = cube(await login(pano.server.url, 'mudur'), { apiUrl: `${pano.server.url}/cubejs-api/v1` });
  const q = helpdeskQueries(new Date());
  const backlog = Number((await api.load(q.backlog)).tablePivot()[0][M.openCount]);
  const opened = Number((await api.load(q.openedThisMonth)).decompose()[0].tablePivot()[0][M.ticketCount]);
  const res = (await api.load(q.resolution)).tablePivot()[0];
  const median = Number(res[M.medianResolutionHours]);
  const sla = Number(res[M.slaCompliance]);
  expected = {
    backlog: formatNumber(backlog),
    opened: formatNumber(opened),
    median: formatHours(median),
    sla: formatPercent(sla),
    raw: { backlog, opened, median, sla },
  };
  browser = await launchBrowser(env.config);
});

afterAll(async () => {
  await browser?.close();
  await pano?.close();
  env?.cleanup();
});

const text = (file: string) => execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });

describe('the director’s PDF', () => {
  let file: string;
  let pages: number;

  beforeAll(async () => {
    const r = await pano.renderForUser('helpdesk-weekly', 'mudur');
    file = path.join(ARTIFACTS, 'helpdesk-weekly.pdf');
    fs.writeFileSync(file, r.pdf);
    pages = r.pages;
  });

  it('is A4, in Turkish, with the same KPI values as the API', () => {
    const t = text(file);
    expect(t).toContain('Yardım Masası Haftalık Raporu');
    expect(t).toMatch(/Veriler \d\d\.\d\d\.\d{4} \d\d:\d\d itibarıyla/);
    expect(t).toMatch(/Oluşturulma: \d\d\.\d\d\.\d{4} \d\d:\d\d/);
    for (const v of [expected.backlog, expected.opened, expected.median, expected.sla]) expect(t).toContain(v);
    expect(t).toMatch(/Sayfa 1 \/ \d/);
    const info = execFileSync('pdfinfo', [file], { encoding: 'utf8' });
    expect(info).toMatch(/Page size:\s+59[45]\.\d+ x 84[12]\.\d+ pts \(A4\)/);
    expect(Number(/Pages:\s+(\d+)/.exec(info)![1])).toBe(pages);
  });

  it('embeds the Noto Sans font shipped with the project', () => {
    const fonts = execFileSync('pdffonts', [file], { encoding: 'utf8' });
    const noto = fonts.split('\n').filter((l) => /NotoSans/.test(l));
    expect(noto.length).toBeGreaterThan(0);
    for (const line of noto) expect(line).toMatch(/\syes\s+yes\s/); // embedded, subset
  });
});

describe('the scheduled mail', () => {
  it('the subscription run renders once and a real SMTP server receives the PDF; a rerun sends nothing twice', async () => {
    const sub = (await getSubscription(pano.server.appDb, 1))!;
    expect(sub.recipients).toEqual([env.config.scheduler.directorEmail]);
    const at = new Date('2026-11-30T05:00:00Z');
    const runKey = `${sub.id}@${at.toISOString()}`;
    await pano.runSubscription(sub, runKey, at);
    await pano.runSubscription(sub, runKey, at);
    const rows = await listDeliveries(pano.server.appDb, runKey);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ status: 'sent', recipient: env.config.scheduler.directorEmail });

    const dir = pano.mailboxDir!;
    const summaries = fs.readdirSync(dir).filter((f) => f.endsWith('.json'));
    expect(summaries).toHaveLength(1);
    const mail = JSON.parse(fs.readFileSync(path.join(dir, summaries[0]), 'utf8'));
    expect(mail.subject).toMatch(/^Yardım Masası Haftalık Raporu — 30\.11\.2026/);
    expect(mail.attachments).toHaveLength(1);
    expect(mail.attachments[0].filename).toMatch(/\.pdf$/);
    expect(mail.attachments[0].sha256).toBe(rows[0].pdf_sha256);
    const eml = fs.readFileSync(path.join(dir, summaries[0].replace(/\.json$/, '.eml')), 'utf8');
    expect(eml).toMatch(/Content-Type: application\/pdf/i);
    fs.copyFileSync(path.join(dir, summaries[0].replace(/\.json$/, '.eml')), path.join(ARTIFACTS, 'director-mail.eml'));
  });
});

describe('the portal in headless Chromium', () => {
  const open = async (username: string) => {
    const page = await browser.newPage();
    await page.setViewport({ width: 1400, height: 1000 });
    await page.goto(`${pano.server.url}/yardim-masasi`, { waitUntil: 'networkidle0' });
    await page.waitForSelector('input[name="username"], #username');
    await page.type('input[name="username"], #username', username);
    await page.type('input[type="password"]', `${username}-demo`);
    await Promise.all([page.waitForSelector('[data-testid="kpi-sla-value"]', { timeout: 30_000 }), page.keyboard.press('Enter')]);
    await page.waitForFunction(() => document.querySelectorAll('[data-testid$="-value"]').length >= 4, { timeout: 30_000 });
    return page;
  };
  const kpi = (page: any, id: string) => page.$eval(`[data-testid="kpi-${id}-value"]`, (el: Element) => el.textContent?.trim());

  it('management sees the Yardım Masası KPIs with the API’s numbers in Turkish format', async () => {
    const page = await open('mudur');
    expect(await kpi(page, 'backlog')).toBe(expected.backlog);
    expect(await kpi(page, 'opened')).toBe(expected.opened);
    expect(await kpi(page, 'median-ttr')).toBe(expected.median);
    expect(await kpi(page, 'sla')).toBe(expected.sla);
    expect(await page.$eval('[data-testid="freshness"]', (el) => el.textContent)).toMatch(/^Veriler \d\d\.\d\d\.\d{4} \d\d:\d\d itibarıyla$/);
    // the charts have drawn their series (bars or area paths), not just an empty frame
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="block-trend"] svg .recharts-layer path').length > 0, { timeout: 20_000 });
    await page.screenshot({ path: path.join(ARTIFACTS, 'helpdesk-mudur.png'), fullPage: true });
    await page.close();
  });

  it('a birim user sees only their unit', async () => {
    const page = await open('birim');
    expect(await page.$eval('[data-testid="scope-notice"]', (el) => el.textContent)).toContain('Fen İşleri Müdürlüğü');
    const backlog = Number(await page.$eval('[data-testid="kpi-backlog-value"]', (el) => el.getAttribute('data-value')));
    expect(backlog).toBeLessThan(expected.raw.backlog);
    const units = await page.$eval('[data-testid="block-by-unit"]', (el) => el.textContent ?? '');
    expect(units).toContain('Fen İşleri Müdürlüğü');
    expect(units).not.toContain('Zabıta Müdürlüğü');
    await page.screenshot({ path: path.join(ARTIFACTS, 'helpdesk-birim.png'), fullPage: true });
    await page.close();
  });

  it('runs under the Content-Security-Policy, and Çıkış ends the session on the server', async () => {
    const violations: string[] = [];
    const page = await browser.newPage();
    page.on('console', (m) => {
      if (/Content Security Policy|Refused to (load|execute|apply)/i.test(m.text())) violations.push(m.text());
    });
    await page.setViewport({ width: 1400, height: 1000 });
    await page.goto(`${pano.server.url}/yardim-masasi`, { waitUntil: 'networkidle0' });
    await page.type('input[name="username"], #username', 'analist');
    await page.type('input[type="password"]', 'analist-demo');
    await Promise.all([page.waitForSelector('[data-testid="logout"]', { timeout: 30_000 }), page.keyboard.press('Enter')]);
    await page.waitForFunction(() => document.querySelectorAll('[data-testid$="-value"]').length >= 4, { timeout: 30_000 });
    const token = await page.evaluate(() => sessionStorage.getItem('pano.token'));
    expect(token).toBeTruthy();
    const me = () => fetch(`${pano.server.url}/api/me`, { headers: { authorization: token! } }).then((r) => r.status);
    expect(await me()).toBe(200);
    await page.click('[data-testid="logout"]');
    await page.waitForSelector('input[type="password"]', { timeout: 10_000 });
    // The copy an attacker may have taken of the token is dead too, not only the browser's.
    for (let i = 0; i < 20 && (await me()) === 200; i++) await new Promise((r) => setTimeout(r, 100));
    expect(await me()).toBe(401);
    expect(violations).toEqual([]);
    await page.close();
  });
});

it('keeps its artifacts free of secrets', () => {
  const eml = fs.readFileSync(path.join(ARTIFACTS, 'director-mail.eml'), 'utf8');
  expect(eml).not.toContain(env.config.auth.jwtSecret);
});
