import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';

/**
 * A tiny stand-in for the portal's print pages, served over real HTTP for the renderer tests.
 * Every page follows the print contract: it reads its token from sessionStorage['pano.token'] and sets
 * data-pano-ready="true" or data-pano-error on <html>.
 */

export const TURKISH_TEXT = 'Yardım Masası Çağrı Şişli Ğğ İı Öö Üü';
export const TEST_TOKEN = 'test-token-çok-gizli-123';
const FONT_DIR = path.resolve('node_modules/@fontsource/noto-sans/files');

export interface PrintServer {
  baseUrl: string;
  /** Every request URL the server saw (to prove the token never travels in a URL). */
  requests: string[];
  /** /api/hold requests waiting for release(), in arrival order. */
  held: Array<{ release: () => void }>;
  maxHeld: number;
  /** Resolves when at least n /api/hold requests are waiting. */
  waitForHeld(n: number): Promise<void>;
  /** Number of times /print/reports/flaky was served. */
  flakyServed: number;
  onFlakyFirstRequest?: () => void;
  close(): Promise<void>;
}

const LATIN_EXT_RANGE =
  'U+0100-02BA,U+02BD-02C5,U+02C7-02CC,U+02CE-02D7,U+02DD-02FF,U+0304,U+0308,U+0329,U+1D00-1DBF,U+1E00-1E9F,U+1EF2-1EFF,U+2020,U+20A0-20AB,U+20AD-20C0,U+2113,U+2C60-2C7F,U+A720-A7FF';
const LATIN_RANGE =
  'U+0000-00FF,U+0131,U+0152-0153,U+02BB-02BC,U+02C6,U+02DA,U+02DC,U+0304,U+0308,U+0329,U+2000-206F,U+20AC,U+2122,U+2191,U+2193,U+2212,U+2215,U+FEFF,U+FFFD';
// Regular and bold, as @fontsource ships them (a missing bold would be faked by Chromium as a Type 3 font).
const fontFaces = [400, 700]
  .flatMap((w) => [
    `@font-face { font-family: 'Pano Test Noto'; font-weight: ${w}; font-style: normal; src: url(/fonts/noto-sans-latin-ext-${w}-normal.woff2) format('woff2'); unicode-range: ${LATIN_EXT_RANGE}; }`,
    `@font-face { font-family: 'Pano Test Noto'; font-weight: ${w}; font-style: normal; src: url(/fonts/noto-sans-latin-${w}-normal.woff2) format('woff2'); unicode-range: ${LATIN_RANGE}; }`,
  ])
  .join('\n');

/** A page: style, body, and a script run after load. The fallback font is monospace so a missing web font shows. */
function page(body: string, script: string): string {
  return `<!doctype html><html lang="tr"><head><meta charset="utf-8"><title>Pano test</title>
<style>${fontFaces}
@page { size: A4; }
body { font-family: 'Pano Test Noto', monospace; font-size: 14pt; }
.break { break-before: page; }
</style></head><body>${body}
<script>
const html = document.documentElement;
const token = sessionStorage.getItem('pano.token');
${script}
</script></body></html>`;
}

const PAGES: Record<string, string> = {
  // Two A4 pages of Turkish text in the web font, ready after an async delay and once fonts are in.
  turkce: page(
    `<h1>${TURKISH_TEXT}</h1><p id="auth"></p><p class="break">İkinci sayfa: ${TURKISH_TEXT}</p>`,
    `if (token !== ${JSON.stringify(TEST_TOKEN)}) { html.setAttribute('data-pano-error', 'unauthorized'); }
     else {
       document.getElementById('auth').textContent = 'Yetki doğrulandı';
       setTimeout(() => Promise.all([document.fonts.load("14pt 'Pano Test Noto'", 'ğİş'), document.fonts.load("bold 14pt 'Pano Test Noto'", 'ğİş')]).then(() => html.setAttribute('data-pano-ready', 'true')), 150);
     }`,
  ),
  bozuk: page(`<p>Hata</p>`, `setTimeout(() => html.setAttribute('data-pano-error', 'Sorgu başarısız: küp zaman aşımı'), 50);`),
  asla: page(`<p>Hiç hazır olmayan sayfa</p>`, `/* never sets a marker */ console.error('küp sorgusu takıldı');`),
  giris: page(`<form>Giriş</form>`, `html.setAttribute('data-pano-login', '');`),
  // Ready only after the server answers /api/hold (the test controls when).
  // (A unique URL: Chrome lets only one in-flight request per cacheable URL proceed at a time.)
  havuz: page(
    `<p>${TURKISH_TEXT}</p>`,
    `fetch('/api/hold?n=' + Math.random(), { cache: 'no-store' }).then(() => html.setAttribute('data-pano-ready', 'true'));`,
  ),
  // Tries to load from another origin; must not hang the render.
  dis: page(`<p>${TURKISH_TEXT}</p><img src="http://192.0.2.10/izleme.png">`, `setTimeout(() => html.setAttribute('data-pano-ready', 'true'), 20);`),
};

// The real report's id, so wiring tests can go through getReport('helpdesk-weekly').
PAGES['helpdesk-weekly'] = PAGES.turkce!;

export async function startPrintServer(): Promise<PrintServer> {
  const held: PrintServer['held'] = [];
  const waiters: Array<{ n: number; resolve: () => void }> = [];
  const state: PrintServer = {
    baseUrl: '',
    requests: [],
    held,
    maxHeld: 0,
    flakyServed: 0,
    waitForHeld: (n) => (held.length >= n ? Promise.resolve() : new Promise((resolve) => waiters.push({ n, resolve }))),
    close: async () => undefined,
  };

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    state.requests.push(req.url ?? '');
    const fontMatch = /^\/fonts\/([\w.-]+\.woff2)$/.exec(url.pathname);
    if (fontMatch) {
      const file = path.join(FONT_DIR, fontMatch[1]!);
      if (!fs.existsSync(file)) return void res.writeHead(404).end();
      res.writeHead(200, { 'content-type': 'font/woff2' });
      return void res.end(fs.readFileSync(file));
    }
    if (url.pathname === '/favicon.ico') return void res.writeHead(204).end();
    if (url.pathname === '/api/hold') {
      const entry = {
        release: () => {
          held.splice(held.indexOf(entry), 1);
          res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
        },
      };
      held.push(entry);
      state.maxHeld = Math.max(state.maxHeld, held.length);
      for (const w of [...waiters]) if (held.length >= w.n) (waiters.splice(waiters.indexOf(w), 1), w.resolve());
      return;
    }
    if (url.pathname === '/print/reports/flaky') {
      state.flakyServed++;
      if (state.flakyServed === 1) {
        // First attempt: a page that never gets ready; the test kills the browser meanwhile.
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(page('<p>bekliyor</p>', ''));
        setImmediate(() => state.onFlakyFirstRequest?.());
        return;
      }
      return void res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(PAGES.turkce);
    }
    const m = /^\/print\/reports\/([\w-]+)$/.exec(url.pathname);
    const html = m ? PAGES[m[1]!] : undefined;
    if (!html) return void res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(html);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  state.baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  state.close = () =>
    new Promise<void>((r) => {
      for (const h of [...held]) h.release();
      server.closeAllConnections();
      server.close(() => r());
    });
  return state;
}
