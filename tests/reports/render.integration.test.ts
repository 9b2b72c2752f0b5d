import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ReportError } from '../../common/errors.js';
import { ReportRenderer, renderReportPdf } from '../../reports/index.js';
import { captureLogger } from '../scheduler/helpers.js';
import { startPrintServer, TEST_TOKEN, TURKISH_TEXT, type PrintServer } from './print-server.js';

// Real Chromium (Debian's /usr/bin/chromium) printing real pages served over HTTP.

const CHROMIUM = process.env.PANO_CHROMIUM_PATH ?? '/usr/bin/chromium';
// The footer uses a font the page never uses, so a "NotoSans" in pdffonts can only come from the page's web font
// (the system also has Noto Sans installed, as its default sans-serif).
const FOOTER_FONT = "'DejaVu Sans Mono'";

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pano-render-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
function poppler(tool: 'pdftotext' | 'pdfinfo' | 'pdffonts', pdf: Buffer): string {
  const file = path.join(tmp, `${tool}-${Date.now()}-${Math.random().toString(36).slice(2)}.pdf`);
  fs.writeFileSync(file, pdf);
  const args = tool === 'pdftotext' ? ['-enc', 'UTF-8', file, '-'] : [file];
  return execFileSync(tool, args, { encoding: 'utf8' });
}

describe('ReportRenderer with real Chromium', () => {
  let server: PrintServer;
  let renderer: ReportRenderer;
  const log = captureLogger();

  beforeAll(async () => {
    server = await startPrintServer();
    renderer = new ReportRenderer({
      chromiumPath: CHROMIUM,
      maxPages: 2,
      timeoutMs: 20_000,
      footerFontFamily: FOOTER_FONT,
      now: () => new Date('2026-11-30T05:00:00Z'),
      logger: log.logger,
    });
    await renderer.start();
  }, 60_000);
  afterAll(async () => {
    await renderer?.close();
    await server?.close();
  });

  it('prints Turkish text in the shipped Noto Sans web font, with a Turkish page footer', async () => {
    const { pdf, pages } = await renderer.render({ baseUrl: server.baseUrl, reportId: 'turkce', token: TEST_TOKEN, title: 'Yardım Masası Haftalık Raporu' });
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');

    const text = poppler('pdftotext', pdf);
    expect(text).toContain(TURKISH_TEXT);
    expect(text).toContain(`İkinci sayfa: ${TURKISH_TEXT}`);
    expect(text).toContain('Yetki doğrulandı'); // the page saw the token in sessionStorage
    expect(text).toContain('Sayfa 1 / 2');
    expect(text).toContain('Sayfa 2 / 2');
    expect(text).toContain('Yardım Masası Haftalık Raporu');
    expect(text).toContain('Oluşturulma: 30.11.2026 08:00');

    const info = poppler('pdfinfo', pdf);
    expect(pages).toBe(2);
    expect(info).toMatch(new RegExp(`^Pages:\\s+${pages}$`, 'm'));
    expect(info).toMatch(/^Page size:\s+59[45](\.\d+)? x 841(\.\d+)? pts \(A4\)/m);

    const fonts = poppler('pdffonts', pdf);
    expect(fonts).toMatch(/^[A-Z]{6}\+NotoSans\S*\s+CID TrueType\s+Identity-H\s+yes yes yes/m);
    expect(fonts).toMatch(/^[A-Z]{6}\+NotoSans-Bold\s/m); // the <h1>, in the shipped bold face
    expect(fonts).not.toMatch(/Type 3/); // no synthetic (faked) bold or bitmap glyphs
    expect(fonts).toContain('DejaVuSansMono'); // the footer

    // The token never travelled in a URL.
    expect(server.requests.some((u) => u.includes(TEST_TOKEN) || u.includes(encodeURIComponent(TEST_TOKEN)))).toBe(false);
    expect(server.requests).toContain('/print/reports/turkce');
    expect(log.events('reports.render.done').at(-1)).toMatchObject({ report_id: 'turkce', pages: 2, attempt: 1 });
  }, 60_000);

  it('fails fast with the page’s own message when it sets data-pano-error', async () => {
    const started = Date.now();
    const err = await renderer.render({ baseUrl: server.baseUrl, reportId: 'bozuk', token: TEST_TOKEN }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ReportError);
    expect(err).toMatchObject({ code: 'report_page_error', retryable: false });
    expect((err as Error).message).toContain('Sorgu başarısız: küp zaman aşımı');
    expect(Date.now() - started).toBeLessThan(5_000); // the limit is 20 s: it did not wait for it
  }, 30_000);

  it.each([
    ['a token the page refuses', 'turkce', 'wrong-token'],
    ['a login page instead of the report', 'giris', TEST_TOKEN],
  ])(
    '%s → report_unauthorized, not retried',
    async (_name, reportId, token) => {
      const before = log.events('reports.render.retry').length;
      const err = await renderer.render({ baseUrl: server.baseUrl, reportId, token }).catch((e: unknown) => e);
      expect(err).toMatchObject({ name: 'ReportError', code: 'report_unauthorized', retryable: false });
      expect(log.events('reports.render.retry').length).toBe(before);
    },
    30_000,
  );

  it('a page that never becomes ready times out with a clear ReportError naming the marker and the page’s errors', async () => {
    const started = Date.now();
    const err = await renderer.render({ baseUrl: server.baseUrl, reportId: 'asla', token: TEST_TOKEN, timeoutMs: 1_500 }).catch((e: unknown) => e);
    const elapsed = Date.now() - started;
    expect(err).toBeInstanceOf(ReportError);
    expect(err).toMatchObject({ code: 'report_timeout', retryable: true });
    expect((err as Error).message).toMatch(/did not become ready \(data-pano-ready\) within 1500 ms/);
    expect((err as Error).message).toContain('küp sorgusu takıldı');
    expect(elapsed).toBeGreaterThanOrEqual(1_400);
    expect(elapsed).toBeLessThan(6_000); // one attempt, not three
  }, 30_000);

  it('a missing print page is HTTP 404 → report_not_found, not retried', async () => {
    await expect(renderer.render({ baseUrl: server.baseUrl, reportId: 'yok-boyle-rapor', token: TEST_TOKEN })).rejects.toMatchObject({
      code: 'report_not_found',
      retryable: false,
    });
  }, 30_000);

  it('blocks requests to other origins instead of hanging on them', async () => {
    const { pages } = await renderer.render({ baseUrl: server.baseUrl, reportId: 'dis', token: TEST_TOKEN, timeoutMs: 10_000 });
    expect(pages).toBe(1);
  }, 30_000);

  it('closes every page it opened (success and failure alike)', async () => {
    const before = (await renderer.health()).openPages!;
    await renderer.render({ baseUrl: server.baseUrl, reportId: 'bozuk', token: TEST_TOKEN }).catch(() => undefined);
    await renderer.render({ baseUrl: server.baseUrl, reportId: 'asla', token: TEST_TOKEN, timeoutMs: 800 }).catch(() => undefined);
    await renderer.render({ baseUrl: server.baseUrl, reportId: 'dis', token: TEST_TOKEN });
    const after = await renderer.health();
    expect(after).toMatchObject({ active: 0, waiting: 0, launches: 1, openPages: before });
    expect(before).toBeLessThanOrEqual(1); // at most Chromium's initial blank tab
  }, 30_000);
});

