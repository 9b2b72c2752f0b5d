import crypto from 'node:crypto';
import { audit, type AppDb } from '../../common/db/app-db.js';
import { errorMessage } from '../../common/errors.js';
import { silentLogger, type Logger } from '../../common/logger.js';
import { backoffDelay, isRetryable, realSleep, shouldRetry, type BackoffOptions, type Sleep } from '../../common/backoff.js';

/** The delivery's backoff between attempts: 2 s, doubling, at most a minute. */
export const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 2_000, maxMs: 60_000 };
import { composeFailureNotice } from './mail-content.js';
import type { SendMail } from './mailer.js';
import { DEFAULT_TIMEZONE } from '../../common/definitions/timezone.js';

/**
 * The delivery ledger (`deliveries` table, one row per run and recipient; unique run_key + recipient).
 *
 * - A recipient who already has the report for a run (`sent`) is skipped: re-running a run never sends twice.
 * - Each send is tried up to retries+1 times, with backoff and jitter, and only while the error says
 *   `retryable`. Attempts, SMTP answer, message id, error text and the PDF's sha256 are recorded.
 * - A final failure is written to the audit log and mailed (best effort) to every active administrator:
 *   failures are never silent.
 *
 * Status values: `pending` (being delivered now; left behind only by a crash, and then re-sent on the next
 * run: at-least-once), `sent`, `failed`, `held`.
 */

export type DeliveryStatus = 'pending' | 'sent' | 'failed' | 'held';

export interface DeliveryRow {
  id: number;
  subscription_id: number | null;
  report_id: string;
  run_key: string;
  recipient: string;
  status: DeliveryStatus;
  attempts: number;
  pdf_sha256: string | null;
  message_id: string | null;
  smtp_response: string | null;
  error: string | null;
}

export interface DeliveryOutcome {
  recipient: string;
  /** skipped = already sent for this run earlier. */
  status: 'sent' | 'failed' | 'skipped';
  /** Send attempts made in this call. */
  attempts: number;
  /** Attempts recorded for this run and recipient over all calls. */
  totalAttempts: number;
  messageId?: string;
  error?: string;
  retryable?: boolean;
}

export interface AdminNotification {
  notified: string[];
  errors: Array<{ to: string; error: string }>;
}

export interface DeliverRunOptions {
  db: AppDb;
  /** One scheduled occurrence, e.g. "3@2026-11-30T05:00:00.000Z". */
  runKey: string;
  subscription?: { id: number } | null;
  reportId: string;
  recipients: string[];
  pdf: Buffer;
  filename: string;
  mail: { subject: string; text: string; html: string };
  send: SendMail;
  /** Retries after the first attempt, per recipient. */
  retries: number;
  sleep?: Sleep;
  backoff?: BackoffOptions;
  logger?: Logger;
  /** For the administrators' notice; defaults to the report id, now and DEFAULT_TIMEZONE. */
  reportTitle?: string;
  scheduledAt?: Date;
  timezone?: string;
}

export interface DeliverRunResult {
  outcomes: DeliveryOutcome[];
  sent: number;
  skipped: number;
  failed: number;
  pdfSha256: string;
  adminNotification?: AdminNotification;
}

