import { DateTime } from 'luxon';
import puppeteer, { TimeoutError, type Browser, type HTTPRequest, type Page } from 'puppeteer-core';
import { ReportError, errorMessage } from '../common/errors.js';
import { silentLogger, type Logger } from '../common/logger.js';
import { getReport } from '../common/definitions/reports/index.js';
import { backoffDelay, realSleep } from '../common/backoff.js';
import { DEFAULT_TIMEZONE } from '../common/definitions/timezone.js';

/**
 * Turns the portal's print page of a report into an A4 PDF with one warm Chromium.
 *
 * The contract with the print page (portal/ `/print/reports/:id`):
 * - it reads its API token from `sessionStorage['pano.token']` (the renderer puts it there before any
 *   script runs; the token never appears in a URL, a log line or the browser history);
 * - when everything is drawn (queries answered, charts laid out, fonts loaded) it sets
 *   `<html data-pano-ready="true">`;
 * - when it cannot show the report it sets `<html data-pano-error="…message…">`; the value `unauthorized`
 *   (token refused or expired) becomes the error code `report_unauthorized`;
 * - a login page, if the portal ever shows one instead, sets `<html data-pano-login>`.
 * There is never a fixed sleep: the renderer waits for one of these markers up to the time limit.
 *
 * Failure policy: an error marker, an HTTP 4xx or a bad URL fail at once and are not retried.
 * Only transient failures are retried, at most `retries` times with exponential backoff and jitter:
 * a navigation that timed out or could not connect, a page or browser that went away (the browser is
 * relaunched), a browser that failed to start for a passing reason. A page that loaded but never became
 * ready has already used the whole time budget, so it is not retried inside one render; its error is
 * `retryable`, so the scheduler's next occurrence tries again.
 */

export const DEFAULT_CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-dev-shm-usage',
  '--font-render-hinting=none',
];

const READY_SELECTOR = 'html[data-pano-ready="true"], html[data-pano-error], html[data-pano-login]';

/** Codes the renderer retries by itself (when the error is also `retryable`). */
const TRANSIENT_CODES = new Set(['report_navigation_failed', 'report_browser_lost', 'report_browser_launch_failed', 'report_page_open_failed']);

export interface ReportRendererOptions {
  chromiumPath: string;
  /** Pages rendering at the same time; further renders wait for a free page. Default 2. */
  maxPages?: number;
  /** Default time limit of one attempt (navigation + ready marker + printing). Default 60 000 ms. */
  timeoutMs?: number;
  /** Retries of transient failures per render. Default 2. */
  retries?: number;
  backoff?: { baseMs: number; maxMs: number };
  /** Injected by tests so retries never really sleep. */
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  /** Clock for the "generated at" stamp in the footer. */
  now?: () => Date;
  /** Business timezone for the footer stamp (PANO_TIMEZONE). Default DEFAULT_TIMEZONE. */
  timezone?: string;
  logger?: Logger;
  /** Extra Chromium flags appended to DEFAULT_CHROMIUM_ARGS. */
  extraArgs?: string[];
  /** Font stack of the footer (header/footer templates cannot load the page's web fonts). */
  footerFontFamily?: string;
  /**
   * Origins the print page may load from besides its own (e.g. a CDN). Everything else is blocked so an
   * offline network never hangs a render and a page cannot send its data elsewhere.
   */
  allowedOrigins?: string[];
}

export interface RenderRequest {
  /** Where the portal answers, e.g. http://127.0.0.1:4000 */
  baseUrl: string;
  reportId: string;
  /** API token of the user whose permissions the report is rendered with. */
  token: string;
  /** Time limit of one attempt; defaults to the renderer's. */
  timeoutMs?: number;
  /** Title for the footer; defaults to the report definition's Turkish title. */
  title?: string;
}

export interface RenderedReport {
  pdf: Buffer;
  pages: number;
}

export interface RendererStats {
  /** Renders holding a page right now. */
  active: number;
  /** Renders waiting for a free page. */
  waiting: number;
  /** Chromium launches so far (more than 1 means the browser was lost and relaunched). */
  launches: number;
  /** Process id of the current Chromium, null when none is running. */
  browserPid: number | null;
}

