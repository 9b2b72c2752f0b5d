import crypto from 'node:crypto';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppDb } from '../../common/db/app-db.js';
import { ReportRenderer } from '../../reports/index.js';
import {
  createMailer,
  createSubscriptionRunner,
  getSubscription,
  listDeliveries,
  seedDefaultSubscriptions,
  startDemoMailbox,
  startScheduler,
  type DemoMailbox,
  type Mailer,
  type StoredMailSummary,
} from '../../scheduler/index.js';
import { startPrintServer, TEST_TOKEN, TURKISH_TEXT, type PrintServer } from '../reports/print-server.js';
import { captureLogger, tempAppDb, tempDir } from './helpers.js';

// The director's Monday mail, end to end with real parts: subscription in the app DB → scheduler → Chromium
// renders the print page → nodemailer → the demo mailbox's .eml/.json on disk → ledger rows.

describe('subscription → PDF → mail (real Chromium, real SMTP)', () => {
  let server: PrintServer;
  let renderer: ReportRenderer;
  let mailbox: DemoMailbox;
  let mailer: Mailer;
  let db: AppDb;
  let cleanupDb: () => Promise<void>;
  let dir: string;
  const tokensMinted: string[] = [];

  beforeAll(async () => {
    server = await startPrintServer();
    renderer = new ReportRenderer({ chromiumPath: process.env.PANO_CHROMIUM_PATH ?? '/usr/bin/chromium', timeoutMs: 20_000 });
    dir = tempDir('pano-e2e-mail-');
    mailbox = await startDemoMailbox({ port: 0, dir });
    mailer = createMailer({ smtpUrl: `smtp://127.0.0.1:${mailbox.port}`, from: 'Pano <pano@sultanbeyli.bel.tr>' });
    ({ db, cleanup: cleanupDb } = await tempAppDb());
  }, 60_000);
  afterAll(async () => {
    mailer?.close();
    await mailbox?.close();
    await renderer?.close();
    await server?.close();
    await cleanupDb?.();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('runs the seeded director subscription and leaves the mail in the demo mailbox', async () => {
    const id = (await seedDefaultSubscriptions(db, { directorEmail: 'mudur@sultanbeyli.bel.tr', cron: '0 8 * * 1', timezone: 'Europe/Istanbul' }))!;
    const { logger, events } = captureLogger();
    const runner = createSubscriptionRunner({
      db,
      logger,
      retries: 2,
      sendMail: mailer.sendReportMail,
      dataAsOf: () => '2026-11-30T04:45:00Z',
      renderer: {
        // The lead's wiring mints a token for the owner; here the test server accepts one fixed token.
        render: (reportId, owner) => {
          tokensMinted.push(owner);
          return renderer.render({ baseUrl: server.baseUrl, reportId, token: TEST_TOKEN });
        },
      },
    });
    const scheduler = await startScheduler({ db, logger, timezone: 'Europe/Istanbul', runSubscription: runner, now: () => new Date('2026-11-30T05:00:00Z') });
    try {
      expect(scheduler.jobs).toEqual([expect.objectContaining({ subscriptionId: id, cron: '0 8 * * 1' })]);
      const outcome = await scheduler.runNow(id);
      expect(outcome).toEqual({ status: 'done', runKey: `${id}@2026-11-30T05:00:00.000Z` });
    } finally {
      await scheduler.stop();
    }
    expect(tokensMinted).toEqual(['mudur']);

    const jsonFiles = fs.readdirSync(dir).filter((f) => f.endsWith('.json'));
    expect(jsonFiles).toHaveLength(1);
    const summary: StoredMailSummary = JSON.parse(fs.readFileSync(path.join(dir, jsonFiles[0]!), 'utf8'));
    expect(summary).toMatchObject({
      to: ['mudur@sultanbeyli.bel.tr'],
      subject: 'Yardım Masası Haftalık Raporu — 30.11.2026',
      attachments: [{ filename: 'yardim-masasi-haftalik-2026-11-30.pdf', contentType: 'application/pdf' }],
    });
    expect(summary.text).toContain('Rapordaki veriler 30.11.2026 07:45 itibarıyla günceldir.');

    // The attachment in the stored .eml is the PDF the ledger recorded, and it holds the Turkish report text.
    const parsed = await simpleParser(fs.readFileSync(path.join(dir, summary.file)));
    const pdf = parsed.attachments[0]!.content;
    const [row] = await listDeliveries(db, `${id}@2026-11-30T05:00:00.000Z`);
    expect(row).toMatchObject({ status: 'sent', attempts: 1, recipient: 'mudur@sultanbeyli.bel.tr', message_id: summary.messageId });
    expect(crypto.createHash('sha256').update(pdf).digest('hex')).toBe(row!.pdf_sha256);
    expect(summary.attachments[0]!.sha256).toBe(row!.pdf_sha256);
    const pdfFile = path.join(dir, 'attachment.pdf');
    fs.writeFileSync(pdfFile, pdf);
    expect(execFileSync('pdftotext', ['-enc', 'UTF-8', pdfFile, '-'], { encoding: 'utf8' })).toContain(TURKISH_TEXT);
    expect(summary.text).toContain(`${execFileSync('pdfinfo', [pdfFile], { encoding: 'utf8' }).match(/^Pages:\s+(\d+)/m)![1]} sayfa`);

    expect(events('scheduler.job.done')).toHaveLength(1);
    expect(events('scheduler.delivery.sent')).toHaveLength(1);

    // Running the same occurrence again neither renders nor mails.
    const again = await runner((await getSubscription(db, id))!, `${id}@2026-11-30T05:00:00.000Z`, new Date('2026-11-30T05:00:00Z'));
    expect(again.stage).toBe('already_delivered');
    expect(tokensMinted).toEqual(['mudur']);
    expect(fs.readdirSync(dir).filter((f) => f.endsWith('.eml'))).toHaveLength(1);
  }, 90_000);
});