export async function deliverRun(opts: DeliverRunOptions): Promise<DeliverRunResult> {
  const log = opts.logger ?? silentLogger;
  const sleep = opts.sleep ?? realSleep;
  const backoff = opts.backoff ?? DEFAULT_BACKOFF;
  const maxAttempts = Math.max(0, Math.floor(opts.retries)) + 1;
  const pdfSha256 = sha256(opts.pdf);
  const subscriptionId = opts.subscription?.id ?? null;
  const base = { report_id: opts.reportId, run_key: opts.runKey };
  const outcomes: DeliveryOutcome[] = [];

  for (const recipient of normalizeRecipients(opts.recipients)) {
    const existing = await findRow(opts.db, opts.runKey, recipient);
    if (existing?.status === 'sent') {
      log.info({ ...base, recipient, message_id: existing.message_id }, 'scheduler.delivery.skipped');
      outcomes.push({ recipient, status: 'skipped', attempts: 0, totalAttempts: existing.attempts, messageId: existing.message_id ?? undefined });
      continue;
    }
    if (existing?.status === 'pending') log.warn({ ...base, recipient }, 'scheduler.delivery.resume_pending');
    const row = await upsertRow(opts.db, {
      subscription_id: subscriptionId,
      report_id: opts.reportId,
      run_key: opts.runKey,
      recipient,
      status: 'pending',
      pdf_sha256: pdfSha256,
    });

    if (!isPlausibleAddress(recipient)) {
      const error = `Geçersiz e-posta adresi: ${recipient}`;
      await updateRow(opts.db, row.id, { status: 'failed', error });
      log.error({ ...base, recipient, attempts: 0, err: error }, 'scheduler.delivery.failed');
      outcomes.push({ recipient, status: 'failed', attempts: 0, totalAttempts: row.attempts, error, retryable: false });
      continue;
    }

    let totalAttempts = row.attempts;
    for (let attempt = 1; ; attempt++) {
      totalAttempts++;
      try {
        const info = await opts.send({
          to: recipient,
          subject: opts.mail.subject,
          text: opts.mail.text,
          html: opts.mail.html,
          attachment: { filename: opts.filename, content: opts.pdf, contentType: 'application/pdf' },
        });
        await updateRow(opts.db, row.id, {
          status: 'sent',
          attempts: totalAttempts,
          message_id: info.messageId || null,
          smtp_response: info.response || null,
          error: null,
          pdf_sha256: pdfSha256,
        });
        log.info({ ...base, recipient, attempts: attempt, message_id: info.messageId, smtp_response: info.response }, 'scheduler.delivery.sent');
        outcomes.push({ recipient, status: 'sent', attempts: attempt, totalAttempts, messageId: info.messageId });
        break;
      } catch (e) {
        const error = errorMessage(e);
        const retry = shouldRetry(e, attempt, maxAttempts);
        await updateRow(opts.db, row.id, {
          status: retry ? 'pending' : 'failed',
          attempts: totalAttempts,
          error,
          smtp_response: smtpResponseOf(e),
        });
        if (!retry) {
          log.error({ ...base, recipient, attempts: attempt, retryable: isRetryable(e), err: error }, 'scheduler.delivery.failed');
          outcomes.push({ recipient, status: 'failed', attempts: attempt, totalAttempts, error, retryable: isRetryable(e) });
          break;
        }
        const delay = backoffDelay(attempt, backoff);
        log.warn({ ...base, recipient, attempt, delay_ms: delay, err: error }, 'scheduler.delivery.retry');
        await sleep(delay);
      }
    }
  }

  const result: DeliverRunResult = {
    outcomes,
    sent: outcomes.filter((o) => o.status === 'sent').length,
    skipped: outcomes.filter((o) => o.status === 'skipped').length,
    failed: outcomes.filter((o) => o.status === 'failed').length,
    pdfSha256,
  };
  if (result.failed > 0) result.adminNotification = await notifyFinalFailures(opts, log, subscriptionId, outcomes);
  return result;
}

export interface RecordRunFailureOptions {
  db: AppDb;
  runKey: string;
  subscription?: { id: number } | null;
  reportId: string;
  recipients: string[];
  /** Why nothing could be sent (e.g. the PDF could not be rendered). */
  error: unknown;
  /**
   * `failed` (default): the run could not produce the report. `held`: the subscription holds reports whose
   * sources failed; the reason is written as is. Both are delivered by a later attempt of the same run.
   */
  status?: 'failed' | 'held';
  send: SendMail;
  logger?: Logger;
  reportTitle?: string;
  scheduledAt?: Date;
  timezone?: string;
}