type Stage = 'launch' | 'page' | 'navigate' | 'ready' | 'print';

export class ReportRenderer {
  private readonly opts: Required<Omit<ReportRendererOptions, 'backoff' | 'extraArgs' | 'allowedOrigins'>> & {
    backoff: { baseMs: number; maxMs: number };
    extraArgs: string[];
    allowedOrigins: string[];
  };
  private readonly pool: Semaphore;
  private browserPromise: Promise<Browser> | null = null;
  private current: Browser | null = null;
  private launches = 0;
  private closed = false;
  /** Pages are opened one at a time: concurrent Target.createTarget calls on a fresh browser can race. */
  private opening: Promise<unknown> = Promise.resolve();

  constructor(options: ReportRendererOptions) {
    this.opts = {
      chromiumPath: options.chromiumPath,
      maxPages: options.maxPages ?? 2,
      timeoutMs: options.timeoutMs ?? 60_000,
      retries: options.retries ?? 2,
      backoff: options.backoff ?? { baseMs: 500, maxMs: 8_000 },
      sleep: options.sleep ?? realSleep,
      random: options.random ?? Math.random,
      now: options.now ?? (() => new Date()),
      timezone: options.timezone ?? DEFAULT_TIMEZONE,
      logger: options.logger ?? silentLogger,
      extraArgs: options.extraArgs ?? [],
      footerFontFamily: options.footerFontFamily ?? "'Noto Sans', 'DejaVu Sans', sans-serif",
      allowedOrigins: (options.allowedOrigins ?? []).map((o) => new URL(o).origin),
    };
    if (!Number.isInteger(this.opts.maxPages) || this.opts.maxPages < 1) throw new RangeError('maxPages must be a positive integer');
    this.pool = new Semaphore(this.opts.maxPages);
  }

  /** Launches the browser now (otherwise the first render does). */
  async start(): Promise<void> {
    await this.browser();
  }

  /** Closes the browser. Renders still waiting fail with `report_renderer_closed`. */
  async close(): Promise<void> {
    this.closed = true;
    const pending = this.browserPromise;
    this.browserPromise = null;
    this.current = null;
    if (!pending) return;
    const browser = await pending.catch(() => null);
    if (browser) await browser.close().catch(() => undefined);
  }

  stats(): RendererStats {
    const pid = this.current?.connected ? (this.current.process()?.pid ?? null) : null;
    return { active: this.pool.active, waiting: this.pool.waiting, launches: this.launches, browserPid: pid };
  }

  /** stats() plus the pages Chromium has open (the initial blank tab counts as one): a leak shows here. */
  async health(): Promise<RendererStats & { openPages: number | null }> {
    const browser = this.current?.connected ? this.current : null;
    const openPages = browser ? ((await browser.pages().catch(() => null))?.length ?? null) : null;
    return { ...this.stats(), openPages };
  }

  async render(req: RenderRequest): Promise<RenderedReport> {
    const log = this.opts.logger;
    const started = Date.now();
    const timeoutMs = req.timeoutMs ?? this.opts.timeoutMs;
    for (let attempt = 1; ; attempt++) {
      try {
        const result = await this.pool.run(() => this.renderOnce(req, timeoutMs));
        log.info({ report_id: req.reportId, pages: result.pages, bytes: result.pdf.length, attempt, duration_ms: Date.now() - started }, 'reports.render.done');
        return result;
      } catch (e) {
        const err = e instanceof ReportError ? e : classifyRenderError(e, 'page', req.reportId);
        const transient = err.retryable && TRANSIENT_CODES.has(err.code);
        if (!transient || attempt > this.opts.retries || this.closed) {
          log.error({ report_id: req.reportId, code: err.code, attempt, duration_ms: Date.now() - started, err: err.message }, 'reports.render.failed');
          throw err;
        }
        const delay = backoffDelay(attempt, { ...this.opts.backoff, random: this.opts.random });
        log.warn({ report_id: req.reportId, code: err.code, attempt, delay_ms: delay, err: err.message }, 'reports.render.retry');
        await this.opts.sleep(delay);
      }
    }
  }

