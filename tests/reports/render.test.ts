import { TimeoutError } from 'puppeteer-core';
import { describe, expect, it } from 'vitest';
import { ReportError } from '../../common/errors.js';
import { footerTemplate } from '../../reports/render.js';
import { classifyRenderError, countPdfPages, getReport, reportFileName, REPORTS, slugifyTr } from '../../reports/index.js';

describe('classifyRenderError: which failures the renderer retries', () => {
  const targetClosed = Object.assign(new Error('Protocol error (Runtime.callFunctionOn): Target closed'), { name: 'TargetCloseError' });
  it.each([
    ['navigation timeout', new TimeoutError('Navigation timeout of 30000 ms exceeded'), 'navigate', 'report_navigation_failed', true],
    ['server down', new Error('net::ERR_CONNECTION_REFUSED at http://127.0.0.1:4000/print/reports/x'), 'navigate', 'report_navigation_failed', true],
    ['connection reset', new Error('net::ERR_CONNECTION_RESET at http://x'), 'navigate', 'report_navigation_failed', true],
    ['unknown host (configuration)', new Error('net::ERR_NAME_NOT_RESOLVED at http://portal.yok'), 'navigate', 'report_navigation_failed', false],
    ['target closed', targetClosed, 'ready', 'report_browser_lost', true],
    ['session closed', new Error('Protocol error: Session closed. Most likely the page has been closed.'), 'print', 'report_browser_lost', true],
    [
      'frame detached (wrapped in a cause)',
      new Error('Waiting for selector failed', { cause: new Error('waitForFunction failed: frame got detached.') }),
      'ready',
      'report_browser_lost',
      true,
    ],
    ['page crashed', new Error('Page crashed!'), 'ready', 'report_browser_lost', true],
    ['pdf timeout', new TimeoutError('Waiting failed: 5000ms exceeded'), 'print', 'report_timeout', true],
    ['page open race', new Error('Requesting main frame too early!'), 'page', 'report_page_open_failed', true],
    ['chromium missing', new Error('Failed to launch the browser process! spawn /opt/chrome ENOENT'), 'launch', 'report_browser_launch_failed', false],
    ['chromium crashed at start', new Error('Failed to launch the browser process! Code: 133'), 'launch', 'report_browser_launch_failed', true],
    ['anything else', new Error('Cannot read properties of undefined'), 'print', 'report_failed', false],
  ] as const)('%s → %s (retryable=%s)', (_name, error, stage, code, retryable) => {
    const e = classifyRenderError(error, stage, 'helpdesk-weekly');
    expect(e).toBeInstanceOf(ReportError);
    expect(e).toMatchObject({ code, retryable });
    expect(e.cause).toBe(error);
    expect(e.message).toMatch(/^Report (helpdesk-weekly|renderer)/);
  });

  it('keeps a ReportError as it is', () => {
    const original = new ReportError('x', { code: 'report_unauthorized' });
    expect(classifyRenderError(original, 'ready', 'r')).toBe(original);
  });
});

describe('reportFileName', () => {
  it.each([
    ['helpdesk-weekly', '2026-11-30T05:00:00Z', 'yardim-masasi-haftalik-2026-11-30.pdf'],
    ['helpdesk-weekly', '2026-11-29T21:30:00Z', 'yardim-masasi-haftalik-2026-11-30.pdf'], // already Monday in Istanbul
    ['helpdesk-weekly', '2026-11-29T20:59:00Z', 'yardim-masasi-haftalik-2026-11-29.pdf'],
    ['bilinmeyen-rapor', '2027-01-04T05:00:00Z', 'bilinmeyen-rapor-2027-01-04.pdf'],
  ])('%s at %s → %s', (id, at, expected) => {
    expect(reportFileName(id, new Date(at))).toBe(expected);
  });

  it('takes a plain day as is', () => {
    expect(reportFileName('helpdesk-weekly', '2026-11-30')).toBe('yardim-masasi-haftalik-2026-11-30.pdf');
  });

  it.each([
    ['Yardım Masası Haftalık Raporu', 'yardim-masasi-haftalik-raporu'],
    ['İŞÇİ ÖĞÜN Çizelgesi', 'isci-ogun-cizelgesi'],
    ['  Bütçe / Gider (₺) 2026 ', 'butce-gider-2026'],
  ])('slugifyTr(%s) = %s', (input, expected) => {
    expect(slugifyTr(input)).toBe(expected);
  });
});

describe('footer and page counting', () => {
  it('the footer has Turkish page numbers, the title (escaped) and the generated-at stamp', () => {
    const html = footerTemplate({ title: 'Rapor <b>&</b>', generatedAt: '30.11.2026 08:00', fontFamily: "'Noto Sans'" });
    expect(html).toContain('Sayfa <span class="pageNumber"></span> / <span class="totalPages"></span>');
    expect(html).toContain('Rapor &lt;b&gt;&amp;&lt;/b&gt;');
    expect(html).toContain('Oluşturulma: 30.11.2026 08:00');
    expect(html).toMatch(/font-size:7\.5px/);
  });

  it.each([
    ['one page object', '<< /Type /Pages /Count 1 /Kids [3 0 R] >> << /Type /Page /Parent 2 0 R >>', 1],
    ['three pages, compact spelling', '<</Type/Pages/Count 3>> <</Type/Page>> <</Type/Page>> <</Type/Page/Parent 2 0 R>>', 3],
    ['only the tree count (pages in object streams)', '<< /Type /Pages /Kids [] /Count 7 >>', 7],
    ['not a PDF', 'hello', 0],
  ])('countPdfPages: %s → %i', (_n, body, expected) => {
    expect(countPdfPages(Buffer.from(`%PDF-1.4\n${body}\n%%EOF`, 'latin1'))).toBe(expected);
  });
});

describe('the public entry', () => {
  it('exposes the report definitions', () => {
    expect(getReport('helpdesk-weekly')?.title.tr).toBe('Yardım Masası Haftalık Raporu');
    expect(Object.keys(REPORTS)).toContain('helpdesk-weekly');
    expect(getReport('toString')).toBeUndefined();
  });
});
