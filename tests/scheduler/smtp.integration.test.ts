import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AppDb } from '../../common/db/app-db.js';
import { DeliveryError } from '../../common/errors.js';
import {
  composeReportMail,
  createMailer,
  deliverRun,
  listDeliveries,
  startDemoMailbox,
  type DemoMailbox,
  type Mailer,
  type StoredMailSummary,
} from '../../scheduler/index.js';
import { captureLogger, tempAppDb, tempDir } from './helpers.js';

// Real SMTP over TCP: nodemailer → smtp-server (the demo mailbox) → files on disk.

const PDF = Buffer.concat([Buffer.from('%PDF-1.4\n% Yardım Masası\n'), crypto.randomBytes(20_000), Buffer.from('\n%%EOF\n')]);
const sha = (b: Buffer) => crypto.createHash('sha256').update(b).digest('hex');
const MAIL = composeReportMail({
  reportTitle: 'Yardım Masası Haftalık Raporu',
  date: new Date('2026-11-30T05:00:00Z'),
  timezone: 'Europe/Istanbul',
  filename: 'yardim-masasi-haftalik-2026-11-30.pdf',
  pages: 2,
  dataAsOf: '2026-11-30T04:45:00Z',
});

function readStored(dir: string): Array<{ base: string; summary: StoredMailSummary; eml: Buffer }> {
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => {
      const base = f.slice(0, -'.json'.length);
      return { base, summary: JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')), eml: fs.readFileSync(path.join(dir, `${base}.eml`)) };
    });
}

/** A port nothing listens on: bind to an ephemeral port and let it go. */
async function closedPort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  const { port } = srv.address() as net.AddressInfo;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