  private async browser(): Promise<Browser> {
    if (this.closed) throw new ReportError('Report renderer is closed', { code: 'report_renderer_closed' });
    if (!this.browserPromise) {
      const launching = this.launch();
      this.browserPromise = launching;
      launching.catch(() => {
        if (this.browserPromise === launching) this.browserPromise = null;
      });
    }
    const browser = await this.browserPromise;
    if (!browser.connected) {
      this.browserPromise = null;
      return this.browser();
    }
    return browser;
  }

  private async launch(): Promise<Browser> {
    const log = this.opts.logger;
    this.launches++;
    let browser: Browser;
    try {
      browser = await puppeteer.launch({
        executablePath: this.opts.chromiumPath,
        headless: true,
        args: [...DEFAULT_CHROMIUM_ARGS, ...this.opts.extraArgs],
        // Puppeteer gives each launch a fresh temporary profile and deletes it on close.
        handleSIGINT: false,
        handleSIGTERM: false,
        handleSIGHUP: false,
        protocolTimeout: Math.max(30_000, this.opts.timeoutMs * 2),
      });
    } catch (e) {
      throw classifyRenderError(e, 'launch', '');
    }
    if (this.closed) {
      await browser.close().catch(() => undefined);
      throw new ReportError('Report renderer is closed', { code: 'report_renderer_closed' });
    }
    const mine = this.browserPromise;
    this.current = browser;
    browser.on('disconnected', () => {
      if (this.browserPromise === mine) this.browserPromise = null;
      if (this.current === browser) this.current = null;
      if (!this.closed) log.warn({ launches: this.launches }, 'reports.browser.disconnected');
    });
    log.info({ version: await browser.version().catch(() => 'unknown'), launches: this.launches }, 'reports.browser.launched');
    return browser;
  }

