import nodemailer from 'nodemailer';
import { DeliveryError, errorMessage } from '../../common/errors.js';

/**
 * Sends report mail over SMTP (nodemailer). Every failure becomes a DeliveryError that names the server as
 * host:port (never the credentials of the URL) and says whether trying again may help:
 * - connection refused/reset, DNS, timeouts, a dropped connection, any 4xx answer → retryable;
 * - a 5xx answer (mailbox unknown, message refused, authentication failed) → permanent;
 * - a malformed envelope or message, a TLS or configuration problem → permanent.
 */

export interface OutgoingMail {
  to: string;
  subject: string;
  text: string;
  html: string;
  attachment?: { filename: string; content: Buffer; contentType?: string };
}

export interface SentMail {
  messageId: string;
  response: string;
}

export type SendMail = (mail: OutgoingMail) => Promise<SentMail>;

export interface MailerOptions {
  /** smtp://user:pass@host:port or smtps://…; credentials stay inside the transport. */
  smtpUrl: string;
  /** "Pano <pano@sultanbeyli.bel.tr>" */
  from: string;
  /** Give up on a dead server quickly; the delivery ledger retries with backoff. */
  connectionTimeoutMs?: number;
  greetingTimeoutMs?: number;
  socketTimeoutMs?: number;
}

export interface Mailer {
  /** The server as host:port, for logs and messages. */
  readonly target: string;
  sendReportMail: SendMail;
  /** Connects and says EHLO (and logs in if the URL has credentials). */
  verify(): Promise<void>;
  close(): void;
}

const RETRYABLE_CODES = new Set([
  'ECONNECTION',
  'ETIMEDOUT',
  'ESOCKET',
  'EDNS',
  'EPROTOCOL',
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  'EMAXLIMIT',
]);
const PERMANENT_CODES = new Set(['EENVELOPE', 'EMESSAGE', 'EAUTH', 'ENOAUTH', 'ECONFIG', 'ETLS', 'EREQUIRETLS', 'EOAUTH2', 'EMAXRECIPIENTS']);

export function createMailer(opts: MailerOptions): Mailer {
  const target = smtpTarget(opts.smtpUrl);
  // Settings in the URL (e.g. ?tls.rejectUnauthorized=false) win over these defaults.
  const transport = nodemailer.createTransport({
    url: opts.smtpUrl,
    connectionTimeout: opts.connectionTimeoutMs ?? 15_000,
    greetingTimeout: opts.greetingTimeoutMs ?? 15_000,
    socketTimeout: opts.socketTimeoutMs ?? 60_000,
    disableFileAccess: true,
    disableUrlAccess: true,
  });

  async function sendReportMail(mail: OutgoingMail): Promise<SentMail> {
    try {
      const info = await transport.sendMail({
        from: opts.from,
        to: mail.to,
        subject: mail.subject,
        text: mail.text,
        html: mail.html,
        attachments: mail.attachment
          ? [{ filename: mail.attachment.filename, content: mail.attachment.content, contentType: mail.attachment.contentType ?? 'application/pdf' }]
          : [],
      });
      const rejected = (info.rejected ?? []) as unknown[];
      if (rejected.length > 0) {
        throw new DeliveryError(`SMTP ${target} rejected recipient ${mail.to}`, { retryable: false });
      }
      return { messageId: String(info.messageId ?? ''), response: String(info.response ?? '') };
    } catch (e) {
      throw toDeliveryError(e, target, opts.smtpUrl);
    }
  }

  return {
    target,
    sendReportMail,
    async verify() {
      try {
        await transport.verify();
      } catch (e) {
        throw toDeliveryError(e, target, opts.smtpUrl);
      }
    },
    close() {
      transport.close();
    },
  };
}

/** host:port of an SMTP URL, with the default port of its scheme. Never the user or password. */
export function smtpTarget(smtpUrl: string): string {
  try {
    const u = new URL(smtpUrl);
    const port = u.port || (u.protocol === 'smtps:' ? '465' : '587');
    return `${u.hostname}:${port}`;
  } catch {
    return 'invalid-smtp-url';
  }
}

/** Pure: nodemailer's error (code, responseCode) → DeliveryError with the retry decision. */
export function toDeliveryError(e: unknown, target: string, smtpUrl?: string): DeliveryError {
  if (e instanceof DeliveryError) return e;
  const err = (e ?? {}) as { code?: string; responseCode?: number; message?: string };
  const responseCode = typeof err.responseCode === 'number' ? err.responseCode : undefined;
  let retryable: boolean;
  if (responseCode !== undefined && responseCode >= 500) retryable = false;
  else if (responseCode !== undefined && responseCode >= 400) retryable = true;
  else if (err.code && PERMANENT_CODES.has(err.code)) retryable = false;
  else if (err.code && RETRYABLE_CODES.has(err.code)) retryable = true;
  else retryable = true; // unknown failures get the bounded retries of the ledger
  const kind = responseCode !== undefined ? `answered ${responseCode}` : err.code ? err.code : 'failed';
  const detail = redactSecrets(errorMessage(e), smtpUrl);
  return new DeliveryError(`SMTP ${target} ${kind}: ${detail}`, { retryable, cause: e });
}

function redactSecrets(message: string, smtpUrl?: string): string {
  let out = message.replace(/(\w+:\/\/[^:/@\s]+):[^@\s]*@/g, '$1:***@');
  if (smtpUrl) {
    try {
      const u = new URL(smtpUrl);
      if (u.password) out = out.split(decodeURIComponent(u.password)).join('***');
    } catch {
      /* not a URL */
    }
  }
  return out.split('\n')[0]!.slice(0, 500);
}