/**
 * When a run fails before anything can be sent (the render failed): every recipient who does not already have
 * this run's report gets a `failed` row with the reason, the audit log gets an entry, administrators a notice.
 */
export async function recordRunFailure(opts: RecordRunFailureOptions): Promise<DeliverRunResult> {
  const log = opts.logger ?? silentLogger;
  const status = opts.status ?? 'failed';
  const error = status === 'held' ? errorMessage(opts.error) : `Rapor oluşturulamadı: ${errorMessage(opts.error)}`;
  const subscriptionId = opts.subscription?.id ?? null;
  const outcomes: DeliveryOutcome[] = [];
  for (const recipient of normalizeRecipients(opts.recipients)) {
    const existing = await findRow(opts.db, opts.runKey, recipient);
    if (existing?.status === 'sent') {
      outcomes.push({ recipient, status: 'skipped', attempts: 0, totalAttempts: existing.attempts, messageId: existing.message_id ?? undefined });
      continue;
    }
    const row = await upsertRow(opts.db, {
      subscription_id: subscriptionId,
      report_id: opts.reportId,
      run_key: opts.runKey,
      recipient,
      status,
      pdf_sha256: null,
    });
    await updateRow(opts.db, row.id, { status, error });
    log.error(
      { report_id: opts.reportId, run_key: opts.runKey, recipient, attempts: 0, err: error },
      status === 'held' ? 'scheduler.delivery.held' : 'scheduler.delivery.failed',
    );
    outcomes.push({ recipient, status: 'failed', attempts: 0, totalAttempts: row.attempts, error, retryable: isRetryable(opts.error) });
  }
  const result: DeliverRunResult = {
    outcomes,
    sent: 0,
    skipped: outcomes.filter((o) => o.status === 'skipped').length,
    failed: outcomes.filter((o) => o.status === 'failed').length,
    pdfSha256: '',
  };
  if (result.failed > 0) result.adminNotification = await notifyFinalFailures(opts, log, subscriptionId, outcomes);
  return result;
}

/** The ledger of one run, for the portal and the CLI. */
export async function listDeliveries(db: AppDb, runKey: string): Promise<DeliveryRow[]> {
  return db<DeliveryRow>('deliveries').where({ run_key: runKey }).orderBy('recipient');
}

interface FinalFailureInput {
  db: AppDb;
  send: SendMail;
  logger: Logger;
  runKey: string;
  reportId: string;
  subscriptionId: number | null;
  reportTitle: string;
  scheduledAt: Date;
  timezone: string;
  failures: Array<{ recipient: string; error: string; attempts: number }>;
}

/** Audit log entry (always) and one notice to each active administrator with an e-mail (best effort, one try). */
async function reportFinalFailures(input: FinalFailureInput): Promise<AdminNotification> {
  const log = input.logger;
  const base = { report_id: input.reportId, run_key: input.runKey };
  const notification: AdminNotification = { notified: [], errors: [] };
  let admins: string[] = [];
  try {
    const rows = await input.db('users').select('email').where({ role: 'admin', active: true }).whereNotNull('email');
    admins = normalizeRecipients(rows.map((r: { email: string }) => r.email)).filter(isPlausibleAddress);
  } catch (e) {
    log.error({ ...base, err: errorMessage(e) }, 'scheduler.delivery.admin_lookup_failed');
  }
  if (admins.length === 0) log.warn({ ...base }, 'scheduler.delivery.no_admin_to_notify');
  const notice = composeFailureNotice({
    reportTitle: input.reportTitle,
    reportId: input.reportId,
    runKey: input.runKey,
    date: input.scheduledAt,
    timezone: input.timezone,
    failures: input.failures,
  });
  for (const to of admins) {
    try {
      await input.send({ to, subject: notice.subject, text: notice.text, html: notice.html });
      notification.notified.push(to);
      log.info({ ...base, recipient: to }, 'scheduler.delivery.admin_notified');
    } catch (e) {
      notification.errors.push({ to, error: errorMessage(e) });
      log.error({ ...base, recipient: to, err: errorMessage(e) }, 'scheduler.delivery.admin_notify_failed');
    }
  }
  try {
    await audit(input.db, null, 'report.delivery_failed', {
      report_id: input.reportId,
      run_key: input.runKey,
      subscription_id: input.subscriptionId,
      failures: input.failures,
      admins_notified: notification.notified,
      admin_notify_errors: notification.errors,
    });
  } catch (e) {
    log.error({ ...base, err: errorMessage(e) }, 'scheduler.delivery.audit_failed');
  }
  return notification;
}