  private async renderOnce(req: RenderRequest, timeoutMs: number): Promise<RenderedReport> {
    const deadline = Date.now() + timeoutMs;
    const remaining = () => Math.max(1, deadline - Date.now());
    const url = printUrl(req.baseUrl, req.reportId);
    const origin = url.origin;
    const allowed = new Set([origin, ...this.opts.allowedOrigins]);
    const browser = await this.browser();
    let page: Page | undefined;
    let stage: Stage = 'page';
    const pageErrors: string[] = [];
    try {
      const opened = this.opening.then(() => browser.newPage());
      this.opening = opened.catch(() => undefined);
      page = await opened;
      // Fail at once if the page crashes or closes instead of waiting for the time limit.
      const gone = new Promise<never>((_, reject) => {
        page!.once('error', (e) =>
          reject(new ReportError(`Print page crashed: ${errorMessage(e)}`, { code: 'report_browser_lost', retryable: true, cause: e })),
        );
        page!.once('close', () => reject(new ReportError('Print page was closed', { code: 'report_browser_lost', retryable: true })));
      });
      gone.catch(() => undefined);
      const guard = <T>(p: Promise<T>): Promise<T> => Promise.race([p, gone]);

      page.on('pageerror', (e) => remember(pageErrors, errorMessage(e)));
      page.on('console', (m) => {
        if (m.type() === 'error') remember(pageErrors, m.text());
      });
      await page.setRequestInterception(true);
      page.on('request', (r: HTTPRequest) => {
        if (r.isInterceptResolutionHandled()) return;
        if (isAllowedRequest(r.url(), allowed)) void r.continue().catch(() => undefined);
        else {
          remember(pageErrors, `blocked request to ${safeOrigin(r.url())}`);
          void r.abort('blockedbyclient').catch(() => undefined);
        }
      });
      // The token goes to sessionStorage of the portal's own origin only, top frame only, before any script runs.
      await page.evaluateOnNewDocument(
        (token: string, expectedOrigin: string) => {
          try {
            if (window.top === window && location.origin === expectedOrigin) sessionStorage.setItem('pano.token', token);
          } catch {
            /* storage disabled: the page will report unauthorized */
          }
        },
        req.token,
        origin,
      );

      stage = 'navigate';
      const response = await guard(page.goto(url.href, { waitUntil: 'domcontentloaded', timeout: remaining() }));
      const status = response?.status() ?? 200;
      if (status >= 400) {
        // The body says why (a portal that was never built answers 503 with what to run).
        const body = status >= 500 && response ? await guard(response.text()).catch(() => '') : '';
        throw portalAnswerError(req.reportId, url.pathname, status, body);
      }

      stage = 'ready';
      try {
        await guard(page.waitForSelector(READY_SELECTOR, { timeout: remaining() }));
      } catch (e) {
        if (e instanceof TimeoutError) {
          const detail = pageErrors.length ? `; page errors: ${pageErrors.join(' | ')}` : '';
          throw new ReportError(`Report ${req.reportId}: the print page did not become ready (data-pano-ready) within ${timeoutMs} ms${detail}`, {
            code: 'report_timeout',
            retryable: true,
            cause: e,
          });
        }
        throw e;
      }
      const marker = await guard(
        page.evaluate(() => {
          const html = document.documentElement;
          return {
            ready: html.getAttribute('data-pano-ready') === 'true',
            error: html.getAttribute('data-pano-error'),
            login: html.hasAttribute('data-pano-login'),
          };
        }),
      );
      if (marker.error !== null || marker.login) {
        const message = marker.login ? 'unauthorized' : marker.error!.trim() || 'unknown error';
        const unauthorized = marker.login || /^unauthori[sz]ed\b/i.test(message);
        throw new ReportError(`Report ${req.reportId}: the print page reported an error: ${message}`, {
          code: unauthorized ? 'report_unauthorized' : 'report_page_error',
        });
      }
      // Web fonts that finished after the marker would print as fallbacks; wait for them (bounded by the deadline).
      await guard(page.evaluate(() => document.fonts.ready.then(() => true)));

      stage = 'print';
      const title = req.title ?? getReport(req.reportId)?.title.tr ?? req.reportId;
      const generatedAt = DateTime.fromJSDate(this.opts.now(), { zone: this.opts.timezone }).toFormat('dd.MM.yyyy HH:mm');
      const pdf = await guard(
        page.pdf({
          format: 'A4',
          printBackground: true,
          preferCSSPageSize: true,
          displayHeaderFooter: true,
          headerTemplate: '<span></span>',
          footerTemplate: footerTemplate({ title, generatedAt, fontFamily: this.opts.footerFontFamily }),
          margin: { top: '12mm', right: '12mm', bottom: '16mm', left: '12mm' },
          timeout: remaining(),
        }),
      );
      const buffer = Buffer.from(pdf);
      const pages = countPdfPages(buffer);
      if (pages < 1) throw new ReportError(`Report ${req.reportId}: Chromium produced a PDF without pages`, { code: 'report_failed' });
      return { pdf: buffer, pages };
    } catch (e) {
      if (e instanceof ReportError) throw e;
      // Whatever the message says, a browser that is gone is a lost browser (relaunch and retry).
      if (!browser.connected) {
        throw new ReportError(`Report ${req.reportId}: Chromium went away while ${stageText(stage)} (${firstLine(errorMessage(e))})`, {
          code: 'report_browser_lost',
          retryable: true,
          cause: e,
        });
      }
      throw classifyRenderError(e, stage, req.reportId);
    } finally {
      if (page) await page.close().catch(() => undefined);
    }
  }
}

/** What the portal's server answers on the print page when portal/web/dist is missing (portal/server/app.ts). */
const PORTAL_NOT_BUILT = /portal is not built|derlenmemiş/i;

/**
 * The error for a print page that answered HTTP 4xx/5xx. Pure, so the messages can be tested without a browser.
 * A portal that was never built is not a passing failure: no retry, and the message names the command to run.
 */
