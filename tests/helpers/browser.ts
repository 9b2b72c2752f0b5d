import puppeteer, { type Browser } from 'puppeteer-core';
import type { PanoConfig } from '../../common/config.js';
import { DEFAULT_CHROMIUM_ARGS } from '../../reports/render.js';

/** Debian's Chromium, headless, with the flags the PDF renderer uses: the browser of the end-to-end tests. */
export function launchBrowser(config: PanoConfig): Promise<Browser> {
  return puppeteer.launch({ executablePath: config.reports.chromiumPath, headless: true, args: DEFAULT_CHROMIUM_ARGS });
}