export function normalizeRecipients(list: readonly string[]): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const raw of list) {
    const r = String(raw ?? '')
      .trim()
      .toLowerCase();
    if (!r || seen.has(r)) continue;
    seen.add(r);
    out.push(r);
  }
  return out;
}

function isPlausibleAddress(s: string): boolean {
  return /^[^\s@<>,;]+@[^\s@<>,;]+\.[^\s@<>,;]+$/.test(s);
}

export function sha256(buf: Buffer): string {
  return crypto.createHash('sha256').update(buf).digest('hex');
}

function smtpResponseOf(e: unknown): string | null {
  let cur: unknown = e;
  for (let i = 0; i < 3 && cur && typeof cur === 'object'; i++) {
    const r = (cur as { response?: unknown }).response;
    if (typeof r === 'string' && r) return r.slice(0, 1000);
    cur = (cur as { cause?: unknown }).cause;
  }
  return null;
}

async function findRow(db: AppDb, runKey: string, recipient: string): Promise<DeliveryRow | undefined> {
  return db<DeliveryRow>('deliveries').where({ run_key: runKey, recipient }).first();
}

async function upsertRow(
  db: AppDb,
  values: Pick<DeliveryRow, 'subscription_id' | 'report_id' | 'run_key' | 'recipient' | 'status' | 'pdf_sha256'>,
): Promise<DeliveryRow> {
  const existing = await findRow(db, values.run_key, values.recipient);
  if (existing) {
    await updateRow(db, existing.id, { status: values.status, ...(values.pdf_sha256 ? { pdf_sha256: values.pdf_sha256 } : {}) });
    return { ...existing, status: values.status };
  }
  try {
    await db('deliveries').insert({ ...values, attempts: 0 });
  } catch (e) {
    // Someone inserted the same run and recipient in between: use theirs (the unique key decides).
    if (!(await findRow(db, values.run_key, values.recipient))) throw e;
  }
  return (await findRow(db, values.run_key, values.recipient))!;
}

async function updateRow(db: AppDb, id: number, values: Partial<DeliveryRow>): Promise<void> {
  await db('deliveries')
    .where({ id })
    .update({ ...values, updated_at: db.fn.now() });
}

/** Tells administrators about recipients who did not get the report after every attempt. */
function notifyFinalFailures(
  opts: Pick<DeliverRunOptions, 'db' | 'send' | 'runKey' | 'reportId' | 'reportTitle' | 'scheduledAt' | 'timezone'>,
  log: Logger,
  subscriptionId: number | null,
  outcomes: DeliveryOutcome[],
) {
  return reportFinalFailures({
    db: opts.db,
    send: opts.send,
    logger: log,
    runKey: opts.runKey,
    reportId: opts.reportId,
    subscriptionId,
    reportTitle: opts.reportTitle ?? opts.reportId,
    scheduledAt: opts.scheduledAt ?? new Date(),
    timezone: opts.timezone ?? DEFAULT_TIMEZONE,
    failures: outcomes.filter((o) => o.status === 'failed').map((o) => ({ recipient: o.recipient, error: o.error ?? '', attempts: o.totalAttempts })),
  });
}