export function portalAnswerError(reportId: string, pathname: string, status: number, body = ''): ReportError {
  if (status === 401 || status === 403) {
    return new ReportError(`Report ${reportId}: the portal refused the print page (HTTP ${status})`, { code: 'report_unauthorized' });
  }
  if (status === 404) return new ReportError(`Report ${reportId}: no print page at ${pathname} (HTTP 404)`, { code: 'report_not_found' });
  if (status === 503 && PORTAL_NOT_BUILT.test(body)) {
    return new ReportError(
      `Rapor ${reportId}: portal derlenmemiş; \`npm run build:portal\` çalıştırın, çalışan bir sunucu varsa yeniden başlatın ` +
        `(report ${reportId}: the portal is not built; run \`npm run build:portal\`, then restart a running server)`,
      { code: 'report_portal_not_built' },
    );
  }
  if (status >= 500) return new ReportError(`Report ${reportId}: the portal answered HTTP ${status}`, { code: 'report_navigation_failed', retryable: true });
  return new ReportError(`Report ${reportId}: the portal answered HTTP ${status}`, { code: 'report_failed' });
}

/** One-shot rendering: start a browser, render one report, close the browser. */
export async function renderReportPdf(opts: ReportRendererOptions & RenderRequest): Promise<RenderedReport> {
  const renderer = new ReportRenderer(opts);
  try {
    await renderer.start();
    return await renderer.render(opts);
  } finally {
    await renderer.close();
  }
}

/**
 * Maps a Puppeteer/Chromium failure to a ReportError whose `code` and `retryable` say what happened.
 * Pure, so the policy can be tested without a browser.
 */
export function classifyRenderError(e: unknown, stage: Stage, reportId: string): ReportError {
  if (e instanceof ReportError) return e;
  const msg = causeChain(e);
  const what = reportId ? `Report ${reportId}` : 'Report renderer';
  if (stage === 'launch') {
    const permanent = /ENOENT|EACCES|not found|no such file|Browser was not found/i.test(msg);
    return new ReportError(`${what}: Chromium could not be started (${firstLine(msg)})`, {
      code: 'report_browser_launch_failed',
      retryable: !permanent,
      cause: e,
    });
  }
  if (
    (e instanceof Error && e.name === 'TargetCloseError') ||
    /Target closed|Session closed|Connection closed|browser has disconnected|frame was detached|frame got detached|detached Frame|Execution context was destroyed|Page crashed|WebSocket is not open|Protocol error.*closed/i.test(
      msg,
    )
  ) {
    return new ReportError(`${what}: the browser page went away while ${stageText(stage)} (${firstLine(msg)})`, {
      code: 'report_browser_lost',
      retryable: true,
      cause: e,
    });
  }
  if (stage === 'page' && /main frame too early|createTarget|Failed to open a new tab/i.test(msg)) {
    return new ReportError(`${what}: Chromium could not open a page (${firstLine(msg)})`, { code: 'report_page_open_failed', retryable: true, cause: e });
  }
  if (e instanceof TimeoutError || /timeout .*exceeded|timed out/i.test(msg)) {
    if (stage === 'navigate') {
      return new ReportError(`${what}: navigation to the print page timed out (${firstLine(msg)})`, {
        code: 'report_navigation_failed',
        retryable: true,
        cause: e,
      });
    }
    return new ReportError(`${what}: timed out while ${stageText(stage)} (${firstLine(msg)})`, { code: 'report_timeout', retryable: true, cause: e });
  }
  const net = /net::(ERR_[A-Z_]+)/.exec(msg);
  if (net) {
    const transient =
      /CONNECTION_(REFUSED|RESET|CLOSED|ABORTED|FAILED|TIMED_OUT)|EMPTY_RESPONSE|NETWORK_CHANGED|TIMED_OUT|ADDRESS_UNREACHABLE|INTERNET_DISCONNECTED|NETWORK_IO_SUSPENDED/.test(
        net[1],
      );
    return new ReportError(`${what}: the print page could not be loaded (${net[1]})`, { code: 'report_navigation_failed', retryable: transient, cause: e });
  }
  return new ReportError(`${what}: rendering failed while ${stageText(stage)} (${firstLine(msg)})`, { code: 'report_failed', cause: e });
}