describe('demo mailbox + nodemailer (real SMTP)', () => {
  let dir: string;
  let mailbox: DemoMailbox;
  let mailer: Mailer;
  beforeEach(async () => {
    dir = tempDir('pano-mailbox-');
    mailbox = await startDemoMailbox({ port: 0, dir, now: () => new Date('2026-11-30T05:00:07Z') });
    mailer = createMailer({ smtpUrl: `smtp://127.0.0.1:${mailbox.port}`, from: 'Pano <pano@sultanbeyli.bel.tr>' });
  });
  afterEach(async () => {
    mailer.close();
    await mailbox.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('stores the mail as .eml and a .json summary whose attachment hash matches the PDF', async () => {
    expect(mailbox.port).toBeGreaterThan(0);
    const info = await mailer.sendReportMail({
      to: 'mudur@sultanbeyli.bel.tr',
      ...MAIL,
      attachment: { filename: 'yardim-masasi-haftalik-2026-11-30.pdf', content: PDF },
    });
    expect(info.messageId).toMatch(/^<.+>$/);
    expect(info.response).toMatch(/^250 /);

    const stored = readStored(dir);
    expect(stored).toHaveLength(1);
    const [{ base, summary, eml }] = stored as [(typeof stored)[0]];
    expect(base).toBe('20261130-080007-1'); // Istanbul time of receipt
    expect(summary).toMatchObject({
      file: `${base}.eml`,
      from: '"Pano" <pano@sultanbeyli.bel.tr>',
      to: ['mudur@sultanbeyli.bel.tr'],
      subject: 'Yardım Masası Haftalık Raporu — 30.11.2026',
      messageId: info.messageId,
      envelope: { mailFrom: 'pano@sultanbeyli.bel.tr', rcptTo: ['mudur@sultanbeyli.bel.tr'] },
      attachments: [{ filename: 'yardim-masasi-haftalik-2026-11-30.pdf', contentType: 'application/pdf', size: PDF.length, sha256: sha(PDF) }],
    });
    expect(summary.text).toContain('Bu e-posta Pano tarafından otomatik gönderilmiştir.');
    expect(summary.text).toContain('Rapordaki veriler 30.11.2026 07:45 itibarıyla günceldir.');

    // The .eml is the complete message: parse it again independently.
    const parsed = await simpleParser(eml);
    expect(parsed.subject).toBe('Yardım Masası Haftalık Raporu — 30.11.2026');
    expect(sha(parsed.attachments[0]!.content)).toBe(sha(PDF));
    expect(parsed.html).toContain('Yardım Masası Haftalık Raporu');
  });

  it('deliverRun through the real mailer: one stored mail per recipient, ledger rows with the SMTP answer', async () => {
    const { db, cleanup } = await tempAppDb();
    try {
      const recipients = ['mudur@sultanbeyli.bel.tr', 'yardimci@sultanbeyli.bel.tr'];
      const opts = {
        db,
        runKey: '1@2026-11-30T05:00:00.000Z',
        reportId: 'helpdesk-weekly',
        recipients,
        pdf: PDF,
        filename: 'yardim-masasi-haftalik-2026-11-30.pdf',
        mail: MAIL,
        send: mailer.sendReportMail,
        retries: 2,
        sleep: async () => undefined,
      };
      expect(await deliverRun(opts)).toMatchObject({ sent: 2, failed: 0, pdfSha256: sha(PDF) });
      expect(await deliverRun(opts)).toMatchObject({ sent: 0, skipped: 2 }); // the same run again: nobody gets it twice
      const stored = readStored(dir);
      expect(stored.map((s) => s.summary.to[0]).sort()).toEqual(recipients);
      expect(new Set(stored.map((s) => s.base)).size).toBe(2); // same second, distinct files
      const rows = await listDeliveries(db, opts.runKey);
      for (const row of rows) {
        expect(row).toMatchObject({
          status: 'sent',
          attempts: 1,
          pdf_sha256: sha(PDF),
          smtp_response: expect.stringMatching(/^250 .*Stored as \d{8}-\d{6}-\d+\.eml/),
        });
        expect(stored.find((s) => s.summary.to[0] === row.recipient)!.summary.messageId).toBe(row.message_id);
      }
    } finally {
      await cleanup();
    }
  });

  it('a message over the mailbox size limit is refused permanently (552)', async () => {
    const small = await startDemoMailbox({ port: 0, dir, maxMessageBytes: 10_000 });
    const m = createMailer({ smtpUrl: `smtp://127.0.0.1:${small.port}`, from: 'pano@sultanbeyli.bel.tr' });
    try {
      const err = await m.sendReportMail({ to: 'mudur@sultanbeyli.bel.tr', ...MAIL, attachment: { filename: 'r.pdf', content: PDF } }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(DeliveryError);
      expect(err).toMatchObject({ retryable: false, message: expect.stringMatching(new RegExp(`^SMTP 127\\.0\\.0\\.1:${small.port} answered 552`)) });
    } finally {
      m.close();
      await small.close();
    }
  });
});

describe('SMTP answers → retry decision (real server)', () => {
  let server: SMTPServer;
  let port: number;
  beforeEach(async () => {
    server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onRcptTo(address, _s, cb) {
        if (address.address.startsWith('yok@')) cb(Object.assign(new Error('5.1.1 Mailbox unknown'), { responseCode: 550 }));
        else if (address.address.startsWith('sonra@')) cb(Object.assign(new Error('4.7.1 Greylisted, try later'), { responseCode: 451 }));
        else cb();
      },
      onData(stream, _s, cb) {
        stream.resume();
        stream.on('end', () => cb());
      },
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    port = (server.server.address() as net.AddressInfo).port;
  });
  afterEach(async () => new Promise<void>((r) => server.close(() => r())));

  it.each([
    ['yok@sultanbeyli.bel.tr', false, '550'],
    ['sonra@sultanbeyli.bel.tr', true, '451'],
  ])('%s → retryable=%s', async (to, retryable, code) => {
    const m = createMailer({ smtpUrl: `smtp://127.0.0.1:${port}`, from: 'pano@sultanbeyli.bel.tr' });
    try {
      const err = await m.sendReportMail({ to, ...MAIL }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(DeliveryError);
      expect(err).toMatchObject({ retryable, message: expect.stringContaining(`SMTP 127.0.0.1:${port} answered ${code}`) });
    } finally {
      m.close();
    }
  });
});

describe('SMTP down', () => {
  let db: AppDb;
  let cleanup: () => Promise<void>;
  beforeEach(async () => {
    ({ db, cleanup } = await tempAppDb());
  });
  afterEach(async () => cleanup());

  it('connection refused → retryable DeliveryError naming host:port, never the password', async () => {
    const port = await closedPort();
    const m = createMailer({ smtpUrl: `smtp://pano:gizli-sifre@127.0.0.1:${port}`, from: 'pano@sultanbeyli.bel.tr' });
    try {
      const err = await m.sendReportMail({ to: 'mudur@sultanbeyli.bel.tr', ...MAIL }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(DeliveryError);
      expect(err).toMatchObject({ retryable: true, code: 'delivery_failed' });
      expect((err as Error).message).toContain(`SMTP 127.0.0.1:${port}`);
      expect((err as Error).message).toMatch(/ECONNREFUSED/);
      expect((err as Error).message).not.toContain('gizli-sifre');
    } finally {
      m.close();
    }
  });

  it('the ledger row ends failed with the error after retries+1 attempts, with backoff between them', async () => {
    const port = await closedPort();
    const m = createMailer({ smtpUrl: `smtp://127.0.0.1:${port}`, from: 'pano@sultanbeyli.bel.tr' });
    const { logger, events } = captureLogger();
    const sleeps: number[] = [];
    try {
      const result = await deliverRun({
        db,
        runKey: '1@2026-11-30T05:00:00.000Z',
        reportId: 'helpdesk-weekly',
        recipients: ['mudur@sultanbeyli.bel.tr'],
        pdf: PDF,
        filename: 'yardim-masasi-haftalik-2026-11-30.pdf',
        mail: MAIL,
        send: m.sendReportMail,
        retries: 3,
        sleep: async (ms) => void sleeps.push(ms),
        backoff: { baseMs: 1000, maxMs: 60_000, random: () => 1 },
        logger,
      });
      expect(result.outcomes).toEqual([expect.objectContaining({ status: 'failed', attempts: 4, retryable: true })]);
      expect(sleeps).toEqual([1000, 2000, 4000]);
      const [row] = await listDeliveries(db, '1@2026-11-30T05:00:00.000Z');
      expect(row).toMatchObject({ status: 'failed', attempts: 4, pdf_sha256: sha(PDF), message_id: null });
      expect(row!.error).toMatch(new RegExp(`SMTP 127\\.0\\.0\\.1:${port} .*ECONNREFUSED`));
      expect(events('scheduler.delivery.retry')).toHaveLength(3);
      expect(events('scheduler.delivery.failed')).toEqual([
        expect.objectContaining({ recipient: 'mudur@sultanbeyli.bel.tr', run_key: '1@2026-11-30T05:00:00.000Z', report_id: 'helpdesk-weekly' }),
      ]);
      expect(await db('audit_log').where({ action: 'report.delivery_failed' }).count({ n: '*' })).toEqual([{ n: 1 }]);
    } finally {
      m.close();
    }
  });
});
