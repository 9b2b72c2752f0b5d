import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../common/logger.js';
import { buildApp } from '../../portal/server/app.js';
import { portalAnswerError } from '../../reports/render.js';

// What `pano report render` says when the print page answers with an error, without a browser: the server's real
// answer for a portal that was never built, fed to the renderer's pure classification.

const noDist = fs.mkdtempSync(path.join(os.tmpdir(), 'pano-no-dist-'));
afterAll(() => fs.rmSync(noDist, { recursive: true, force: true }));

async function printPageWithoutBuild() {
  const unused = {} as never; // the print route of an unbuilt portal touches neither the databases nor the model
  const app = await buildApp({
    appDb: unused,
    reader: unused,
    queries: unused,
    logger: silentLogger,
    auth: { jwtSecret: 'x'.repeat(32), jwtTtl: '8h' },
    webDist: noDist,
  });
  try {
    const r = await app.inject({ method: 'GET', url: '/print/reports/helpdesk-weekly' });
    return { status: r.statusCode, body: r.body };
  } finally {
    await app.close();
  }
}

describe('a portal that was never built', () => {
  it('says, Turkish first and English in brackets, which command builds it — and is not retried', async () => {
    const answer = await printPageWithoutBuild();
    expect(answer.status).toBe(503);
    const e = portalAnswerError('helpdesk-weekly', '/print/reports/helpdesk-weekly', answer.status, answer.body);
    expect(e).toMatchObject({ code: 'report_portal_not_built', retryable: false });
    expect(e.message).toMatch(/^Rapor helpdesk-weekly: portal derlenmemiş; `npm run build:portal` çalıştırın/);
    expect(e.message).toContain('`npm run build:portal`');
    expect(e.message).toMatch(/\(report helpdesk-weekly: the portal is not built.*`npm run build:portal`.*\)$/);
    expect(e.message.indexOf('derlenmemiş')).toBeLessThan(e.message.indexOf('not built'));
    expect(e.message).not.toContain('HTTP 503');
  });
});

describe('portalAnswerError: other answers keep their codes', () => {
  it.each([
    [401, '', 'report_unauthorized', false],
    [403, '', 'report_unauthorized', false],
    [404, '', 'report_not_found', false],
    [400, '', 'report_failed', false],
    [503, '<html><title>503 Service Temporarily Unavailable</title></html>', 'report_navigation_failed', true], // a proxy in front: passing
    [502, 'Bad Gateway', 'report_navigation_failed', true],
    [500, 'Portal is not built', 'report_navigation_failed', true], // only a 503 means "not built"
  ] as const)('HTTP %i %j → %s (retryable=%s)', (status, body, code, retryable) => {
    const e = portalAnswerError('helpdesk-weekly', '/print/reports/helpdesk-weekly', status, body);
    expect(e).toMatchObject({ code, retryable });
    expect(e.message).toMatch(/^Report helpdesk-weekly: /);
  });
});