/** Number of pages of a PDF as Chromium writes it (page objects are plain, not in object streams). */
export function countPdfPages(pdf: Buffer): number {
  const text = pdf.toString('latin1');
  const pageObjects = text.match(/\/Type\s*\/Page(?![A-Za-z])/g)?.length ?? 0;
  if (pageObjects > 0) return pageObjects;
  // Fallback: the page tree root's /Count (the largest one is the root).
  let max = 0;
  for (const m of text.matchAll(/\/Type\s*\/Pages[^>]*?\/Count\s+(\d+)|\/Count\s+(\d+)[^>]*?\/Type\s*\/Pages/g)) {
    max = Math.max(max, Number(m[1] ?? m[2]));
  }
  return max;
}

export function footerTemplate(p: { title: string; generatedAt: string; fontFamily: string }): string {
  // Header/footer templates are rendered apart from the page: inline styles only, sizes in px.
  return [
    `<div style="box-sizing:border-box;width:100%;padding:0 12mm;font-family:${escapeHtml(p.fontFamily)};font-size:7.5px;color:#555;`,
    `display:flex;justify-content:space-between;align-items:center;-webkit-print-color-adjust:exact;">`,
    `<span>${escapeHtml(p.title)}</span>`,
    `<span>Oluşturulma: ${escapeHtml(p.generatedAt)}</span>`,
    `<span>Sayfa <span class="pageNumber"></span> / <span class="totalPages"></span></span>`,
    `</div>`,
  ].join('');
}

function printUrl(baseUrl: string, reportId: string): URL {
  let base: URL;
  try {
    base = new URL(baseUrl);
  } catch (e) {
    throw new ReportError(`Invalid portal URL for rendering: ${JSON.stringify(baseUrl)}`, { code: 'report_failed', cause: e });
  }
  if (base.protocol !== 'http:' && base.protocol !== 'https:') {
    throw new ReportError(`Portal URL must be http(s): ${base.protocol}`, { code: 'report_failed' });
  }
  const prefix = base.pathname.replace(/\/+$/, '');
  return new URL(`${prefix}/print/reports/${encodeURIComponent(reportId)}`, base.origin);
}

function isAllowedRequest(raw: string, allowed: Set<string>): boolean {
  if (/^(data|blob|about):/i.test(raw)) return true;
  try {
    return allowed.has(new URL(raw).origin);
  } catch {
    return false;
  }
}

function safeOrigin(raw: string): string {
  try {
    return new URL(raw).origin;
  } catch {
    return raw.slice(0, 60);
  }
}

/** The messages of an error and its causes, " <- " separated (Puppeteer wraps the telling one in a cause). */
function causeChain(e: unknown): string {
  const parts: string[] = [];
  let cur: unknown = e;
  for (let i = 0; i < 4 && cur !== undefined && cur !== null; i++) {
    parts.push(errorMessage(cur));
    cur = cur instanceof Error ? cur.cause : undefined;
  }
  return parts.join(' <- ');
}

function remember(list: string[], message: string): void {
  list.push(message.slice(0, 300));
  if (list.length > 5) list.shift();
}

function stageText(stage: Stage): string {
  return { launch: 'starting Chromium', page: 'opening a page', navigate: 'loading the print page', ready: 'waiting for the ready marker', print: 'printing' }[
    stage
  ];
}

function firstLine(s: string): string {
  return s.split('\n')[0]!.slice(0, 300);
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** A tiny counting semaphore: the page pool. */
class Semaphore {
  active = 0;
  private readonly queue: Array<() => void> = [];
  constructor(private readonly limit: number) {}
  get waiting(): number {
    return this.queue.length;
  }
  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.active >= this.limit) await new Promise<void>((resolve) => this.queue.push(resolve));
    else this.active++;
    try {
      return await fn();
    } finally {
      const next = this.queue.shift();
      if (next) next();
      else this.active--;
    }
  }
}
