import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { DateTime } from 'luxon';
import { simpleParser, type AddressObject } from 'mailparser';
import { SMTPServer, type SMTPServerDataStream, type SMTPServerSession } from 'smtp-server';
import { silentLogger, type Logger } from '../../common/logger.js';
import { DEFAULT_TIMEZONE } from '../../common/definitions/timezone.js';

/**
 * The demo mailbox: a local SMTP server that keeps every message it receives as a file, so a demo user can
 * open exactly the mail (and PDF) the director would get. Not a relay: nothing leaves the machine.
 *
 * Each message is stored as `<dir>/<yyyyMMdd-HHmmss>-<n>.eml` (the raw message, opens in any mail client)
 * and `<same>.json`, a summary: from, to, subject, date, attachments with size and sha256.
 */

export interface DemoMailboxOptions {
  /** Listen address. Default 127.0.0.1: the mailbox is for this machine only. */
  host?: string;
  /** 0 picks a free port. */
  port: number;
  dir: string;
  /** Largest message accepted, in bytes. Default 25 MB. */
  maxMessageBytes?: number;
  /** Timezone of the file names (PANO_TIMEZONE). Default DEFAULT_TIMEZONE. */
  timezone?: string;
  now?: () => Date;
  logger?: Logger;
}

export interface DemoMailbox {
  host: string;
  port: number;
  dir: string;
  close(): Promise<void>;
}

export interface StoredMailSummary {
  file: string;
  receivedAt: string;
  envelope: { mailFrom: string | null; rcptTo: string[] };
  from: string;
  to: string[];
  subject: string;
  date: string | null;
  messageId: string | null;
  text: string;
  attachments: Array<{ filename: string | null; contentType: string; size: number; sha256: string }>;
}

export async function startDemoMailbox(opts: DemoMailboxOptions): Promise<DemoMailbox> {
  const host = opts.host ?? '127.0.0.1';
  const dir = path.resolve(opts.dir);
  const maxBytes = opts.maxMessageBytes ?? 25 * 1024 * 1024;
  const zone = opts.timezone ?? DEFAULT_TIMEZONE;
  const now = opts.now ?? (() => new Date());
  const log = opts.logger ?? silentLogger;
  fs.mkdirSync(dir, { recursive: true });
  let counter = 0;

  const server = new SMTPServer({
    name: 'pano-demo-mailbox',
    banner: 'Pano demo mailbox (mail is stored locally, never relayed)',
    authOptional: true,
    allowInsecureAuth: true,
    disabledCommands: ['STARTTLS'],
    size: maxBytes,
    disableReverseLookup: true,
    logger: false,
    // Any login is accepted: this is a local demo sink, it proves nothing about real credentials.
    onAuth(auth, _session, callback) {
      callback(null, { user: auth.username ?? 'demo' });
    },
    onData(stream: SMTPServerDataStream, session: SMTPServerSession, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('error', (e) => callback(e));
      stream.on('end', () => {
        if (stream.sizeExceeded) {
          const err = Object.assign(new Error(`Message exceeds the mailbox limit of ${maxBytes} bytes`), { responseCode: 552 });
          callback(err);
          return;
        }
        const raw = Buffer.concat(chunks);
        storeMessage(raw, session)
          .then((file) => {
            log.info({ file, bytes: raw.length }, 'scheduler.mailbox.stored');
            callback(null, `Stored as ${file}`);
          })
          .catch((e: unknown) => {
            log.error({ err: e instanceof Error ? e.message : String(e) }, 'scheduler.mailbox.store_failed');
            callback(Object.assign(new Error('Mailbox could not store the message'), { responseCode: 451 }));
          });
      });
    },
  });

  async function storeMessage(raw: Buffer, session: SMTPServerSession): Promise<string> {
    const receivedAt = now();
    const stamp = DateTime.fromJSDate(receivedAt, { zone }).toFormat('yyyyMMdd-HHmmss');
    let base: string;
    do {
      base = `${stamp}-${++counter}`;
    } while (fs.existsSync(path.join(dir, `${base}.eml`)));
    const parsed = await simpleParser(raw, { skipHtmlToText: true, skipTextToHtml: true, skipImageLinks: true });
    const summary: StoredMailSummary = {
      file: `${base}.eml`,
      receivedAt: receivedAt.toISOString(),
      envelope: {
        mailFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : null,
        rcptTo: session.envelope.rcptTo.map((r) => r.address),
      },
      from: parsed.from?.text ?? '',
      to: addressList(parsed.to),
      subject: parsed.subject ?? '',
      date: parsed.date ? parsed.date.toISOString() : null,
      messageId: parsed.messageId ?? null,
      text: parsed.text ?? '',
      attachments: parsed.attachments.map((a) => ({
        filename: a.filename ?? null,
        contentType: a.contentType,
        size: a.content.length,
        sha256: crypto.createHash('sha256').update(a.content).digest('hex'),
      })),
    };
    // Write-then-rename, .eml first: whoever sees the .json can read the whole message.
    await writeAtomic(path.join(dir, `${base}.eml`), raw);
    await writeAtomic(path.join(dir, `${base}.json`), Buffer.from(JSON.stringify(summary, null, 2) + '\n', 'utf8'));
    return `${base}.eml`;
  }

  await new Promise<void>((resolve, reject) => {
    const onError = (e: Error) => reject(e);
    server.once('error', onError);
    server.listen(opts.port, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
  server.on('error', (e: Error) => log.warn({ err: e.message }, 'scheduler.mailbox.error'));
  const address = server.server.address();
  const port = typeof address === 'object' && address ? address.port : opts.port;
  log.info({ host, port, dir }, 'scheduler.mailbox.listening');

  return {
    host,
    port,
    dir,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function addressList(a: AddressObject | AddressObject[] | undefined): string[] {
  if (!a) return [];
  return (Array.isArray(a) ? a : [a]).flatMap((o) => o.value.map((v) => v.address ?? v.name ?? '')).filter(Boolean);
}

async function writeAtomic(file: string, data: Buffer): Promise<void> {
  const tmp = `${file}.${process.pid}.tmp`;
  await fs.promises.writeFile(tmp, data);
  await fs.promises.rename(tmp, file);
}