describe('page pool and browser recovery', () => {
  let server: PrintServer;
  beforeAll(async () => {
    server = await startPrintServer();
  });
  afterAll(async () => server?.close());

  it('never has more than maxPages pages at once; the third render waits for a free page', async () => {
    const renderer = new ReportRenderer({ chromiumPath: CHROMIUM, maxPages: 2, timeoutMs: 20_000 });
    try {
      const renders = [1, 2, 3].map(() => renderer.render({ baseUrl: server.baseUrl, reportId: 'havuz', token: TEST_TOKEN }));
      await server.waitForHeld(2);
      expect(renderer.stats()).toMatchObject({ active: 2, waiting: 1 });
      expect(server.held).toHaveLength(2);
      server.held[0]!.release();
      await server.waitForHeld(2); // the waiting render got the freed page
      server.held[0]!.release();
      server.held[0]!.release();
      const results = await Promise.all(renders);
      expect(results.map((r) => r.pages)).toEqual([1, 1, 1]);
      expect(server.maxHeld).toBe(2);
      expect(renderer.stats()).toMatchObject({ active: 0, waiting: 0, launches: 1 });
    } finally {
      await renderer.close();
    }
  }, 60_000);

  it('relaunches Chromium when it dies mid-render, retrying after a backoff', async () => {
    const { logger, events } = captureLogger();
    const sleeps: number[] = [];
    const renderer = new ReportRenderer({
      chromiumPath: CHROMIUM,
      timeoutMs: 20_000,
      logger,
      sleep: async (ms) => void sleeps.push(ms),
      random: () => 0.5,
      backoff: { baseMs: 400, maxMs: 5_000 },
    });
    try {
      await renderer.start();
      const firstPid = renderer.stats().browserPid!;
      server.onFlakyFirstRequest = () => process.kill(firstPid, 'SIGKILL');
      const { pdf, pages } = await renderer.render({ baseUrl: server.baseUrl, reportId: 'flaky', token: TEST_TOKEN });
      expect(pages).toBe(2);
      expect(poppler('pdftotext', pdf)).toContain(TURKISH_TEXT);
      expect(server.flakyServed).toBe(2);
      expect(sleeps).toEqual([300]);
      expect(events('reports.render.retry')).toEqual([expect.objectContaining({ report_id: 'flaky', code: 'report_browser_lost', attempt: 1 })]);
      expect(renderer.stats().launches).toBe(2);
      expect(renderer.stats().browserPid).not.toBe(firstPid);

      // A browser that died between renders is relaunched by the next render.
      process.kill(renderer.stats().browserPid!, 'SIGKILL');
      await expect.poll(() => renderer.stats().browserPid).toBeNull();
      expect((await renderer.render({ baseUrl: server.baseUrl, reportId: 'dis', token: TEST_TOKEN })).pages).toBe(1);
      expect(renderer.stats().launches).toBe(3);
    } finally {
      await renderer.close();
    }
  }, 90_000);

  it('renderReportPdf: one browser for one report, then gone', async () => {
    const { pdf, pages } = await renderReportPdf({ chromiumPath: CHROMIUM, baseUrl: server.baseUrl, reportId: 'dis', token: TEST_TOKEN, timeoutMs: 15_000 });
    expect(pages).toBe(1);
    expect(poppler('pdfinfo', pdf)).toMatch(/^Pages:\s+1$/m);
  }, 60_000);

  it('a wrong Chromium path fails at once and is not retried', async () => {
    const sleeps: number[] = [];
    const renderer = new ReportRenderer({ chromiumPath: '/nonexistent/chromium', sleep: async (ms) => void sleeps.push(ms) });
    try {
      await expect(renderer.render({ baseUrl: server.baseUrl, reportId: 'dis', token: TEST_TOKEN })).rejects.toMatchObject({
        code: 'report_browser_launch_failed',
        retryable: false,
      });
      expect(sleeps).toEqual([]);
    } finally {
      await renderer.close();
    }
  }, 30_000);
});
